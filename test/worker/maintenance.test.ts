// The worker's other jobs, run as app_worker through the real task list: each
// does its work once, and a second run changes nothing.
import type pg from "pg";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";
import { runDueJobs, runJob } from "../helpers/worker.ts";

const count = (owner: pg.ClientBase, sql: string, params: unknown[] = []) =>
  owner.query(`select count(*)::int as n from (${sql}) as x`, params).then((r) => r.rows[0].n as number);

/** A parent (Anna) and her child (Misha), committed: the jobs see only committed rows. */
const newFamily = () =>
  withOwnerDb(async (owner) => {
    const parent = await createUser(owner, "parent", "Anna");
    const child = await createUser(owner, "child", "Misha");
    await linkFamily(owner, parent, child);
    return { parent, child };
  });

let parent: TestUser;
let child: TestUser;

beforeAll(async () => {
  ({ parent, child } = await newFamily());
});

afterEach(async () => {
  await withOwnerDb((owner) => owner.query("delete from graphile_worker._private_jobs"));
});

test("a child's consent change is told to the linked parents, once; the first defaults are not", async () => {
  // A family of its own: the other tests change the shared child's consent too.
  const { parent, child } = await newFamily();
  const notices = () =>
    withOwnerDb((owner) =>
      owner.query("select title, data from app_public.notifications where user_id = $1 and kind = 'consent_changed' order by created_at, title", [parent.id]));
  expect((await notices()).rows).toEqual([]);
  await withOwnerDb((owner) =>
    owner.query("update app_public.child_privacy set share_progress = true, share_play_frequency = true where child_id = $1", [child.id]));
  await runDueJobs();
  const { rows } = await notices();
  expect(rows).toEqual([
    { title: "Misha started sharing play frequency", data: { child_id: child.id, quest_id: null, flag: "share_play_frequency", shared: true } },
    { title: "Misha started sharing progress", data: { child_id: child.id, quest_id: null, flag: "share_progress", shared: true } },
  ]);

  // Run again over the same events: nothing new.
  const events = await withOwnerDb((owner) =>
    owner.query("select array_agg(id) as ids from app_public.consent_events where child_id = $1 and old_value is not null", [child.id]));
  await runJob("notify_consent_changes", { event_ids: events.rows[0].ids });
  expect((await notices()).rows).toHaveLength(2);

  // Revoking is told as well.
  await withOwnerDb((owner) => owner.query("update app_public.child_privacy set share_progress = false where child_id = $1", [child.id]));
  await runDueJobs();
  expect((await notices()).rows.map((r) => r.title)).toContain("Misha stopped sharing progress");
});

test("milestones: a seven-day streak, and a child finishing the quest with consent, each once", async () => {
  await withOwnerDb(async (owner) => {
    for (let day = 0; day < 7; day++) {
      await owner.query("insert into app_public.letters (user_id, title, content, created_at) values ($1, 'Day', 'text', now() - make_interval(days => $2))", [parent.id, day]);
    }
    const quest = await createQuest(owner, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" });
    await owner.query(
      "insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, completed, completed_at) values ($1, $2, 3, 3, true, now())",
      [child.id, quest.id],
    );
  });
  const milestones = () =>
    withOwnerDb(async (owner) =>
      (await owner.query(
        `select m.milestone_type, t.track_type, t.milestones_completed from app_public.milestones m
         join app_public.user_tracks t on t.id = m.track_id where m.user_id = $1 order by 1`, [parent.id])).rows);

  // The child does not share progress (revoked above): no child_completed yet.
  await runJob("detect_milestones");
  expect(await milestones()).toEqual([{ milestone_type: "streak_7", track_type: "self_work", milestones_completed: ["streak_7"] }]);

  await withOwnerDb((owner) => owner.query("update app_public.child_privacy set share_progress = true where child_id = $1", [child.id]));
  const log = await runJob("detect_milestones");
  expect(log).toContain("info: detect_milestones: 1 tracks reached a new milestone");
  await runJob("detect_milestones");
  expect(await milestones()).toEqual([
    { milestone_type: "child_completed", track_type: "child_connection", milestones_completed: ["child_completed"] },
    { milestone_type: "streak_7", track_type: "self_work", milestones_completed: ["streak_7"] },
  ]);
});

test("expired therapy sessions end as expired; abandoned builder sessions go, saved ones stay", async () => {
  const ids = await withOwnerDb(async (owner) => {
    const quest = await createQuest(owner, parent);
    const insert = (sql: string, params: unknown[]) => owner.query(sql, params).then((r) => r.rows[0].id as string);
    return {
      stale: await insert("insert into app_public.therapy_sessions (user_id, started_at, expires_at) values ($1, now() - interval '3 hours', now() - interval '1 hour') returning id", [parent.id]),
      live: await insert("insert into app_public.therapy_sessions (user_id, expires_at) values ($1, now() + interval '1 hour') returning id", [parent.id]),
      abandoned: await insert("insert into app_public.quest_builder_sessions (user_id, expires_at) values ($1, now() - interval '1 day') returning id", [parent.id]),
      saved: await insert("insert into app_public.quest_builder_sessions (user_id, quest_id, expires_at) values ($1, $2, now() - interval '1 day') returning id", [parent.id, quest.id]),
    };
  });
  const log = await runJob("expire_sessions");
  expect(log).toContain('info: expire_sessions: {"builder_sessions_removed":1,"therapy_sessions_expired":1}');
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query("select id, status, ended_at is not null as ended from app_public.therapy_sessions where id = any ($1) order by status", [[ids.stale, ids.live]]);
    expect(rows).toEqual([{ id: ids.live, status: "active", ended: false }, { id: ids.stale, status: "expired", ended: true }]);
    expect(await count(owner, "select id from app_public.quest_builder_sessions where id = any ($1)", [[ids.abandoned, ids.saved]])).toBe(1);
  });
  expect(await runJob("expire_sessions")).toContain('info: expire_sessions: {"builder_sessions_removed":0,"therapy_sessions_expired":0}');
});

test("retention deletes activity older than the user's period, and nothing younger or made to keep", async () => {
  const keeper = await withOwnerDb(async (owner) => {
    const user = await createUser(owner, "parent", "Short memory");
    await owner.query("update app_public.users set data_retention_days = 30 where id = $1", [user.id]);
    for (const age of [10, 40]) {
      await owner.query("insert into app_public.messages (user_id, role, content, created_at) values ($1, 'user', 'hi', now() - make_interval(days => $2))", [user.id, age]);
      await owner.query("insert into app_public.notifications (user_id, kind, title, created_at) values ($1, 'info', 'n', now() - make_interval(days => $2))", [user.id, age]);
      await owner.query("insert into app_public.letters (user_id, title, content, created_at) values ($1, 'L', 'text', now() - make_interval(days => $2))", [user.id, age]);
    }
    return user;
  });
  const log = await runJob("enforce_retention");
  expect(log.find((l) => l.startsWith("info: enforce_retention"))).toMatch(/"messages":1,"notifications":1,/);
  await withOwnerDb(async (owner) => {
    expect(await count(owner, "select 1 from app_public.messages where user_id = $1", [keeper.id])).toBe(1);
    expect(await count(owner, "select 1 from app_public.notifications where user_id = $1", [keeper.id])).toBe(1);
    expect(await count(owner, "select 1 from app_public.letters where user_id = $1", [keeper.id])).toBe(2);
  });
});

test("a verified deletion request erases the user from every table; pending ones wait", async () => {
  const { doomed, waiting } = await withOwnerDb(async (owner) => {
    const doomed = await createUser(owner, "parent", "Leaving");
    const waiting = await createUser(owner, "parent", "Undecided");
    const kid = await createUser(owner, "child", "Kid");
    await linkFamily(owner, doomed, kid);
    const quest = await createQuest(owner, doomed, { child_id: kid.id });
    await owner.query("insert into app_public.letters (user_id, child_id, title, content) values ($1, $2, 'L', 'text')", [doomed.id, kid.id]);
    await owner.query("insert into app_public.quest_builder_sessions (user_id, quest_id) values ($1, $2)", [doomed.id, quest.id]);
    await owner.query("insert into app_public.data_deletion_requests (user_id, status, verified_at) values ($1, 'verified', now())", [doomed.id]);
    await owner.query("insert into app_public.data_deletion_requests (user_id) values ($1)", [waiting.id]);
    return { doomed, waiting };
  });
  const log = await runJob("process_deletion_requests");
  expect(log).toContain("info: process_deletion_requests: 1 users erased");
  await withOwnerDb(async (owner) => {
    // Every column of every app_public table that references users: none names the erased user.
    const { rows: columns } = await owner.query(`
      select c.conrelid::regclass::text as tab, a.attname as col from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'f' and c.confrelid = 'app_public.users'::regclass`);
    expect(columns.length).toBeGreaterThan(20);
    for (const { tab, col } of columns) {
      expect([tab, col, await count(owner, `select 1 from ${tab} where ${col} = $1`, [doomed.id])]).toEqual([tab, col, 0]);
    }
    expect(await count(owner, "select 1 from app_public.users where id = $1", [doomed.id])).toBe(0);
    const { rows } = await owner.query("select user_id, status, processed_at is not null as processed from app_public.data_deletion_requests order by status::text");
    expect(rows).toEqual([
      { user_id: null, status: "completed", processed: true },
      { user_id: waiting.id, status: "pending", processed: false },
    ]);
  });
  expect(await runJob("process_deletion_requests")).toContain("info: process_deletion_requests: 0 users erased");
});

test("daily snapshots: one per parent active that day, from the crontab's date; rerunning rewrites nothing", async () => {
  const day = "2026-10-15";
  await withOwnerDb(async (owner) => {
    await owner.query(
      `insert into app_public.therapy_sessions (user_id, status, started_at, ended_at, mood_before, mood_after) values
         ($1, 'ended', '2026-10-15 09:00Z', '2026-10-15 10:00Z', 3, 5), ($1, 'ended', '2026-10-15 20:00Z', '2026-10-15 21:00Z', 6, null),
         ($1, 'ended', '2026-10-16 09:00Z', '2026-10-16 10:00Z', 9, 9)`,
      [parent.id],
    );
    await owner.query("insert into app_public.messages (user_id, role, content, created_at) values ($1, 'user', 'a', '2026-10-15 12:00Z'), ($1, 'assistant', 'b', '2026-10-15 12:01Z')", [parent.id]);
  });
  // The 00:30 run on the 16th snapshots the 15th.
  const log = await runJob("snapshot_metrics", { _cron: { ts: "2026-10-16T00:30:00.000Z", backfilled: false } });
  expect(log).toContain(`info: snapshot_metrics ${day}: 1 snapshots written`);
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query(
      "select mood_average, sessions_count, messages_count, letters_written, quests_created from app_public.metrics_snapshots where user_id = $1 and snapshot_date = $2",
      [parent.id, day],
    );
    expect(rows).toEqual([{ mood_average: 5.5, sessions_count: 2, messages_count: 1, letters_written: 0, quests_created: 0 }]);
  });
  expect(await runJob("snapshot_metrics", { day })).toContain(`info: snapshot_metrics ${day}: 0 snapshots written`);
  expect(await runJob("snapshot_metrics", { day: "yesterday" })).toEqual(
    expect.arrayContaining([expect.stringMatching(/^error: snapshot_metrics job \d+: payload must be \{"day": "YYYY-MM-DD"\}/)]),
  );
});
