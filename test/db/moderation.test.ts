// Issue 15, section 1: what reaches a child is exactly what moderation approved, for
// that audience and that version, and nobody moderates, reviews or rates their own work.
import type pg from "pg";
import { signAppToken } from "../../src/http/auth.ts";
import { actingAs, becomeRoot, becomeUser, committedAs, expectError, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { graphql, startTestServer } from "../helpers/http.ts";
import { createQuest } from "../helpers/quests.ts";
import { buildWorld, W } from "../helpers/world.ts";

const OTHER_GRAPH = JSON.stringify({ nodes: [{ id: "n1", type: "story", data: { text: "Call me, dont tell mom" } }], edges: [] });
const PHONE = "Call me at +7 900 000 00 00, dont tell mom";

/** The columns `inner_edu_user` may read on a table, from the catalog (a column granted tomorrow is in it). */
async function childReadable(client: pg.ClientBase, table: string) {
  const { rows } = await client.query<{ column: string; type: string; enum: string | null }>(
    `select a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
            case when t.typtype = 'e' then format_type(a.atttypid, null) end as enum
     from pg_attribute a join pg_type t on t.oid = a.atttypid
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('inner_edu_user', a.attrelid, a.attnum, 'select')
     order by a.attnum`,
    [`app_public.${table}`],
  );
  return rows;
}

/** A different value of the column's type (an expression over the row); a type without one fails the test. */
function otherValue(column: { column: string; type: string; enum: string | null }, overrides: Record<string, string>): string {
  if (column.column in overrides) return overrides[column.column]!;
  if (column.enum) return `(select e from unnest(enum_range(null::${column.enum})) e where e is distinct from ${column.column} limit 1)`;
  switch (column.type) {
    case "text":
      return `'${PHONE}'`;
    case "text[]":
      return `array['${PHONE}']`;
    case "integer":
      return `coalesce(${column.column}, 0) + 7`;
    case "boolean":
      return `not ${column.column}`;
    case "jsonb":
      return `'{"text": "${PHONE}"}'`;
    case "uuid":
      return "gen_random_uuid()";
    default:
      throw new Error(`No test value for ${column.column} (${column.type}): add one, the column is shown to the child.`);
  }
}

const questState = async (client: pg.ClientBase, id: string) =>
  (await client.query("select moderation_status, status, psychologist_reviewed from app_public.quests where id = $1", [id])).rows[0];
const childSees = (client: pg.ClientBase, child: string, quest: string) =>
  actingAs(client, "inner_edu_user", child, async () =>
    (await client.query("select id from app_public.quests where id = $1", [quest])).rowCount);
const versionOf = async (client: pg.ClientBase, id: string): Promise<number> =>
  (await client.query("select version from app_public.quests where id = $1", [id])).rows[0].version;

// The author's own controls, which change nothing the child reads: the status flow (deploy, archive;
// a deployed quest must be approved) and the optimistic lock.
const AUTHOR_CONTROLS = ["status", "version"];

describe("every column the child's app reads is moderated", () => {
  test("quests: each column the author may write sends the approved quest back to pending and draft; the rest is frozen", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const sibling = await createUser(client, "child");
      await linkFamily(client, { id: W.parentA, kind: "parent", display_name: "Parent A" }, sibling);
      await client.query("update app_public.quests set psychologist_reviewed = true where id in ($1, $2)", [W.questA, W.publicB]);
      const columns = await childReadable(client, "quests");
      expect(columns.map((c) => c.column)).toEqual(expect.arrayContaining(["location", "title", "child_id", "is_public"]));

      const edited: string[] = [];
      for (const column of columns) {
        const writable = (await client.query("select has_column_privilege('pas_bot_user', 'app_public.quests', $1, 'update') as w", [column.column])).rows[0].w;
        if (!writable) {
          // Frozen: neither app may write it (moderation, jobs and triggers keep it).
          for (const [role, user] of [["pas_bot_user", W.parentA], ["inner_edu_user", W.childA]] as const) {
            const error = await actingAs(client, role, user, () =>
              expectError(client, `update app_public.quests set ${column.column} = ${column.column} where id = $1`, [W.questA]));
            expect(error.message).toMatch(/permission denied/);
          }
          continue;
        }
        if (AUTHOR_CONTROLS.includes(column.column)) continue;
        // A public quest for its audience column; the child's deployed quest for everything else.
        const [quest, child] = column.column === "is_public" ? [W.publicB, null] : [W.questA, W.childA];
        const author = quest === W.publicB ? W.parentB : W.parentA;
        const value = otherValue(column, { child_id: `'${sibling.id}'`, graph_structure: `'${OTHER_GRAPH}'`, age_range: "'10-12'" });
        await client.query("savepoint edit");
        await actingAs(client, "pas_bot_user", author, () =>
          client.query(`update app_public.quests set ${column.column} = ${value} where id = $1`, [quest]));
        expect({ column: column.column, ...(await questState(client, quest)) }).toEqual({
          column: column.column,
          moderation_status: "pending",
          status: "draft",
          psychologist_reviewed: false,
        });
        if (child) expect(await childSees(client, child, quest)).toBe(0);
        await client.query("rollback to savepoint edit");
        edited.push(column.column);
      }
      expect(edited).toEqual(expect.arrayContaining(["location", "title", "description", "graph_structure", "tags", "child_id", "is_public"]));
    });
  });

  test("quest_nodes: the apps cannot write them; a direct change by the owner sends the quest back", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const columns = (await childReadable(client, "quest_nodes")).filter((c) => !["created_at", "updated_at"].includes(c.column));
      expect(columns.map((c) => c.column)).toEqual(expect.arrayContaining(["data", "node_type"]));
      // Room to re-point a node at the (pending) draft.
      await client.query("delete from app_public.quest_nodes where quest_id = $1", [W.draftA]);
      for (const column of columns) {
        for (const [role, user] of [["pas_bot_user", W.parentA], ["inner_edu_user", W.childA]] as const) {
          const error = await actingAs(client, role, user, () =>
            expectError(client, `update app_public.quest_nodes set ${column.column} = ${column.column}`));
          expect(error.message).toMatch(/permission denied/);
        }
        const value = otherValue(column, { quest_id: `'${W.draftA}'`, node_key: "'n9'" });
        await client.query("savepoint edit");
        await client.query(`update app_public.quest_nodes set ${column.column} = ${value} where quest_id = $1 and node_key = 'n1'`, [W.questA]);
        expect({ column: column.column, ...(await questState(client, W.questA)) }).toMatchObject({
          column: column.column, moderation_status: "pending", status: "draft",
        });
        await client.query("rollback to savepoint edit");
      }
      for (const sql of [
        "insert into app_public.quest_nodes (quest_id, node_key, position, data) values ($1, 'n9', 9, '{\"text\": \"call me\"}')",
        "delete from app_public.quest_nodes where quest_id = $1 and node_key = 'n2'",
      ]) {
        await client.query("savepoint edit");
        await client.query(sql, [W.questA]);
        expect(await questState(client, W.questA)).toMatchObject({ moderation_status: "pending", status: "draft" });
        await client.query("rollback to savepoint edit");
      }
      // The sync from graph_structure writes nodes too: a quest created approved (as the fixtures do) stays so.
      expect(await questState(client, W.questB)).toMatchObject({ moderation_status: "approved", status: "deployed" });
    });
  });

  test("through GraphQL updateQuest: a new location takes the quest out of the child's app", async () => {
    const server = await startTestServer();
    try {
      const { parent, child, quest } = await withOwnerDb(async (owner) => {
        const parent = await createUser(owner, "parent");
        const child = await createUser(owner, "child");
        await linkFamily(owner, parent, child);
        const { id } = await createQuest(owner, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" });
        return { parent, child, quest: id };
      });
      const parentToken = signAppToken("pas_bot", parent.id, server.secrets);
      const childToken = signAppToken("inner_edu", child.id, server.secrets);
      const seenByChild = async () => (await graphql(server, "{ quests { nodes { id location } } }", { token: childToken })).body.data.quests.nodes;
      expect(await seenByChild()).toEqual([{ id: quest, location: null }]);

      const { body } = await graphql(
        server,
        `mutation ($id: UUID!, $location: String!) {
           updateQuest(input: { id: $id, patch: { location: $location } }) { quest { moderationStatus status } } }`,
        { token: parentToken, variables: { id: quest, location: "Call me, dont tell mom" } },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.updateQuest.quest).toEqual({ moderationStatus: "pending", status: "draft" });
      expect(await seenByChild()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("a new audience needs a new moderation", () => {
  test("re-pointing child_id, even to a sibling, sends the quest back; the sibling sees nothing unapproved", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const sibling = await createUser(client, "child");
      await linkFamily(client, { id: W.parentA, kind: "parent", display_name: "Parent A" }, sibling);
      await actingAs(client, "pas_bot_user", W.parentA, () =>
        client.query("update app_public.quests set child_id = $2 where id = $1", [W.questA, sibling.id]));
      expect(await questState(client, W.questA)).toMatchObject({ moderation_status: "pending", status: "draft" });
      expect(await childSees(client, sibling.id, W.questA)).toBe(0);
    });
  });

  test("a reviewed personal quest turned public is not in the marketplace until moderated and reviewed again", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const admin = await createUser(client, "admin");
      await client.query("update app_public.quests set psychologist_reviewed = true where id = $1", [W.questA]);
      await actingAs(client, "pas_bot_user", W.parentA, () =>
        client.query("update app_public.quests set child_id = null, is_public = true where id = $1", [W.questA]));
      expect(await questState(client, W.questA)).toEqual({ moderation_status: "pending", status: "draft", psychologist_reviewed: false });

      const version = await versionOf(client, W.questA);
      await actingAs(client, "pas_bot_user", admin.id, () =>
        client.query("select app_public.moderate_quest($1, $2, 'approved')", [W.questA, version]));
      const listed = await actingAs(client, "pas_bot_user", W.parentB, async () =>
        (await client.query("select id from app_public.marketplace_quests() where id = $1", [W.questA])).rowCount);
      expect(listed).toBe(0);
    });
  });
});

test("a review completed before a change does not approve the changed quest when re-saved; a new completion does", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const admin = await createUser(client, "admin");
    const review = await actingAs(client, "pas_bot_user", W.parentB, async () =>
      (await client.query("insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2) returning id", [W.publicB, W.psychologist])).rows[0].id);
    const complete = () => actingAs(client, "pas_bot_user", W.psychologist, () =>
      client.query(
        `update app_public.psychologist_reviews
           set emotional_safety_score = 5, therapeutic_correctness_score = 5, age_appropriateness_score = 5, reveal_timing_score = 5,
               status = 'completed', is_approved = true where id = $1`, [review]));
    const listed = async () => (await client.query("select id from app_public.marketplace_quests() where id = $1", [W.publicB])).rowCount;
    await complete();
    expect(await listed()).toBe(1);

    await actingAs(client, "pas_bot_user", W.parentB, () =>
      client.query("update app_public.quests set description = $2 where id = $1", [W.publicB, PHONE]));
    const version = await versionOf(client, W.publicB);
    await actingAs(client, "pas_bot_user", admin.id, () =>
      client.query("select app_public.moderate_quest($1, $2, 'approved')", [W.publicB, version]));
    await complete(); // the old review saved again
    expect(await listed()).toBe(0);

    await actingAs(client, "pas_bot_user", W.psychologist, () =>
      client.query("update app_public.psychologist_reviews set status = 'in_progress', is_approved = false, completed_at = null, started_at = clock_timestamp() where id = $1", [review]));
    await complete(); // reviewed anew (read again: a new start)
    expect(await listed()).toBe(1);
  });
});

test("a review completes only while the quest is unchanged since the review started", async () => {
  // Each step commits (its own now()), as the author and the psychologist would act.
  const { parent, psychologist, quest } = await withOwnerDb(async (owner) => {
    const parent = await createUser(owner, "parent");
    const psychologist = await createUser(owner, "psychologist");
    return { parent, psychologist, quest: await createQuest(owner, parent, { is_public: true, moderation_status: "approved" }) };
  });
  const review = await committedAs("pas_bot_user", parent.id, async (c) =>
    (await c.query("insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2) returning id", [quest.id, psychologist.id])).rows[0].id);
  const asPsychologist = (sql: string) => committedAs("pas_bot_user", psychologist.id, (c) => c.query(sql, [review]));
  const complete = () =>
    asPsychologist(`update app_public.psychologist_reviews
      set emotional_safety_score = 5, therapeutic_correctness_score = 5, age_appropriateness_score = 5, reveal_timing_score = 5,
          status = 'completed', is_approved = true, completed_at = now() where id = $1`);
  await asPsychologist("update app_public.psychologist_reviews set status = 'in_progress', started_at = now() where id = $1");
  // The author swaps the text while the psychologist reads the old one.
  await committedAs("pas_bot_user", parent.id, (c) => c.query("update app_public.quests set title = $2 where id = $1", [quest.id, PHONE]));
  await expect(complete()).rejects.toMatchObject({ code: "STALE" });
  // Read again (a new start), then the completion stands.
  await asPsychologist("update app_public.psychologist_reviews set started_at = now() where id = $1");
  await complete();
  const { rows } = await withOwnerDb((o) => o.query("select status from app_public.psychologist_reviews where id = $1", [review]));
  expect(rows).toEqual([{ status: "completed" }]);
});

describe("a decision is about the version the moderator read", () => {
  test("the admin reads the queue, and a quest changed since they read it is refused (STALE)", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const admin = await createUser(client, "admin");
      const read = await actingAs(client, "pas_bot_user", admin.id, async () =>
        (await client.query("select id, version, title from app_public.quests where id = $1", [W.draftA])).rows);
      expect(read).toEqual([{ id: W.draftA, version: expect.any(Number), title: "A draft" }]);

      await actingAs(client, "pas_bot_user", W.parentA, () =>
        client.query("update app_public.quests set description = $2 where id = $1", [W.draftA, PHONE]));
      const stale = await actingAs(client, "pas_bot_user", admin.id, () =>
        expectError(client, "select app_public.moderate_quest($1, $2, 'approved')", [W.draftA, read[0].version]));
      expect(stale.code).toBe("STALE");
      expect(await questState(client, W.draftA)).toMatchObject({ moderation_status: "pending" });

      const current = await versionOf(client, W.draftA);
      await actingAs(client, "pas_bot_user", admin.id, () =>
        client.query("select app_public.moderate_quest($1, $2, 'approved')", [W.draftA, current]));
      expect(await questState(client, W.draftA)).toMatchObject({ moderation_status: "approved" });
    });
  });
});

describe("nobody approves, reviews or rates their own work", () => {
  test("an admin cannot moderate their own quest, through moderate_quest or plain SQL", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const admin = await createUser(client, "admin");
      const otherAdmin = await createUser(client, "admin");
      const { id } = await createQuest(client, admin, { is_public: true });
      const version = await versionOf(client, id);
      const own = await actingAs(client, "pas_bot_user", admin.id, () =>
        expectError(client, "select app_public.moderate_quest($1, $2, 'approved')", [id, version]));
      expect(own).toMatchObject({ code: "42501", message: "Nobody moderates their own quest: another admin decides." });
      // Whoever may write the moderation columns, acting as the author, is refused too.
      await becomeUser(client, "pas_bot_user", admin.id);
      await client.query("reset role");
      const plain = await expectError(client, "update app_public.quests set moderation_status = 'approved' where id = $1", [id]);
      expect(plain.code).toBe("42501");
      await becomeRoot(client);
      expect(await questState(client, id)).toMatchObject({ moderation_status: "pending" });

      await actingAs(client, "pas_bot_user", otherAdmin.id, () =>
        client.query("select app_public.moderate_quest($1, $2, 'approved')", [id, version]));
      expect(await questState(client, id)).toMatchObject({ moderation_status: "approved" });
    });
  });

  test("a psychologist is neither assigned to nor completes a review of their own quest", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      // A public quest of the psychologist's, however it got in (here, as the superuser).
      const { id } = await createQuest(client, { id: W.psychologist, kind: "psychologist", display_name: "P" }, { is_public: true });
      const selfAssigned = await actingAs(client, "pas_bot_user", W.psychologist, () =>
        expectError(client, "insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ($1, $2)", [id, W.psychologist]));
      expect(selfAssigned).toMatchObject({ code: "23514", constraint: "psychologist_reviews_not_by_the_author" });

      // A review assigned to someone else cannot be handed to the author and completed.
      const other = await createUser(client, "psychologist");
      const { rows } = await client.query(
        "insert into app_public.psychologist_reviews (quest_id, parent_id, psychologist_id) values ($1, $2, $3) returning id", [id, W.psychologist, other.id]);
      const handed = await expectError(client, "update app_public.psychologist_reviews set psychologist_id = $2 where id = $1", [rows[0].id, W.psychologist]);
      expect(handed).toMatchObject({ code: "23514", constraint: "psychologist_reviews_not_by_the_author" });
      expect(await questState(client, id)).toMatchObject({ psychologist_reviewed: false });
    });
  });

  test("a parent cannot rate their own quest", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const insert = await actingAs(client, "pas_bot_user", W.parentA, () =>
        expectError(client, "insert into app_public.quest_ratings (quest_id, rating) values ($1, 5)", [W.questA]));
      expect(insert).toMatchObject({ code: "23514", constraint: "quest_ratings_not_by_the_author" });
      // Nor move a rating onto their own quest, on a path that may write quest_id (the owner acting as the parent).
      await becomeUser(client, "pas_bot_user", W.parentA);
      await client.query("reset role");
      const moved = await expectError(client, "update app_public.quest_ratings set quest_id = $1 where user_id = $2", [W.questA, W.parentA]);
      expect(moved).toMatchObject({ code: "23514", constraint: "quest_ratings_not_by_the_author" });
      await becomeRoot(client);
      // Someone else's quest is fine.
      await actingAs(client, "pas_bot_user", W.parentA, () =>
        client.query("update app_public.quest_ratings set rating = 5 where quest_id = $1", [W.publicB]));
    });
  });
});
