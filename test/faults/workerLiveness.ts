// Fault: the workers' liveness connections (src/worker/deadWorkers.ts) are killed again and again while their jobs
// run, and every worker sweeps for dead workers all the time. A live worker must keep its jobs: none may run twice,
// none may be lost. Self-contained: an embedded PostgreSQL of its own, two in-process workers logged in as
// app_worker, jobs of a test task that runs in JS only and counts its runs per job.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Logger, type Task } from "graphile-worker";
import pg from "pg";
import { ROLES, roleConnectionString, type SecretName, SECRET_NAMES } from "../../src/config.ts";
import { type EmbeddedCluster, startEmbeddedCluster } from "../../src/db/embeddedPostgres.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { LIVENESS_APPLICATION_NAME, RECONNECT_DELAY_MS } from "../../src/worker/deadWorkers.ts";
import { startWorker, type WorkerHandle } from "../../src/worker/runner.ts";
import { configFor } from "../helpers/config.ts";
import { until } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";
import type { FaultRow } from "./report.ts";

const JOBS = 80;
const WORKERS = 2;
const CONCURRENCY = 4;
/** Each job runs this long (plus up to as much again): about 15 s of work for the two workers. */
const JOB_MS = 1000;
/** A liveness connection is terminated this often, the workers' in turn: longer than a reconnect, so each comes back in between. */
const KILL_EVERY_MS = RECONNECT_DELAY_MS + 1000;
/** The sweeps: every 50 ms, jobs of any age, dead after 5 s of a free lock (the reconnect takes about 1 s). */
const SWEEP = { intervalMs: 50, minLockAgeMs: 0, graceMs: 5000 };

export async function workerLivenessFault(): Promise<FaultRow> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-faults-liveness-"));
  await chmod(dataDir, 0o755);
  const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, randomBytes(33).toString("base64url")])) as Record<SecretName, string>;
  let cluster: EmbeddedCluster | undefined;
  let owner: pg.Pool | undefined;
  let root: pg.Pool | undefined;
  const workers: WorkerHandle[] = [];
  let killer: NodeJS.Timeout | undefined;
  try {
    const port = await freePort();
    cluster = await startEmbeddedCluster({ dataDir, port, superuserPassword: randomBytes(18).toString("base64url") });
    const config = configFor(`postgres://app_owner:${secrets.EMBEDDED_OWNER_PASSWORD}@localhost:${port}/pas_faults`, cluster.rootUrl, {
      secret: (name) => secrets[name],
    });
    await migrateDatabase(config, () => {});
    owner = new pg.Pool({ connectionString: config.ownerUrl, max: 2 });
    root = new pg.Pool({ connectionString: cluster.rootUrl, max: 1 });
    owner.on("error", () => {});
    root.on("error", () => {});

    // Runs per job (by its payload's n), and what the workers said.
    const runs = new Map<number, number>();
    const succeeded = new Set<string>();
    const errors: Record<string, number> = {};
    const count = (kind: string) => (errors[kind] = (errors[kind] ?? 0) + 1);
    const probe: Task = async (payload) => {
      const { n } = payload as { n: number };
      runs.set(n, (runs.get(n) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, JOB_MS + Math.random() * JOB_MS));
    };
    const logger = new Logger(() => (level, message) => {
      if (message.startsWith("released the jobs of dead workers")) count("declared dead (jobs released)");
      else if (message.startsWith("worker liveness connection lost")) count("liveness connection lost");
      else if (message.startsWith("dead-worker sweep failed")) count("sweep failed");
      else if (level === "error") count("worker error");
    });
    for (let i = 0; i < WORKERS; i++) {
      const worker = await startWorker({
        connectionString: roleConnectionString(config, ROLES.worker),
        masterKeys: masterKeys(config),
        taskList: { liveness_probe: probe },
        cronItems: [],
        concurrency: CONCURRENCY,
        deadWorkerSweep: SWEEP,
        logger,
      });
      worker.events.on("job:success", ({ job }: { job: { id: string } }) => succeeded.add(job.id));
      worker.events.on("job:error", () => count("job failed"));
      workers.push(worker);
    }

    await owner.query("select graphile_worker.add_job('liveness_probe', json_build_object('n', n)) from generate_series(1, $1::int) n", [JOBS]);
    let rounds = 0;
    let terminated = 0;
    // One worker's liveness connection per round, the longest-lived: the workers take turns, so that the other one
    // sweeps (its own connection up) while this one's locks are free.
    const kill = async () => {
      const { rowCount } = await root!.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where pid = (select pid from pg_stat_activity where application_name = $1 and datname = 'pas_faults' order by backend_start limit 1)`,
        [LIVENESS_APPLICATION_NAME],
      );
      rounds++;
      terminated += rowCount ?? 0;
    };
    killer = setInterval(() => void kill().catch(() => count("kill failed")), KILL_EVERY_MS);
    // Given up after a minute: the row then shows what did not complete.
    const timedOut = await until(
      "every job to complete",
      async () => succeeded.size === JOBS && (await owner!.query("select count(*)::int as n from graphile_worker.jobs")).rows[0].n === 0,
      { timeoutMs: 60_000, intervalMs: 100 },
    ).then(
      () => false,
      () => true,
    );
    clearInterval(killer);

    const executions = [...runs.values()].reduce((a, b) => a + b, 0);
    const neverRun = JOBS - runs.size;
    const twice = [...runs.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    return {
      fault: "worker liveness connections killed while jobs run",
      sent: JOBS,
      acknowledged: succeeded.size,
      errors,
      checked: executions,
      lost: neverRun + twice,
      notes:
        `${WORKERS} workers × ${CONCURRENCY}, jobs of ${JOB_MS}–${2 * JOB_MS} ms in JS; every ${KILL_EVERY_MS} ms one worker's liveness ` +
        `connection terminated, in turn (${terminated} in ${rounds} rounds); sweeps every ${SWEEP.intervalMs} ms, grace ${SWEEP.graceMs} ms.\n` +
        `checked = executions counted by the task; lost = jobs never run (${neverRun}) + extra runs (${twice}).` +
        (timedOut ? "\nGave up waiting after 60 s with jobs left." : ""),
    };
  } finally {
    clearInterval(killer);
    for (const worker of workers) await worker.stop().catch(() => {});
    await owner?.end().catch(() => {});
    await root?.end().catch(() => {});
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
