// Issue 14, item 7: pas_bot_user acts only as a parent, a psychologist or an admin,
// inner_edu_user only as a child (CONTRACT, "Rules made explicit") — in the database
// for direct SQL and GraphQL alike (app_public.current_user_id, SQLSTATE ACTOR), and
// at the API as a 403 before the operation runs.
import { GraphQLError } from "postgraphile/graphql";
import { makeMaskError } from "../../src/graphql/maskError.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { requireActingKind, requireAppToken, signAppToken } from "../../src/http/auth.ts";
import { actingAs, committedAs, expectError, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";
import { W, buildWorld } from "../helpers/world.ts";

const PAS_BOT_ONLY = /^pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child/;
const INNER_EDU_ONLY = (kind: string) => new RegExp(`^inner_edu_user acts only as a child, and this user is an? ${kind}:`);

describe("in the database", () => {
  test("pas_bot_user acting as a child: every read and write is refused with SQLSTATE ACTOR", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      await actingAs(client, "pas_bot_user", W.childA, async () => {
        for (const sql of [
          // The reported fault: a therapy session and a letter owned by the child.
          "insert into app_public.therapy_sessions (topic) values ('as a child')",
          "insert into app_public.letters (content) values ('as a child')",
          "select * from app_public.users",
          "select * from app_public.quests",
          "select app_public.current_user_id()",
          // Security-definer functions see the caller's role too.
          "select * from app_public.my_children()",
          `select * from app_public.get_quest_analytics('${W.questA}')`,
        ]) {
          const error = await expectError(client, sql);
          expect({ sql, code: error.code }).toEqual({ sql, code: "ACTOR" });
          expect(error.message).toMatch(PAS_BOT_ONLY);
        }
      });
      const { rows } = await client.query(
        "select (select count(*) from app_public.therapy_sessions where user_id = $1)::int as sessions, (select count(*) from app_public.letters where user_id = $1)::int as letters",
        [W.childA],
      );
      expect(rows[0]).toEqual({ sessions: 0, letters: 0 });
    });
  });

  test.each(["parent", "psychologist", "admin"] as const)("inner_edu_user acting as a user of kind %s is refused", async (kind) => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const user = kind === "admin" ? (await createUser(client, "admin")).id : kind === "parent" ? W.parentA : W.psychologist;
      await actingAs(client, "inner_edu_user", user, async () => {
        for (const sql of [
          `insert into app_public.quest_progress (quest_id) values ('${W.questA}')`,
          "select * from app_public.users",
          `select app_public.update_quest_progress('${W.questA}', 1)`,
        ]) {
          const error = await expectError(client, sql);
          expect({ sql, code: error.code }).toEqual({ sql, code: "ACTOR" });
          expect(error.message).toMatch(INNER_EDU_ONLY(kind));
        }
      });
    });
  });

  test("direct SQL logged in as the app role is refused the same way", async () => {
    let child!: TestUser;
    let parent!: TestUser;
    await withOwnerDb(async (owner) => {
      parent = await createUser(owner, "parent");
      child = await createUser(owner, "child");
    });
    await expect(
      committedAs("pas_bot_user", child.id, (client) => client.query("insert into app_public.letters (content) values ('x')")),
    ).rejects.toMatchObject({ code: "ACTOR", message: expect.stringMatching(PAS_BOT_ONLY) });
    await expect(
      committedAs("inner_edu_user", parent.id, (client) => client.query("select * from app_public.notifications")),
    ).rejects.toMatchObject({ code: "ACTOR", message: expect.stringMatching(INNER_EDU_ONLY("parent")) });
    await withOwnerDb(async (owner) => {
      const { rows } = await owner.query("select count(*)::int as n from app_public.letters where user_id = $1", [child.id]);
      expect(rows[0].n).toBe(0);
    });
  });

  test("each role keeps acting as its own kinds; an unknown user acts as nobody", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      const admin = await createUser(client, "admin");
      const me = (role: "pas_bot_user" | "inner_edu_user", userId: string) =>
        actingAs(client, role, userId, async () => (await client.query("select app_public.current_user_id() as id, (select count(*)::int from app_public.users) as users")).rows[0]);
      for (const userId of [W.parentA, W.psychologist, admin.id]) {
        expect(await me("pas_bot_user", userId)).toEqual({ id: userId, users: 1 });
      }
      expect(await me("inner_edu_user", W.childA)).toEqual({ id: W.childA, users: 1 });
      const unknown = crypto.randomUUID();
      expect(await me("pas_bot_user", unknown)).toEqual({ id: unknown, users: 0 });
      expect(await me("inner_edu_user", unknown)).toEqual({ id: unknown, users: 0 });
    });
  });

  test("the owner and the superuser are not app roles: app.user_id set to any kind still reads back", async () => {
    await withRootDb(async (client) => {
      await buildWorld(client);
      await client.query("select set_config('app.user_id', $1, true)", [W.childA]);
      expect((await client.query("select app_public.current_user_id() as id")).rows[0].id).toBe(W.childA);
    });
    let child!: TestUser;
    await withOwnerDb(async (owner) => {
      child = await createUser(owner, "child");
      await owner.query("begin");
      await owner.query("select set_config('app.user_id', $1, true)", [child.id]);
      expect((await owner.query("select app_public.current_user_id() as id")).rows[0].id).toBe(child.id);
      await owner.query("rollback");
    });
  });
});

describe("at the API", () => {
  let server: TestServer;
  let parent: TestUser;
  let child: TestUser;
  let psychologist: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    await withOwnerDb(async (owner) => {
      parent = await createUser(owner, "parent");
      child = await createUser(owner, "child");
      psychologist = await createUser(owner, "psychologist");
      await linkFamily(owner, parent, child);
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const CREATE_LETTER = 'mutation { createLetter(input: { letter: { content: "as a child" } }) { letter { id } } }';

  test("a pas_bot token whose sub is a child: 403 before the operation runs", async () => {
    const token = signAppToken("pas_bot", child.id, server.secrets);
    // Twice: the second answer comes from the verdict the API remembers.
    for (let i = 0; i < 2; i++) {
      const { status, body } = await graphql(server, CREATE_LETTER, { token });
      expect(status).toBe(403);
      expect(body).toEqual({ errors: [{ message: expect.stringMatching(PAS_BOT_ONLY), extensions: { code: "WRONG_APP_FOR_USER" } }] });
    }
    await withOwnerDb(async (owner) => {
      const { rows } = await owner.query("select count(*)::int as n from app_public.letters where user_id = $1", [child.id]);
      expect(rows[0].n).toBe(0);
    });
  });

  test.each(["parent", "psychologist"] as const)("an inner_edu token whose sub is a %s: 403", async (kind) => {
    const user = kind === "parent" ? parent : psychologist;
    const { status, body } = await graphql(server, "{ currentUserId }", { token: signAppToken("inner_edu", user.id, server.secrets) });
    expect(status).toBe(403);
    expect(body.errors[0].message).toMatch(INNER_EDU_ONLY(kind));
  });

  test("the right app for each kind, and an unknown user, still get their answers", async () => {
    for (const [app, user] of [["pas_bot", parent.id], ["pas_bot", psychologist.id], ["inner_edu", child.id], ["pas_bot", crypto.randomUUID()]] as const) {
      const { status, body } = await graphql(server, "{ currentUserId }", { token: signAppToken(app, user, server.secrets) });
      expect({ app, status, body }).toEqual({ app, status: 200, body: { data: { currentUserId: user } } });
    }
  });

  test("a database that does not answer: 503 in JSON, and the request does not go through unchecked", async () => {
    const req = { headers: { authorization: `Bearer ${signAppToken("pas_bot", parent.id, server.secrets)}` }, log: { warn: () => {} } };
    const sent: unknown[] = [];
    // requireAppToken leaves the verified identity in res.locals, as Express gives every response.
    const res = {
      locals: {},
      status: (code: number) => (sent.push(code), res),
      set: (name: string, value: string) => (sent.push({ [name]: value }), res),
      json: (body: unknown) => (sent.push(body), res),
    };
    let passed = 0;
    requireAppToken(server.secrets)(req as never, res as never, () => passed++);
    const silent = { query: () => Promise.reject(new Error("connect ECONNREFUSED")) };
    await requireActingKind(silent as never)(req as never, res as never, () => passed++);
    expect(passed).toBe(1);
    expect(sent).toEqual([
      503,
      { "Retry-After": "5" },
      {
        errors: [
          {
            message: "The database cannot be reached right now, so this was not done; try again in 5 seconds.",
            extensions: { code: "UNAVAILABLE", reason: "database_unreachable", retryAfterSeconds: 5 },
          },
        ],
      },
    ]);
  });

  test("should the database refuse anyway (a kind changed since the API looked), the client reads WRONG_APP_FOR_USER", () => {
    const original = Object.assign(new Error("pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child."), {
      code: "ACTOR",
    });
    const masked = makeMaskError(createLogger({ level: "silent" }))(new GraphQLError(original.message, { originalError: original }));
    expect(masked.message).toBe(original.message);
    expect(masked.extensions).toEqual({ code: "WRONG_APP_FOR_USER" });
  });
});
