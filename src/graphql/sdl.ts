// The GraphQL schema as committed text (schema.graphql): sorted, so it only
// changes when the API does. A test fails when it drifts from the migrations.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { lexicographicSortSchema, printSchema } from "postgraphile/graphql";
import type { PostGraphileInstance } from "postgraphile";
import { PROJECT_ROOT } from "../config.ts";

export const SDL_FILE = path.join(PROJECT_ROOT, "schema.graphql");

export async function schemaSDL(pgl: PostGraphileInstance): Promise<string> {
  return printSchema(lexicographicSortSchema(await pgl.getSchema())) + "\n";
}

/** Writes the SDL to `file` (default: the committed schema.graphql). */
export async function writeSchemaSDL(pgl: PostGraphileInstance, file = SDL_FILE): Promise<void> {
  await writeFile(file, await schemaSDL(pgl));
}
