// A child's revoke racing a release of figures that counts them (issue 18's review): whichever commits
// first, the child ends up in no stored figure of the kind they stopped sharing. Forced with two
// connections and locks (test/helpers/locks.ts), no sleeps.
import type pg from "pg";
import { poolFor, roleUrl, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { pidOf, waitsOn } from "../helpers/locks.ts";
import { createQuest } from "../helpers/quests.ts";
import { runDueJobs } from "../helpers/worker.ts";

const FLAGS = ["share_progress", "share_play_frequency", "share_educational_progress", "share_analytics"];

/** A child with a family of their own who finished `quest` and shares everything (committed). */
async function player(owner: pg.ClientBase, quest: string): Promise<TestUser> {
  const child = await createUser(owner, "child");
  await linkFamily(owner, await createUser(owner, "parent"), child);
  await owner.query(`update app_public.child_privacy set ${FLAGS.map((f) => `${f} = true`).join(", ")} where child_id = $1`, [child.id]);
  await owner.query(
    `insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, completion_percentage, completed,
       started_at, completed_at, xp_earned, reveal_moments_viewed, session_count, total_time_minutes, last_played_at)
     values ($1, $2, 3, 3, 100, true, now() - interval '1 hour', now() - interval '50 minutes', 300, 1, 2, 20, now())`,
    [child.id, quest],
  );
  return child;
}

/** A public quest six sharing children played (no release yet), and the one who will revoke. */
async function questOfSix(): Promise<{ quest: string; revoker: TestUser }> {
  return withOwnerDb(async (owner) => {
    const quest = (await createQuest(owner, await createUser(owner, "parent"), { is_public: true, moderation_status: "approved" })).id;
    const children: TestUser[] = [];
    for (let i = 0; i < 6; i++) children.push(await player(owner, quest));
    // Their writes queued refreshes: drop them, the test runs the release by hand.
    await owner.query("delete from graphile_worker._private_jobs");
    return { quest, revoker: children[0]! };
  });
}

/** Whether today's stored progress release of `quest` counts `child`, and whether the child still shares progress. */
const stateOf = (quest: string, child: string) =>
  withOwnerDb(async (owner) => {
    const { rows } = await owner.query(
      `select (select count(*)::int from app_private.quest_releases r
               where r.quest_id = $1 and r.figure_group = 'progress' and $2 = any (r.members)) as counted,
              (select count(*)::int from app_private.quest_releases r
               where r.quest_id = $1 and r.figure_group = 'progress' and cardinality(r.members) > 0) as released,
              (select share_progress from app_public.child_privacy where child_id = $2) as shares`,
      [quest, child],
    );
    return rows[0];
  });

/** `fn` with the refresh's connection (as app_worker) and the child's (inner_edu's direct SQL). */
async function withRunAndChild(fn: (run: pg.PoolClient, child: pg.PoolClient) => Promise<void>): Promise<void> {
  const run = await poolFor(roleUrl("app_worker")).connect();
  const child = await poolFor(roleUrl("inner_edu_user")).connect();
  try {
    await fn(run, child);
  } finally {
    await run.query("rollback").catch(() => {});
    await child.query("rollback").catch(() => {});
    run.release();
    child.release();
  }
}

const revokeProgress = async (child: pg.ClientBase, revoker: TestUser): Promise<{ statement: Promise<unknown> }> => {
  await child.query("begin");
  await child.query("select set_config('app.user_id', $1, true)", [revoker.id]);
  return { statement: child.query("update app_public.child_privacy set share_progress = false") };
};

test("a revoke made while a release that counts the child is being written waits for it, then withholds it", () =>
  withRunAndChild(async (run, child) => {
    const { quest, revoker } = await questOfSix();
    // The refresh has released today's figures, counting all six, and has not committed yet.
    await run.query("begin");
    await run.query("select app_jobs.refresh_quest_analytics($1)", [quest]);
    const revoke = await revokeProgress(child, revoker);
    expect(await waitsOn(revoke.statement, await pidOf(run))).toBe("waits");
    await run.query("commit");
    await revoke.statement;
    await child.query("commit");
    await runDueJobs();
    // Withheld: six minus one is five, but the stored release was emptied, and today's stays frozen.
    expect(await stateOf(quest, revoker.id)).toEqual({ counted: 0, released: 0, shares: false });
  }));

test("a release that starts while a revoke is uncommitted waits for it, and counts the child out", () =>
  withRunAndChild(async (run, child) => {
    const { quest, revoker } = await questOfSix();
    const revoke = await revokeProgress(child, revoker);
    await revoke.statement;
    const release = run.query("select app_jobs.refresh_quest_analytics($1)", [quest]);
    expect(await waitsOn(release, await pidOf(child))).toBe("waits");
    await child.query("commit");
    await release;
    // Released over the five who still share.
    expect(await stateOf(quest, revoker.id)).toEqual({ counted: 0, released: 1, shares: false });
  }));
