import type pg from "pg";
import { actingAs, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";

const recommendations = async (client: pg.ClientBase, user: string) =>
  actingAs(client, "pas_bot_user", user, async () => (await client.query("select code from app_public.get_recommendations()")).rows.map((r) => r.code));

test("a parent's profile: created on first use, emotions and coping strategies recorded, recommendations follow", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const fresh = await client.query("insert into app_public.users (kind, display_name) values ('parent', 'New') returning id");
    const newcomer = fresh.rows[0].id;
    expect(await recommendations(client, newcomer)).toEqual(["first_quest", "find_coping"]);

    // emotional_trends is P2: stored encrypted, read through its function.
    const profile = await actingAs(client, "pas_bot_user", newcomer, async () =>
      (await client.query(`select p.user_id, p.emotional_trends as stored, app_public.psychological_profiles_emotional_trends(p) as emotional_trends,
                                  p.primary_coping_strategies from app_public.get_or_create_profile() p`)).rows[0]);
    expect(profile).toMatchObject({ user_id: newcomer, stored: null, emotional_trends: [], primary_coping_strategies: [] });

    await actingAs(client, "pas_bot_user", newcomer, async () => {
      for (const mood of [3, 2, 4]) await client.query("select app_public.update_profile_emotions($1)", [JSON.stringify({ mood })]);
      await client.query("select app_public.add_coping_strategy('walks')");
      await client.query("select app_public.add_coping_strategy(' walks ')");
    });
    const { rows } = await client.query(
      "select app_public.psychological_profiles_emotional_trends(p) as emotional_trends, primary_coping_strategies from app_public.psychological_profiles p where user_id = $1",
      [newcomer],
    );
    expect(rows[0].emotional_trends.map((e: { mood: number }) => e.mood)).toEqual([3, 2, 4]);
    expect(rows[0].primary_coping_strategies).toEqual(["walks"]);
    expect(await recommendations(client, newcomer)).toEqual(["low_mood", "first_quest"]);

    await actingAs(client, "pas_bot_user", newcomer, () => client.query("select app_public.update_profile_emotions('{\"mood\": 9}'), app_public.update_profile_emotions('{\"mood\": 8}')"));
    await client.query("insert into app_public.quests (author_id, title, graph_structure) values ($1, 'Q', '{\"nodes\": [], \"edges\": []}')", [newcomer]);
    expect(await recommendations(client, newcomer)).toEqual(["keep_going"]);
  });
});

test("bad readings are refused clearly; a child has no profile", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.parentA);
    expect((await expectError(client, "select app_public.update_profile_emotions('{\"mood\": 11}')")).message).toBe(
      'emotional_data must be an object with a "mood" from 1 to 10 (and any other readings).',
    );
    expect((await expectError(client, "select app_public.add_coping_strategy('  ')")).message).toBe("A coping strategy needs a name.");
    await becomeUser(client, "inner_edu_user", W.childA);
    expect((await expectError(client, "select app_public.get_or_create_profile()")).message).toMatch(/permission denied for function get_or_create_profile/);
  });
});

test("creative projects: only for one's own objects; progress 100 completes", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const project = await actingAs(client, "pas_bot_user", W.parentA, async () => {
      const letter = (await client.query("insert into app_public.letters (content) values ('Dear') returning id")).rows[0].id;
      return (await client.query("select id, project_type, status from app_public.create_creative_project('letter', letter_id => $1)", [letter])).rows[0];
    });
    expect(project).toMatchObject({ project_type: "letter", status: "in_progress" });
    const done = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (await client.query("select status, progress, completed_at is not null as stamped from app_public.update_project_progress($1, 100)", [project.id])).rows[0]);
    expect(done).toEqual({ status: "completed", progress: 100, stamped: true });

    const foreign = await actingAs(client, "pas_bot_user", W.parentB, () =>
      expectError(client, "select app_public.create_creative_project('quest', quest_id => $1)", [W.questA]));
    expect(foreign.message).toBe("A creative project links only to your own quest, letter or goal.");
    const notMine = await actingAs(client, "pas_bot_user", W.parentB, () => expectError(client, "select app_public.update_project_progress($1, 50)", [project.id]));
    expect(notMine.message).toBe(`No project ${project.id} of yours.`);
  });
});
