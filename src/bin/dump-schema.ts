// npm run db:dump — migrate a scratch database from nothing, pg_dump its schema
// into schema.sql, drop it. Needs a superuser URL and a pg_dump of the server's
// major version (commit the dump taken on PostgreSQL 15, the oldest we support).
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { describeDatabase, loadConfig, superuserUrl, urlForDatabase } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { requirePgTool, serverMajor } from "../db/pgTools.ts";
import { dumpSchema, SCHEMA_DUMP } from "../db/schemaDump.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  const rootUrl = superuserUrl(config, "db:dump creates a scratch database");
  await startEmbeddedIfNeeded(config, lifecycle);
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  const major = await serverMajor(root);
  const pgDump = await requirePgTool("pg_dump", major);

  const scratch = `${describeDatabase(config.ownerUrl).database}_dump`;
  const drop = () => root.query(`drop database if exists ${root.escapeIdentifier(scratch)} with (force)`);
  await drop();
  lifecycle.onStop("scratch database", async () => {
    await drop();
    await root.end();
  });
  const scratchConfig = { ...config, ownerUrl: urlForDatabase(config.ownerUrl, scratch) };
  await migrateDatabase(scratchConfig, () => {});
  await writeFile(SCHEMA_DUMP, await dumpSchema(pgDump, urlForDatabase(rootUrl, scratch), major));
  console.log(`wrote ${SCHEMA_DUMP} (pg_dump of PostgreSQL ${major})`);
}, "one-shot");
