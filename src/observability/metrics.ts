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

export function createMetrics(pool: pg.Pool) {
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
    privacyChecks: new Counter({
      name: "privacy_checks_total",
      help: "Consent checks recorded in the audit log since this process started, by result (allowed, denied); every client counts.",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    workerJobs: addWorkerMetrics(registry, pool),
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
  for (const result of ["allowed", "denied"]) metrics.privacyChecks.inc({ result }, 0);
  return metrics;
}

/**
 * The worker's figures, in the API's registry (`npm start` runs a worker in-process) or in a
 * standalone worker's (`npm run worker` with METRICS_PORT): job attempts run here, and the queue
 * and the erasure requests (read at scrape time through app_ops.job_counts and app_ops.erasure_queue,
 * which both login roles may run).
 */
export function addWorkerMetrics(registry: Registry, pool: pg.Pool): Counter<"result"> {
  const jobs = new Counter({
    name: "worker_jobs_total",
    help: "Job attempts run by this process's worker, by result (succeeded, failed: a failed attempt may be retried).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["succeeded", "failed"]) jobs.inc({ result }, 0);
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
