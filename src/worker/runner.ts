// graphile-worker, logged in as its own role (app_worker). Signals are handled
// by our lifecycle, which stops the worker before the database.
import { EventEmitter } from "node:events";
import { type ParsedCronItem, run, type TaskList } from "graphile-worker";
import pg from "pg";
import { DEFAULT_SWEEP, type DeadWorkerSweepOptions, startDeadWorkerSweep } from "./deadWorkers.ts";
import { cronItems, taskList as defaultTaskList } from "./tasks.ts";

export interface WorkerHandle {
  /** Finishes running jobs, then closes the worker's connections. */
  stop(): Promise<void>;
}

export async function startWorker(options: {
  connectionString: string;
  concurrency?: number;
  taskList?: TaskList;
  /** Default: the schedule in tasks.ts. */
  cronItems?: ParsedCronItem[];
  /** How jobs of dead workers are found and released (deadWorkers.ts). */
  deadWorkerSweep?: DeadWorkerSweepOptions;
}): Promise<WorkerHandle> {
  const concurrency = options.concurrency ?? 2;
  // Our own pool, so its error listeners outlive the runner: graphile-worker
  // removes its own when it stops, and a connection the database drops after
  // that (a restart, or the embedded cluster stopping) must not crash us.
  const pool = new pg.Pool({ connectionString: options.connectionString, max: concurrency + 2 });
  const logDropped = (e: Error) => console.error(`worker database connection: ${e.message}`);
  pool.on("error", logDropped);
  pool.on("connect", (client) => client.on("error", logDropped));

  const events = new EventEmitter();
  const sweep = startDeadWorkerSweep(options.connectionString, events, options.deadWorkerSweep ?? DEFAULT_SWEEP, (line) =>
    console.warn(`worker: ${line}`),
  );
  try {
    const runner = await run({
      pgPool: pool,
      events,
      concurrency,
      taskList: options.taskList ?? defaultTaskList,
      noHandleSignals: true,
      parsedCronItems: options.cronItems ?? cronItems,
      // The schema is installed by `db:migrate` as the owner; the worker role only uses it.
    });
    return {
      async stop() {
        await runner.stop();
        await sweep.stop();
        await pool.end();
      },
    };
  } catch (e) {
    await sweep.stop();
    await pool.end();
    throw e;
  }
}
