// The worker's task list and its schedule (declared here, never read from a crontab file).
import { parseCronItems, type TaskList } from "graphile-worker";
import { refreshAllQuestAnalytics, refreshQuestAnalytics } from "./tasks/analytics.ts";

export const taskList: TaskList = {
  refresh_quest_analytics: refreshQuestAnalytics,
  refresh_all_quest_analytics: refreshAllQuestAnalytics,
};

export const cronItems = parseCronItems([
  // 03:00 UTC: the full recompute; a missed night is not caught up (the next one covers it).
  { task: "refresh_all_quest_analytics", match: "0 3 * * *", identifier: "nightly_refresh_all_quest_analytics", options: { backfillPeriod: 0, maxAttempts: 3 } },
]);
