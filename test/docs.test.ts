import { readFile } from "node:fs/promises";
import { erDiagram, README, readmeWithDiagram, SCHEMA_DOC, schemaDocument } from "../src/db/erDiagram.ts";
import { withRootDb } from "./helpers/db.ts";

test("docs/schema.md and the README's diagram match the migrated catalog (run `npm run docs:schema` after a change)", async () => {
  await withRootDb(async (client) => {
    expect(schemaDocument(await erDiagram(client, { columns: true }))).toBe(await readFile(SCHEMA_DOC, "utf8"));
    expect(await readmeWithDiagram(await erDiagram(client, { columns: false }))).toBe(await readFile(README, "utf8"));
  });
});
