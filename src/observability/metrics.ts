// The Prometheus metrics of one API process (prom-client, a registry per
// service so several can live in one process, as in the tests). Figures that
// live in the database (the job queue) are read when /metrics is scraped,
// through app_ops's functions as app_authenticator.
import type { EventEmitter } from "node:events";
import type pg from "pg";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Seconds; GraphQL operations and HTTP requests of this API sit between 1 ms and a few seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Metrics = ReturnType<typeof createMetrics>;

/** A registry of its own (several services may share a process, as in the tests) with the process's default metrics. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The metrics of an API process. `databaseFigures: false` (an API process of npm start's cluster, src/http/cluster.ts):
 * the figures every process would read alike from the database (the job queue, the erasure requests) are left to the
 * cluster's primary (createSharedMetrics), which reports them once; their counters stay here, at 0.
 */
export function createMetrics(pool: pg.Pool, { databaseFigures = true }: { databaseFigures?: boolean } = {}) {
  const registry = processRegistry();
  const metrics = {
    registry,
    httpRequests: new Counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route and status.",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "Time from an HTTP request's arrival to its response, by method, route and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: "query_duration_seconds",
      help: "Execution time of GraphQL operations, by operation (type and top-level fields) and outcome.",
      labelNames: ["operation", "outcome"] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    questCreations: new Counter({
      name: "quest_creations_total",
      help: "Quests created through the GraphQL API (createQuest that succeeded).",
      registers: [registry],
    }),
    privacyChecks: privacyChecksCounter(registry),
    workerJobs: addWorkerMetrics(registry, databaseFigures ? pool : undefined),
  };
  new Gauge({
    name: "database_connections_active",
    help: "Connections of the GraphQL pool checked out by a request.",
    registers: [registry],
    collect() {
      this.set(pool.totalCount - pool.idleCount);
    },
  });
  new Gauge({
    name: "database_connections_waiting",
    help: "Requests waiting for a connection of the GraphQL pool (above 0: the pool is exhausted).",
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
  return metrics;
}

/**
 * The figures of npm start's cluster that must be counted once, whatever the number of API processes: the
 * primary's (src/http/cluster.ts), added to the API processes' sums on /metrics. The process's own default
 * metrics, the privacy checks (one watchPrivacyChecks), the in-process worker's job attempts, and the
 * database's queue figures read through `pool` at scrape time.
 */
export function createSharedMetrics(pool: pg.Pool) {
  const registry = processRegistry();
  return { registry, privacyChecks: privacyChecksCounter(registry), workerJobs: addWorkerMetrics(registry, pool) };
}

function privacyChecksCounter(registry: Registry): Counter<"result"> {
  return resultCounter(registry, "privacy_checks_total",
    "Consent checks recorded in the audit log since this process started, by result (allowed, denied); every client counts.",
    ["allowed", "denied"]);
}

/** A counter by `result`, each of `results` shown from the start (at 0). */
function resultCounter(registry: Registry, name: string, help: string, results: string[]): Counter<"result"> {
  const counter = new Counter({ name, help, labelNames: ["result"] as const, registers: [registry] });
  for (const result of results) counter.inc({ result }, 0);
  return counter;
}

/**
 * The worker's figures, in the API's registry (`npm start` runs a worker in-process) or in a
 * standalone worker's (`npm run worker` with METRICS_PORT): job attempts run here, and the queue
 * and the erasure requests (read at scrape time through app_ops.job_counts and app_ops.erasure_queue,
 * which both login roles may run).
 */
export function addWorkerMetrics(registry: Registry, pool: pg.Pool | undefined): Counter<"result"> {
  const jobs = resultCounter(registry, "worker_jobs_total",
    "Job attempts run by this process's worker, by result (succeeded, failed: a failed attempt may be retried).",
    ["succeeded", "failed"]);
  // (No pool: another process reports the queue, see createMetrics.)
  if (!pool) return jobs;
  stateGauge(registry, pool, "worker_jobs_queued",
    "graphile-worker's queue by state: runnable, waiting (due later), running, failed (attempts exhausted).",
    "select runnable, waiting, running, failed from app_ops.job_counts()");
  stateGauge(registry, pool, "erasure_requests",
    "Verified erasure requests not yet completed, by state: queued (never failed), failing (failed at least once, retried with backoff).",
    "select queued, failing from app_ops.erasure_queue()");
  return jobs;
}

/** A gauge with one `state` label per column of the query's one row, read at scrape time. */
function stateGauge(registry: Registry, pool: pg.Pool, name: string, help: string, query: string): void {
  new Gauge({
    name,
    help,
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      try {
        const { rows } = await pool.query(query);
        for (const [state, count] of Object.entries(rows[0] as Record<string, number>)) this.set({ state }, count);
      } catch {
        // The database does not answer: /readyz says so; the process's own metrics still go out.
        this.reset();
      }
    },
  });
}

/** Counts a worker's job attempts (graphile-worker's events) into `jobs`. */
export function countWorkerJobs(events: EventEmitter, jobs: Counter<"result">): void {
  events.on("job:success", () => jobs.inc({ result: "succeeded" }));
  events.on("job:error", () => jobs.inc({ result: "failed" }));
}
