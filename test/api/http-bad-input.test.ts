// Bad input over HTTP: each request gets a clear error and changes nothing.
import { MAX_TOKEN_SECONDS, signAppToken } from "../../src/http/auth.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";
import { createQuest } from "../helpers/quests.ts";

let server: TestServer;
let parent: TestUser;
let otherParent: TestUser;
let child: TestUser;
let quest: string;
const tokens = {} as Record<"parent" | "otherParent" | "child", string>;

beforeAll(async () => {
  server = await startTestServer();
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent");
    otherParent = await createUser(owner, "parent");
    child = await createUser(owner, "child");
    await linkFamily(owner, parent, child);
    quest = (await createQuest(owner, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" })).id;
  });
  tokens.parent = signAppToken("pas_bot", parent.id, server.secrets);
  tokens.otherParent = signAppToken("pas_bot", otherParent.id, server.secrets);
  tokens.child = signAppToken("inner_edu", child.id, server.secrets);
});

afterAll(async () => {
  await server?.close();
});

/** Everything a bad request could have touched. */
const snapshot = () =>
  withOwnerDb(async (owner) => {
    const { rows } = await owner.query(
      `select row_to_json(q)::jsonb as quest,
              (select count(*)::int from app_public.quest_progress where quest_id = q.id) as progress
       from app_public.quests q where q.id = $1`,
      [quest],
    );
    return rows[0];
  });

const SAVE_YAML = `mutation ($id: UUID!, $yaml: String!) { saveQuestYaml(input: { questId: $id, yamlContent: $yaml }) { result { id } } }`;
const PLAY = `mutation ($id: UUID!, $n: Int!) { updateQuestProgress(input: { questId: $id, nodesCompleted: $n }) { result { id } } }`;

test.each([
  ["malformed GraphQL", () => graphql(server, "mutation { saveQuestYaml(input: {", { token: tokens.parent }), /^Syntax Error: Expected Name, found <EOF>/, undefined],
  ["an unknown field", () => graphql(server, "{ quests { nodes { secret } } }", { token: tokens.parent }), /Cannot query field "secret" on type "Quest"/, undefined],
  ["a variable of the wrong type", () => graphql(server, PLAY, { token: tokens.child, variables: { id: quest, n: "two" } }),
    /Variable "\$n" got invalid value "two"; Int cannot represent non-integer value: "two"/, undefined],
  ["a malformed uuid", () => graphql(server, PLAY, { token: tokens.child, variables: { id: "not-a-uuid", n: 1 } }),
    /Variable "\$id" got invalid value "not-a-uuid"/, undefined],
  ["no YAML at all", () => graphql(server, "mutation ($id: UUID!) { saveQuestYaml(input: { questId: $id }) { result { id } } }", { token: tokens.parent, variables: { id: quest } }),
    /^The quest YAML is empty\.$/, "INVALID_INPUT"],
  ["malformed quest YAML", () => graphql(server, SAVE_YAML, { token: tokens.parent, variables: { id: quest, yaml: "nodes:\n  - id: a\n      type: b" } }),
    /^Line 3: unexpected indentation/, "INVALID_INPUT"],
  ["another parent's quest", () => graphql(server, SAVE_YAML, { token: tokens.otherParent, variables: { id: quest, yaml: "nodes: []\nedges: []" } }),
    /^No quest [0-9a-f-]+ of yours\.$/, "NOT_FOUND"],
  ["a negative node count", () => graphql(server, PLAY, { token: tokens.child, variables: { id: quest, n: -1 } }),
    /nodes_completed/, "INVALID_PARAMETER"],
] as const)("%s: a clear error, nothing changed", async (_name, send, message, code) => {
  const before = await snapshot();
  const { body } = await send();
  expect(body.data?.saveQuestYaml ?? body.data?.updateQuestProgress ?? null).toBeNull();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].message).toMatch(message);
  if (code) expect(body.errors[0].extensions.code).toBe(code);
  expect(await snapshot()).toEqual(before);
});

test("a request body that is not JSON is refused with 400", async () => {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tokens.parent}` },
    body: "{ query: ",
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { errors: { message: string }[] };
  expect(body.errors[0]!.message).toMatch(/^Parsing failed, please check that the data you're sending to the server is correct/);
});

// A JWT cannot be revoked: no token we mint (npm run token, dev:tokens) outlives a week.
test("a token is minted for 1 s to 7 days, never longer", () => {
  const secrets = { pas_bot: "a".repeat(32), inner_edu: "b".repeat(32) };
  const user = "a0000000-0000-4000-8000-000000000001";
  const lifetime = (token: string) => {
    const { iat, exp } = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    return exp - iat;
  };
  expect(lifetime(signAppToken("pas_bot", user, secrets, MAX_TOKEN_SECONDS))).toBe(7 * 24 * 3600);
  for (const refused of [MAX_TOKEN_SECONDS + 1, 3153600000, 0, -1, 1.5]) {
    expect(() => signAppToken("pas_bot", user, secrets, refused)).toThrow(`A token lives 1 to ${MAX_TOKEN_SECONDS} seconds (7 days), got ${refused}.`);
  }
});
