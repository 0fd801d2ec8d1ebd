import { becomeRoot, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";

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

test("the audit log is append-only, even for its owner; only the retention function deletes old rows", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    // The superuser alone may change a row: here, to make one old enough for retention.
    await client.query("update app_audit.audit_log set at = now() - interval '2 years' where id = (select min(id) from app_audit.audit_log)");
    await client.query("set local role app_owner");
    for (const sql of ["update app_audit.audit_log set decision = 'allowed'", "delete from app_audit.audit_log", "truncate app_audit.audit_log"]) {
      const error = await expectError(client, sql);
      expect(error.message).toBe("permission denied for table audit_log");
    }
    // The old switch opens nothing.
    await client.query("set local app.audit_retention = 'on'");
    const old = await expectError(client, "delete from app_private.audit_log where at < now() - interval '1 year'");
    expect(old.message).toBe("permission denied for table audit_log");
    const { rows } = await client.query("select app_audit.delete_expired_rows() as deleted");
    expect(rows).toEqual([{ deleted: 1 }]);
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

describe("every release of a child's data to a parent names what it released", () => {
  // The child shares progress and play frequency for questA (its override wins over the defaults), nothing else.
  const shareProgressAndFrequency = async (client: import("pg").PoolClient) => {
    await becomeUser(client, "inner_edu_user", W.childA);
    await client.query("update app_public.quest_privacy set share_progress = true, share_play_frequency = true where quest_id = $1", [W.questA]);
    await becomeRoot(client);
  };
  const lastRecord = async (client: import("pg").PoolClient, action: string) =>
    (
      await client.query(
        "select child_id, data_type, decision, details from app_private.audit_log where action = $1 order by id desc limit 1",
        [action],
      )
    ).rows[0];

  test("get_quest_analytics records the kinds of data it released, not a catch-all", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      await shareProgressAndFrequency(client);
      await becomeUser(client, "pas_bot_user", W.parentA);
      await client.query("select * from app_public.get_quest_analytics($1)", [W.questA]);
      await becomeRoot(client);
      expect(await lastRecord(client, "get_quest_analytics")).toEqual({
        child_id: W.childA,
        data_type: "progress,play_frequency",
        decision: "allowed",
        details: { consent_status: "partially_consented", released: ["progress", "play_frequency"] },
      });
    });
  });

  test("the completion notification and the child_completed milestone are recorded as releases of progress", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      await shareProgressAndFrequency(client);
      await becomeUser(client, "inner_edu_user", W.childA);
      await client.query("select app_public.update_quest_progress($1, 2, null, true)", [W.questA]);
      await becomeRoot(client);
      expect(await lastRecord(client, "notify_quest_completed")).toEqual({
        child_id: W.childA,
        data_type: "progress",
        decision: "allowed",
        details: { parents: 1 },
      });
      await client.query("select app_jobs.detect_milestones()");
      expect(await lastRecord(client, "milestone_child_completed")).toEqual({
        child_id: null,
        data_type: "progress",
        decision: "allowed",
        details: { parent_id: W.parentA },
      });
    });
  });
});
