// Scheduled maintenance (crontab in tasks.ts). The work is in app_jobs functions;
// the tasks pick the day, loop where one call does one unit, and log the counts.
import type { Task } from "graphile-worker";
import { dropBadPayload } from "./payload.ts";

export const detectMilestones: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ tracks: number }>("select app_jobs.detect_milestones() as tracks");
  helpers.logger.info(`detect_milestones: ${rows[0]!.tracks} tracks reached a new milestone`);
};

export const expireSessions: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ counts: object }>("select app_jobs.expire_sessions() as counts");
  helpers.logger.info(`expire_sessions: ${JSON.stringify(rows[0]!.counts)}`);
};

/**
 * Old activity records go; whole accounts inactive past their period are notified, and get an
 * erasure request (process_deletion_requests) only when still inactive 30 days after the notice.
 */
export const enforceRetention: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ counts: object }>("select app_jobs.enforce_retention() as counts");
  helpers.logger.info(`enforce_retention: deleted ${JSON.stringify(rows[0]!.counts)}`);
  const { rows: review } = await helpers.query<{ counts: object }>("select app_jobs.request_erasure_of_inactive_users() as counts");
  helpers.logger.info(`enforce_retention: inactive accounts ${JSON.stringify(review[0]!.counts)}`);
};

interface ErasureAttempt {
  request_id: string | null;
  completed: boolean;
  attempts: number;
  error_kind: string | null;
  next_attempt_at: Date | null;
  /** A retention request whose user was active since: withdrawn, not erased. */
  withdrawn: boolean;
}

/**
 * One erasure per call, each its own transaction: a request that fails is recorded by the function
 * (attempts, SQLSTATE, next try with backoff) and the loop goes on, so it never holds back another.
 */
export const processDeletionRequests: Task = async (_payload, helpers) => {
  let erased = 0;
  const tried = new Set<string>();
  for (;;) {
    const { rows } = await helpers.query<ErasureAttempt>("select * from app_jobs.erase_next_verified_user()");
    const attempt = rows[0]!;
    // A failed request waits for its next try; should it come back at once, this run is done with it.
    if (!attempt.request_id || tried.has(attempt.request_id)) break;
    tried.add(attempt.request_id);
    if (attempt.completed) {
      erased++;
      helpers.logger.info(`process_deletion_requests: request ${attempt.request_id} completed`);
    } else if (attempt.withdrawn) {
      helpers.logger.info(`process_deletion_requests: retention request ${attempt.request_id} withdrawn (the user was active since)`);
    } else {
      // Operators: the erasure_requests{state="failing"} gauge and docs/operations.md, "The erasure queue".
      helpers.logger.warn(
        `process_deletion_requests: request ${attempt.request_id} failed (attempt ${attempt.attempts}, SQLSTATE ${attempt.error_kind}); ` +
          `next try at ${attempt.next_attempt_at!.toISOString()}`,
      );
    }
  }
  helpers.logger.info(`process_deletion_requests: ${erased} users erased`);
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The day before the run: from the crontab's timestamp (so a backfilled run
 * snapshots the day it stands for), or `{"day": "YYYY-MM-DD"}` by hand.
 */
export const snapshotMetrics: Task = async (payload, helpers) => {
  const given = payload as { day?: unknown; _cron?: { ts?: unknown } } | null;
  let day: string;
  if (typeof given?.day === "string" && DAY.test(given.day)) {
    day = given.day;
  } else if (typeof given?._cron?.ts === "string") {
    day = new Date(Date.parse(given._cron.ts) - 86_400_000).toISOString().slice(0, 10);
  } else {
    return dropBadPayload(helpers, '{"day": "YYYY-MM-DD"} (or a crontab run)', payload);
  }
  const { rows } = await helpers.query<{ written: number }>("select app_jobs.snapshot_metrics($1) as written", [day]);
  helpers.logger.info(`snapshot_metrics ${day}: ${rows[0]!.written} snapshots written`);
};
