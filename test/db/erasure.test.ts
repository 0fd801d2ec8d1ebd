// Issue 15, section 2: erasure always completes. A child's consent history is the child's (a
// deleted quest leaves the events, without the quest), and each request stands on its own: one
// that fails is recorded, retried later and shown to operators, and never holds back another.
import type pg from "pg";
import { Registry } from "prom-client";
import { addWorkerMetrics } from "../../src/observability/metrics.ts";
import { actingAs, committedAs, expectError, poolFor, rootUrl, roleUrl, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";
import { runJob } from "../helpers/worker.ts";

const count = (client: pg.ClientBase, sql: string, params: unknown[] = []) =>
  client.query(`select count(*)::int as n from (${sql}) as x`, params).then((r) => r.rows[0].n as number);

/** The user asks for erasure and confirms it with the code, as the app does. */
async function requestAndConfirm(role: "pas_bot_user" | "inner_edu_user", user: TestUser): Promise<string> {
  return committedAs(role, user.id, async (c) => {
    const { rows } = await c.query("select * from app_public.request_data_deletion()");
    await c.query("select app_public.confirm_data_deletion($1, $2)", [rows[0].request_id, rows[0].verification_code]);
    return rows[0].request_id as string;
  });
}

/** The worker's erasure_requests gauge, as /metrics shows it (read as app_authenticator). */
async function erasureGauge(): Promise<{ queued: number; failing: number }> {
  const registry = new Registry();
  addWorkerMetrics(registry, poolFor(roleUrl("app_authenticator")));
  const text = await registry.metrics();
  const value = (state: string) => Number(new RegExp(`^erasure_requests\\{state="${state}"\\} (\\d+)$`, "m").exec(text)?.[1]);
  return { queued: value("queued"), failing: value("failing") };
}

// What a test committed and left pending goes with it: its jobs, and a request still verified (the lock test's,
// backing off after its failure), which the next test's gauge would count and its runs retry.
afterEach(async () => {
  await withOwnerDb(async (owner) => {
    await owner.query("delete from graphile_worker._private_jobs");
    await owner.query("delete from app_public.data_deletion_requests where status = 'verified'");
  });
});

describe("a child's consent on someone else's quest", () => {
  test("does not stop the quest's author from being erased, nor anyone after them; the child keeps the events", async () => {
    const { author, ownChild, otherChild, unrelated, publicQuest, personalQuest } = await withOwnerDb(async (owner) => {
      const author = await createUser(owner, "parent", "Author Parent");
      const ownChild = await createUser(owner, "child");
      await linkFamily(owner, author, ownChild);
      const otherParent = await createUser(owner, "parent");
      const otherChild = await createUser(owner, "child");
      await linkFamily(owner, otherParent, otherChild);
      const unrelated = await createUser(owner, "parent", "Unrelated Parent");
      const approved = { status: "deployed", moderation_status: "approved" };
      return {
        author, ownChild, otherChild, unrelated,
        publicQuest: await createQuest(owner, author, { is_public: true, ...approved }),
        personalQuest: await createQuest(owner, author, { child_id: ownChild.id, ...approved }),
      };
    });
    // The reviewer's case (a child of another family, on a public quest) and the common one (the
    // author's own child, on a personal quest): 6 events each, naming the quest.
    await committedAs("inner_edu_user", otherChild.id, (c) =>
      c.query("insert into app_public.quest_privacy (quest_id, share_progress) values ($1, true)", [publicQuest.id]));
    await committedAs("inner_edu_user", ownChild.id, (c) =>
      c.query("insert into app_public.quest_privacy (quest_id, share_progress) values ($1, true)", [personalQuest.id]));
    const eventsOf = (child: TestUser) =>
      withOwnerDb(async (o) => (await o.query(
        "select id, quest_id, flag, old_value, new_value from app_public.consent_events where child_id = $1 and flag like 'share%' order by flag, id",
        [child.id])).rows);
    const before = { other: await eventsOf(otherChild), own: await eventsOf(ownChild) };
    expect(before.other).toHaveLength(6);
    expect(before.other.every((e) => e.quest_id === publicQuest.id)).toBe(true);
    expect(before.own.every((e) => e.quest_id === personalQuest.id)).toBe(true);

    const authorRequest = await requestAndConfirm("pas_bot_user", author);
    const unrelatedRequest = await requestAndConfirm("pas_bot_user", unrelated);
    const log = await runJob("process_deletion_requests");
    expect(log).toContain(`info: process_deletion_requests: request ${authorRequest} completed`);
    expect(log).toContain(`info: process_deletion_requests: request ${unrelatedRequest} completed`);
    expect(log).toContain("info: process_deletion_requests: 2 users erased");

    await withOwnerDb(async (o) => {
      expect(await count(o, "select from app_public.users where id = any ($1)", [[author.id, unrelated.id]])).toBe(0);
      expect(await count(o, "select from app_public.quests where id = any ($1)", [[publicQuest.id, personalQuest.id]])).toBe(0);
      // Each event stays the child's, as it was, without the quest; an audit row per event says so.
      for (const [child, events] of [[otherChild, before.other], [ownChild, before.own]] as const) {
        expect(await eventsOf(child)).toEqual(events.map((e) => ({ ...e, quest_id: null })));
        const { rows } = await o.query(
          "select subject_id from app_private.audit_log where action = 'unlink_deleted_quest' and subject_table = 'consent_events' and child_id = $1 order by subject_id",
          [child.id]);
        expect(rows.map((r) => r.subject_id)).toEqual(events.map((e) => e.id).sort());
      }
    });
  });

  test("the history changes only by a foreign key: the quest's reference goes when the quest is gone, nothing else", async () => {
    await withRootDb(async (client) => {
      const parent = await createUser(client, "parent");
      const child = await createUser(client, "child");
      await linkFamily(client, parent, child);
      const quest = await createQuest(client, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" });
      await actingAs(client, "inner_edu_user", child.id, () =>
        client.query("insert into app_public.quest_privacy (quest_id, share_progress) values ($1, true)", [quest.id]));
      await client.query("set local role app_owner");
      const refused = { code: "42501", message: "consent_events is append-only: UPDATE is not allowed." };
      // While the quest exists, its reference stays, whoever asks.
      expect(await expectError(client, "update app_public.consent_events set quest_id = null where quest_id = $1", [quest.id]))
        .toMatchObject(refused);
      // A quest deleted without the foreign key's action (dropped here, in a transaction rolled back):
      // only the reference may go, and with nothing else of the row.
      await client.query("reset role");
      await client.query("alter table app_public.consent_events drop constraint consent_events_quest_id_fkey");
      await client.query("delete from app_public.quests where id = $1", [quest.id]);
      await client.query("set local role app_owner");
      expect(await expectError(client, "update app_public.consent_events set quest_id = null, new_value = not new_value where quest_id = $1", [quest.id]))
        .toMatchObject(refused);
      expect((await client.query("update app_public.consent_events set quest_id = null where quest_id = $1", [quest.id])).rowCount).toBe(6);
      expect(await expectError(client, "delete from app_public.consent_events where child_id = $1", [child.id]))
        .toMatchObject({ code: "42501", message: "consent_events is append-only: DELETE is not allowed." });
    });
  });
});

describe("each request on its own", () => {
  test("a failing request beside a good one: the good one is erased on the first run, the failing one is recorded, shown and retried later", async () => {
    const { blocked, good } = await withOwnerDb(async (owner) => {
      const blocked = await createUser(owner, "parent", "Blocked Parent");
      const good = await createUser(owner, "parent", "Good Parent");
      await owner.query("insert into app_public.letters (user_id, title, content) values ($1, 'undeletable', 'text')", [blocked.id]);
      // A fault no erasure can get past, for this user's rows only (SQLSTATE 55000).
      await owner.query(`
        create function app_private.test_block_erasure() returns trigger language plpgsql as $$
        begin raise exception 'blocked for the test' using errcode = '55000'; end; $$`);
      await owner.query(`create trigger test_block_erasure before delete on app_public.letters
        for each row when (old.title = 'undeletable') execute function app_private.test_block_erasure()`);
      // The failing request is the older one: the first the job takes.
      await owner.query("insert into app_public.data_deletion_requests (user_id, status, verified_at) values ($1, 'verified', now() - interval '1 hour')", [blocked.id]);
      await owner.query("insert into app_public.data_deletion_requests (user_id, status, verified_at) values ($1, 'verified', now())", [good.id]);
      return { blocked, good };
    });
    const requestOf = (user: TestUser) =>
      withOwnerDb(async (o) => (await o.query(
        `select r.id, r.status, r.attempts, r.last_error_kind, r.next_attempt_at - now() > $2::interval as backing_off
         from app_public.data_deletion_requests r where r.user_id = $1`,
        [user.id, "9 minutes"])).rows);
    const blockedRequest = (await requestOf(blocked))[0].id;
    try {
      const first = await runJob("process_deletion_requests");
      expect(first).toContain("info: process_deletion_requests: 1 users erased");
      expect(first).toContainEqual(expect.stringMatching(
        new RegExp(`^warning: process_deletion_requests: request ${blockedRequest} failed \\(attempt 1, SQLSTATE 55000\\); next try at \\d{4}-`)));
      await withOwnerDb(async (o) => {
        expect(await count(o, "select from app_public.users where id = $1", [good.id])).toBe(0);
        // Nothing of the failed attempt stays: the user and all their rows are still there.
        expect(await count(o, "select from app_public.users where id = $1", [blocked.id])).toBe(1);
        expect(await count(o, "select from app_public.letters where user_id = $1", [blocked.id])).toBe(1);
      });
      expect(await requestOf(blocked)).toEqual([
        { id: blockedRequest, status: "verified", attempts: 1, last_error_kind: "55000", backing_off: true },
      ]);
      expect(await erasureGauge()).toEqual({ queued: 0, failing: 1 });

      // Not due yet: the next run leaves it alone.
      const second = await runJob("process_deletion_requests");
      expect(second).toContain("info: process_deletion_requests: 0 users erased");
      expect((await requestOf(blocked))[0].attempts).toBe(1);

      // Due again and still failing: the wait doubles.
      await withOwnerDb((o) => o.query("update app_public.data_deletion_requests set next_attempt_at = now() where id = $1", [blockedRequest]));
      expect(await runJob("process_deletion_requests")).toContainEqual(expect.stringMatching(/\(attempt 2, SQLSTATE 55000\)/));
      const doubled = await withOwnerDb(async (o) => (await o.query(
        "select next_attempt_at - now() > interval '19 minutes' as doubled from app_public.data_deletion_requests where id = $1", [blockedRequest])).rows[0]);
      expect(doubled).toEqual({ doubled: true });
    } finally {
      await withOwnerDb(async (o) => {
        await o.query("drop trigger if exists test_block_erasure on app_public.letters");
        await o.query("drop function if exists app_private.test_block_erasure()");
      });
    }
    // The fault fixed, the next try completes it.
    await withOwnerDb((o) => o.query("update app_public.data_deletion_requests set next_attempt_at = now() where id = $1", [blockedRequest]));
    expect(await runJob("process_deletion_requests")).toContain(`info: process_deletion_requests: request ${blockedRequest} completed`);
    await withOwnerDb(async (o) => {
      const { rows } = await o.query("select user_id, status, attempts, next_attempt_at from app_public.data_deletion_requests where id = $1", [blockedRequest]);
      expect(rows).toEqual([{ user_id: null, status: "completed", attempts: 2, next_attempt_at: null }]);
    });
    expect(await erasureGauge()).toEqual({ queued: 0, failing: 0 });
  });

  test("only the worker runs the erasure; the queue's counts are for the metrics roles", async () => {
    await withOwnerDb(async (o) => {
      const { rows } = await o.query(`
        select r.rolname, has_function_privilege(r.rolname, 'app_jobs.erase_next_verified_user()', 'execute') as erase,
               has_function_privilege(r.rolname, 'app_ops.erasure_queue()', 'execute') as queue
        from pg_roles r where r.rolname in ('app_authenticator', 'pas_bot_user', 'inner_edu_user', 'app_worker') order by 1`);
      expect(rows).toEqual([
        { rolname: "app_authenticator", erase: false, queue: true },
        { rolname: "app_worker", erase: true, queue: true },
        { rolname: "inner_edu_user", erase: false, queue: false },
        { rolname: "pas_bot_user", erase: false, queue: false },
      ]);
    });
  });
});

test("a row lock another user holds fails that erasure after a bounded wait; the next request is erased on the same run", async () => {
  const { locked, other } = await withOwnerDb(async (owner) => ({
    locked: await createUser(owner, "parent", "Locked Parent"),
    other: await createUser(owner, "parent", "Other Parent"),
  }));
  await requestAndConfirm("pas_bot_user", locked);
  await requestAndConfirm("pas_bot_user", other);
  // Someone keeps the first user's row locked in an open transaction (a hostile app connection could).
  const holder = await poolFor(rootUrl).connect();
  try {
    await holder.query("begin");
    await holder.query("select 1 from app_public.users where id = $1 for update", [locked.id]);
    await runJob("process_deletion_requests");
  } finally {
    await holder.query("rollback");
    holder.release();
  }
  const states = await withOwnerDb(async (owner) =>
    (await owner.query(
      `select (select count(*)::int from app_public.users where id = $2) as other_left,
              (select last_error_kind from app_public.data_deletion_requests where user_id = $1) as locked_error`,
      [locked.id, other.id],
    )).rows[0]);
  expect(states).toEqual({ other_left: 0, locked_error: "55P03" });
});
