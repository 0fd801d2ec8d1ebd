// Jobs of a worker that died without unlocking them (SIGKILL, a lost machine)
// would wait four hours for graphile-worker's own timeout. Instead, every live
// worker process holds a session advisory lock per locker id (graphile-worker
// locks jobs with its worker pool's id; worker ids are registered too) on a
// connection of its own; PostgreSQL drops those locks the moment that process's
// connection goes. A sweep (at start, then periodically) unlocks the jobs whose
// locker's lock is free, so another worker runs them again.
//
// A free lock is not yet a dead worker: a live worker's liveness connection can
// drop too (its backend terminated, a network blip, a database restart), and its
// locks are then free until it reconnects (RECONNECT_DELAY_MS later, it takes
// every lock again) while its jobs still run. So a locker is declared dead only
// when its lock was free on sweeps at least `graceMs` apart and on every sweep in
// between; a sweep that finds it held again forgets it. What remains (the README's
// worker section, "Faults"): a worker whose locks stay free for `graceMs` or more
// while it still runs a job (its liveness connection cannot come back for that long,
// or is down at every sweep of that stretch) has that job run a second time by
// another worker.
import type { EventEmitter } from "node:events";
import pg from "pg";

/** Namespace of our advisory locks (the first key of pg_advisory_lock(int, int)). */
export const LIVENESS_LOCK_CLASS = 0x70617331;

/** How long a lost liveness connection waits before each attempt to come back. */
export const RECONNECT_DELAY_MS = 1000;

/** The liveness connections' application_name (pg_stat_activity), to tell them from the worker's pool. */
export const LIVENESS_APPLICATION_NAME = "graphile-worker liveness";

export interface DeadWorkerSweepOptions {
  /** How often to look for dead workers' jobs. */
  intervalMs: number;
  /**
   * Only jobs locked at least this long ago are considered: a worker takes its
   * liveness lock right after it is created, so a younger lock may belong to a
   * worker that is alive but not yet registered.
   */
  minLockAgeMs: number;
  /**
   * How long a locker's lock must stay free (on the sweep that first finds it free,
   * on every sweep after, and on one at least this long after the first) before its
   * jobs are released: longer than a live worker takes to reconnect its liveness
   * connection (RECONNECT_DELAY_MS, then a connection and a lock per id).
   */
  graceMs: number;
  /**
   * How often the liveness connection is asked `select 1` (default HEARTBEAT_MS). A connection cut without a
   * word to this side (a failover, a NAT dropping the flow: the server has freed our locks, no error comes here)
   * that leaves a heartbeat unanswered until the next one is dropped and made again, so a worker notices within
   * two heartbeats: keep that, plus RECONNECT_DELAY_MS, under graceMs.
   */
  heartbeatMs?: number;
}

/** The default heartbeat of the liveness connection: a silent cut is noticed within 10 s, a third of the default grace. */
export const HEARTBEAT_MS = 5000;

export const DEFAULT_SWEEP: DeadWorkerSweepOptions = { intervalMs: 60_000, minLockAgeMs: 10_000, graceMs: 30_000 };

export interface DeadWorkerSweep {
  stop(): Promise<void>;
}

/**
 * SQL: whether the liveness lock of the locker id `locker` (an expression) is free in this database, $1 being
 * the lock class. When it is, this session takes it and holds it to the end of the statement: its worker cannot
 * take it back meanwhile.
 */
const lockIsFree = (locker: string) => `pg_try_advisory_xact_lock($1::int, hashtext(${locker}))`;

/** The lockers (other than $3's) of jobs locked at least $2 ms ago whose lock is free. */
const FREE_LOCKERS = `select distinct locked_by as locker from graphile_worker.jobs
  where locked_by is not null and locked_at < now() - make_interval(secs => $2 / 1000.0)
    and not (locked_by = any ($3::text[]))
    and ${lockIsFree("locked_by")}`;

/** Releases the jobs of those of $2's lockers whose lock is (still) free, in one statement; returns them. */
const RELEASE_DEAD = `with dead as (
    select coalesce(array_agg(id), '{}') as ids from unnest($2::text[]) id where ${lockIsFree("id")})
  select ids as dead, graphile_worker.force_unlock_workers(ids) from dead`;

export function startDeadWorkerSweep(
  connectionString: string,
  events: EventEmitter,
  options: DeadWorkerSweepOptions,
  log: (line: string) => void,
): DeadWorkerSweep {
  const lockerIds = new Set<string>();
  /** The ids whose lock the current liveness connection holds (advisory locks count: take each once). */
  let held = new Set<string>();
  /** Other workers' lockers whose lock the last sweep found free, with when it was first found free (performance.now()). */
  const suspects = new Map<string, number>();
  let liveness: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let stopped = false;
  // One query at a time on the liveness connection (pg would queue them, with a deprecation warning).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => {});
    return result;
  };

  const lock = (client: pg.Client, id: string) =>
    client.query("select pg_advisory_lock($1, hashtext($2))", [LIVENESS_LOCK_CLASS, id]);

  /** The liveness connection, reconnected (with every lock taken again) after a database restart. */
  function livenessClient(): Promise<pg.Client> {
    if (liveness) return Promise.resolve(liveness);
    connecting ??= (async () => {
      const client = new pg.Client({ connectionString, application_name: LIVENESS_APPLICATION_NAME, keepAlive: true });
      // (pg may report one loss twice: the server's message, then "Connection terminated unexpectedly".)
      client.on("error", (e) => dropLiveness(client, e.message));
      try {
        await client.connect();
        held = new Set();
        for (const id of lockerIds) {
          await lock(client, id);
          held.add(id);
        }
      } catch (e) {
        await client.end().catch(() => {});
        throw e;
      }
      liveness = client;
      return client;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  /** Forgets a lost liveness connection (closing its socket, which fails what waits on it) and makes another. */
  function dropLiveness(client: pg.Client, why: string): void {
    if (liveness !== client) return;
    log(`worker liveness connection lost (${why}); reconnecting`);
    liveness = undefined;
    // pg has no public way to drop a connection whose peer went silent: end() would wait for an answer.
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    reconnectSoon();
  }

  // A heartbeat still unanswered at the next one means the connection is gone without a word.
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  let unanswered: pg.Client | undefined;
  const heartbeat = setInterval(() => {
    const client = liveness;
    if (!client) return;
    if (unanswered === client) return dropLiveness(client, `no answer to a heartbeat in ${heartbeatMs} ms`);
    unanswered = client;
    // In turn with the sweep's queries: a sweep stuck on a dead connection leaves this one unanswered too.
    serial(() => client.query("select 1")).then(
      () => unanswered === client && (unanswered = undefined),
      () => {},
    );
  }, heartbeatMs);
  heartbeat.unref();

  /** Every second until the database is back: /readyz counts live workers by these locks. */
  const reconnectSoon = () => {
    if (!stopped) setTimeout(() => void livenessClient().catch(reconnectSoon), RECONNECT_DELAY_MS).unref();
  };

  const register = (id: string) => {
    lockerIds.add(id);
    serial(async () => {
      const client = await livenessClient();
      if (held.has(id)) return;
      await lock(client, id);
      held.add(id);
    }).catch((e: Error) => log(`could not register ${id} as alive: ${e.message}`));
  };
  const unregister = (id: string) => {
    lockerIds.delete(id);
    serial(async () => {
      if (!liveness || !held.delete(id)) return;
      await liveness.query("select pg_advisory_unlock($1, hashtext($2))", [LIVENESS_LOCK_CLASS, id]);
    }).catch(() => {});
  };
  const onPoolCreate = ({ workerPool }: { workerPool: { id: string } }) => register(workerPool.id);
  const onPoolRelease = ({ workerPool }: { workerPool: { id: string } }) => unregister(workerPool.id);
  const onWorkerCreate = ({ worker }: { worker: { workerId: string } }) => register(worker.workerId);
  const onWorkerStop = ({ worker }: { worker: { workerId: string } }) => unregister(worker.workerId);
  events.on("pool:create", onPoolCreate);
  events.on("pool:release", onPoolRelease);
  events.on("worker:create", onWorkerCreate);
  events.on("worker:stop", onWorkerStop);

  /** One sweep; resolves with how long to wait before the next one. */
  async function sweep(): Promise<number> {
    const client = await livenessClient();
    const { rows } = await serial(() =>
      client.query<{ locker: string }>(FREE_LOCKERS, [LIVENESS_LOCK_CLASS, options.minLockAgeMs, [...lockerIds]]),
    );
    if (stopped) return options.intervalMs;
    const now = performance.now();
    const free = new Set(rows.map((r) => r.locker));
    for (const id of suspects.keys()) {
      if (free.has(id)) continue;
      suspects.delete(id);
      log(`worker ${id} holds its liveness lock again (or no job any more): its jobs stay with it`);
    }
    for (const id of free) {
      if (suspects.has(id)) continue;
      suspects.set(id, now);
      log(`worker ${id}'s liveness lock is free: its jobs are released after ${options.graceMs} ms unless it takes the lock again`);
    }
    const due = [...suspects].filter(([, since]) => now - since >= options.graceMs).map(([id]) => id);
    if (due.length > 0) {
      const { rows: released } = await serial(() => client.query<{ dead: string[] }>(RELEASE_DEAD, [LIVENESS_LOCK_CLASS, due]));
      const dead = released[0]?.dead ?? [];
      for (const id of due) suspects.delete(id);
      if (dead.length > 0) log(`released the jobs of dead workers: ${dead.join(", ")}`);
    }
    // Look again when the first suspect's grace ends, if that comes before the next regular sweep.
    const graceEnds = [...suspects.values()].map((since) => since + options.graceMs - now);
    return Math.max(0, Math.min(options.intervalMs, ...graceEnds));
  }

  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    sweep()
      .catch((e: Error) => {
        log(`dead-worker sweep failed: ${e.message}`);
        // A sweep that saw nothing breaks "free on every sweep": after it (this worker's own liveness connection
        // lost, the database restarting), every other worker gets a whole grace again.
        suspects.clear();
        return options.intervalMs;
      })
      .then((delay) => {
        if (!stopped) timer = setTimeout(loop, delay);
      });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      events.off("pool:create", onPoolCreate);
      events.off("pool:release", onPoolRelease);
      events.off("worker:create", onWorkerCreate);
      events.off("worker:stop", onWorkerStop);
      await queue;
      await connecting?.catch(() => {});
      await liveness?.end().catch(() => {});
    },
  };
}
