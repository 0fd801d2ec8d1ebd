// Issue 14, item 8: a rule a flow function enforces on a write holds for a plain
// insert or update by the same role too (docs/privacy.md, "Flow rules hold for
// plain writes"). Each test: the plain write that used to pass now fails, and the
// flow function still works.
import type pg from "pg";
import { actingAs, becomeRoot, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { W, buildWorld } from "../helpers/world.ts";

const GRAPH = '{"nodes": [{"id": "n1"}], "edges": []}';
const rlsError = (table: string) => new RegExp(`^new row violates row-level security policy ("\\w+" )?for table "${table}"`);

async function expectRuleBroken(client: pg.ClientBase, sql: string, params: unknown[], code: string, message: RegExp) {
  const error = await expectError(client, sql, params);
  expect({ sql, code: error.code, message: error.message }).toEqual({ sql, code, message: expect.stringMatching(message) });
  return error;
}

test("only parents create quests (create_quest): a psychologist's or an admin's plain insert is refused", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const admin = await createUser(client, "admin");
    for (const user of [W.psychologist, admin.id]) {
      await actingAs(client, "pas_bot_user", user, async () => {
        await expectRuleBroken(client, "insert into app_public.quests (title, graph_structure) values ('mine', $1)", [GRAPH], "42501", rlsError("quests"));
        const flow = await expectError(client, "select app_public.create_quest('mine', $1)", [GRAPH]);
        expect(flow.message).toMatch(/^Only a parent can do this/);
      });
    }
    await actingAs(client, "pas_bot_user", W.parentA, async () => {
      await client.query("insert into app_public.quests (title, graph_structure) values ('plain', $1)", [GRAPH]);
      await client.query("select app_public.create_quest('flow', $1, $2)", [GRAPH, W.childA]);
      const { rows } = await client.query("select title from app_public.quests where author_id = $1 and title in ('plain', 'flow') order by title", [W.parentA]);
      expect(rows).toEqual([{ title: "flow" }, { title: "plain" }]);
    });
  });
});

test("only parents have a psychological profile (get_or_create_profile): a psychologist's plain insert is refused", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await actingAs(client, "pas_bot_user", W.psychologist, async () => {
      await expectRuleBroken(client, "insert into app_public.psychological_profiles (communication_style) values ('calm')", [], "42501", rlsError("psychological_profiles"));
      expect((await expectError(client, "select app_public.get_or_create_profile()")).message).toMatch(/^Only a parent can do this/);
    });
    const [plain, flow] = [await createUser(client, "parent"), await createUser(client, "parent")];
    await actingAs(client, "pas_bot_user", plain.id, () => client.query("insert into app_public.psychological_profiles (communication_style) values ('calm')"));
    await actingAs(client, "pas_bot_user", flow.id, () => client.query("select app_public.get_or_create_profile()"));
    const { rows } = await client.query("select count(*)::int as n from app_public.psychological_profiles where user_id in ($1, $2)", [plain.id, flow.id]);
    expect(rows[0].n).toBe(2);
  });
});

test("progress changes only while the quest is one the child can play (update_quest_progress)", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const progress = "update app_public.quest_progress set current_step = 2 where quest_id = $1";
    await actingAs(client, "inner_edu_user", W.childA, async () => {
      expect((await client.query(progress, [W.questA])).rowCount).toBe(1);
      await client.query("select app_public.update_quest_progress($1, 1)", [W.questA]);
    });
    // The parent takes the quest out of the child's app.
    await client.query("update app_public.quests set status = 'archived' where id = $1", [W.questA]);
    await actingAs(client, "inner_edu_user", W.childA, async () => {
      await expectRuleBroken(client, progress, [W.questA], "42501", rlsError("quest_progress"));
      expect((await expectError(client, "select app_public.update_quest_progress($1, 1)", [W.questA])).message).toBe(
        `No quest ${W.questA} for you to play.`,
      );
    });
  });
});

test("no more nodes completed than the quest has (update_quest_progress), on a plain insert or update", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "inner_edu_user", W.childA);
    const error = await expectRuleBroken(
      client,
      "insert into app_public.quest_progress (quest_id, nodes_completed, total_nodes) values ($1, 5, 5)",
      [W.publicB],
      "23514",
      /^nodes_completed must be between 0 and 2 \(the quest's nodes\), got 5\.$/,
    );
    expect(error.constraint).toBe("quest_progress_nodes_within_quest");
    await expectRuleBroken(client, "update app_public.quest_progress set nodes_completed = 3, total_nodes = 3 where quest_id = $1", [W.questA], "23514",
      /^nodes_completed must be between 0 and 2/);
    await client.query("update app_public.quest_progress set nodes_completed = 2, total_nodes = 2 where quest_id = $1", [W.questA]);
    await client.query("select app_public.update_quest_progress($1, 1)", [W.publicB]);
    await becomeRoot(client);
  });
});

test("a completion is final (update_quest_progress): a plain update cannot undo it or move its time", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "inner_edu_user", W.childA);
    const play = () => client.query("select completed, completed_at from app_public.update_quest_progress($1, 2, completed => true)", [W.questA]);
    const first = (await play()).rows[0];
    expect(first.completed).toBe(true);
    for (const set of ["completed = false, completed_at = null", "completed_at = completed_at - interval '1 day'"]) {
      const error = await expectRuleBroken(client, `update app_public.quest_progress set ${set} where quest_id = $1`, [W.questA], "23514", /a completion is final/);
      expect(error.constraint).toBe("quest_progress_completion_is_final");
    }
    // Other columns stay the child's to write, and the flow plays on.
    await client.query("update app_public.quest_progress set current_step = 1 where quest_id = $1", [W.questA]);
    expect((await play()).rows[0]).toEqual(first);
    await becomeRoot(client);
  });
});

test("a project is completed exactly at 100% (update_project_progress), on a plain update too", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.parentA);
    const { rows } = await client.query("select id from app_public.creative_projects where user_id = $1", [W.parentA]);
    const project = rows[0].id;
    for (const set of ["status = 'completed', completed_at = now()", "progress = 100"]) {
      const error = await expectRuleBroken(client, `update app_public.creative_projects set ${set} where id = $1`, [project], "23514",
        /creative_projects_completed_exactly_at_100/);
      expect(error.constraint).toBe("creative_projects_completed_exactly_at_100");
    }
    await client.query("update app_public.creative_projects set progress = 40 where id = $1", [project]);
    expect((await client.query("select status from app_public.update_project_progress($1, 100)", [project])).rows[0].status).toBe("completed");
    expect((await client.query("select status from app_public.update_project_progress($1, 40)", [project])).rows[0].status).toBe("in_progress");
    await becomeRoot(client);
  });
});

// Rules the grants and policies held already; listed in docs/privacy.md with these checks.
test.each([
  ["create_quest: a personal quest only for a linked child", "pas_bot_user", W.parentA,
    `insert into app_public.quests (title, graph_structure, child_id) values ('x', '${GRAPH}', '${W.childB}')`, /row-level security policy/],
  ["create_quest: a new quest is a draft pending moderation", "pas_bot_user", W.parentA,
    `insert into app_public.quests (title, graph_structure, status) values ('x', '${GRAPH}', 'deployed')`, /permission denied/],
  ["moderate_quest: only admins moderate", "pas_bot_user", W.parentA,
    `update app_public.quests set moderation_status = 'approved' where id = '${W.draftA}'`, /permission denied/],
  ["create_creative_project: only through the function", "pas_bot_user", W.parentA,
    `insert into app_public.creative_projects (project_type, quest_id) values ('quest', '${W.questB}')`, /permission denied/],
  ["update_profile_emotions / add_coping_strategy: only through the functions", "pas_bot_user", W.parentA,
    "update app_public.psychological_profiles set primary_coping_strategies = '[]'", /permission denied/],
  ["request_data_deletion / confirm_data_deletion: only through the functions", "inner_edu_user", W.childA,
    "update app_public.data_deletion_requests set status = 'verified'", /permission denied/],
  ["update_quest_progress: only a quest the child can play", "inner_edu_user", W.childA,
    `insert into app_public.quest_progress (quest_id) values ('${W.draftA}')`, /row-level security policy/],
  ["record_achievement: only a quest the child can play", "inner_edu_user", W.childA,
    `insert into app_public.achievements (quest_id, achievement_type, title) values ('${W.questB}', 't', 'T')`, /row-level security policy/],
] as const)("already held: %s", async (_rule, role, user, sql, message) => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await actingAs(client, role, user, async () => {
      expect((await expectError(client, sql)).message).toMatch(message);
    });
  });
});
