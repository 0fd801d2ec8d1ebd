// Jobs of a worker that died without unlocking them (SIGKILL, a lost machine)
// would wait four hours for graphile-worker's own timeout. Instead, every live
// worker process holds a session advisory lock per locker id (graphile-worker
// locks jobs with its worker pool's id; worker ids are registered too) on a
// connection of its own; PostgreSQL drops those locks the moment that process's
// connection goes. A sweep (at start, then periodically) unlocks the jobs whose
// locker's lock is free, so another worker runs them again.
import type { EventEmitter } from "node:events";
import pg from "pg";

/** Namespace of our advisory locks (the first key of pg_advisory_lock(int, int)). */
const LIVENESS_LOCK_CLASS = 0x70617331;

export interface DeadWorkerSweepOptions {
  /** How often to look for dead workers' jobs. */
  intervalMs: number;
  /**
   * Only jobs locked at least this long ago are considered: a worker takes its
   * liveness lock right after it is created, so a younger lock may belong to a
   * worker that is alive but not yet registered.
   */
  minLockAgeMs: number;
}

export const DEFAULT_SWEEP: DeadWorkerSweepOptions = { intervalMs: 60_000, minLockAgeMs: 10_000 };

export interface DeadWorkerSweep {
  stop(): Promise<void>;
}

export function startDeadWorkerSweep(
  connectionString: string,
  events: EventEmitter,
  options: DeadWorkerSweepOptions,
  log: (line: string) => void,
): DeadWorkerSweep {
  const lockerIds = new Set<string>();
  /** The ids whose lock the current liveness connection holds (advisory locks count: take each once). */
  let held = new Set<string>();
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
      const client = new pg.Client({ connectionString });
      client.on("error", (e) => {
        log(`worker liveness connection lost (${e.message}); reconnecting`);
        if (liveness === client) {
          liveness = undefined;
          reconnectSoon();
        }
      });
      await client.connect();
      held = new Set();
      for (const id of lockerIds) {
        await lock(client, id);
        held.add(id);
      }
      liveness = client;
      return client;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  /** Every second until the database is back: /readyz counts live workers by these locks. */
  const reconnectSoon = () => {
    if (!stopped) setTimeout(() => void livenessClient().catch(reconnectSoon), 1000).unref();
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

  async function sweep(): Promise<void> {
    const client = await livenessClient();
    // A free lock means its holder's connection is gone: that worker is dead.
    const { rows } = await serial(() =>
      client.query<{ locker: string }>(
        `select distinct locked_by as locker from graphile_worker.jobs
         where locked_by is not null and locked_at < now() - make_interval(secs => $2 / 1000.0)
           and not (locked_by = any ($3))
           and pg_try_advisory_xact_lock($1, hashtext(locked_by))`,
        [LIVENESS_LOCK_CLASS, options.minLockAgeMs, [...lockerIds]],
      ),
    );
    if (rows.length === 0) return;
    const dead = rows.map((r) => r.locker);
    await serial(() => client.query("select graphile_worker.force_unlock_workers($1)", [dead]));
    log(`released the jobs of dead workers: ${dead.join(", ")}`);
  }

  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    sweep()
      .catch((e: Error) => log(`dead-worker sweep failed: ${e.message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
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
