// Jobs in tests: run what is queued once, as app_worker, with the real task list
// (graphile-worker's runTaskListOnce), collecting the log.
import { Logger, runTaskListOnce, type TaskList } from "graphile-worker";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { workerTaskList } from "../../src/worker/tasks.ts";
import { poolFor, roleUrl, testConfig, withOwnerDb } from "./db.ts";

/** Runs every queued job once (debounced ones are made due now); returns the log lines as "level: message". */
export async function runDueJobs(tasks: TaskList = workerTaskList(masterKeys(testConfig()))): Promise<string[]> {
  await withOwnerDb((owner) => owner.query("update graphile_worker._private_jobs set run_at = now() where run_at > now()"));
  const messages: string[] = [];
  const logger = new Logger(() => (level, message) => void messages.push(`${level}: ${message}`));
  const client = await poolFor(roleUrl("app_worker")).connect();
  try {
    await runTaskListOnce({ logger }, tasks, client).promise;
  } finally {
    client.release();
  }
  return messages;
}

/** Queues one job as the owner (as the database's own triggers do) and runs everything due. */
export async function runJob(task: string, payload: object = {}): Promise<string[]> {
  await withOwnerDb((owner) => owner.query("select graphile_worker.add_job($1, $2::json)", [task, JSON.stringify(payload)]));
  return runDueJobs();
}
