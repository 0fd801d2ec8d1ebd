import { readFile } from "node:fs/promises";
import { findPgTool, serverMajor } from "../../src/tools/pgTools.ts";
import { dumpMajor, dumpSchema, SCHEMA_DUMP } from "../../src/tools/schemaDump.ts";
import { rootUrl } from "../helpers/db.ts";
import { askServer, testIf } from "../helpers/server.ts";

const committed = await readFile(SCHEMA_DUMP, "utf8");
const major = dumpMajor(committed);
// pg_dump output differs between major versions: only a server and pg_dump of the
// dump's own version can compare (CI's PostgreSQL 15 pass does).
const server = await askServer(serverMajor);
const pgDump = major !== undefined && server === major ? await findPgTool("pg_dump", major) : undefined;

test("schema.sql says which PostgreSQL major version dumped it", () => {
  expect(major).toBeDefined();
});

testIf(pgDump !== undefined, `schema.sql is a PostgreSQL ${major} dump; this server is ${server}, or its pg_dump is missing`)(
  "schema.sql matches a pg_dump of the migrated database (run `npm run db:dump` on PostgreSQL 15 after a change)",
  async () => {
    expect(await dumpSchema(pgDump!, rootUrl, major!)).toBe(committed);
  },
);
