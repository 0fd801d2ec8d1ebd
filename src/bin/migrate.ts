// npm run db:migrate — roles and database (given a superuser URL), migrations,
// the worker's schema, policies. Running it twice changes nothing.
import { loadConfig } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  await migrateDatabase(config);
}, "one-shot");
