// Seed 000's three flows end to end over HTTP, with both apps' tokens.
import { signAppToken } from "../../src/http/auth.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";
import { SMALL_GRAPH } from "../helpers/quests.ts";

let server: TestServer;
let parent: TestUser;
let child: TestUser;
let admin: TestUser;
const tokens = {} as Record<"parent" | "child" | "admin", string>;

beforeAll(async () => {
  server = await startTestServer();
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent", "Parent");
    child = await createUser(owner, "child", "Child");
    admin = await createUser(owner, "admin", "Moderator");
    await linkFamily(owner, parent, child);
  });
  tokens.parent = signAppToken("pas_bot", parent.id, server.secrets);
  tokens.admin = signAppToken("pas_bot", admin.id, server.secrets);
  tokens.child = signAppToken("inner_edu", child.id, server.secrets);
});

afterAll(async () => {
  await server?.close();
});

async function ok(query: string, token: string, variables: Record<string, unknown> = {}) {
  const { body } = await graphql(server, query, { token, variables });
  expect(body.errors).toBeUndefined();
  return body.data;
}

test("create, moderate, deploy, play, and view analytics with and without consent", async () => {
  // 1. The parent creates a personal quest: a draft, pending moderation, invisible to the child.
  const created = await ok(
    `mutation ($graph: JSON!, $child: UUID!) {
       createQuest(input: { title: "The tower", graphStructure: $graph, childId: $child }) { result { id status moderationStatus yamlContent } }
     }`,
    tokens.parent,
    { graph: SMALL_GRAPH, child: child.id },
  );
  const quest = created.createQuest.result;
  expect(quest).toMatchObject({ status: "draft", moderationStatus: "pending" });
  expect(quest.yamlContent).toContain("nodes:");
  expect((await ok("{ quests { totalCount } }", tokens.child)).quests.totalCount).toBe(0);

  // Moderation, then deployment: now the child reads it and its nodes.
  // The admin decides about the version they read (from the moderation queue).
  const queued = await ok(`query ($id: UUID!) { quest(id: $id) { version } }`, tokens.admin, { id: quest.id });
  await ok(`mutation ($id: UUID!, $version: Int!) { moderateQuest(input: { questId: $id, version: $version, decision: approved }) { result { id } } }`,
    tokens.admin, { id: quest.id, version: queued.quest.version });
  await ok(`mutation ($id: UUID!) { setQuestStatus(input: { questId: $id, status: deployed }) { result { status } } }`, tokens.parent, { id: quest.id });
  const seen = await ok(`{ quests { nodes { id title questNodes { totalCount } } } }`, tokens.child);
  expect(seen.quests.nodes).toEqual([{ id: quest.id, title: "The tower", questNodes: { totalCount: 3 } }]);

  // 2. The child plays.
  const progress = await ok(
    `mutation ($id: UUID!) { updateQuestProgress(input: { questId: $id, nodesCompleted: 3, completed: true, minutesPlayed: 12 }) {
       result { completionPercentage completed } } }`,
    tokens.child,
    { id: quest.id },
  );
  expect(progress.updateQuestProgress.result).toEqual({ completionPercentage: 100, completed: true });
  await ok(`mutation ($id: UUID!) { recordAchievement(input: { questId: $id, achievementType: "tower", title: "Tower climbed" }) { result { id } } }`, tokens.child, { id: quest.id });

  // 3. The parent asks: no consent yet, so a status to show and no figures.
  const analytics = `query ($id: UUID!) { getQuestAnalytics(questId: $id) { consentStatus totalCompletions lastPlayed } }`;
  expect((await ok(analytics, tokens.parent, { id: quest.id })).getQuestAnalytics).toEqual({
    consentStatus: "not_consented", totalCompletions: null, lastPlayed: null,
  });
  // The child shares completion for this quest: the figure appears, the rest stays null.
  await ok(`mutation ($id: UUID!) { createQuestPrivacy(input: { questPrivacy: { questId: $id, shareProgress: true } }) { questPrivacy { id } } }`, tokens.child, { id: quest.id });
  expect((await ok(analytics, tokens.parent, { id: quest.id })).getQuestAnalytics).toEqual({
    consentStatus: "partially_consented", totalCompletions: 1, lastPlayed: null,
  });
});

test("each app's operations are refused to the other app's token", async () => {
  const childTries = await graphql(server, `mutation { createQuest(input: { title: "x", graphStructure: {nodes: [], edges: []} }) { result { id } } }`, { token: tokens.child });
  expect(childTries.body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
  const parentTries = await graphql(server, `mutation ($id: UUID!) { updateQuestProgress(input: { questId: $id, nodesCompleted: 1 }) { result { id } } }`, {
    token: tokens.parent, variables: { id: crypto.randomUUID() },
  });
  expect(parentTries.body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
  // The parent reaches no raw play by any field.
  for (const field of ["questProgresses", "childProgresses", "achievements"]) {
    const { body } = await graphql(server, `{ ${field} { totalCount } }`, { token: tokens.parent });
    expect(body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
  }
});
