// npm run db:restore -- --file <backup> [--keys <backup.keys.dump>] — into the database DATABASE_URL names,
// which must not hold the app yet (never over live data); creates roles and
// database (ROOT_DATABASE_URL), restores in one transaction, then migrates.
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfig, superuserUrl } from "../config.ts";
import { restoreDatabase } from "../tools/backup.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { requirePgTool, serverMajor } from "../tools/pgTools.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const { values } = parseArgs({ options: { file: { type: "string" }, keys: { type: "string" } } });
  if (!values.file) throw new UserError("usage: npm run db:restore -- --file <backup.dump> [--keys <backup.keys.dump>]");
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  const root = new pg.Client({ connectionString: superuserUrl(config, "A restore creates the database") });
  await root.connect();
  const major = await serverMajor(root).finally(() => root.end());
  const pgRestore = await requirePgTool("pg_restore", major);
  await restoreDatabase(config, pgRestore, values.file, values.keys, console.log);
}, "one-shot");
