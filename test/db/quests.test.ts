import { withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { createQuest, SMALL_GRAPH } from "../helpers/quests.ts";

test("yaml_content is generated from the graph, and follows it", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const { id } = await createQuest(client, parent, { title: 'The "tower"' });
    const { rows } = await client.query("select yaml_content from app_public.quests where id = $1", [id]);
    expect(rows[0].yaml_content).toBe(
      [
        "# Generated from graph_structure; edit the graph (or save this text with save_quest_yaml).",
        'title: "The \\"tower\\""',
        "nodes:",
        '  - id: "start"',
        '    type: "story"',
        '    data: {"text": "Hello"}',
        '  - id: "riddle"',
        '    type: "question"',
        '    data: {"text": "2 + 2?"}',
        '  - id: "reveal"',
        '    type: "reveal"',
        "    data: {}",
        "edges:",
        '  - id: "e1"',
        '    source: "start"',
        '    target: "riddle"',
        '  - id: "e2"',
        '    source: "riddle"',
        '    target: "reveal"',
        '    label: "solved"',
        "",
      ].join("\n"),
    );
    // Writing YAML by hand is overwritten: the graph is the primary storage.
    await client.query("update app_public.quests set yaml_content = 'hand-written' where id = $1", [id]);
    const { rows: after } = await client.query("select yaml_content from app_public.quests where id = $1", [id]);
    expect(after[0].yaml_content).toBe(rows[0].yaml_content);
  });
});

test("an empty graph has empty YAML lists", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const { id } = await createQuest(client, parent, { title: "Empty", graph_structure: { nodes: [], edges: [] } });
    const { rows } = await client.query("select yaml_content from app_public.quests where id = $1", [id]);
    expect(rows[0].yaml_content).toContain("nodes: []\nedges: []\n");
  });
});

test("quest_nodes stays in step with graph_structure", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const { id } = await createQuest(client, parent);
    const nodes = async () =>
      (
        await client.query(
          "select node_key, node_type, position, data from app_public.quest_nodes where quest_id = $1 order by position",
          [id],
        )
      ).rows;
    expect(await nodes()).toEqual([
      { node_key: "start", node_type: "story", position: 0, data: { text: "Hello" } },
      { node_key: "riddle", node_type: "question", position: 1, data: { text: "2 + 2?" } },
      { node_key: "reveal", node_type: "reveal", position: 2, data: {} },
    ]);

    const { rows: before } = await client.query("select id from app_public.quest_nodes where quest_id = $1 and node_key = 'start'", [id]);
    const changed = {
      nodes: [{ id: "start", type: "story", data: { text: "Hi again" } }, { id: "end", type: "story" }],
      edges: [{ source: "start", target: "end" }],
    };
    await client.query("update app_public.quests set graph_structure = $2 where id = $1", [id, JSON.stringify(changed)]);
    expect(await nodes()).toEqual([
      { node_key: "start", node_type: "story", position: 0, data: { text: "Hi again" } },
      { node_key: "end", node_type: "story", position: 1, data: {} },
    ]);
    // A node that stays keeps its row (and id).
    const { rows: after } = await client.query("select id from app_public.quest_nodes where quest_id = $1 and node_key = 'start'", [id]);
    expect(after).toEqual(before);
  });
});

test("the quest's timestamps follow its status: deleting, restoring, deploying, publishing", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const { id } = await createQuest(client, parent);
    const stamps = async (set: string) =>
      (await client.query(`update app_public.quests set ${set} where id = $1
                           returning deleted_at is not null as deleted, deployed_at is not null as deployed,
                                     published_at is not null as published`, [id])).rows[0];
    expect(await stamps("status = 'deleted'")).toEqual({ deleted: true, deployed: false, published: false });
    expect(await stamps("status = 'draft'")).toEqual({ deleted: false, deployed: false, published: false });
    expect(await stamps("moderation_status = 'approved', status = 'deployed'")).toEqual({ deleted: false, deployed: true, published: false });
    expect(await stamps("status = 'draft', is_public = true")).toEqual({ deleted: false, deployed: true, published: true });
    expect(await stamps("is_public = false")).toEqual({ deleted: false, deployed: true, published: false });
  });
});

test("erasing a user removes what belongs to them and keeps the rest", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const child = await createUser(client, "child");
    const psychologist = await createUser(client, "psychologist");
    const { id: quest } = await createQuest(client, parent, { child_id: child.id });
    await client.query("insert into app_public.quest_progress (child_id, quest_id) values ($1, $2)", [child.id, quest]);
    await client.query(
      "insert into app_public.psychologist_reviews (quest_id, parent_id, psychologist_id) values ($1, $2, $3)",
      [quest, parent.id, psychologist.id],
    );
    await client.query("insert into app_public.user_tracks (user_id, track_type) values ($1, 'self_work')", [parent.id]);

    // A psychologist leaving keeps the review, without them.
    await client.query("delete from app_public.users where id = $1", [psychologist.id]);
    const { rows: reviews } = await client.query("select psychologist_id from app_public.psychologist_reviews");
    expect(reviews).toEqual([{ psychologist_id: null }]);

    // The parent's erasure takes their quests, tracks and reviews, and the child's play of those quests.
    await client.query("delete from app_public.users where id = $1", [parent.id]);
    const { rows } = await client.query(`
      select (select count(*)::int from app_public.quests) as quests,
             (select count(*)::int from app_public.quest_nodes) as nodes,
             (select count(*)::int from app_public.quest_progress) as progress,
             (select count(*)::int from app_public.user_tracks) as tracks,
             (select count(*)::int from app_public.psychologist_reviews) as reviews,
             (select count(*)::int from app_public.users where id = $1) as child`, [child.id]);
    expect(rows[0]).toEqual({ quests: 0, nodes: 0, progress: 0, tracks: 0, reviews: 0, child: 1 });
  });
});

test("a soft-deleted quest keeps its nodes, progress and analytics", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    const child = await createUser(client, "child");
    const { id: quest } = await createQuest(client, parent, { child_id: child.id });
    await client.query("insert into app_public.quest_progress (child_id, quest_id) values ($1, $2)", [child.id, quest]);
    await client.query("insert into app_public.quest_analytics (quest_id, total_starts) values ($1, 1)", [quest]);
    await client.query("update app_public.quests set status = 'deleted', deleted_at = now() where id = $1", [quest]);
    const { rows } = await client.query(`
      select (select count(*)::int from app_public.quest_nodes where quest_id = $1) as nodes,
             (select count(*)::int from app_public.quest_progress where quest_id = $1) as progress,
             (select total_starts from app_public.quest_analytics where quest_id = $1) as starts`, [quest]);
    expect(rows[0]).toEqual({ nodes: SMALL_GRAPH.nodes.length, progress: 1, starts: 1 });
  });
});
