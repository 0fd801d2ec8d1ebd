import { readFile } from "node:fs/promises";
import { erDiagram, README, readmeWithDiagram, SCHEMA_DOC, schemaDocument } from "../../src/tools/erDiagram.ts";
import { withRootDb } from "../helpers/db.ts";

test("docs/schema.md and the README's diagram match the migrated catalog (run `npm run docs:schema` after a change)", async () => {
  await withRootDb(async (client) => {
    expect(schemaDocument(await erDiagram(client, { columns: true }))).toBe(await readFile(SCHEMA_DOC, "utf8"));
    expect(await readmeWithDiagram(await erDiagram(client, { columns: false }))).toBe(await readFile(README, "utf8"));
  });
});

test("every GraphQL operation in docs/graphql.md is valid against the schema", async () => {
  const { startTestServer } = await import("../helpers/http.ts");
  const { parse, validate } = await import("postgraphile/graphql");
  const markdown = await readFile(new URL("../../docs/graphql.md", import.meta.url), "utf8");
  const operations = [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(operations.length).toBeGreaterThan(10);
  const server = await startTestServer();
  try {
    const schema = await server.service.pgl.getSchema();
    const problems = operations.flatMap((op) => validate(schema, parse(op)).map((e) => `${op.split("\n")[0]}: ${e.message}`));
    expect(problems).toEqual([]);
  } finally {
    await server.close();
  }
});
