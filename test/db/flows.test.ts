// Seed 000's three flows, in SQL as the apps' roles run them.
import { actingAs, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { SMALL_GRAPH } from "../helpers/quests.ts";
import { buildWorld, W } from "../helpers/world.ts";

const GRAPH = JSON.stringify(SMALL_GRAPH);


test("quest creation: a draft pending moderation, its project, the track advanced, first-quest milestone", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const quest = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (await client.query("select * from app_public.create_quest('The tower', $1, child_id => $2)", [GRAPH, W.childA])).rows[0],
    );
    expect(quest).toMatchObject({ author_id: W.parentA, child_id: W.childA, status: "draft", moderation_status: "pending" });
    expect(quest.yaml_content).toContain('title: "The tower"');
    const { rows } = await client.query(
      `select (select project_type from app_public.creative_projects where quest_id = $1) as project,
              (select total_actions from app_public.user_tracks where user_id = $2 and track_type = 'child_connection') as actions,
              (select array_agg(m.milestone_type) from app_public.milestones m join app_public.user_tracks t on t.id = m.track_id
                where m.user_id = $2 and t.track_type = 'child_connection') as milestones,
              (select count(*)::int from app_public.quest_nodes where quest_id = $1) as nodes`,
      [quest.id, W.parentA],
    );
    expect(rows[0]).toEqual({ project: "quest", actions: 1, milestones: ["first_quest"], nodes: 3 });
  });
});

test("ten quests reach the ten-quests milestone, once, and the track lists both", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const milestones = async () =>
      (await client.query(
        `select array(select m.milestone_type from app_public.milestones m where m.track_id = t.id order by 1) as reached,
                t.milestones_completed, t.total_actions
         from app_public.user_tracks t where t.user_id = $1 and t.track_type = 'child_connection'`,
        [W.parentB],
      )).rows[0];
    // The world gives parent B two quests: seven more make nine, three after that twelve.
    await actingAs(client, "pas_bot_user", W.parentB, async () => {
      for (let i = 0; i < 7; i++) await client.query("select app_public.create_quest($1, $2)", [`Q${i}`, GRAPH]);
    });
    expect(await milestones()).toEqual({ reached: ["first_quest"], milestones_completed: ["first_quest"], total_actions: 7 });
    await actingAs(client, "pas_bot_user", W.parentB, async () => {
      for (let i = 7; i < 10; i++) await client.query("select app_public.create_quest($1, $2)", [`Q${i}`, GRAPH]);
    });
    expect(await milestones()).toEqual({
      reached: ["10_quests", "first_quest"],
      milestones_completed: ["first_quest", "10_quests"],
      total_actions: 10,
    });
  });
});

test("only a parent creates quests, and a personal quest only for their own child", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "pas_bot_user", W.psychologist);
    expect((await expectError(client, "select app_public.create_quest('x', $1)", [GRAPH])).message).toBe(
      "Only a parent can do this (you are psychologist).",
    );
    await becomeUser(client, "pas_bot_user", W.parentA);
    const error = await expectError(client, "select app_public.create_quest('x', $1, child_id => $2)", [GRAPH, W.childB]);
    expect(error.message).toBe("You can make a personal quest only for a child linked to you.");
    await becomeUser(client, "inner_edu_user", W.childA);
    expect((await expectError(client, "select app_public.create_quest('x', $1)", [GRAPH])).message).toMatch(/permission denied for function create_quest/);
  });
});

test("moderation, then deployment: the child sees the quest only once it is approved and deployed", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const admin = await createUser(client, "admin");
    const childSees = async (quest: string) =>
      actingAs(client, "inner_edu_user", W.childA, async () =>
        (await client.query("select count(*)::int as n from app_public.quests where id = $1", [quest])).rows[0].n);
    const quest = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (await client.query("select id from app_public.create_quest('New', $1, child_id => $2)", [GRAPH, W.childA])).rows[0].id);

    expect(await childSees(quest)).toBe(0);
    const early = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.set_quest_status($1, 'deployed')", [quest]));
    expect(early.message).toMatch(/quests_deployed_only_when_approved/);

    // The decision names the version the admin read (test/db/moderation.test.ts: a stale one is refused).
    const versionOf = async (id: string) =>
      (await client.query("select version from app_public.quests where id = $1", [id])).rows[0].version;
    await actingAs(client, "pas_bot_user", admin.id, async () =>
      client.query("select app_public.moderate_quest($1, $2, 'approved', 'Looks warm')", [quest, await versionOf(quest)]));
    const deployed = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (await client.query("select status, deployed_at is not null as stamped from app_public.set_quest_status($1, 'deployed')", [quest])).rows[0]);
    expect(deployed).toEqual({ status: "deployed", stamped: true });
    expect(await childSees(quest)).toBe(1);

    // Flagged later: back to draft, out of the child's app.
    const flaggedVersion = await versionOf(quest);
    await actingAs(client, "pas_bot_user", admin.id, () =>
      client.query(`select app_public.moderate_quest($1, $2, 'flagged', 'Reported', '[{"category": "manipulation", "severity": "high", "message": "..."}]')`, [quest, flaggedVersion]));
    expect(await childSees(quest)).toBe(0);

    const notMine = await actingAs(client, "pas_bot_user", W.parentB, () =>
      expectError(client, "select app_public.set_quest_status($1, 'archived')", [quest]));
    expect(notMine.message).toBe(`No quest ${quest} of yours.`);
    const notAdmin = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.moderate_quest($1, 1, 'approved')", [quest]));
    expect(notAdmin.message).toBe("Only a admin can do this (you are parent).");
  });
});

test("a stale version refuses the status change", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const error = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.set_quest_status($1, 'archived', 99)", [W.questA]));
    expect(error.code).toBe("STALE");
  });
});

test("the child plays: progress per session, an achievement once, and the parent notified only with consent", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const play = (nodes: number, completed = false) =>
      actingAs(client, "inner_edu_user", W.childA, async () =>
        (await client.query(
          "select * from app_public.update_quest_progress($1, $2, current_node_id => 'n2', completed => $3, minutes_played => 5)",
          [W.questA, nodes, completed],
        )).rows[0]);
    const notifications = async () =>
      (await client.query("select count(*)::int as n from app_public.notifications where user_id = $1 and kind = 'quest_completed'", [W.parentA])).rows[0].n;

    expect(await play(1)).toMatchObject({ nodes_completed: 1, completion_percentage: 50, session_count: 1, completed: false });
    const done = await play(2, true);
    expect(done).toMatchObject({ nodes_completed: 2, completion_percentage: 100, completed: true, total_time_minutes: 10 });
    expect(await notifications()).toBe(0); // no consent to share completion

    await client.query("update app_public.quest_progress set completed = false, completed_at = null where child_id = $1", [W.childA]);
    await actingAs(client, "inner_edu_user", W.childA, () => client.query("update app_public.quest_privacy set share_progress = true where quest_id = $1", [W.questA]));
    await play(2, true);
    await play(2, true);
    expect(await notifications()).toBe(1); // once, on the first completion

    const first = await actingAs(client, "inner_edu_user", W.childA, async () =>
      (await client.query("select id from app_public.record_achievement($1, 'explorer', 'Explorer')", [W.questA])).rows[0].id);
    const again = await actingAs(client, "inner_edu_user", W.childA, async () =>
      (await client.query("select id from app_public.record_achievement($1, 'explorer', 'Explorer again')", [W.questA])).rows[0].id);
    expect(again).toBe(first);
  });
});

test("the child cannot play what is not theirs, nor report impossible progress", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await becomeUser(client, "inner_edu_user", W.childA);
    for (const quest of [W.draftA, W.questB]) {
      expect((await expectError(client, "select app_public.update_quest_progress($1, 1)", [quest])).message).toBe(`No quest ${quest} for you to play.`);
    }
    expect((await expectError(client, "select app_public.update_quest_progress($1, 3)", [W.questA])).message).toBe(
      "nodes_completed must be between 0 and 2 (the quest's nodes), got 3.",
    );
    await becomeUser(client, "pas_bot_user", W.parentA);
    expect((await expectError(client, "select app_public.update_quest_progress($1, 1)", [W.questA])).message).toMatch(
      /permission denied for function update_quest_progress/,
    );
  });
});
