// npm start — the whole stack: database (embedded unless DATABASE_URL), roles,
// migrations, policies, in-process worker, GraphQL server.
import "../graphileEnv.ts";
import path from "node:path";
import { createServer } from "node:net";
import { loadConfig, requireSecrets, ROLES, roleConnectionString } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { hasNoUsers } from "../tools/seed/family.ts";
import { createHttpService } from "../http/app.ts";
import { appSecretsFrom } from "../http/auth.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";
import { createLogger } from "../observability/logger.ts";
import { countWorkerJobs } from "../observability/metrics.ts";
import { workerLoggerFrom } from "../observability/workerLogger.ts";
import { startWorker } from "../worker/runner.ts";

runCommand(async (lifecycle) => {
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
  const secrets = appSecretsFrom(config.secret);
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

  const http = await createHttpService({
    authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
    poolMax: config.poolMax,
    poolTimeoutMs: config.poolTimeoutMs,
    secrets,
    maxTokenLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    production: config.production,
    masterKeys: keys,
    trustedDocumentsDir: config.trustedDocumentsDir,
    logger,
  });
  lifecycle.onStop("HTTP server", () => http.close());
  if (runner) countWorkerJobs(runner.events, http.metrics.workerJobs);
  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(config.httpPort, resolve);
  });

  const base = `http://localhost:${config.httpPort}`;
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
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}, "long-running");

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
