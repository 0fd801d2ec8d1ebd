// Descriptions for what PostGraphile derives from a mutation function but
// cannot describe by itself: each argument (from `@arg <name> <text>` lines at
// the start of the function's comment) and the payload's `result` field.
import type {} from "postgraphile";

function argumentDocs(tags: Record<string, unknown> | undefined): Map<string, string> {
  const raw = tags?.arg;
  const lines = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const docs = new Map<string, string>();
  for (const line of lines) {
    const match = String(line).match(/^(\w+)\s+(.+)$/);
    if (match) docs.set(match[1]!, match[2]!);
  }
  return docs;
}

export const FunctionDocsPlugin: GraphileConfig.Plugin = {
  name: "FunctionDocsPlugin",
  version: "1.0.0",
  schema: {
    hooks: {
      GraphQLInputObjectType_fields_field(field, build, context) {
        if (field.description || !context.scope.isMutationInput) return field;
        for (const resource of Object.values(build.input.pgRegistry.pgResources)) {
          if (!resource.parameters) continue;
          // (The resource is a function here: it has parameters.)
          if (build.inflection.customMutationInput({ resource: resource as never }) !== context.Self.name) continue;
          for (const [name, description] of argumentDocs(resource.extensions?.tags as Record<string, unknown>)) {
            if (build.inflection.camelCase(name) === context.scope.fieldName) return { ...field, description };
          }
        }
        return field;
      },
      GraphQLObjectType_fields_field(field, _build, context) {
        const { isMutationPayload, pgTypeResource, fieldName } = context.scope as typeof context.scope & {
          isMutationPayload?: boolean;
          pgTypeResource?: { parameters?: unknown; description?: string };
        };
        if (field.description || !isMutationPayload || fieldName !== "result" || !pgTypeResource?.parameters) return field;
        return { ...field, description: "What the function returned." };
      },
    },
  },
};
