// Limits on what a GraphQL request may ask, added to grafserv's validation:
// a depth limit always, and no introspection in production.
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "postgraphile/graphql";
import type { ClientCode } from "../errors/index.ts";

/** Deep nesting is how one request multiplies into many joins; real app queries stay far below this. */
export const MAX_QUERY_DEPTH = 12;

/**
 * The meta fields whose subtrees are not counted. The standard introspection query (graphql's
 * getIntrospectionQuery, which GraphiQL sends for its Docs panel) is about 15 levels deep, only
 * because of `ofType { ofType { … } }` chains. Skipping these subtrees lets it pass without raising
 * the limit for data, and is safe: everything under `__schema`/`__type` is an introspection type
 * (__Type, __Field, __InputValue, …) whose fields lead only to other introspection types and
 * scalars, so no depth there can reach a table; the schema's own types cannot use these names
 * (names starting with `__` are reserved), an alias does not change a field's name, and a sibling
 * real field is still counted in full. What introspection nesting costs is capped by graphql's
 * MaxIntrospectionDepthRule (in grafserv's specifiedRules), and production refuses introspection.
 */
const INTROSPECTION_FIELDS = new Set(["__schema", "__type"]);

function depthOf(selectionSet: SelectionSetNode, context: ValidationContext, visiting: Set<string>): number {
  let max = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (INTROSPECTION_FIELDS.has(selection.name.value)) continue;
      max = Math.max(max, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, context, visiting) : 0));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(selection.selectionSet, context, visiting));
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // A cycle is reported by graphql's own NoFragmentCycles rule.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      max = Math.max(max, depthOf(fragment.selectionSet, context, visiting));
      visiting.delete(name);
    }
  }
  return max;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, context, new Set());
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`This operation is ${depth} levels deep; the limit is ${maxDepth}.`, {
            nodes: [node],
            extensions: { code: "DEPTH_LIMIT_EXCEEDED" satisfies ClientCode },
          }),
        );
      }
    },
  });
}

export function makeHardeningPlugin(options: { production: boolean }): GraphileConfig.Plugin {
  return {
    name: "HardeningPlugin",
    version: "1.0.0",
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(depthLimitRule(MAX_QUERY_DEPTH));
          if (options.production) event.validationRules.push(NoSchemaIntrospectionCustomRule);
          return next();
        },
      },
    },
  };
}
