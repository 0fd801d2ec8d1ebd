// The aggregation jobs: queued by the database on every change to a quest's play,
// ratings or consent (one job per quest), run as app_worker, consent-aware, idempotent.
// What they release across children is noisy and frozen per UTC day: the exact
// rules are test/db/analytics-release.test.ts's and test/db/analytics-attack.test.ts's.
import type pg from "pg";
import { poolFor, roleUrl, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";
import { runDueJobs } from "../helpers/worker.ts";

/** Jobs queued for one quest's refresh. */
const queuedFor = (owner: pg.ClientBase, quest: string) =>
  owner
    .query("select count(*)::int as n from graphile_worker.jobs where key = $1", [`refresh_quest_analytics:${quest}`])
    .then((r) => r.rows[0].n as number);

const analyticsOf = (owner: pg.ClientBase, quest: string) =>
  owner.query("select * from app_public.quest_analytics where quest_id = $1", [quest]).then((r) => r.rows[0]);
const statisticsOf = (owner: pg.ClientBase, quest: string) =>
  owner
    .query(
      `select plays_count, completion_count, completion_rate, average_completion_time, rating, rating_count, version
       from app_public.quests where id = $1`,
      [quest],
    )
    .then((r) => r.rows[0]);
/** Both results of a refresh, read together. */
const figuresOf = (quest: string) =>
  withOwnerDb(async (owner) => ({ analytics: await analyticsOf(owner, quest), statistics: await statisticsOf(owner, quest) }));

/** A public, approved quest and the children who could play it; `parent` wrote it. */
interface World {
  parent: TestUser;
  kids: TestUser[];
  publicQuest: string;
}

/**
 * Builds a fresh world for one test, so that no test sees another's rows (the jobs need them
 * committed): six children, each with a family of their own; the author is kids[0]'s parent too;
 * five of the six share their progress, play frequency and analytics. Runs what this queued.
 */
async function newWorld(): Promise<World> {
  const world = await withOwnerDb(async (owner) => {
    const parent = await createUser(owner, "parent");
    const kids: TestUser[] = [];
    for (let i = 0; i < 6; i++) kids.push(await createUser(owner, "child"));
    for (const kid of kids) await linkFamily(owner, await createUser(owner, "parent"), kid);
    await linkFamily(owner, parent, kids[0]!);
    const publicQuest = (await createQuest(owner, parent, { is_public: true, moderation_status: "approved" })).id;
    await owner.query(
      "update app_public.child_privacy set share_progress = true, share_play_frequency = true, share_analytics = true where child_id = any ($1)",
      [kids.slice(0, 5).map((k) => k.id)],
    );
    return { parent, kids, publicQuest };
  });
  await runDueJobs();
  return world;
}

/** A burst of play on the world's public quest: every child plays it (kids 0, 2 and 4 to the end), the author rates it 4. Queues, does not run. */
async function playBurst(owner: pg.ClientBase, { parent, kids, publicQuest }: World): Promise<void> {
  // One statement per child, as the apps write.
  for (const [i, kid] of kids.entries()) {
    const done = i % 2 === 0;
    await owner.query(
      `insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, completion_percentage, completed,
         started_at, completed_at, xp_earned, badges_earned, reveal_moments_viewed, educational_progress, session_count, last_played_at)
       values ($1, $2, $3, 3, $4, $5, '2026-11-01 10:00Z', case when $5 then '2026-11-01 10:00Z'::timestamptz + make_interval(mins => $6) end,
         $7, $8, $9, $10, $11, '2026-11-02 10:00Z'::timestamptz + make_interval(hours => $6))`,
      [kid.id, publicQuest, done ? 3 : 1, done ? 100 : 33, done, i + 1, 100 * (i + 1), done ? ["star"] : [], done ? 1 : 0,
       JSON.stringify({ reading: i + 1, note: "text is ignored" }), i + 1],
    );
  }
  await owner.query(
    `insert into app_public.child_progress (child_id, quest_id, node_key, event_type, duration_seconds)
     select k, $2, n.key, n.type::app_public.play_event_type, n.seconds
     from unnest($1::uuid[]) as k,
          (values ('start', 'node_completed', 30), ('riddle', 'node_entered', 90)) as n(key, type, seconds)`,
    [kids.map((k) => k.id), publicQuest],
  );
  await owner.query("insert into app_public.quest_ratings (user_id, quest_id, rating) values ($1, $2, 4)", [parent.id, publicQuest]);
}

/** A fresh world whose public quest has been played (playBurst) and its figures released. */
async function releasedWorld(): Promise<World> {
  const world = await newWorld();
  await withOwnerDb((owner) => playBurst(owner, world));
  await runDueJobs();
  return world;
}

test("a burst of play queues one job for the quest; it releases the day's figures over the children who share them", async () => {
  const world = await newWorld();
  const { publicQuest } = world;
  await withOwnerDb(async (owner) => {
    // 6 writes, 1 job.
    await playBurst(owner, world);
    expect(await queuedFor(owner, publicQuest)).toBe(1);
  });

  await runDueJobs();

  await withOwnerDb(async (owner) => {
    // Kids 0-4 count (kid 5 does not share): noisy figures, never fewer than the five, and
    // nothing that would be one child's value.
    const released = await analyticsOf(owner, publicQuest);
    expect(released).toMatchObject({
      median_completion_time: null,
      avg_badges_earned: null,
      node_completion_rates: null,
      node_average_times: null,
      educational_progress: null,
      last_played: null,
      total_nodes: 3,
      window_start: new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`),
    });
    expect(released.total_starts).toBeGreaterThanOrEqual(5);
    expect(released.distinct_children).toBeGreaterThanOrEqual(5);
    expect(released.total_completions).toBeLessThanOrEqual(released.total_starts);
    expect(released.completion_rate).toBeCloseTo(released.total_completions / released.total_starts, 10);
    for (const figure of ["avg_xp_earned", "reveal_view_rate", "nodes_completed", "completion_percentage", "play_count", "total_time_minutes"]) {
      expect(released[figure]).not.toBeNull();
    }
    // The marketplace shows the same release; the rating is parents' data, exact.
    expect(await statisticsOf(owner, publicQuest)).toMatchObject({
      plays_count: released.total_starts, completion_count: released.total_completions, completion_rate: released.completion_rate,
      average_completion_time: released.avg_completion_time, rating: 4, rating_count: 1,
    });
    expect(await queuedFor(owner, publicQuest)).toBe(0);
  });
});

test("a job run twice leaves the same rows; the statistics do not bump the quest's version", async () => {
  const { publicQuest } = await releasedWorld();
  const before = await figuresOf(publicQuest);
  await withOwnerDb((owner) =>
    owner.query("select graphile_worker.add_job('refresh_quest_analytics', json_build_object('quest_id', $1::uuid)) from generate_series(1, 2)", [publicQuest]));
  await runDueJobs();
  const after = await figuresOf(publicQuest);
  expect(after).toEqual(before);
});

test("a consent revoked withholds what counted the child at once; the job does not bring it back before the next day", async () => {
  const { kids, publicQuest } = await releasedWorld();
  await withOwnerDb(async (owner) => {
    await owner.query("update app_public.child_privacy set share_progress = false where child_id = $1", [kids[4]!.id]);
    expect(await queuedFor(owner, publicQuest)).toBe(1);
    expect(await analyticsOf(owner, publicQuest)).toMatchObject({ total_starts: null, total_completions: null, completion_rate: null });
  });
  await runDueJobs();
  await withOwnerDb(async (owner) => {
    const released = await analyticsOf(owner, publicQuest);
    expect(released).toMatchObject({ total_starts: null, total_completions: null, completion_rate: null, avg_completion_time: null });
    // Kid 4 still shares play frequency and analytics: those figures stay.
    expect(released.avg_xp_earned).not.toBeNull();
    // The rating is parents' data: it stays.
    expect(await statisticsOf(owner, publicQuest)).toMatchObject({
      plays_count: 0, completion_count: 0, completion_rate: 0, average_completion_time: null, rating: 4, rating_count: 1,
    });
  });
});

test("a personal quest: nothing is released nor stored about its child (the parent sees play only through get_quest_analytics, by consent)", async () => {
  const { parent, kids } = await newWorld();
  const personalQuest = await withOwnerDb(async (owner) =>
    (await createQuest(owner, parent, { child_id: kids[0]!.id, status: "deployed", moderation_status: "approved" })).id);
  await runDueJobs();
  await withOwnerDb(async (owner) => {
    await owner.query(
      "insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, session_count) values ($1, $2, 2, 3, 4)",
      [kids[0]!.id, personalQuest],
    );
  });
  await runDueJobs();
  await withOwnerDb(async (owner) => {
    expect(await analyticsOf(owner, personalQuest)).toMatchObject({ total_starts: null, play_count: null, distinct_children: null, total_nodes: 3 });
    expect(await statisticsOf(owner, personalQuest)).toMatchObject({ plays_count: 0, completion_count: 0 });
  });
});

test("a payload no retry can fix is reported once and dropped; a task that throws is retried later with its error kept", async () => {
  const publicQuest = await withOwnerDb(async (owner) =>
    (await createQuest(owner, await createUser(owner, "parent"), { is_public: true, moderation_status: "approved" })).id);
  await withOwnerDb((owner) => owner.query(`select graphile_worker.add_job('refresh_quest_analytics', '{"quest_id": "not-a-uuid"}')`));
  const messages = await runDueJobs();
  expect(messages).toEqual(
    expect.arrayContaining([expect.stringMatching(/^error: refresh_quest_analytics job \d+: payload must be \{"quest_id": "<uuid>"\}, got \{"quest_id":"not-a-uuid"\}; dropped$/)]),
  );
  await withOwnerDb(async (owner) => {
    expect((await owner.query("select count(*)::int as n from graphile_worker.jobs")).rows[0].n).toBe(0);
    await owner.query("select app_private.enqueue_quest_refresh(array[$1::uuid])", [publicQuest]);
  });
  await runDueJobs({ refresh_quest_analytics: async () => { throw new Error("database on fire"); } });
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query("select attempts, max_attempts, last_error, run_at > now() as later from graphile_worker.jobs");
    expect(rows).toEqual([{ attempts: 1, max_attempts: 10, last_error: expect.stringMatching(/database on fire/), later: true }]);
    await owner.query("delete from graphile_worker._private_jobs");
  });
});

test("the nightly job recomputes every quest, whatever happened to the rows", async () => {
  const { publicQuest } = await releasedWorld();
  const before = await figuresOf(publicQuest);
  await withOwnerDb(async (owner) => {
    await owner.query("delete from app_public.quest_analytics");
    await owner.query("update app_public.quests set plays_count = 0, completion_count = 0, rating = 0, rating_count = 0");
    await owner.query("select graphile_worker.add_job('refresh_all_quest_analytics')");
  });
  const messages = await runDueJobs();
  expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^info: refresh_all_quest_analytics: every quest refreshed in [\d.]+ s$/)]));
  const after = await figuresOf(publicQuest);
  expect(after).toEqual({ analytics: { ...before.analytics, id: expect.any(String), created_at: expect.any(Date), last_updated: expect.any(Date) }, statistics: before.statistics });
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query("select count(*)::int as n from app_public.quests q where not exists (select 1 from app_public.quest_analytics a where a.quest_id = q.id)");
    expect(rows[0].n).toBe(0);
  });
});

test("the worker's role reads no app table itself: only the job functions", async () => {
  const client = await poolFor(roleUrl("app_worker")).connect();
  try {
    await expect(client.query("select * from app_public.quest_progress")).rejects.toThrow(/permission denied for schema app_public/);
    await expect(client.query("select * from app_public.quest_analytics")).rejects.toThrow(/permission denied/);
  } finally {
    client.release();
  }
});
