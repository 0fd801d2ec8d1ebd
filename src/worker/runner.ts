// graphile-worker, logged in as its own role (app_worker). Signals are handled
// by our lifecycle, which stops the worker before the database.
import { run, type Runner, type TaskList } from "graphile-worker";
import { taskList as defaultTaskList } from "./tasks.ts";

export async function startWorker(options: {
  connectionString: string;
  concurrency?: number;
  taskList?: TaskList;
}): Promise<Runner> {
  return run({
    connectionString: options.connectionString,
    concurrency: options.concurrency ?? 2,
    taskList: options.taskList ?? defaultTaskList,
    noHandleSignals: true,
    // Scheduled jobs are declared in code (none yet), never read from a crontab file.
    parsedCronItems: [],
    // The schema is installed by `db:migrate` as the owner; the worker role only uses it.
  });
}
