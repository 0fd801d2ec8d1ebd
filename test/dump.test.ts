import { readFile } from "node:fs/promises";
import { dumpMajor, dumpSchema, findPgDump, SCHEMA_DUMP } from "../src/db/schemaDump.ts";
import { rootUrl, withRootDb } from "./helpers/db.ts";

test("schema.sql matches a pg_dump of the migrated database (run `npm run db:dump` on PostgreSQL 15 after a change)", async () => {
  const committed = await readFile(SCHEMA_DUMP, "utf8");
  const major = dumpMajor(committed);
  expect(major).toBeDefined();
  const serverMajor = await withRootDb(async (client) =>
    Math.floor(Number((await client.query("show server_version_num")).rows[0].server_version_num) / 10000),
  );
  const pgDump = serverMajor === major ? await findPgDump(major!) : undefined;
  if (!pgDump) {
    // pg_dump output differs between major versions: only a server and pg_dump of the
    // dump's own version can compare (CI's PostgreSQL 15 pass does).
    console.warn(`schema.sql is a PostgreSQL ${major} dump; this server is ${serverMajor}: comparison skipped here.`);
    return;
  }
  expect(await dumpSchema(pgDump, rootUrl, major!)).toBe(committed);
});
