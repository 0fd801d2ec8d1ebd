import type pg from "pg";
import { becomeRoot, becomeUser, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { buildWorld, W } from "../helpers/world.ts";

async function analytics(client: pg.ClientBase, parent: string, quest: string) {
  await becomeUser(client, "pas_bot_user", parent);
  const { rows } = await client.query("select (app_public.get_quest_analytics($1)).*", [quest]);
  await becomeRoot(client);
  return rows[0];
}

async function setQuestConsent(client: pg.ClientBase, child: string, quest: string, flags: string) {
  await becomeUser(client, "inner_edu_user", child);
  await client.query(`update app_public.quest_privacy set ${flags} where quest_id = $1`, [quest]);
  await becomeRoot(client);
}

const FIGURES = [
  "total_starts", "total_completions", "completion_rate", "avg_completion_time", "nodes_completed", "completion_percentage",
  "last_played", "play_count", "total_time_minutes", "educational_progress", "avg_xp_earned", "reveal_view_rate",
];
const nonNull = (row: Record<string, unknown>) => FIGURES.filter((f) => row[f] !== null);

test("without consent the parent gets a status to show and no figure at all", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const row = await analytics(client, W.parentA, W.questA);
    expect(row).toMatchObject({ quest_id: W.questA, consent_status: "not_consented", children_count: null, total_nodes: 2 });
    expect(nonNull(row)).toEqual([]);
  });
});

test("each consent opens exactly its own figures", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await client.query(
      "update app_public.quest_progress set completed = true, completed_at = started_at + interval '10 minutes', last_played_at = now(), session_count = 2, educational_progress = '{\"math\": 3}' where child_id = $1",
      [W.childA],
    );
    await setQuestConsent(client, W.childA, W.questA, "share_progress = true");
    const progress = await analytics(client, W.parentA, W.questA);
    expect(progress.consent_status).toBe("partially_consented");
    expect(nonNull(progress)).toEqual(["total_starts", "total_completions", "completion_rate", "avg_completion_time", "nodes_completed", "completion_percentage"]);
    expect(progress).toMatchObject({ total_starts: 1, total_completions: 1, completion_rate: 1, avg_completion_time: 600, children_count: 1 });

    await setQuestConsent(client, W.childA, W.questA, "share_progress = false, share_play_frequency = true");
    expect(nonNull(await analytics(client, W.parentA, W.questA))).toEqual(["last_played", "play_count", "total_time_minutes"]);

    await setQuestConsent(client, W.childA, W.questA, "share_play_frequency = false, share_educational_progress = true");
    const educational = await analytics(client, W.parentA, W.questA);
    expect(nonNull(educational)).toEqual(["educational_progress"]);
    expect(educational.educational_progress).toEqual({ math: 3 });

    await setQuestConsent(client, W.childA, W.questA,
      "share_progress = true, share_play_frequency = true, share_educational_progress = true, share_analytics = true");
    const all = await analytics(client, W.parentA, W.questA);
    expect(all.consent_status).toBe("consented");
    expect(nonNull(all)).toEqual(FIGURES);

    // Revoked: hidden at once, in the same transaction.
    await setQuestConsent(client, W.childA, W.questA,
      "share_progress = false, share_play_frequency = false, share_educational_progress = false, share_analytics = false");
    expect(nonNull(await analytics(client, W.parentA, W.questA))).toEqual([]);
  });
});

test("someone else's quest is not found, and the attempt is audited as denied", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await setQuestConsent(client, W.childA, W.questA, "share_progress = true");
    const row = await analytics(client, W.parentB, W.questA);
    expect(row.consent_status).toBe("not_found");
    expect(nonNull(row)).toEqual([]);
    const { rows } = await client.query(
      "select acting_user_id, decision from app_private.audit_log where action = 'get_quest_analytics' order by id desc limit 1",
    );
    expect(rows[0]).toEqual({ acting_user_id: W.parentB, decision: "denied" });
  });
});

test("cross-child figures need at least 5 consenting children with a family; each figure only with its own consent", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const play = async (consents: boolean) => {
      const child = await createUser(client, "child");
      await linkFamily(client, await createUser(client, "parent"), child);
      await client.query("insert into app_public.quest_progress (child_id, quest_id, xp_earned) values ($1, $2, 100)", [child.id, W.publicB]);
      if (consents) {
        await client.query("insert into app_public.quest_privacy (child_id, quest_id, share_analytics) values ($1, $2, true)", [child.id, W.publicB]);
      }
    };
    for (let i = 0; i < 4; i++) await play(true);
    await play(false);
    await play(false);
    await client.query("select app_private.release_quest_figures($1, now())", [W.publicB]);
    const four = await analytics(client, W.parentB, W.publicB);
    expect(four.consent_status).toBe("too_few_children");
    expect(nonNull(four)).toEqual([]);

    // Released once per window: the fifth child shows in the next one.
    await play(true);
    await client.query("select app_private.release_quest_figures($1, now() + interval '1 day')", [W.publicB]);
    const five = await analytics(client, W.parentB, W.publicB);
    // Only the analytics figures: these children share nothing else. (The figures are noisy: docs/privacy.md.)
    expect(five.consent_status).toBe("partially_consented");
    expect(five.children_count).toBeGreaterThanOrEqual(5);
    expect(nonNull(five)).toEqual(["avg_xp_earned", "reveal_view_rate"]);
    expect(five.avg_xp_earned).toBeGreaterThanOrEqual(0);
    expect(five.avg_xp_earned).toBeLessThanOrEqual(1000);
  });
});

test("the function is the parent's alone: inner_edu_user may not call it", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "inner_edu_user", W.childA);
    await expect(client.query("select app_public.get_quest_analytics($1)", [W.questA])).rejects.toThrow(
      /permission denied for function get_quest_analytics/,
    );
  });
});
