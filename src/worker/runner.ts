// graphile-worker, logged in as its own role (app_worker). Signals are handled
// by our lifecycle, which stops the worker before the database.
import { EventEmitter } from "node:events";
import { consoleLogFactory, Logger, type ParsedCronItem, run, type TaskList } from "graphile-worker";
import { resilientPool } from "../db/pool.ts";
import { DEFAULT_SWEEP, type DeadWorkerSweepOptions, startDeadWorkerSweep } from "./deadWorkers.ts";
import type { MasterKeys } from "../privacy/masterKeys.ts";
import { cronItems, workerTaskList } from "./tasks.ts";
import { connectsWaitForDatabase } from "./waitForDatabase.ts";

const POLL_INTERVAL_MS = 250;
/** How long a stopping worker still waits for an unreachable database to record its jobs' outcomes. */
const STOP_WAIT_FOR_DATABASE_MS = 5000;

export interface WorkerHandle {
  /** graphile-worker's events (job:success, job:error, …), for metrics. */
  events: EventEmitter;
  /** Finishes running jobs, then closes the worker's connections. Also fine once the worker stopped on its own. */
  stop(): Promise<void>;
  /**
   * Resolves, with why, once the worker has stopped without `stop()` being called (a breaking migration of
   * its schema by another process, a fatal error): it will run no job again. Never settles otherwise.
   */
  stoppedOnItsOwn: Promise<string>;
}

export async function startWorker(options: {
  connectionString: string;
  /** The service's master keys: for the rotation job, which a previous key queues at start. */
  masterKeys: MasterKeys;
  concurrency?: number;
  /** Default: every task (workerTaskList). */
  taskList?: TaskList;
  /** Default: the schedule in tasks.ts. */
  cronItems?: ParsedCronItem[];
  /** How jobs of dead workers are found and released (deadWorkers.ts). */
  deadWorkerSweep?: DeadWorkerSweepOptions;
  /** Default: graphile-worker's console logger. */
  logger?: Logger;
}): Promise<WorkerHandle> {
  const concurrency = options.concurrency ?? 2;
  // Our own pool, so its error listeners outlive the runner (graphile-worker removes its own when it stops).
  const pool = resilientPool({ connectionString: options.connectionString, max: concurrency + 2 }, "worker database");
  // Once asked to stop, a worker waits for the database at most this long more to record its jobs' outcomes.
  let stopAskedAt: number | undefined;

  const events = new EventEmitter();
  // The sweep logs where the worker does (JSON under npm start and npm run worker).
  const logger = options.logger ?? new Logger(consoleLogFactory);
  connectsWaitForDatabase(pool, {
    giveUp: () => stopAskedAt !== undefined && Date.now() - stopAskedAt > STOP_WAIT_FOR_DATABASE_MS,
    onWait: (e) => logger.warn(`worker database unreachable (${e instanceof Error ? e.message : String(e)}); waiting for it`),
  });
  const sweep = startDeadWorkerSweep(options.connectionString, events, options.deadWorkerSweep ?? DEFAULT_SWEEP, (line) =>
    logger.warn(line),
  );
  try {
    const runner = await run({
      pgPool: pool,
      events,
      logger,
      concurrency,
      // Refreshes are queued 1 s ahead (debounce), and a job due later is found by
      // polling, not by NOTIFY: poll often enough that the wait stays near 1 s.
      pollInterval: POLL_INTERVAL_MS,
      taskList: options.taskList ?? workerTaskList(options.masterKeys),
      noHandleSignals: true,
      parsedCronItems: options.cronItems ?? cronItems,
      // The schema is installed by `db:migrate` as the owner; the worker role only uses it.
    });
    if (options.masterKeys.previous !== undefined) {
      // One job however many workers start with the previous key (the job key dedupes); keyed, so through
      // request_job like every keyed job (jobRequests.ts).
      await pool.query("select app_jobs.request_job('rewrap_data_keys', '{}', 'rewrap_data_keys', max_attempts => 10)");
    }
    // graphile-worker emits "stop" when its runner begins to stop, asked or not, and then refuses
    // runner.stop() ("Runner is already stopped"): from then on, stopping means waiting for it.
    let stopping = false;
    let asked = false;
    events.once("stop", () => {
      stopping = true;
      stopAskedAt ??= Date.now();
    });
    // It stops itself on a breaking migration after logging only a warning: keep the reason for our line.
    let reason = "graphile-worker stopped (see its last log line)";
    events.on("pool:listen:notification", ({ message }: { message: { channel: string; payload?: string } }) => {
      if (message.channel !== "worker:migrate") return;
      let payload: { migrationNumber?: number; breaking?: boolean } | undefined;
      try {
        payload = JSON.parse(message.payload ?? "");
      } catch {
        return; // not graphile-worker's (it ignores such a payload too)
      }
      if (payload?.breaking) {
        reason = `another process applied a breaking migration of graphile-worker's schema (revision ${payload.migrationNumber})`;
      }
    });
    const stoppedOnItsOwn = new Promise<string>((resolve) => {
      void runner.promise.then(
        () => !asked && resolve(reason),
        (e: unknown) => !asked && resolve(`graphile-worker failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    });
    return {
      events,
      stoppedOnItsOwn,
      async stop() {
        asked = true;
        stopAskedAt ??= Date.now();
        // The sweep and the pool go even if the runner fails to stop cleanly: a sweep left
        // running would keep polling a database that may be gone.
        try {
          // (Its failure, if it failed, was reported through stoppedOnItsOwn.)
          await (stopping ? runner.promise.catch(() => {}) : runner.stop());
        } finally {
          await sweep.stop();
          await pool.end();
        }
      },
    };
  } catch (e) {
    await sweep.stop();
    await pool.end();
    throw e;
  }
}
