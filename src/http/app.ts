// The express app: /graphql (+ /graphiql outside production) behind JWT auth;
// /healthz, /readyz and /metrics for the operator. Every request is logged as
// JSON with its request id (x-request-id, taken from the caller or made here).
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import express from "express";
import { pinoHttp } from "pino-http";
import { postgraphile, type PostGraphileInstance } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/express/v4";
import { resilientPool } from "../db/pool.ts";
import { makePreset } from "../graphql/preset.ts";
import { ReadReplicaRouter } from "../graphql/readReplica.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { createMetrics, type Metrics } from "../observability/metrics.ts";
import { type MasterKeys, masterKeyIds } from "../privacy/masterKeys.ts";
import { type PrivacyWatch, watchPrivacyChecks } from "../observability/privacyWatch.ts";
import { DEFAULT_POOL_TIMEOUT_MS } from "../config.ts";
import { recordActivity } from "./activity.ts";
import { type AppSecrets, identityOf, requireActingKind, requireAppToken } from "./auth.ts";
import { checkReadiness, latestCommittedMigration, watchDatabase } from "./readiness.ts";
import { answerUnavailable, DatabaseUnavailablePlugin } from "./unavailable.ts";

export interface HttpService {
  server: Server;
  pgl: PostGraphileInstance;
  metrics: Metrics;
  /** Follows the audit log's privacy checks; `poll()` reads them now. */
  privacyWatch: PrivacyWatch;
  /** Stops accepting, lets in-flight requests finish, releases the schema and the pool. */
  close(): Promise<void>;
}

export interface HttpServiceOptions {
  /** app_authenticator's connection string. */
  authenticatorUrl: string;
  /**
   * READ_REPLICA_URL: app_authenticator's connection string on a streaming replica. Read-only operations that write
   * nothing run there (src/graphql/readReplica.ts); the pool has `poolMax` connections too.
   */
  readReplicaUrl?: string;
  poolMax: number;
  /** How long a request waits for a database connection before it gets 503 (PG_POOL_TIMEOUT_MS; default DEFAULT_POOL_TIMEOUT_MS). */
  poolTimeoutMs?: number;
  /** PG_PREPARED_STATEMENTS (default true): false sends every query unnamed, for PgBouncer < 1.21 in transaction mode (src/db/pool.ts). */
  preparedStatements?: boolean;
  secrets: AppSecrets;
  /** The longest life a token may have (JWT_MAX_LIFETIME_SECONDS; default 7 days, src/http/auth.ts). */
  maxTokenLifetimeSeconds?: number;
  production: boolean;
  masterKeys: MasterKeys;
  /** Per-request statement_timeout (default STATEMENT_TIMEOUT). */
  statementTimeout?: string;
  /** Only the trusted documents in this directory run (persisted operations). */
  trustedDocumentsDir?: string;
  /** See makePreset: only the benchmark sets it. */
  roleFor?: (appRole: string) => string;
  /** Default: JSON lines on stdout. */
  logger?: Logger;
  /** /readyz wants a live worker process (default true: `npm start` runs one in-process). */
  requireWorker?: boolean;
  /** How often the audit log's privacy checks are read for metrics and warnings (default 5 s). */
  privacyPollMs?: number;
  /** How often the database is asked whether it answers, to log when it stops and comes back (default 2 s). */
  databasePollMs?: number;
  /**
   * Set in an API process of npm start's cluster (src/http/cluster.ts, API_PROCESSES > 1): what /metrics answers (the
   * sum over every process, gathered by the primary). The figures read from the database alike by every process (the
   * audit log's privacy checks, the job queue) and the database watch's log lines are then left to the primary,
   * which counts and logs them once.
   */
  clusterMetrics?: () => Promise<string>;
}

/** Asked every few seconds by probes and scrapers: not logged per request. */
const PROBES = ["/healthz", "/readyz", "/metrics"];
/** Routes are labels of the HTTP metrics: a fixed set, whatever path was asked. */
const ROUTES = new Set(["/graphql", "/graphiql", ...PROBES]);
/** A caller's request id is kept if it looks like one; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,100}$/;
/** A read waits at most this long for a replica connection before it runs on the primary. */
const REPLICA_CONNECT_TIMEOUT_MS = 1000;
/** A statement waits at most this long for the replica's answer before its read runs on the primary (pg's client-side query_timeout). */
const REPLICA_QUERY_TIMEOUT_MS = 5000;
/** At most one "pool exhausted" warning per this many ms. */
const POOL_WARNING_INTERVAL_MS = 10_000;

export async function createHttpService(options: HttpServiceOptions): Promise<HttpService> {
  const pool = resilientPool(
    {
      connectionString: options.authenticatorUrl,
      max: options.poolMax,
      connectionTimeoutMillis: options.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS,
      preparedStatements: options.preparedStatements,
      // A request's BEGIN goes out with its settings, not a round trip before them (src/db/pool.ts).
      pipeline: true,
    },
    "GraphQL database",
  );
  const logger = options.logger ?? createLogger();
  const replicaPool = options.readReplicaUrl
    ? resilientPool(
        {
          connectionString: options.readReplicaUrl,
          max: options.poolMax,
          connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS,
          // A replica that stops answering (a hung host, packets dropped) must not hold a read: past this the
          // read runs on the primary (readReplica.ts).
          query_timeout: REPLICA_QUERY_TIMEOUT_MS,
          keepAlive: true,
          preparedStatements: options.preparedStatements,
          pipeline: true,
        },
        "read replica",
      )
    : undefined;
  const readReplica = replicaPool ? new ReadReplicaRouter({ primaryPool: pool, replicaPool, logger }) : undefined;
  const metrics = createMetrics(pool, { databaseFigures: !options.clusterMetrics });
  const expectedMigration = latestCommittedMigration();
  const heldKeyIds = masterKeyIds(options.masterKeys);

  const pgl = postgraphile({
    // An unreachable database or an exhausted pool: HTTP 503 + Retry-After (unavailable.ts).
    plugins: [DatabaseUnavailablePlugin],
    extends: [
      makePreset({
        pool,
        // The identity requireAppToken (mounted on /graphql below) verified; none on any other path.
        identityOf: ({ expressv4 }) => (expressv4 ? identityOf(expressv4.res) : undefined),
        production: options.production,
        masterKeys: options.masterKeys,
        statementTimeout: options.statementTimeout,
        trustedDocumentsDir: options.trustedDocumentsDir,
        roleFor: options.roleFor,
        readReplica,
        telemetry: { metrics, logger },
      }),
    ],
  });
  const app = express();
  app.disable("x-powered-by");
  const server = createServer(app);

  let lastPoolWarning = 0;
  app.use(
    pinoHttp({
      logger,
      genReqId(req, res) {
        const given = req.headers["x-request-id"];
        const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader("x-request-id", id);
        return id;
      },
      // Method, path and status only: headers carry tokens, query strings and bodies carry data.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => PROBES.includes(req.url ?? "") },
    }),
  );
  app.use((req, res, next) => {
    const started = performance.now();
    if (pool.waitingCount > 0 && Date.now() - lastPoolWarning > POOL_WARNING_INTERVAL_MS) {
      lastPoolWarning = Date.now();
      req.log.warn({ event: "pool_exhausted", waiting: pool.waitingCount, max: options.poolMax }, "database pool exhausted");
    }
    res.on("finish", () => {
      const labels = { method: req.method, route: ROUTES.has(req.path) ? req.path : "other", status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  });

  // The process is up and serving; nothing else is asked (a restart would not fix the database).
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const readiness = await checkReadiness(pool, expectedMigration, options.requireWorker ?? true, heldKeyIds);
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await (options.clusterMetrics ?? (() => metrics.registry.metrics()))());
  });
  app.use("/graphql", requireAppToken(options.secrets, { maxLifetimeSeconds: options.maxTokenLifetimeSeconds }), requireActingKind(pool), recordActivity(pool, logger));
  const serv = pgl.createServ(grafserv);
  await serv.addTo(app, server);
  app.use(answerUnavailable);
  // Build the schema now, so a broken database fails start-up rather than the first request.
  await pgl.getSchema();
  // Then the watchers: their first queries would otherwise compete with the introspection for the
  // pool, and a small pool (PG_POOL_MAX=1) could fail start-up on PG_POOL_TIMEOUT_MS.
  const privacyWatch: PrivacyWatch = options.clusterMetrics
    ? { poll: async () => {}, stop: async () => {} }
    : watchPrivacyChecks(pool, metrics, logger, options.privacyPollMs ?? 5000);
  // In npm start's cluster the primary watches the database, once for all (src/bin/start.ts).
  const stopDatabaseWatch = options.clusterMetrics ? () => {} : watchDatabase(pool, logger, options.databasePollMs ?? 2000);

  return {
    server,
    pgl,
    metrics,
    privacyWatch,
    async close() {
      stopDatabaseWatch();
      readReplica?.stop();
      await privacyWatch.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pgl.release();
      await pool.end();
      await replicaPool?.end();
    },
  };
}
