// npm start — the whole stack: database (embedded unless DATABASE_URL), roles,
// migrations, policies, in-process worker, GraphQL server.
import "../graphileEnv.ts";
import { loadConfig, requireSecrets, ROLES, roleConnectionString } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { createHttpService } from "../http/app.ts";
import { appSecretsFrom } from "../http/auth.ts";
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
    "WORKER_DB_PASSWORD",
    "DATA_ENCRYPTION_KEY",
    ...(config.rootUrl ? (["PAS_BOT_DB_PASSWORD", "INNER_EDU_DB_PASSWORD"] as const) : []),
  ]);
  const secrets = appSecretsFrom(config.secret);
  const keys = masterKeys(config);

  const logger = createLogger({ level: config.logLevel });
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, (line) => logger.info({ event: "migrate" }, line));

  const runner = await startWorker({
    connectionString: roleConnectionString(config, ROLES.worker),
    masterKeys: keys,
    logger: workerLoggerFrom(logger),
  });
  lifecycle.onStop("worker", () => runner.stop());

  const http = await createHttpService({
    authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
    poolMax: config.poolMax,
    secrets,
    production: config.production,
    masterKeys: keys,
    trustedDocumentsDir: config.trustedDocumentsDir,
    logger,
  });
  lifecycle.onStop("HTTP server", () => http.close());
  countWorkerJobs(runner.events, http.metrics.workerJobs);
  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(config.httpPort, resolve);
  });

  const base = `http://localhost:${config.httpPort}`;
  const psqlUrl = new URL(config.ownerUrl);
  psqlUrl.password = "";
  const passwordHint = config.embedded
    ? `PGPASSWORD=$(node -p "require('./.data/dev-secrets.json').EMBEDDED_OWNER_PASSWORD") `
    : "";
  console.log(
    [
      "",
      `Ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s${config.embedded ? " (embedded PostgreSQL, data in .data/)" : ""}.`,
      `  GraphQL   ${base}/graphql`,
      config.production ? `  GraphiQL  disabled (NODE_ENV=production)` : `  GraphiQL  ${base}/graphiql`,
      `  Health    ${base}/healthz, ${base}/readyz, metrics ${base}/metrics`,
      `  psql      ${passwordHint}psql "${psqlUrl.href}"`,
      `  Token     npm run -s token -- --app pas_bot|inner_edu --user <uuid>`,
      `            then send "Authorization: Bearer <token>"`,
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}, "long-running");
