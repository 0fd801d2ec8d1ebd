// The nightly recompute never waits for a quest while holding others (issue 18, second break-this review): an
// erasure or a consent change holds some quests and then locks every quest a child played, in id order
// (app_private.withhold_figures_counting); a batch that held quest A while waiting for quest B, held by such a
// transaction that then wants A, deadlocked. Forced with two connections and locks, no sleeps.
import type pg from "pg";
import { ownerUrl, poolFor, withOwnerDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { pidOf, somebodyWaitsOn } from "../helpers/locks.ts";
import { until } from "../helpers/process.ts";
import { createQuest } from "../helpers/quests.ts";
import { runDueJobs } from "../helpers/worker.ts";

/** The quest ids (or "-") of the queued jobs of `task`. */
const jobsOf = (task: string): Promise<string[]> =>
  withOwnerDb(async (owner) =>
    (
      await owner.query(
        `select coalesce(j.payload->>'quest_id', '-') as quest from graphile_worker._private_jobs j
         join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = $1`,
        [task],
      )
    ).rows.map((r) => r.quest),
  );

test("a quest held by another transaction is left to a job of its own, and the batch holds nothing it waits for", async () => {
  const [low, high] = await withOwnerDb(async (owner) => {
    const author = await createUser(owner, "parent");
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await createQuest(owner, author, { is_public: true, moderation_status: "approved" })).id);
    await owner.query("delete from graphile_worker._private_jobs");
    return ids.sort();
  });
  const other: pg.PoolClient = await poolFor(ownerUrl).connect();
  try {
    // Another transaction (an erasure deleting the quest's author, say) holds `high` ...
    await other.query("begin");
    await other.query("select from app_public.quests where id = $1 for no key update", [high]);
    // ... while the nightly recompute runs over every quest, `low` then `high`.
    await withOwnerDb((owner) => owner.query("select graphile_worker.add_job('refresh_all_quest_analytics')"));
    const run = runDueJobs();
    const otherPid = await pidOf(other);
    // The nightly job completes without waiting for `high` (before, it waited, holding `low`) ...
    const nightly = await until("the nightly job to complete, or to wait for `high`", async () => {
      if ((await jobsOf("refresh_all_quest_analytics")).length === 0) return "completed";
      return (await somebodyWaitsOn(otherPid)) ? "waits" : undefined;
    });
    expect(nightly).toBe("completed");
    // ... having queued `high` as a refresh of its own (which now waits for the other transaction, holding nothing else).
    expect(await jobsOf("refresh_quest_analytics")).toEqual([high]);
    // So the other transaction can take `low` too (before: a deadlock, one of them aborted).
    await other.query("select from app_public.quests where id = $1 for no key update", [low]);
    await other.query("commit");
    const log = await run;
    expect(log.filter((line) => line.startsWith("error"))).toEqual([]);
    expect(await jobsOf("refresh_quest_analytics")).toEqual([]);
  } finally {
    await other.query("rollback").catch(() => {});
    other.release();
  }
});
