// npm run db:migrate [-- --skip-backup] [-- --out backups] — roles and database (given a superuser URL),
// migrations, the worker's schema, policies. Running it twice changes nothing. In production
// (NODE_ENV=production) it first takes a backup, as db:backup does, into --out when there are committed
// migrations to run (src/tools/backup.ts, migrateWithBackup); --skip-backup takes none and says so.
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateWithBackup } from "../tools/backup.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const { values } = parseArgs({ options: { "skip-backup": { type: "boolean", default: false }, out: { type: "string", default: "backups" } } });
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  await migrateWithBackup(config, { skip: values["skip-backup"], outDir: values.out }, console.log);
}, "one-shot");
