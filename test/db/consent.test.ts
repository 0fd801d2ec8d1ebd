import type pg from "pg";
import { actingAs, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";

async function canShare(client: pg.ClientBase, asUser: string, child: string, dataType: string, quest: string | null = null) {
  return actingAs(client, "pas_bot_user", asUser, async () =>
    (await client.query("select app_public.can_share_with_parent($1, $2, $3) as ok", [child, dataType, quest])).rows[0].ok as boolean);
}

const asChild = (client: pg.ClientBase, sql: string, params: unknown[] = []) =>
  actingAs(client, "inner_edu_user", W.childA, () => client.query(sql, params));

test("a new child shares nothing: every flag false", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const { rows } = await client.query("select * from app_public.child_privacy where child_id = $1", [W.childA]);
    const flags = Object.entries(rows[0]).filter(([key]) => key.startsWith("share_") || key === "consent_given_by_child");
    expect(flags.length).toBe(7);
    expect(flags.filter(([, value]) => value !== false)).toEqual([]);
    for (const type of ["progress", "educational_progress", "play_frequency", "quest_details", "emotional_state", "analytics"]) {
      expect(await canShare(client, W.parentA, W.childA, type)).toBe(false);
    }
  });
});

test("the child grants and revokes; each change is recorded and takes effect in the same transaction", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await asChild(client, "update app_public.child_privacy set share_progress = true, consent_version = '1.1'");
    expect(await canShare(client, W.parentA, W.childA, "progress")).toBe(true);
    // The quest A override (all false) still wins for quest A.
    expect(await canShare(client, W.parentA, W.childA, "progress", W.questA)).toBe(false);

    await asChild(client, "update app_public.child_privacy set share_progress = false");
    expect(await canShare(client, W.parentA, W.childA, "progress")).toBe(false);

    const { rows: events } = await asChild(
      client,
      "select flag, old_value, new_value, consent_version from app_public.consent_events where quest_id is null order by created_at, new_value desc",
    );
    expect(events).toEqual([
      { flag: "share_progress", old_value: false, new_value: true, consent_version: "1.1" },
      { flag: "share_progress", old_value: true, new_value: false, consent_version: "1.1" },
    ]);
    const { rows: stamped } = await client.query("select consent_timestamp is not null as stamped from app_public.child_privacy where child_id = $1", [W.childA]);
    expect(stamped[0].stamped).toBe(true);
    // Revoking hides, never deletes: the play is still there.
    const { rows: kept } = await client.query("select count(*)::int as n from app_public.quest_progress where child_id = $1", [W.childA]);
    expect(kept[0].n).toBe(1);
  });
});

test("a quest override wins over the child's default, both ways", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await asChild(client, "update app_public.quest_privacy set share_analytics = true where quest_id = $1", [W.questA]);
    expect(await canShare(client, W.parentA, W.childA, "analytics", W.questA)).toBe(true);
    expect(await canShare(client, W.parentA, W.childA, "analytics", W.draftA)).toBe(false);
    expect(await canShare(client, W.parentA, W.childA, "analytics")).toBe(false);
  });
});

test("only the child changes consent: the parent gets permission denied", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.parentA);
    const error = await expectError(client, "update app_public.child_privacy set share_progress = true");
    expect(error.message).toBe("permission denied for table child_privacy");
  });
});

test("a parent who is not linked learns nothing, even of a consenting child; the refusal is audited", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await asChild(client, "update app_public.child_privacy set share_progress = true");
    expect(await canShare(client, W.parentB, W.childA, "progress")).toBe(false);
    const { rows } = await client.query(
      `select db_role, acting_user_id, child_id, data_type, decision from app_private.audit_log
       where action = 'can_share_with_parent' order by id desc limit 1`,
    );
    expect(rows[0]).toEqual({ db_role: "pas_bot_user", acting_user_id: W.parentB, child_id: W.childA, data_type: "progress", decision: "denied" });
  });
});

test("an unknown data type is refused clearly", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.parentA);
    const error = await expectError(client, `select app_public.can_share_with_parent('${W.childA}', 'everything')`);
    expect(error.code).toBe("22023");
    expect(error.message).toMatch(/^Unknown data type "everything": use progress, educational_progress/);
  });
});

test("consent history is append-only, and leaves only with the child", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await asChild(client, "update app_public.child_privacy set share_analytics = true");
    for (const sql of ["update app_public.consent_events set new_value = false", "delete from app_public.consent_events"]) {
      expect((await expectError(client, sql)).message).toMatch(/^consent_events is append-only/);
    }
    await client.query("delete from app_public.users where id = $1", [W.childA]);
    const { rows } = await client.query("select count(*)::int as n from app_public.consent_events where child_id = $1", [W.childA]);
    expect(rows[0].n).toBe(0);
  });
});
