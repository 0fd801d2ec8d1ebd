// The aggregation jobs: queued by the database on every change to a quest's play,
// ratings or consent (one job per quest), run as app_worker, consent-aware, idempotent.
import type pg from "pg";
import { poolFor, roleUrl, withOwnerDb } from "./helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "./helpers/fixtures.ts";
import { createQuest } from "./helpers/quests.ts";
import { runDueJobs } from "./helpers/worker.ts";

let parent: TestUser;
let kids: TestUser[];
let publicQuest: string;
let personalQuest: string;

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

beforeAll(async () => {
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent");
    kids = [];
    for (let i = 0; i < 6; i++) kids.push(await createUser(owner, "child"));
    await linkFamily(owner, parent, kids[0]!);
    publicQuest = (await createQuest(owner, parent, { is_public: true, moderation_status: "approved" })).id;
    personalQuest = (await createQuest(owner, parent, { child_id: kids[0]!.id, status: "deployed", moderation_status: "approved" })).id;
    // Five of six children share analytics.
    await owner.query("update app_public.child_privacy set share_analytics = true where child_id = any ($1)", [kids.slice(0, 5).map((k) => k.id)]);
    await runDueJobs();
  });
});

test("a burst of play queues one job for the quest; it computes every figure over the children who share analytics", async () => {
  await withOwnerDb(async (owner) => {
    // One statement per child, as the apps write: 6 writes, 1 job.
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
    expect(await queuedFor(owner, publicQuest)).toBe(1);
  });

  await runDueJobs();

  await withOwnerDb(async (owner) => {
    // Kids 0-4 count (kid 5 does not share): kids 0, 2, 4 completed in 1, 3, 5 minutes.
    expect(await analyticsOf(owner, publicQuest)).toMatchObject({
      total_starts: 5,
      total_completions: 3,
      completion_rate: 0.6,
      avg_completion_time: 180,
      median_completion_time: 180,
      avg_xp_earned: 300,
      avg_badges_earned: 0.6,
      reveal_view_rate: 0.6,
      node_completion_rates: { start: 1 },
      node_average_times: { start: 30, riddle: 90 },
      nodes_completed: 2,
      total_nodes: 3,
      completion_percentage: 73,
      educational_progress: { reading: 3 },
      play_count: 15,
      distinct_children: 5,
      last_played: new Date("2026-11-02T15:00:00Z"),
    });
    expect(await statisticsOf(owner, publicQuest)).toMatchObject({
      plays_count: 5, completion_count: 3, completion_rate: 0.6, average_completion_time: 180, rating: 4, rating_count: 1,
    });
    expect(await queuedFor(owner, publicQuest)).toBe(0);
  });
});

test("a job run twice leaves the same rows; the statistics do not bump the quest's version", async () => {
  const before = await figuresOf(publicQuest);
  await withOwnerDb((owner) =>
    owner.query("select graphile_worker.add_job('refresh_quest_analytics', json_build_object('quest_id', $1::uuid)) from generate_series(1, 2)", [publicQuest]));
  await runDueJobs();
  const after = await figuresOf(publicQuest);
  expect(after).toEqual(before);
});

test("a consent revoked takes the child out of the figures; below five children the public statistics go to zero", async () => {
  await withOwnerDb(async (owner) => {
    await owner.query("update app_public.child_privacy set share_analytics = false where child_id = $1", [kids[4]!.id]);
    expect(await queuedFor(owner, publicQuest)).toBe(1);
  });
  await runDueJobs();
  await withOwnerDb(async (owner) => {
    expect(await analyticsOf(owner, publicQuest)).toMatchObject({ total_starts: 4, total_completions: 2, distinct_children: 4 });
    // The rating is parents' data: it stays.
    expect(await statisticsOf(owner, publicQuest)).toMatchObject({
      plays_count: 0, completion_count: 0, completion_rate: 0, average_completion_time: null, rating: 4, rating_count: 1,
    });
  });
});

test("a personal quest: its statistics stay zero (the parent sees play only through get_quest_analytics, by consent)", async () => {
  await withOwnerDb(async (owner) => {
    await owner.query(
      "insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, session_count) values ($1, $2, 2, 3, 4)",
      [kids[0]!.id, personalQuest],
    );
  });
  await runDueJobs();
  await withOwnerDb(async (owner) => {
    expect(await analyticsOf(owner, personalQuest)).toMatchObject({ total_starts: 1, play_count: 4, distinct_children: 1 });
    expect(await statisticsOf(owner, personalQuest)).toMatchObject({ plays_count: 0, completion_count: 0 });
  });
});

test("a payload no retry can fix is reported once and dropped; a task that throws is retried later with its error kept", async () => {
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
