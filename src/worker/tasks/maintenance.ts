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

/** Old activity records go; whole accounts inactive past their period get an erasure request (process_deletion_requests). */
export const enforceRetention: Task = async (_payload, helpers) => {
  const { rows } = await helpers.query<{ counts: object }>("select app_jobs.enforce_retention() as counts");
  helpers.logger.info(`enforce_retention: deleted ${JSON.stringify(rows[0]!.counts)}`);
  const { rows: inactive } = await helpers.query<{ requested: number }>("select app_jobs.request_erasure_of_inactive_users() as requested");
  helpers.logger.info(`enforce_retention: ${inactive[0]!.requested} inactive users to erase`);
};

/** One erasure per transaction, so one failing request does not hold back (or undo) the others. */
export const processDeletionRequests: Task = async (_payload, helpers) => {
  let erased = 0;
  for (;;) {
    const { rows } = await helpers.query<{ request: string | null }>("select app_jobs.erase_next_verified_user() as request");
    if (!rows[0]!.request) break;
    erased++;
    helpers.logger.info(`process_deletion_requests: request ${rows[0]!.request} completed`);
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
