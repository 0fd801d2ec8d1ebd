// Payload checks shared by the tasks. A payload no retry can fix is reported
// once and the job completes, instead of failing ten times with backoff.
import type { JobHelpers } from "graphile-worker";

/** Logs why the payload is unusable, naming the job, and returns undefined for the task to stop. */
export function dropBadPayload(helpers: JobHelpers, expected: string, payload: unknown): undefined {
  helpers.logger.error(
    `${helpers.job.task_identifier} job ${helpers.job.id}: payload must be ${expected}, got ${JSON.stringify(payload)}; dropped`,
  );
  return undefined;
}
