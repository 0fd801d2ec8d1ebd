import { readFile } from "node:fs/promises";
import { findPgTool, serverMajor } from "../src/db/pgTools.ts";
import { dumpMajor, dumpSchema, SCHEMA_DUMP } from "../src/db/schemaDump.ts";
import { rootUrl, withRootDb } from "./helpers/db.ts";

test("schema.sql matches a pg_dump of the migrated database (run `npm run db:dump` on PostgreSQL 15 after a change)", async () => {
  const committed = await readFile(SCHEMA_DUMP, "utf8");
  const major = dumpMajor(committed);
  expect(major).toBeDefined();
  const server = await withRootDb(serverMajor);
  const pgDump = server === major ? await findPgTool("pg_dump", major!) : undefined;
  if (!pgDump) {
    // pg_dump output differs between major versions: only a server and pg_dump of the
    // dump's own version can compare (CI's PostgreSQL 15 pass does).
    console.warn(`schema.sql is a PostgreSQL ${major} dump; this server is ${server}: comparison skipped here.`);
    return;
  }
  expect(await dumpSchema(pgDump, rootUrl, major!)).toBe(committed);
});
