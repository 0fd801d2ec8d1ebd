// Keyed jobs without lost requests (issue 18, item 1; graphile/worker issue 580). A keyed job is queued
// through app_jobs.request_job, which records the request in the requester's transaction
// (functions/890_job_requests.sql). Every run of a keyed job first takes its requests: that waits for the
// transactions that requested it to commit, so the run reads their writes even when their add_job found the
// job being locked by this very run and queued nothing.
import type { Task, TaskList } from "graphile-worker";

/** `task`, taking the job's requests first when the job has a key (one statement, its own transaction). */
export function takingJobRequests(task: Task): Task {
  return async (payload, helpers) => {
    if (helpers.job.key !== null) await helpers.query("select app_jobs.take_job_requests($1)", [helpers.job.key]);
    return task(payload, helpers);
  };
}

/** Every task of `tasks`, taking its job's requests first. */
export function takingJobRequestsForAll(tasks: TaskList): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([name, task]) => [name, takingJobRequests(task as Task)]));
}
