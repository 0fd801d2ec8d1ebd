// npm start — the whole stack: database (embedded unless DATABASE_URL), roles,
// migrations, policies, in-process worker, GraphQL server. With API_PROCESSES > 1 (the default on a machine of
// several cores) this process is node:cluster's primary: it does what must happen once (the database, migrations,
// the worker, the banner) and forks the API processes, which run this same file (serveApi) and share PORT
// (src/http/cluster.ts).
import "../graphileEnv.ts";
import cluster from "node:cluster";
import type { Server } from "node:http";
import path from "node:path";
import { type AddressInfo, createServer } from "node:net";
import { authenticatorConnectionString, type Config, loadConfig, readReplicaConnectionString, requireSecrets, ROLES, roleConnectionString } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { resilientPool } from "../db/pool.ts";
import { hasNoUsers } from "../tools/seed/family.ts";
import { createHttpService, type HttpServiceOptions } from "../http/app.ts";
import { appSecretsFrom } from "../http/auth.ts";
import { forkApiProcesses, joinCluster } from "../http/cluster.ts";
import { UserError } from "../errors/index.ts";
import { type Lifecycle, runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { countWorkerJobs, createSharedMetrics } from "../observability/metrics.ts";
import { watchPrivacyChecks } from "../observability/privacyWatch.ts";
import { watchDatabase } from "../http/readiness.ts";
import { workerLoggerFrom } from "../observability/workerLogger.ts";
import { startWorker, type WorkerHandle } from "../worker/runner.ts";

if (cluster.isWorker) runCommand(serveApi, "long-running", { quietStop: true });
else runCommand(async (lifecycle) => {
  const startedAt = performance.now();
  const config = loadConfig();
  requireSecrets(config, [
    "PAS_BOT_JWT_SECRET",
    "INNER_EDU_JWT_SECRET",
    "AUTHENTICATOR_DB_PASSWORD",
    "DATA_ENCRYPTION_KEY",
    ...(config.rootUrl ? (["PAS_BOT_DB_PASSWORD", "INNER_EDU_DB_PASSWORD"] as const) : []),
    // app_worker's login: for the in-process worker, and for creating the role.
    ...(config.workerInProcess || config.rootUrl ? (["WORKER_DB_PASSWORD"] as const) : []),
  ]);
  appSecretsFrom(config.secret); // (checked before anything starts; each API process reads them again)
  const keys = masterKeys(config);

  const logger = createLogger({ level: config.logLevel });
  // One server per data directory, and a taken PORT: refused before any database is started or changed.
  await startEmbeddedIfNeeded(config, lifecycle, { server: true, preflight: () => ensurePortFree(config.httpPort) });
  await checkDatabaseConnection(config);
  await migrateDatabase(config, (line) => logger.info({ event: "migrate" }, line));
  // An empty development database gets a pointer to the seed, not rows it did not ask for
  // (a developer may want it empty: migrations, `db:seed --scale N`).
  const empty = !config.production && (await hasNoUsers(config.ownerUrl));

  // WORKER_IN_PROCESS=false: the jobs are left to `npm run worker` processes (docker-compose's `worker`).
  const runner = config.workerInProcess
    ? await startWorker({
        connectionString: roleConnectionString(config, ROLES.worker),
        masterKeys: keys,
        logger: workerLoggerFrom(logger),
      })
    : undefined;
  if (runner) {
    lifecycle.onStop("worker", () => runner.stop());
    // A server whose worker stopped would answer GraphQL and never run a job again: stop everything and
    // exit non-zero, so that a supervisor (docker's restart policy) starts us afresh.
    void runner.stoppedOnItsOwn.then(async (reason) => {
      // (The reason goes in the message: a field named `reason` would be redacted as a P1/P2 column's name.)
      logger.error({ event: "worker_stopped" }, `The in-process worker stopped on its own: ${reason}. Stopping npm start.`);
      await lifecycle.stop();
      process.exit(1);
    });
  }

  let port: number;
  if (config.apiProcesses === 1) {
    const http = await createHttpService(httpOptions(config, logger));
    lifecycle.onStop("HTTP server", () => http.close());
    if (runner) countWorkerJobs(runner.events, http.metrics.workerJobs);
    port = await listen(http.server, config.httpPort);
  } else {
    port = await startApiProcesses(config, lifecycle, logger, runner);
  }

  const base = `http://localhost:${port}`;
  const psqlUrl = new URL(config.ownerUrl);
  psqlUrl.password = "";
  const passwordHint = config.embedded
    ? `PGPASSWORD=$(node -p "require('${secretsFile(config.embedded.dataDir)}').EMBEDDED_OWNER_PASSWORD") `
    : "";
  // For the person at the terminal: stderr, like every plain-text line; stdout carries only JSON log lines.
  console.error(
    [
      "",
      `Ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s${config.embedded ? ` (embedded PostgreSQL, data in ${shownPath(config.embedded.dataDir)}/)` : ""}.`,
      `  GraphQL   ${base}/graphql`,
      config.production
        ? `  GraphiQL  disabled (NODE_ENV=production)`
        : `  GraphiQL  ${base}/graphiql   log in: \`npm run dev:tokens\`, paste a line into its Headers tab`,
      `  Health    ${base}/healthz, ${base}/readyz, metrics ${base}/metrics`,
      `  psql      ${passwordHint}psql "${psqlUrl.href}"`,
      `  Token     npm run -s token -- --app pas_bot|inner_edu --user <uuid>`,
      `            then send "Authorization: Bearer <token>"`,
      ...(empty ? ["  Empty     no users yet: `npm run db:seed -- --scale 0` adds the development family (parent, child, psychologist, admin)"] : []),
      ...(runner ? [] : ["  Worker    not in this process (WORKER_IN_PROCESS=false): jobs wait for `npm run worker`"]),
      ...(config.apiProcesses > 1 ? [`  API       ${config.apiProcesses} processes sharing the port (API_PROCESSES), ${config.poolMax} connections each at most (PG_POOL_MAX)`] : []),
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}, "long-running");

/** The GraphQL server's settings, as npm start's process and each API process of its cluster take them from Config. */
function httpOptions(config: Config, logger: Logger): HttpServiceOptions {
  return {
    authenticatorUrl: authenticatorConnectionString(config),
    poolMax: config.poolMax,
    poolTimeoutMs: config.poolTimeoutMs,
    preparedStatements: config.preparedStatements,
    readReplicaUrl: readReplicaConnectionString(config),
    secrets: appSecretsFrom(config.secret),
    maxTokenLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    production: config.production,
    masterKeys: masterKeys(config),
    trustedDocumentsDir: config.trustedDocumentsDir,
    logger,
  };
}

/** Listens on `port` (0: any free one); resolves with the port taken. */
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, resolve);
  });
  return (server.address() as AddressInfo).port;
}

/**
 * The primary's side of API_PROCESSES > 1: forks the API processes and resolves with their port once all listen. What
 * must be counted once is counted here (createSharedMetrics): the audit log's privacy checks (the one
 * watchPrivacyChecks, which also logs each denial once), the in-process worker's jobs and the queue, through a pool
 * of two app_authenticator connections, which also watches the database (database_unavailable and
 * database_available, logged once). One "HTTP server" stop ends them all.
 */
async function startApiProcesses(config: Config, lifecycle: Lifecycle, logger: Logger, runner: WorkerHandle | undefined): Promise<number> {
  const pool = resilientPool(
    { connectionString: authenticatorConnectionString(config), max: 2, connectionTimeoutMillis: config.poolTimeoutMs },
    "Metrics database",
  );
  const shared = createSharedMetrics(pool);
  if (runner) countWorkerJobs(runner.events, shared.workerJobs);
  const privacyWatch = watchPrivacyChecks(pool, shared, logger, 5000);
  // Logged once for all processes: the database stopped answering, and answers again.
  const stopDatabaseWatch = watchDatabase(pool, logger, 2000);
  const api = forkApiProcesses({ count: config.apiProcesses, shared: shared.registry, logger });
  lifecycle.onStop("HTTP server", async () => {
    await api.stop();
    stopDatabaseWatch();
    await privacyWatch.stop();
    await pool.end();
  });
  // Crashing again and again (RESTART_GIVE_UP in a row): a supervisor (docker's restart policy) starts us afresh.
  void api.gaveUp.catch(async (e: Error) => {
    console.error(`${e.name}: ${e.message}`);
    await lifecycle.stop();
    process.exit(1);
  });
  return api.ready;
}

/** An API process of npm start's cluster: one GraphQL server on the shared port; /metrics answers the cluster's sum. */
async function serveApi(lifecycle: Lifecycle): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const member = joinCluster();
  const http = await createHttpService({ ...httpOptions(config, logger), clusterMetrics: member.metrics });
  lifecycle.onStop("HTTP server", () => http.close());
  member.report(http.metrics.registry);
  await listen(http.server, config.httpPort);
}

/** Fails with one line when something already listens on the HTTP port (0: any free port, nothing to check). */
async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new UserError(`PORT ${port} is in use by another process: stop it, or set PORT to a free port.`) : e),
    );
    // Bound as http.server.listen(port) will bind it: every address.
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** The development secrets file as `require()` in the banner's psql line takes it (a relative path needs ./). */
function secretsFile(dataDir: string): string {
  const shown = shownPath(path.join(dataDir, "dev-secrets.json"));
  return path.isAbsolute(shown) ? shown : `./${shown}`;
}

/** A folder as the banner shows it: relative to where the command runs when it is inside, absolute otherwise. */
function shownPath(folder: string): string {
  const relative = path.relative(process.cwd(), folder);
  return relative.startsWith("..") || path.isAbsolute(relative) ? folder : relative || ".";
}
