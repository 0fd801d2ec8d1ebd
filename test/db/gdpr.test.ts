// GDPR erasure: a request the user confirms with a one-time code, then the
// worker removes every row that names them, in every table — including other
// users' notifications and the audit log, which keeps only that it happened.
import { committedAs, poolFor, rootUrl, withOwnerDb } from "../helpers/db.ts";
import { signAppToken } from "../../src/http/auth.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer } from "../helpers/http.ts";
import { until } from "../helpers/process.ts";
import { createQuest } from "../helpers/quests.ts";
import { makeIdle, noticeGiven } from "../helpers/retention.ts";
import { runDueJobs, runJob } from "../helpers/worker.ts";

const request = (role: "pas_bot_user" | "inner_edu_user", user: TestUser, reason: string | null = null) =>
  committedAs(role, user.id, async (c) => (await c.query("select * from app_public.request_data_deletion($1)", [reason])).rows[0]);

const confirm = (role: "pas_bot_user" | "inner_edu_user", user: TestUser, requestId: string, code: string) =>
  committedAs(role, user.id, async (c) => (await c.query("select * from app_public.confirm_data_deletion($1, $2)", [requestId, code])).rows[0]);

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: Error & { code?: string }) => ({ code: e.code, message: e.message }));

describe("the request and its code", () => {
  /** A code as the users get it: 10 characters without 0, O, 1, I or L, in two groups of 5. */
  const CODE_SHAPE = /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/;
  const expiredOrNotYours = { code: "22023", message: "The code is wrong or has expired: ask again for a new one." };
  const wrong = (left: number) => ({ code: "22023", message: `The code is wrong (${left} of 5 tries left): check it, or ask again for a new one.` });
  const deniedTries = (requestId: string) =>
    withOwnerDb(async (o) => (await o.query<{ n: number }>(
      "select count(*)::int as n from app_private.audit_log where action = 'confirm_data_deletion' and decision = 'denied' and subject_id = $1",
      [requestId])).rows[0]!.n);

  test("a wrong code, another user's hand or an expired code confirm nothing; the right code does, once", async () => {
    const { parent, other } = await withOwnerDb(async (owner) => ({
      parent: await createUser(owner, "parent"),
      other: await createUser(owner, "parent"),
    }));
    const ticket = await request("pas_bot_user", parent, "moving on");
    expect(ticket.verification_code).toMatch(CODE_SHAPE);
    expect(await errorOf(confirm("pas_bot_user", parent, ticket.request_id, "22222-22222"))).toEqual(wrong(4));
    expect(await errorOf(confirm("pas_bot_user", other, ticket.request_id, ticket.verification_code))).toEqual(expiredOrNotYours);

    // Asking again replaces the code: the old one stops working.
    const again = await request("pas_bot_user", parent);
    expect(again.request_id).toBe(ticket.request_id);
    expect(again.verification_code).not.toBe(ticket.verification_code);
    expect(await errorOf(confirm("pas_bot_user", parent, ticket.request_id, ticket.verification_code))).toEqual(wrong(4));

    await withOwnerDb((o) => o.query("update app_public.data_deletion_requests set requested_at = now() - interval '25 hours' where id = $1", [again.request_id]));
    expect(await errorOf(confirm("pas_bot_user", parent, again.request_id, again.verification_code))).toEqual(expiredOrNotYours);

    const fresh = await request("pas_bot_user", parent);
    const confirmed = await confirm("pas_bot_user", parent, fresh.request_id, fresh.verification_code);
    expect(confirmed).toMatchObject({ id: fresh.request_id, status: "verified", reason: "moving on", verification_token_hash: null });
    expect(await errorOf(request("pas_bot_user", parent))).toEqual({
      code: "22023",
      message: "Your erasure is confirmed and will be carried out shortly.",
    });
    // Requests are made only through the function, which checks the code.
    expect(await errorOf(committedAs("pas_bot_user", parent.id, (c) => c.query("insert into app_public.data_deletion_requests (reason) values ('x')"))))
      .toMatchObject({ code: "42501" });
  });

  test("a person can type the code: two groups of 5 from 31 characters without 0/O/1/I/L, any case, spaces and hyphens ignored", async () => {
    const codes = await withOwnerDb(async (o) =>
      (await o.query<{ code: string }>("select app_private.new_erasure_code() as code from generate_series(1, 300)")).rows.map((r) => r.code));
    expect(codes.filter((code) => !CODE_SHAPE.test(code))).toEqual([]);
    expect(new Set(codes).size).toBe(codes.length);
    // Every character of the alphabet is drawn (3,000 draws: each is missed with probability ~1e-13).
    expect([...new Set(codes.join("").replaceAll("-", ""))].sort().join("")).toBe("23456789ABCDEFGHJKMNPQRSTUVWXYZ");

    const { parent, child } = await withOwnerDb(async (owner) => ({
      parent: await createUser(owner, "parent"),
      child: await createUser(owner, "child"),
    }));
    const parentTicket = await request("pas_bot_user", parent);
    const typedByParent = ` ${parentTicket.verification_code.toLowerCase().replace("-", "  ")} `;
    expect(await confirm("pas_bot_user", parent, parentTicket.request_id, typedByParent)).toMatchObject({ status: "verified" });

    const childTicket = await request("inner_edu_user", child);
    const plain = childTicket.verification_code.replace("-", "");
    const typedByChild = `${plain.slice(0, 3)}-${plain.slice(3, 7).toLowerCase()}\t${plain.slice(7)}`;
    // What is stored is no plain hash of the code (the user may read the row): an HMAC under a key they cannot read.
    const stored = await withOwnerDb(async (o) => (await o.query(
      "select verification_token_hash = encode(sha256(convert_to($2, 'UTF8')), 'hex') as plain_sha256 from app_public.data_deletion_requests where id = $1",
      [childTicket.request_id, plain])).rows[0]);
    expect(stored).toEqual({ plain_sha256: false });
    expect(await confirm("inner_edu_user", child, childTicket.request_id, typedByChild)).toMatchObject({ status: "verified" });
  });

  test("what phones and word processors do to a typed code costs no try: full-width forms, minus signs, no-break and zero-width spaces", async () => {
    const typed = ["ABCDE-23456", "abcde\u221223456", "ＡＢＣＤＥ－２３４５６", "ABCDE\u00a023456", "AB\u200bCDE\u2013234\ufeff56", " abcde \u2014 23456\n"];
    const canonical = await withOwnerDb(async (o) =>
      (await o.query<{ c: string }>("select app_private.erasure_code_canonical(t) as c from unnest($1::text[]) t", [typed])).rows.map((r) => r.c));
    expect(canonical).toEqual(typed.map(() => "ABCDE23456"));
  });

  test("wrong codes are counted, durably: 4 leave the code working, the 5th voids it; asking again gives a new code with its own tries", async () => {
    const { patient, locked, other } = await withOwnerDb(async (owner) => ({
      patient: await createUser(owner, "parent"),
      locked: await createUser(owner, "parent"),
      other: await createUser(owner, "parent"),
    }));
    const patientTicket = await request("pas_bot_user", patient);
    for (const left of [4, 3, 2, 1]) {
      expect(await errorOf(confirm("pas_bot_user", patient, patientTicket.request_id, "ZZZZZ-ZZZZZ"))).toEqual(wrong(left));
    }
    // Each try was refused (its transaction rolled back), yet counted: the audit row is committed on its own.
    expect(await deniedTries(patientTicket.request_id)).toBe(4);
    expect(await confirm("pas_bot_user", patient, patientTicket.request_id, patientTicket.verification_code)).toMatchObject({ status: "verified" });

    const first = await request("pas_bot_user", locked);
    // Someone else's guesses at this request are refused without counting against its owner.
    expect(await errorOf(confirm("pas_bot_user", other, first.request_id, "ZZZZZ-ZZZZZ"))).toEqual(expiredOrNotYours);
    expect(await deniedTries(first.request_id)).toBe(0);
    // Guesses sent at once queue on the request: exactly 5 count, the rest find the code void. To make
    // them overlap for sure, the audit log is locked until 4 of them (the pool's size) wait: on the
    // request row (queued) or on writing their audit row (had they not queued, all 4 would be there).
    const blocker = await poolFor(rootUrl).connect();
    await blocker.query("begin");
    await blocker.query("lock table app_audit.audit_log in share mode");
    const sent = Promise.all(
      Array.from({ length: 8 }, (_, i) => errorOf(confirm("pas_bot_user", locked, first.request_id, `ZZZZZ-ZZZZ${"23456789"[i]}`))),
    );
    await until("4 guesses to wait on a lock", async () => (await poolFor(rootUrl).query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")).rows[0].n === 4);
    await blocker.query("rollback");
    blocker.release();
    const guesses = await sent;
    const voided = { code: "22023", message: "The code is wrong and, typed wrong 5 times, no longer works: ask again for a new one." };
    const lockedOut = { code: "22023", message: "This code was typed wrong 5 times and no longer works: ask again for a new one." };
    // Queued, the first 4 are told 4, 3, 2 and 1 tries left; unqueued, all 4 would read the same count (4 left).
    expect(guesses.filter((g) => /tries left/.test(g?.message ?? "")).map((g) => g!.message).sort()).toEqual(
      [1, 2, 3, 4].map((left) => wrong(left).message).sort(),
    );
    expect(guesses.filter((g) => g?.message === voided.message)).toHaveLength(1);
    expect(guesses.filter((g) => g?.message === lockedOut.message)).toHaveLength(3);
    expect(await deniedTries(first.request_id)).toBe(5);
    expect(await errorOf(confirm("pas_bot_user", locked, first.request_id, first.verification_code))).toEqual(lockedOut);

    const second = await request("pas_bot_user", locked);
    expect(second.request_id).toBe(first.request_id);
    expect(await errorOf(confirm("pas_bot_user", locked, second.request_id, first.verification_code))).toEqual(wrong(4));
    expect(await confirm("pas_bot_user", locked, second.request_id, second.verification_code)).toMatchObject({ status: "verified" });
  });
});

describe("the export", () => {
  test("a parent's export holds their own rows, not their child's play; the child's holds the play, not the parent's letters", async () => {
    const { parent, child, quest } = await withOwnerDb(async (owner) => {
      const parent = await createUser(owner, "parent", "Exporting Parent");
      const child = await createUser(owner, "child", "Exporting Child");
      await linkFamily(owner, parent, child);
      const quest = await createQuest(owner, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" });
      return { parent, child, quest };
    });
    await committedAs("pas_bot_user", parent.id, (c) =>
      c.query("insert into app_public.letters (child_id, title, content) values ($1, 'Unsent', 'Words for later')", [child.id]),
    );
    await committedAs("inner_edu_user", child.id, (c) => c.query("select app_public.update_quest_progress($1, 1, minutes_played => 4)", [quest.id]));

    const exportOf = (role: "pas_bot_user" | "inner_edu_user", user: TestUser) =>
      committedAs(role, user.id, async (c) => (await c.query("select app_public.export_my_data() as data")).rows[0].data);
    const mine = await exportOf("pas_bot_user", parent);
    expect(mine).toMatchObject({ format: "pas-export/1", user_id: parent.id });
    expect(mine.tables.users).toEqual([expect.objectContaining({ id: parent.id, display_name: "Exporting Parent" })]);
    expect(mine.tables.letters).toEqual([expect.objectContaining({ title: "Unsent", content: "Words for later", child_id: child.id })]);
    expect(mine.tables.quests.map((q: { id: string }) => q.id)).toEqual([quest.id]);
    expect(mine.tables.quest_progress).toEqual([]);
    expect(mine.tables.family_links).toEqual([expect.objectContaining({ parent_id: parent.id, child_id: child.id })]);

    const theirs = await exportOf("inner_edu_user", child);
    expect(theirs.tables.users).toEqual([expect.objectContaining({ id: child.id })]);
    expect(theirs.tables.quest_progress).toEqual([expect.objectContaining({ quest_id: quest.id, total_time_minutes: 4 })]);
    expect(theirs.tables.letters).toEqual([]);
    expect(theirs.tables.quests).toEqual([]);
    expect(JSON.stringify(theirs)).not.toContain("Words for later");

    // Every export is in the audit log.
    const audited = await withOwnerDb(async (o) =>
      (await o.query("select acting_user_id from app_private.audit_log where action = 'export_my_data' and acting_user_id = any ($1) order by at", [[parent.id, child.id]])).rows,
    );
    expect(audited).toEqual([{ acting_user_id: parent.id }, { acting_user_id: child.id }]);
  });

  test("every column that references users is either an owner column of the export or a pointer from someone else's row", async () => {
    // Not owners: a parent's letter and personal quest name the child they are for; they stay the parent's.
    // Neither: a user's data key is a means of encryption, not data about them (it goes with them);
    // a retention notice is the job's bookkeeping (the notification it sent is exported).
    const pointers = ["app_private.retention_notices.user_id", "app_private.user_data_keys.user_id", "letters.child_id", "quests.child_id"];
    const { rows } = await withOwnerDb((o) =>
      o.query(`
        select format('%s.%s', c.conrelid::regclass::text, a.attname) as col,
               exists (select from app_private.personal_data_owners p
                       where format('app_public.%s', p.table_name) = c.conrelid::regclass::text and p.owner_column = a.attname) as exported
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
        where c.contype = 'f' and c.confrelid = 'app_public.users'::regclass order by 1`),
    );
    const unexplained = rows.filter((r) => !r.exported && !pointers.includes(r.col.replace("app_public.", "")));
    expect(unexplained).toEqual([]);
    expect(rows.filter((r) => !r.exported).map((r) => r.col.replace("app_public.", ""))).toEqual(pointers);
  });
});

/** Every table of ours and the job queue: the rows whose text mentions `needle`. */
async function rowsMentioning(needle: string): Promise<Array<{ table: string; rows: number }>> {
  return withOwnerDb(async (owner) => {
    const { rows: tables } = await owner.query<{ name: string }>(`
      select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('app_public', 'app_private', 'graphile_worker') order by 1`);
    const found = [];
    for (const { name } of tables) {
      const { rows } = await owner.query(`select count(*)::int as n from ${name} t where strpos(t::text, $1) > 0`, [needle]);
      if (rows[0].n > 0) found.push({ table: name, rows: rows[0].n });
    }
    return found;
  });
}

describe("the erasure", () => {
  test("no row anywhere names an erased child or parent; the audit log says an erasure happened", async () => {
    const { parent, otherParent, child, quest } = await withOwnerDb(async (owner) => {
      const parent = await createUser(owner, "parent", "Erasable Parent Name");
      const otherParent = await createUser(owner, "parent", "Staying Parent");
      const child = await createUser(owner, "child", "Erasable Child Name");
      await linkFamily(owner, parent, child);
      await linkFamily(owner, otherParent, child);
      const quest = await createQuest(owner, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" });
      return { parent, otherParent, child, quest };
    });
    // The child plays, shares progress, then stops (the parents are told, by name).
    await committedAs("inner_edu_user", child.id, async (c) => {
      await c.query("select app_public.update_quest_progress($1, 1, minutes_played => 3)", [quest.id]);
      await c.query("select app_public.record_achievement($1, 'first_step', 'First step')", [quest.id]);
      await c.query("update app_public.child_privacy set share_progress = true where child_id = $1", [child.id]);
    });
    await committedAs("inner_edu_user", child.id, (c) =>
      c.query("update app_public.child_privacy set share_progress = false where child_id = $1", [child.id]),
    );
    await committedAs("pas_bot_user", parent.id, async (c) => {
      await c.query("select app_public.get_quest_analytics($1)", [quest.id]);
      await c.query("insert into app_public.letters (child_id, title, content) values ($1, 'For you', 'Dear one')", [child.id]);
    });
    await committedAs("pas_bot_user", otherParent.id, (c) => c.query("select app_public.get_quest_analytics($1)", [quest.id]));
    await runDueJobs();
    const notices = await withOwnerDb(async (o) =>
      (await o.query("select count(*)::int as n from app_public.notifications where user_id = $1 and title like 'Erasable Child Name%'", [otherParent.id])).rows[0].n,
    );
    expect(notices).toBeGreaterThan(0);
    const auditRows = async () => withOwnerDb(async (o) => (await o.query("select count(*)::int as n from app_private.audit_log")).rows[0].n as number);

    // Before: the child is everywhere.
    expect((await rowsMentioning(child.id)).length).toBeGreaterThan(8);

    const ticket = await request("inner_edu_user", child, "Erasable Child Name wants out");
    await confirm("inner_edu_user", child, ticket.request_id, ticket.verification_code);
    const before = await auditRows();
    expect(await runJob("process_deletion_requests")).toContain(`info: process_deletion_requests: request ${ticket.request_id} completed`);

    expect(await rowsMentioning(child.id)).toEqual([]);
    expect(await rowsMentioning("Erasable Child Name")).toEqual([]);
    await withOwnerDb(async (o) => {
      // Nothing of the audit log is deleted: rows lose the ids, and one more says the erasure happened.
      expect(await auditRows()).toBeGreaterThan(before);
      const { rows } = await o.query("select action, subject_table, acting_user_id, child_id, db_role from app_private.audit_log where subject_id = $1", [ticket.request_id]);
      expect(rows).toEqual([{ action: "erasure", subject_table: "data_deletion_requests", acting_user_id: null, child_id: null, db_role: "app_worker" }]);
      const { rows: request } = await o.query("select user_id, status, reason from app_public.data_deletion_requests where id = $1", [ticket.request_id]);
      expect(request).toEqual([{ user_id: null, status: "completed", reason: null }]);
      // The other parent keeps their own data.
      const { rows: kept } = await o.query("select count(*)::int as n from app_public.users where id = $1", [otherParent.id]);
      expect(kept[0].n).toBe(1);
    });

    // Then the parent.
    const parentTicket = await request("pas_bot_user", parent);
    await confirm("pas_bot_user", parent, parentTicket.request_id, parentTicket.verification_code);
    await runJob("process_deletion_requests");
    expect(await rowsMentioning(parent.id)).toEqual([]);
    expect(await rowsMentioning("Erasable Parent Name")).toEqual([]);
  });

  test("the audit log stays append-only outside the erasure: no setting opens it to the owner (ids go only through app_audit.anonymise_erased_user)", async () => {
    await withOwnerDb(async (owner) => {
      const user = await createUser(owner, "parent");
      await committedAs("pas_bot_user", user.id, (c) => c.query("select app_public.get_quest_analytics(gen_random_uuid())"));
      const update = "update app_private.audit_log set acting_user_id = null where acting_user_id = $1";
      const refused = { code: "42501", message: "permission denied for table audit_log" };
      expect(await errorOf(owner.query(update, [user.id]))).toEqual(refused);
      await owner.query("begin");
      try {
        await owner.query("set local app.audit_erasure = 'on'");
        expect(await errorOf(owner.query(update, [user.id]))).toEqual(refused);
      } finally {
        await owner.query("rollback");
      }
    });
  });
});

describe("retention of inactive accounts", () => {
  test("a user inactive past their data_retention_days is erased by the daily job after the notice period; an active one and a pending request are left alone", async () => {
    const { idle, active, asked } = await withOwnerDb(async (owner) => ({
      idle: await createUser(owner, "parent", "Long Gone"),
      active: await createUser(owner, "parent", "Still Here"),
      asked: await createUser(owner, "child", "Already Asked"),
    }));
    await makeIdle(idle, 31, 30);
    await makeIdle(asked, 31, 30);
    await makeIdle(active, 29, 30);
    const ticket = await request("inner_edu_user", asked);
    await confirm("inner_edu_user", asked, ticket.request_id, ticket.verification_code);

    // Told first (issue 15: a notice period before erasure), then erased if still inactive 30 days on.
    expect(await runJob("enforce_retention")).toContainEqual(expect.stringMatching(/^info: enforce_retention: inactive accounts .*"notified":1,/));
    await noticeGiven(idle, 30);
    expect(await runJob("enforce_retention")).toContainEqual(expect.stringMatching(/^info: enforce_retention: inactive accounts .*"requested":1}/));
    const requests = await withOwnerDb(async (o) =>
      (await o.query("select user_id, status, reason from app_public.data_deletion_requests where user_id = any ($1) order by reason nulls first", [[idle.id, active.id, asked.id]])).rows,
    );
    expect(requests).toEqual([
      { user_id: asked.id, status: "verified", reason: null },
      { user_id: idle.id, status: "verified", reason: "retention" },
    ]);
    await runJob("process_deletion_requests");
    expect(await rowsMentioning(idle.id)).toEqual([]);
    const causes = await withOwnerDb(async (o) =>
      (await o.query("select details ->> 'cause' as cause from app_private.audit_log where action = 'erasure' and subject_id = $1", [ticket.request_id])).rows,
    );
    expect(causes).toEqual([{ cause: "request" }]);
    const still = await withOwnerDb(async (o) => (await o.query("select id from app_public.users where id = $1", [active.id])).rows);
    expect(still).toEqual([{ id: active.id }]);
    // A further run finds no one new.
    expect(await runJob("enforce_retention")).toContainEqual(expect.stringMatching(/^info: enforce_retention: inactive accounts .*"notified":0,.*"requested":0}/));
  });

  test("using the API marks the user active, without bumping the row's version or writing an audit row", async () => {
    const user = await withOwnerDb(async (owner) => {
      const user = await createUser(owner, "parent");
      await owner.query("update app_public.users set last_active_at = now() - interval '3 hours' where id = $1", [user.id]);
      return user;
    });
    const state = () =>
      withOwnerDb(async (o) =>
        (await o.query(
          `select u.version, u.last_active_at > now() - interval '1 minute' as just_now,
                  (select count(*)::int from app_private.audit_log a where a.subject_table = 'users' and a.subject_id = u.id) as audits
           from app_public.users u where u.id = $1`,
          [user.id],
        )).rows[0],
      );
    const before = await state();
    expect(before.just_now).toBe(false);
    const server = await startTestServer();
    try {
      const { status } = await graphql(server, "{ currentUserId }", { token: signAppToken("pas_bot", user.id, server.secrets) });
      expect(status).toBe(200);
      // The mark is written after the response.
      const after = await until("the activity mark", async () => {
        const now = await state();
        return now.just_now && now;
      }, { timeoutMs: 1_000, intervalMs: 20 });
      expect(after).toEqual({ version: before.version, just_now: true, audits: before.audits });
    } finally {
      await server.close();
    }
  });
});
