import jwt from "jsonwebtoken";
import { signAppToken } from "../../src/http/auth.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";

let server: TestServer;
let parent: TestUser;
let child: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  // Committed data: the server's own connections must see it.
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent", "Parent");
    child = await createUser(owner, "child", "Child");
    await linkFamily(owner, parent, child);
  });
});

afterAll(async () => {
  await server?.close();
});

const LINKS = "{ currentUserId familyLinks { totalCount nodes { parentId childId } } }";

describe("authentication", () => {
  const expect401 = async (options: Parameters<typeof graphql>[2], message: RegExp) => {
    const { status, body } = await graphql(server, "{ currentUserId }", options);
    expect(status).toBe(401);
    expect(body.errors[0].message).toMatch(message);
    expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
  };

  test("no token: 401 asking for one", () => expect401({}, /Authentication required/));
  test("not a bearer header: 401", () => expect401({ authorization: "Basic abc" }, /must be `Bearer <JWT>`/));
  test("garbage token: 401", () => expect401({ token: "not.a.jwt" }, /invalid/));
  test("a token signed with another secret: 401", () =>
    expect401({ token: jwt.sign({ sub: parent.id }, "someone-elses-secret", { expiresIn: 60 }) }, /invalid/));
  test("an expired token: 401 saying when it expired", () =>
    expect401(
      { token: jwt.sign({ sub: parent.id, exp: Math.floor(Date.now() / 1000) - 10 }, server.secrets.pas_bot) },
      /expired at \d{4}-/,
    ));
  test("a token not valid yet: 401 saying from when", () =>
    expect401(
      { token: jwt.sign({ sub: parent.id, nbf: Math.floor(Date.now() / 1000) + 3600 }, server.secrets.pas_bot, { expiresIn: 7200 }) },
      /not valid before \d{4}-.*`nbf` claim/,
    ));
  test("a token that never expires: 401", () =>
    expect401({ token: jwt.sign({ sub: parent.id }, server.secrets.pas_bot) }, /no `exp` claim/));
  test("a token whose sub is not a uuid: 401", () =>
    expect401({ token: jwt.sign({ sub: "admin" }, server.secrets.pas_bot, { expiresIn: 60 }) }, /`sub` claim/));
  test("an unsigned (alg none) token: 401", () =>
    expect401({ token: jwt.sign({ sub: parent.id }, "", { algorithm: "none", expiresIn: 60 }) }, /invalid/));
});

describe("the secret decides the role", () => {
  test("a pas_bot token acts as pas_bot_user for its sub", async () => {
    const { status, body } = await graphql(server, LINKS, { token: signAppToken("pas_bot", parent.id, server.secrets) });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      currentUserId: parent.id,
      familyLinks: { totalCount: 1, nodes: [{ parentId: parent.id, childId: child.id }] },
    });
  });

  test("an inner_edu token acts as inner_edu_user for its sub", async () => {
    const { body } = await graphql(server, LINKS, { token: signAppToken("inner_edu", child.id, server.secrets) });
    expect(body.data.familyLinks.totalCount).toBe(1);
    // A parent cannot act through the child's app at all (issue 14 item 7: test/db/acting-kind.test.ts).
    const crossed = await graphql(server, LINKS, { token: signAppToken("inner_edu", parent.id, server.secrets) });
    expect(crossed.status).toBe(403);
  });

  test("a role claim in a pas_bot token cannot make it act as inner_edu_user", async () => {
    const forged = jwt.sign({ sub: child.id, role: "inner_edu_user" }, server.secrets.pas_bot, { expiresIn: 60 });
    const { status, body } = await graphql(server, LINKS, { token: forged });
    // Still pas_bot_user, which acts only as a parent, psychologist or admin: refused before it runs.
    expect(status).toBe(403);
    expect(body.errors[0].extensions).toEqual({ code: "WRONG_APP_FOR_USER" });
    const { body: honest } = await graphql(server, LINKS, { token: signAppToken("inner_edu", child.id, server.secrets) });
    expect(honest.data.familyLinks.totalCount).toBe(1);
  });

  test("a parent sees only their own users row over GraphQL", async () => {
    const { body } = await graphql(server, "{ users { nodes { id displayName } } }", {
      token: signAppToken("pas_bot", parent.id, server.secrets),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.users.nodes).toEqual([{ id: parent.id, displayName: "Parent" }]);
  });
});

test("a broken rule reaches the GraphQL client by its name; a stale version by its message", async () => {
  const token = signAppToken("pas_bot", parent.id, server.secrets);
  const empty = await graphql(
    server,
    "mutation ($id: UUID!) { updateUser(input: { id: $id, patch: { displayName: \"\" } }) { user { id } } }",
    { token, variables: { id: parent.id } },
  );
  expect(empty.body.errors[0].message).toMatch(/violates check constraint "users_display_name_check"/);
  expect(empty.body.errors[0].extensions).toEqual({ code: "CHECK_VIOLATION", constraint: "users_display_name_check" });

  const stale = await graphql(
    server,
    "mutation ($id: UUID!) { updateUser(input: { id: $id, patch: { displayName: \"Late\", version: 999 } }) { user { id } } }",
    { token, variables: { id: parent.id } },
  );
  expect(stale.body.errors[0].message).toMatch(/changed by someone else \(you sent version 999/);
  expect(stale.body.errors[0].extensions).toEqual({ code: "STALE_VERSION" });
});

test("cross-app isolation over GraphQL: inner_edu_user reaches no PAS data by any field", async () => {
  const token = signAppToken("inner_edu", child.id, server.secrets);
  for (const field of ["letters", "messages", "therapySessions", "goals", "metricsSnapshots", "psychologicalProfiles", "questBuilderSessions"]) {
    const { body } = await graphql(server, `{ ${field} { totalCount } }`, { token });
    expect(body.data?.[field] ?? null).toBeNull();
    expect(body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
  }
  const { body } = await graphql(server, "{ myChildren { nodes { id } } }", { token });
  expect(body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
});

test("a parent sees a linked child's id and name through myChildren, and nothing of the child's row", async () => {
  const token = signAppToken("pas_bot", parent.id, server.secrets);
  const { body } = await graphql(server, "{ myChildren { nodes { id displayName } } users { nodes { id } } }", { token });
  expect(body.data.myChildren.nodes).toEqual([{ id: child.id, displayName: "Child" }]);
  expect(body.data.users.nodes).toEqual([{ id: parent.id }]);
});

test("GraphiQL is served outside production, and not in production", async () => {
  const page = await fetch(`${server.url}/graphiql`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/ruru/i);

  const production = await startTestServer({ production: true });
  try {
    expect((await fetch(`${production.url}/graphiql`)).status).toBe(404);
  } finally {
    await production.close();
  }
});
