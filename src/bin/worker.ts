// npm run worker — graphile-worker alone (for other machines), as app_worker.
import { loadConfig, requireSecrets, ROLES, roleConnectionString } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import type { AddressInfo } from "node:net";
import { resilientPool } from "../db/pool.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";
import { createLogger } from "../observability/logger.ts";
import { addWorkerMetrics, countWorkerJobs, processRegistry } from "../observability/metrics.ts";
import { serveMetrics } from "../observability/metricsServer.ts";
import { workerLoggerFrom } from "../observability/workerLogger.ts";
import { startWorker } from "../worker/runner.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  requireSecrets(config, ["WORKER_DB_PASSWORD", "DATA_ENCRYPTION_KEY"]);
  await startEmbeddedIfNeeded(config, lifecycle);
  // The worker logs in only as app_worker: it needs DATABASE_URL's server and database, not the owner's password.
  await checkDatabaseConnection(config, { setting: "DATABASE_URL and WORKER_DB_PASSWORD", url: roleConnectionString(config, ROLES.worker) });
  const runner = await startWorker({
    connectionString: roleConnectionString(config, ROLES.worker),
    masterKeys: masterKeys(config),
    logger: workerLoggerFrom(createLogger({ level: config.logLevel })),
  });
  lifecycle.onStop("worker", () => runner.stop());
  console.log(`graphile-worker running as ${ROLES.worker}; Ctrl-C to stop.`);

  if (config.metricsPort !== undefined) {
    const registry = processRegistry();
    const pool = resilientPool({ connectionString: roleConnectionString(config, ROLES.worker), max: 1 }, "worker metrics");
    countWorkerJobs(runner.events, addWorkerMetrics(registry, pool));
    const server = await serveMetrics(registry, config.metricsPort);
    lifecycle.onStop("metrics server", async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    });
    console.log(`metrics on http://localhost:${(server.address() as AddressInfo).port}/metrics`);
  }
}, "long-running");
