// The worker's task list and its schedule (declared here, never read from a crontab file).
import { parseCronItems, type TaskList } from "graphile-worker";
import type { MasterKeys } from "../privacy/masterKeys.ts";
import { refreshAllQuestAnalytics, refreshQuestAnalytics } from "./tasks/analytics.ts";
import { detectMilestones, enforceRetention, expireSessions, processDeletionRequests, snapshotMetrics } from "./tasks/maintenance.ts";
import { takingJobRequestsForAll } from "./jobRequests.ts";
import { makeRewrapDataKeys } from "./tasks/keys.ts";
import { notifyConsentChanges } from "./tasks/notifications.ts";

/** The tasks that need no master key. */
const taskList: TaskList = {
  refresh_quest_analytics: refreshQuestAnalytics,
  refresh_all_quest_analytics: refreshAllQuestAnalytics,
  notify_consent_changes: notifyConsentChanges,
  detect_milestones: detectMilestones,
  expire_sessions: expireSessions,
  enforce_retention: enforceRetention,
  process_deletion_requests: processDeletionRequests,
  snapshot_metrics: snapshotMetrics,
};

/**
 * Every task of the worker: the ones above, and master key rotation with the worker's keys. A run of a keyed
 * job first waits for the transactions that requested it (jobRequests.ts).
 */
export function workerTaskList(keys: MasterKeys): TaskList {
  return takingJobRequestsForAll({ ...taskList, rewrap_data_keys: makeRewrapDataKeys(keys) });
}

/** Times are UTC. Jobs whose run can be repeated safely catch up a missed run (backfillPeriod). */
export const cronItems = parseCronItems([
  { task: "expire_sessions", match: "*/15 * * * *", identifier: "expire_sessions", options: { backfillPeriod: 0, maxAttempts: 3 } },
  { task: "process_deletion_requests", match: "*/10 * * * *", identifier: "process_deletion_requests", options: { backfillPeriod: 0, maxAttempts: 5 } },
  { task: "detect_milestones", match: "5 * * * *", identifier: "detect_milestones", options: { backfillPeriod: 0, maxAttempts: 3 } },
  { task: "snapshot_metrics", match: "30 0 * * *", identifier: "snapshot_metrics", options: { backfillPeriod: 2 * 86_400_000, maxAttempts: 5 } },
  { task: "enforce_retention", match: "0 2 * * *", identifier: "enforce_retention", options: { backfillPeriod: 0, maxAttempts: 3 } },
  // The full recompute: a missed night is not caught up (the next one covers it).
  { task: "refresh_all_quest_analytics", match: "0 3 * * *", identifier: "nightly_refresh_all_quest_analytics", options: { backfillPeriod: 0, maxAttempts: 3 } },
]);
