// Aggregation jobs: the database does the work (app_jobs.refresh_quest_analytics,
// security definer); the tasks validate payloads, batch, and report progress.
import type { Task } from "graphile-worker";
import { isUuid } from "../../uuid.ts";
import { dropBadPayload } from "./payload.ts";

/** Quests per transaction in the nightly recompute: short transactions, visible progress. */
export const NIGHTLY_BATCH_SIZE = 500;

/** Queued by triggers (one job per quest, keyed): recomputes that quest's analytics and statistics. */
export const refreshQuestAnalytics: Task = async (payload, helpers) => {
  const questId = (payload as { quest_id?: unknown } | null)?.quest_id;
  if (!isUuid(questId)) return dropBadPayload(helpers, '{"quest_id": "<uuid>"}', payload);
  await helpers.query("select app_jobs.refresh_quest_analytics($1)", [questId]);
};

/** Nightly (crontab): every quest again, in committed batches, as a safety net for anything a trigger missed. */
export const refreshAllQuestAnalytics: Task = async (_payload, helpers) => {
  const started = Date.now();
  let after: string | null = null;
  let quests = 0;
  do {
    const { rows }: { rows: Array<{ last: string | null }> } = await helpers.query(
      "select app_jobs.refresh_quest_analytics_batch($1, $2) as last",
      [after, NIGHTLY_BATCH_SIZE],
    );
    after = rows[0]!.last;
    if (after) quests += NIGHTLY_BATCH_SIZE;
    if (after && quests % (NIGHTLY_BATCH_SIZE * 20) === 0) helpers.logger.info(`refresh_all_quest_analytics: ${quests} quests so far`);
  } while (after);
  helpers.logger.info(`refresh_all_quest_analytics: every quest refreshed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};
