import { becomeRoot, becomeUser, expectError, withRootDb } from "./helpers/db.ts";
import { buildWorld, W } from "./helpers/world.ts";

test("a write to a privacy-relevant table is logged with who, as which role, and which columns — never the values", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.parentA);
    await client.query("update app_public.quests set title = 'A secret title' where id = $1", [W.questA]);
    await becomeRoot(client);
    const { rows } = await client.query(
      "select db_role, acting_user_id, action, subject_table, subject_id, child_id, details from app_private.audit_log order by id desc limit 1",
    );
    expect(rows[0]).toEqual({
      db_role: "pas_bot_user",
      acting_user_id: W.parentA,
      action: "update",
      subject_table: "quests",
      subject_id: W.questA,
      child_id: W.childA,
      // A content edit of a deployed quest also sends it back to moderation.
      details: { columns: ["moderation_status", "status", "title", "yaml_content"] },
    });
    const { rows: leaks } = await client.query("select count(*)::int as n from app_private.audit_log where details::text like '%secret%'");
    expect(leaks[0].n).toBe(0);
  });
});

test("a consent change is logged by trigger as the child", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "inner_edu_user", W.childA);
    await client.query("update app_public.child_privacy set share_emotional_state = true");
    await becomeRoot(client);
    const { rows } = await client.query(
      "select db_role, subject_table, child_id, details from app_private.audit_log where subject_table = 'child_privacy' order by id desc limit 1",
    );
    expect(rows[0]).toEqual({
      db_role: "inner_edu_user",
      subject_table: "child_privacy",
      child_id: W.childA,
      // (consent_timestamp is re-stamped with now(): unchanged within this one test transaction.)
      details: { columns: ["share_emotional_state"] },
    });
  });
});

test("the audit log is append-only, even for its owner; only the retention job may delete old rows", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    for (const sql of ["update app_private.audit_log set decision = 'allowed'", "delete from app_private.audit_log", "truncate app_private.audit_log"]) {
      const error = await expectError(client, sql);
      expect(error.message).toMatch(/^The audit log is append-only: (UPDATE|DELETE|TRUNCATE) is not allowed\.$/);
    }
    await client.query("alter table app_private.audit_log disable trigger _100_append_only");
    await client.query("update app_private.audit_log set at = now() - interval '2 years' where id = (select min(id) from app_private.audit_log)");
    await client.query("alter table app_private.audit_log enable trigger _100_append_only");
    await client.query("set local app.audit_retention = 'on'");
    const { rowCount } = await client.query("delete from app_private.audit_log where at < now() - interval '1 year'");
    expect(rowCount).toBe(1);
    const recent = await expectError(client, "delete from app_private.audit_log");
    expect(recent.message).toMatch(/append-only/);
  });
});

test("no app role can read the audit log", async () => {
  await withRootDb(async (client) => {
    for (const role of ["pas_bot_user", "inner_edu_user"] as const) {
      await becomeUser(client, role, W.parentA);
      const error = await expectError(client, "select count(*) from app_private.audit_log");
      expect(error.message).toBe("permission denied for schema app_private");
      await becomeRoot(client);
    }
  });
});
