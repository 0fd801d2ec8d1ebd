// The dead-worker sweep (src/worker/deadWorkers.ts) against a live worker whose liveness connection drops, and
// against a really dead one: in-process workers on this file's database, jobs of a test task the test controls.
import type { Task } from "graphile-worker";
import { workerLoggerFrom } from "../../src/observability/workerLogger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { type DeadWorkerSweepOptions, LIVENESS_LOCK_CLASS } from "../../src/worker/deadWorkers.ts";
import { startWorker, type WorkerHandle } from "../../src/worker/runner.ts";
import { poolFor, roleUrl, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { until } from "../helpers/process.ts";

/** The lock class of the workers' liveness locks (deadWorkers.ts). */

const root = () => poolFor(rootUrl);

/** A worker of the test's tasks, its log lines captured. */
async function worker(taskList: Record<string, Task>, deadWorkerSweep: DeadWorkerSweepOptions) {
  const { logger, lines } = capturingLogger();
  const handle = await startWorker({
    connectionString: roleUrl("app_worker"),
    masterKeys: masterKeys(testConfig()),
    taskList,
    cronItems: [],
    concurrency: 1,
    deadWorkerSweep,
    logger: workerLoggerFrom(logger),
  });
  const logged = (pattern: RegExp) => lines.some((line) => pattern.test(String(line.msg)));
  /** The index of the first line containing `text`, -1 if none. */
  const lineOf = (text: string) => lines.findIndex((line) => String(line.msg).includes(text));
  return { handle, logged, lineOf };
}

const jobState = async (id: string) =>
  (await root().query<{ locked_by: string | null }>("select locked_by from graphile_worker.jobs where id = $1", [id])).rows[0];

async function queue(task: string, payload: object): Promise<string> {
  return withOwnerDb(async (owner) => (await owner.query("select id::text from graphile_worker.add_job($1, $2::json)", [task, JSON.stringify(payload)])).rows[0].id);
}

/** The backend holding `locker`'s liveness lock: its worker's liveness connection. */
async function livenessBackend(locker: string): Promise<number | undefined> {
  const { rows } = await root().query<{ pid: number }>(
    `select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())
       and classid = $1::int::oid and objid = hashtext($2)::oid and objsubid = 2`,
    [LIVENESS_LOCK_CLASS, locker],
  );
  return rows[0]?.pid;
}

test("a live worker whose liveness connection drops keeps its running job: no other worker runs it meanwhile", async () => {
  const runs = new Map<string, number>();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Runs until the test lets it finish; counts its runs.
  const hold: Task = async (payload) => {
    const { n } = payload as { n: string };
    runs.set(n, (runs.get(n) ?? 0) + 1);
    await finished;
  };
  const database = (await root().query<{ name: string }>("select current_database() as name")).rows[0]!.name;
  const allowWorkerLogins = () => root().query(`grant connect on database ${database} to app_worker`);

  let a: WorkerHandle | undefined;
  let b: WorkerHandle | undefined;
  try {
    a = (await worker({ hold }, { intervalMs: 60_000, minLockAgeMs: 0, graceMs: 60_000 })).handle;
    const job = await queue("hold", { n: "one" });
    const lockedBy = await until("A to take the job", async () => (runs.get("one") === 1 && (await jobState(job))?.locked_by) || undefined);
    // B sweeps all the time and would run the job if it were released; its grace outlasts the test by far.
    const other = await worker({ hold }, { intervalMs: 20, minLockAgeMs: 0, graceMs: 60_000 });
    b = other.handle;

    // A's liveness connection drops, and cannot come back until the test allows it: the window is open
    // for as long as the test likes (A retries every second).
    const backend = await until("A's liveness lock", () => livenessBackend(lockedBy));
    await root().query(`revoke connect on database ${database} from app_worker`);
    await root().query("select pg_terminate_backend($1)", [backend]);
    await until("B's sweep to find A's lock free", async () =>
      other.logged(new RegExp(`${lockedBy}'s liveness lock is free|released the jobs of dead workers: ${lockedBy}`)));
    expect(await livenessBackend(lockedBy)).toBeUndefined();
    // Before the fix, B's sweep released the job here, and B ran it a second time while A still ran it.
    expect(await jobState(job)).toEqual({ locked_by: lockedBy });

    // A comes back: B's next sweep sees its lock held again and forgets it.
    await allowWorkerLogins();
    await until("B to see A's lock held again", async () => other.logged(new RegExp(`${lockedBy} holds its liveness lock again`)));
    expect(await livenessBackend(lockedBy)).toBeDefined();
    expect(await jobState(job)).toEqual({ locked_by: lockedBy });
    expect(runs).toEqual(new Map([["one", 1]]));

    finish();
    await until("the job to complete", async () => (await jobState(job)) === undefined);
    expect(runs).toEqual(new Map([["one", 1]]));
    expect(other.logged(/released the jobs of dead workers/)).toBe(false);
  } finally {
    finish();
    await allowWorkerLogins();
    await b?.stop();
    await a?.stop();
  }
});

test("a dead worker's job is still released, once the grace has passed", async () => {
  const runs: string[] = [];
  const probe: Task = async (payload) => {
    runs.push((payload as { n: string }).n);
  };
  // A job locked by a worker that is gone: no process holds its liveness lock.
  const job = await queue("probe", { n: "orphan" });
  await withOwnerDb((owner) => owner.query("update graphile_worker._private_jobs set locked_by = 'worker-gone', locked_at = now() where id = $1", [job]));
  const other = await worker({ probe }, { intervalMs: 20, minLockAgeMs: 0, graceMs: 200 });
  try {
    await until("the orphaned job to run", async () => runs.length > 0 && (await jobState(job)) === undefined);
    expect(runs).toEqual(["orphan"]);
    // Found free first, released after the grace (by a sweep that found it free again).
    const order = ["worker-gone's liveness lock is free", "released the jobs of dead workers: worker-gone"].map((text) => other.lineOf(text));
    expect(order[0]).toBeGreaterThanOrEqual(0);
    expect(order[1]).toBeGreaterThan(order[0]!);
  } finally {
    await other.handle.stop();
  }
});
