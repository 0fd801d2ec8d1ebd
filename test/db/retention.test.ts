// Retention of whole accounts (issue 15, section 3): activity counts by every path the
// product supports, a user found inactive is told and erased only if still inactive
// 30 days later, and the dry run says who and why.
import { committedAs, ownerUrl, withOwnerDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { makeIdle, noticeGiven } from "../helpers/retention.ts";
import { runJob } from "../helpers/worker.ts";
import { formatRetentionReview, retentionReview } from "../../src/tools/retention.ts";

/**
 * The users the running test committed. The job's counts are over every user in the database, so each test's
 * users are erased after it (their notices, notifications and requests with them): no test sees another's.
 */
const committedUsers: TestUser[] = [];

afterEach(async () => {
  const ids = committedUsers.splice(0).map((u) => u.id);
  await withOwnerDb(async (o) => {
    await o.query("delete from app_public.data_deletion_requests where user_id = any ($1)", [ids]);
    await o.query("delete from app_public.users where id = any ($1)", [ids]);
  });
});

/** A parent of this test's, committed (erased after the test). */
async function parent(): Promise<TestUser> {
  const user = await withOwnerDb((owner) => createUser(owner, "parent"));
  committedUsers.push(user);
  return user;
}

/** A parent whose every trace is `days` old, with the default period of 365 days. */
async function idleParent(days: number): Promise<TestUser> {
  const user = await parent();
  await makeIdle(user, days);
  return user;
}

/** The review's rows for these users only. */
const reviewOf = (users: TestUser[]) =>
  withOwnerDb(async (o) =>
    (await o.query("select user_id, action, trace, reason from app_private.retention_review() where user_id = any ($1) order by action, trace", [users.map((u) => u.id)])).rows,
  );

const stateOf = (user: TestUser) =>
  withOwnerDb(async (o) =>
    (await o.query(
      `select (select count(*)::int from app_public.users where id = $1) as users,
              (select count(*)::int from app_private.retention_notices where user_id = $1) as notices,
              (select count(*)::int from app_public.notifications where user_id = $1 and kind = 'retention_notice') as notified,
              (select array_agg(reason) from app_public.data_deletion_requests where user_id = $1 and status = 'verified') as requests`,
      [user.id],
    )).rows[0],
  );

const reviewCounts = (log: string[]) => JSON.parse(log.find((l) => l.startsWith("info: enforce_retention: inactive accounts"))!.split("inactive accounts ")[1]!);

test("a user active only through direct SQL for the whole period is neither notified nor erased; the traces become their mark", async () => {
  const writer = await idleParent(400);
  const reader = await idleParent(400);
  // The bot's trusted service writes a goal for one; the other only exports their data (a read the audit log records).
  await committedAs("pas_bot_user", writer.id, (c) => c.query("insert into app_public.goals (title) values ('Walk every day')"));
  await committedAs("pas_bot_user", reader.id, (c) => c.query("select app_public.export_my_data()"));

  const log = await runJob("enforce_retention");
  const requests = await withOwnerDb(async (o) => (await o.query("select user_id from app_public.data_deletion_requests where user_id = any ($1)", [[writer.id, reader.id]])).rows);
  expect(requests).toEqual([]);
  for (const user of [writer, reader]) expect(await stateOf(user)).toEqual({ users: 1, notices: 0, notified: 0, requests: null });
  expect(reviewCounts(log)).toMatchObject({ kept: 2, notified: 0, requested: 0 });
  // Their traces are now their mark: the next review does not even read them.
  const marks = await withOwnerDb(async (o) =>
    (await o.query("select bool_and(last_active_at > now() - interval '1 minute') as fresh from app_public.users where id = any ($1)", [[writer.id, reader.id]])).rows[0]);
  expect(marks).toEqual({ fresh: true });
  expect(await reviewOf([writer, reader])).toEqual([]);
});

test("a user inactive past the period is notified, not erased before the notice period ends, and erased after it", async () => {
  const idle = await idleParent(400);

  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ notified: 1, requested: 0 });
  expect(await stateOf(idle)).toEqual({ users: 1, notices: 1, notified: 1, requests: null });
  const [notice] = await withOwnerDb(async (o) => (await o.query("select title, data from app_public.notifications where user_id = $1", [idle.id])).rows);
  expect(notice.title).toMatch(/^Your account will be erased after \d{4}-\d{2}-\d{2}$/);
  expect(notice.data).toMatchObject({ data_retention_days: 365 });

  // A second run does not notify again; the same day and 29 days on, nothing is erased.
  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ notified: 0, waiting: 1, requested: 0 });
  await noticeGiven(idle, 29);
  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ waiting: 1, requested: 0 });
  expect(await stateOf(idle)).toEqual({ users: 1, notices: 1, notified: 1, requests: null });

  await noticeGiven(idle, 30);
  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ requested: 1 });
  expect(await stateOf(idle)).toMatchObject({ users: 1, requests: ["retention"] });
  await runJob("process_deletion_requests");
  expect(await stateOf(idle)).toEqual({ users: 0, notices: 0, notified: 0, requests: null });
});

test("activity after the notice, by direct SQL or through the API, withdraws it", async () => {
  const bySql = await idleParent(400);
  const byApi = await idleParent(400);
  await runJob("enforce_retention");
  await noticeGiven(bySql, 31);
  await noticeGiven(byApi, 31);
  await committedAs("pas_bot_user", bySql.id, (c) => c.query("insert into app_public.goals (title) values ('Back again')"));
  await withOwnerDb((o) => o.query("select app_ops.record_activity($1)", [byApi.id]));

  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ cancelled: 2, requested: 0 });
  for (const user of [bySql, byApi]) expect(await stateOf(user)).toEqual({ users: 1, notices: 0, notified: 1, requests: null });
  expect(await reviewOf([bySql, byApi])).toEqual([]);
});

test("the dry run lists exactly the users the review concerns, with what it would do and why, and changes nothing", async () => {
  const active = await parent();
  const asked = await idleParent(400);
  await withOwnerDb((o) => o.query("insert into app_public.data_deletion_requests (user_id, status, verified_at) values ($1, 'verified', now())", [asked.id]));
  const keep = await idleParent(400);
  await committedAs("pas_bot_user", keep.id, (c) => c.query("insert into app_public.goals (title) values ('Still here')"));
  const [toNotify, waiting, toErase, toCancel] = [await idleParent(366), await idleParent(400), await idleParent(500), await idleParent(400)];
  await withOwnerDb((o) => o.query("insert into app_private.retention_notices (user_id) values ($1), ($2), ($3)", [waiting.id, toErase.id, toCancel.id]));
  await noticeGiven(waiting, 10);
  await noticeGiven(toErase, 30);
  await noticeGiven(toCancel, 20);
  await committedAs("pas_bot_user", toCancel.id, (c) => c.query("insert into app_public.goals (title) values ('Oh, right')"));

  const everyone = [active, asked, keep, toNotify, waiting, toErase, toCancel];
  const before = await Promise.all(everyone.map(stateOf));
  const day = "\\d{4}-\\d{2}-\\d{2}";
  expect(await reviewOf(everyone)).toEqual([
    { user_id: toCancel.id, action: "cancel", trace: "goals", reason: expect.stringMatching(new RegExp(`\\(goals\\); active after the notice of ${day}: notice withdrawn$`)) },
    { user_id: toErase.id, action: "erase", trace: "api", reason: expect.stringMatching(new RegExp(`\\(api\\); notified ${day}, not active since, notice period of 30 days over: erase$`)) },
    { user_id: keep.id, action: "keep", trace: "goals", reason: expect.stringMatching(/\(goals\); within data_retention_days 365$/) },
    { user_id: toNotify.id, action: "notify", trace: "api", reason: expect.stringMatching(new RegExp(`\\(api\\); inactive past data_retention_days 365: notify, erase after ${day} if still inactive$`)) },
    { user_id: waiting.id, action: "wait", trace: "api", reason: expect.stringMatching(new RegExp(`\\(api\\); notified ${day}, not active since: erase after ${day}$`)) },
  ]);

  // The command prints the same review.
  const printed = formatRetentionReview((await retentionReview(ownerUrl)).filter((r) => everyone.some((u) => u.id === r.user_id)));
  expect(printed.split("\n")).toEqual([
    expect.stringMatching(new RegExp(`^cancel ${toCancel.id} parent +last active `)),
    expect.stringMatching(new RegExp(`^erase  ${toErase.id} parent +last active `)),
    expect.stringMatching(new RegExp(`^keep   ${keep.id} parent +last active `)),
    expect.stringMatching(new RegExp(`^notify ${toNotify.id} parent +last active `)),
    expect.stringMatching(new RegExp(`^wait   ${waiting.id} parent +last active `)),
    "1 erase, 1 notify, 1 wait, 1 cancel, 1 keep (nothing was changed)",
  ]);
  expect(await Promise.all(everyone.map(stateOf))).toEqual(before);
});

test("a retention request still queued when its user comes back is withdrawn, not carried out", async () => {
  const idle = await idleParent(400);
  await runJob("enforce_retention");
  await noticeGiven(idle, 30);
  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ requested: 1 });
  // Before the erasure job runs (it may be backing off), the user writes through the bot.
  await committedAs("pas_bot_user", idle.id, (c) => c.query("insert into app_public.goals (title) values ('Back again')"));

  const log = await runJob("process_deletion_requests");
  expect(log).toContainEqual(expect.stringMatching(/retention request .* withdrawn/));
  expect(await stateOf(idle)).toMatchObject({ users: 1, requests: null });
  const withdrawn = await withOwnerDb(async (o) =>
    (await o.query("select status from app_public.data_deletion_requests where user_id = $1", [idle.id])).rows);
  expect(withdrawn).toEqual([{ status: "rejected" }]);
});

test("an old record the user touched today is their trace: the retention job neither deletes it first nor notifies them", async () => {
  const [builder, reader, therapist] = [await idleParent(400), await idleParent(400), await idleParent(400)];
  await withOwnerDb(async (o) => {
    const old = "now() - interval '400 days'";
    await o.query(`insert into app_public.quest_builder_sessions (user_id, created_at, updated_at) values ($1, ${old}, ${old})`, [builder.id]);
    await o.query(`insert into app_public.notifications (user_id, kind, title, created_at) values ($1, 'k', 'old news', ${old})`, [reader.id]);
    await o.query(
      `insert into app_public.therapy_sessions (user_id, status, started_at, created_at, updated_at) values ($1, 'active', ${old}, ${old}, ${old})`,
      [therapist.id],
    );
  });
  // Today, through the bot's direct SQL: a builder session edited, a notification read, a session ended.
  await committedAs("pas_bot_user", builder.id, (c) => c.query("update app_public.quest_builder_sessions set current_stage = current_stage"));
  await committedAs("pas_bot_user", reader.id, (c) => c.query("update app_public.notifications set read_at = now()"));
  await committedAs("pas_bot_user", therapist.id, (c) => c.query("update app_public.therapy_sessions set status = 'ended', ended_at = now()"));

  expect(reviewCounts(await runJob("enforce_retention"))).toMatchObject({ notified: 0 });
  for (const user of [builder, reader, therapist]) expect(await stateOf(user)).toMatchObject({ users: 1, notices: 0, notified: 0 });
  const kept = await withOwnerDb(async (o) =>
    (await o.query(
      `select (select count(*)::int from app_public.quest_builder_sessions where user_id = $1) as builder,
              (select count(*)::int from app_public.notifications where user_id = $2) as notifications,
              (select count(*)::int from app_public.therapy_sessions where user_id = $3) as sessions`,
      [builder.id, reader.id, therapist.id],
    )).rows[0]);
  expect(kept).toEqual({ builder: 1, notifications: 1, sessions: 1 });
});
