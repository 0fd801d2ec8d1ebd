// npm run worker — graphile-worker alone (for other machines), as app_worker.
import { loadConfig, requireSecrets, ROLES, roleConnectionString } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { runCommand } from "../lifecycle.ts";
import { createLogger } from "../observability/logger.ts";
import { workerLoggerFrom } from "../observability/workerLogger.ts";
import { startWorker } from "../worker/runner.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  requireSecrets(config, ["WORKER_DB_PASSWORD"]);
  await startEmbeddedIfNeeded(config, lifecycle);
  const runner = await startWorker({
    connectionString: roleConnectionString(config, ROLES.worker),
    logger: workerLoggerFrom(createLogger()),
  });
  lifecycle.onStop("worker", () => runner.stop());
  console.log(`graphile-worker running as ${ROLES.worker}; Ctrl-C to stop.`);
}, "long-running");
