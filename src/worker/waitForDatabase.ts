// graphile-worker 0.18 records a job's outcome (completeJob/failJob, main.js) without awaiting it, and
// retries that write only on a few codes (lib.js RETRYABLE_ERROR_CODES: not ECONNREFUSED, 57P01 or a
// lost connection). While PostgreSQL restarts, the write's connect is refused and its rejection is
// unhandled, which ends the whole process (under `npm start`, the API with it). So the worker's pool
// waits for the database on connect instead: a connect that fails because the database is unreachable
// (pool.ts databaseUnavailability) is tried again every `intervalMs` until it succeeds, or until
// `giveUp()` (the worker is stopping, and has waited long enough).
import type pg from "pg";
import { databaseUnavailability } from "../db/pool.ts";

export interface WaitForDatabaseOptions {
  /** True once connects should fail as they come (the worker stops). Asked after each failed attempt. */
  giveUp: () => boolean;
  /** Between attempts (default 1000 ms). */
  intervalMs?: number;
  /** Told once per outage, with the first attempt's error. */
  onWait?: (error: unknown) => void;
}

/** Makes `pool.connect()` (the promise form graphile-worker uses) wait out an unreachable database. */
export function connectsWaitForDatabase(pool: pg.Pool, { giveUp, intervalMs = 1000, onWait }: WaitForDatabaseOptions): void {
  const connect = pool.connect.bind(pool);
  let waiting = false;
  const waitingConnect = async (): Promise<pg.PoolClient> => {
    for (;;) {
      try {
        const client = await connect();
        waiting = false;
        return client;
      } catch (error) {
        if (databaseUnavailability(error)?.reason !== "database_unreachable" || giveUp()) throw error;
        if (!waiting) onWait?.(error);
        waiting = true;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    }
  };
  // The callback form (pool.query uses it) is left as it was: only graphile-worker's own writes need to wait.
  pool.connect = ((callback?: Parameters<pg.Pool["connect"]>[0]) =>
    callback ? connect(callback) : waitingConnect()) as pg.Pool["connect"];
}
