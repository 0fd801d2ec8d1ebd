// npm run db:dump — migrate a scratch database from nothing, pg_dump its schema
// into schema.sql, drop it. Needs a superuser URL and a pg_dump of the server's
// major version (commit the dump taken on PostgreSQL 15, the oldest we support).
import { writeFile } from "node:fs/promises";
import { appDatabaseAsSuperuser, loadConfig } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { runCommand } from "../lifecycle.ts";
import { requirePgTool, serverMajor } from "../tools/pgTools.ts";
import { migrateScratchDatabase } from "../tools/scratchDatabase.ts";
import { dumpSchema, SCHEMA_DUMP } from "../tools/schemaDump.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  const why = "db:dump creates a scratch database";
  await startEmbeddedIfNeeded(config, lifecycle);
  const scratch = await migrateScratchDatabase(config, lifecycle, "dump", why);
  const major = await serverMajor(scratch.root);
  const pgDump = await requirePgTool("pg_dump", major);
  await writeFile(SCHEMA_DUMP, await dumpSchema(pgDump, appDatabaseAsSuperuser(scratch.config, why), major));
  console.log(`wrote ${SCHEMA_DUMP} (pg_dump of PostgreSQL ${major})`);
}, "one-shot");
