// save_quest_yaml: YAML in (seed 000), the graph stays the primary storage,
// yaml_content comes back out the same; and a content edit goes back to moderation.
import fc from "fast-check";
import type pg from "pg";
import { actingAs, expectError, withRootDb } from "../helpers/db.ts";
import { SMALL_GRAPH } from "../helpers/quests.ts";
import { buildWorld, W } from "../helpers/world.ts";

const save = (client: pg.ClientBase, yaml: string, quest: string = W.draftA, version?: number) =>
  actingAs(client, "pas_bot_user", W.parentA, async () =>
    (await client.query("select * from app_public.save_quest_yaml($1, $2, $3)", [quest, yaml, version ?? null])).rows[0]);

const questRow = async (client: pg.ClientBase, id: string) =>
  (await client.query("select * from app_public.quests where id = $1", [id])).rows[0];

test("yaml_content saved back leaves the graph as it was, edge ids and positions included", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const graph = { ...SMALL_GRAPH, nodes: SMALL_GRAPH.nodes.map((n, i) => ({ ...n, position: { x: i * 100, y: 0 } })) };
    await client.query("update app_public.quests set graph_structure = $2 where id = $1", [W.draftA, JSON.stringify(graph)]);
    const before = await questRow(client, W.draftA);
    const saved = await save(client, before.yaml_content);
    expect(saved.graph_structure).toEqual(graph);
    expect(saved.yaml_content).toBe(before.yaml_content);
    expect(saved.version).toBe(before.version + 1);
  });
});

test("hand-written YAML: plain, quoted and JSON values, comments, quoted keys, a JSON document", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const yaml = [
      "---",
      "# Written by the quest builder",
      "title: The lighthouse   # plain scalar",
      "nodes:",
      "- id: start",
      "  type: 'story'",
      '  data: {"text": "Hi, it\'s me"}',
      "  order: 1",
      '  "odd key": true',
      "",
      "- id: end",
      "  type: reveal",
      "  hidden: null",
      "edges:",
      "  - source: start",
      "    target: end",
      "    label: ''",
      "",
    ].join("\r\n");
    const saved = await save(client, yaml);
    expect(saved.title).toBe("The lighthouse");
    expect(saved.graph_structure).toEqual({
      nodes: [
        { id: "start", type: "story", data: { text: "Hi, it's me" }, order: 1, "odd key": true },
        { id: "end", type: "reveal", hidden: null },
      ],
      edges: [{ source: "start", target: "end", label: "" }],
    });
    const { rows } = await client.query("select node_key from app_public.quest_nodes where quest_id = $1 order by position", [W.draftA]);
    expect(rows.map((r) => r.node_key)).toEqual(["start", "end"]);

    // No title: the quest keeps its own. A JSON document is YAML too.
    const json = await save(client, JSON.stringify({ nodes: [{ id: "only" }], edges: [] }));
    expect(json).toMatchObject({ title: "The lighthouse", graph_structure: { nodes: [{ id: "only" }], edges: [] } });
  });
});

// Each malformed document is refused with the line it stops at, and nothing changes.
const MALFORMED: [string, string, RegExp][] = [
  ["empty", "  \n", /The quest YAML is empty/],
  ["a tab", "title: x\nnodes:\n\t- id: a", /^Line 3: YAML is indented with spaces/],
  ["a nested block", "nodes:\n  - id: a\n    data:\n      text: hi", /^Line 3: "data" has no value; write nested values on one line as JSON/],
  ["deeper indentation", "nodes:\n  - id: a\n      type: b", /^Line 3: unexpected indentation/],
  ["an unknown key", "title: x\nauthor: me", /^Line 2: unknown key "author"/],
  ["an item outside a list", "- id: a", /^Line 1: a list item outside "nodes:" or "edges:"/],
  ["a key twice in one item", "nodes:\n  - id: a\n    id: b", /^Line 3: "id" appears twice in one item/],
  ["a list twice", "nodes: []\nnodes: []", /^Line 2: "nodes" appears twice/],
  ["an unclosed quote", "title: 'open", /^Line 1: the single-quoted string 'open is not closed/],
  ["broken JSON", 'nodes:\n  - id: a\n    data: {"text": }', /^Line 3: \{"text": \} is not a valid flow value/],
  ["a list of scalars", "nodes:\n  - a\n  - b", /^Line 2: expected "key: value", got - a/],
  ["no space after the colon", "title:x", /^Line 1: expected "key: value"/],
  ["a JSON array", "[1, 2]", /^Line 1: expected "key: value"/],
  ["no lists", "# just a comment\ntitle: x", /^The quest YAML needs a "nodes:" and an "edges:" list/],
  ["a non-string title", "title: 42\nnodes: []\nedges: []", /^The title must be a string/],
];

test.each(MALFORMED)("malformed YAML (%s) is refused by line, changing nothing", async (_name, yaml, message) => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const before = await questRow(client, W.draftA);
    const error = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.save_quest_yaml($1, $2)", [W.draftA, yaml]));
    expect(error.code).toBe("22P02");
    expect(error.message).toMatch(message);
    expect(await questRow(client, W.draftA)).toEqual(before);
  });
});

test("a well-formed document with a broken graph is refused by the graph's own rule", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const error = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.save_quest_yaml($1, $2)", [W.draftA, "nodes:\n  - id: a\nedges:\n  - source: a\n    target: b\n"]));
    expect(error).toMatchObject({ code: "23514", constraint: "quests_graph_structure_is_a_graph" });
    expect(error.message).toBe('Invalid quest graph: an edge points at node "b", which does not exist.');
  });
});

test("only the author saves YAML, only from pas_bot, and not over a newer version", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const yaml = "nodes: []\nedges: []";
    const notMine = await actingAs(client, "pas_bot_user", W.parentB, () =>
      expectError(client, "select app_public.save_quest_yaml($1, $2)", [W.draftA, yaml]));
    expect(notMine).toMatchObject({ code: "P0002", message: `No quest ${W.draftA} of yours.` });
    const child = await actingAs(client, "inner_edu_user", W.childA, () =>
      expectError(client, "select app_public.save_quest_yaml($1, $2)", [W.draftA, yaml]));
    expect(child).toMatchObject({ code: "42501", message: expect.stringMatching(/permission denied for function save_quest_yaml/) });
    const { version } = await questRow(client, W.draftA);
    await save(client, yaml, W.draftA, version);
    const stale = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.save_quest_yaml($1, $2, $3)", [W.draftA, yaml, version]));
    expect(stale.code).toBe("STALE");
  });
});

test("changing a moderated quest's content sends it back to moderation and out of the child's app; its status flow does not", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const childSees = () =>
      actingAs(client, "inner_edu_user", W.childA, async () =>
        (await client.query("select id from app_public.quests where id = $1", [W.questA])).rowCount);
    expect(await childSees()).toBe(1);

    // Tags and duration are shown to the child too: they are content now (issue 15; test/db/moderation.test.ts edits
    // every column the child reads). Archiving and redeploying changes nothing the child reads.
    await actingAs(client, "pas_bot_user", W.parentA, async () => {
      await client.query("update app_public.quests set status = 'archived' where id = $1", [W.questA]);
      await client.query("update app_public.quests set status = 'deployed' where id = $1", [W.questA]);
    });
    expect(await questRow(client, W.questA)).toMatchObject({ status: "deployed", moderation_status: "approved" });

    await save(client, "title: A, changed\nnodes:\n  - id: n1\nedges: []", W.questA);
    expect(await questRow(client, W.questA)).toMatchObject({ status: "draft", moderation_status: "pending", moderated_at: null });
    expect(await childSees()).toBe(0);
    const redeploy = await actingAs(client, "pas_bot_user", W.parentA, () =>
      expectError(client, "select app_public.set_quest_status($1, 'deployed')", [W.questA]));
    expect(redeploy.constraint).toBe("quests_deployed_only_when_approved");

    // A public quest whose content changes leaves the marketplace until reviewed again.
    await client.query("update app_public.quests set psychologist_reviewed = true where id = $1", [W.publicB]);
    const listed = async () => (await client.query("select count(*)::int as n from app_public.marketplace_quests() where id = $1", [W.publicB])).rows[0].n;
    expect(await listed()).toBe(1);
    await actingAs(client, "pas_bot_user", W.parentB, () =>
      client.query("update app_public.quests set description = 'New words' where id = $1", [W.publicB]));
    expect(await questRow(client, W.publicB)).toMatchObject({ moderation_status: "pending", psychologist_reviewed: false });
    expect(await listed()).toBe(0);
  });
});

// Property: any graph the database accepts comes back from its own YAML unchanged.
const key = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes("\u0000"));
const jsonValue = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v).replace(/\\u0000/g, "")));
const graphArb = fc
  .uniqueArray(key, { minLength: 1, maxLength: 5 })
  .chain((ids) =>
    fc.record({
      title: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes("\u0000")),
      nodes: fc.constant(ids).chain((ids) =>
        fc.tuple(...ids.map((id) => fc.dictionary(key, jsonValue, { maxKeys: 3 }).map((extra) => ({ ...extra, id })))),
      ),
      edges: fc.array(
        fc.record({ source: fc.constantFrom(...ids), target: fc.constantFrom(...ids), label: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ["source", "target"] }),
        { maxLength: 4 },
      ),
    }),
  );

test("property: quest_graph_from_yaml(quest_yaml(graph)) is the graph", async () => {
  await withRootDb(async (client) => {
    await fc.assert(
      fc.asyncProperty(graphArb, async ({ title, nodes, edges }) => {
        const graph = JSON.stringify({ nodes, edges: edges.map((e) => JSON.parse(JSON.stringify(e))) });
        const { rows } = await client.query(
          `select app_hidden.quest_graph_from_yaml(app_hidden.quest_yaml($1, $2::jsonb)) = jsonb_build_object('title', $1::text, 'graph', $2::jsonb) as same`,
          [title, graph],
        );
        expect(rows[0].same).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
