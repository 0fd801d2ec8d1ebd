// PgBouncer in transaction mode in front of the API and the apps' direct SQL (docs/scaling.md §4),
// with the real PgBouncer: run by `npm run test:pgbouncer`, which starts one (pool_mode = transaction,
// default_pool_size = 1) and routes app_authenticator, pas_bot_user, inner_edu_user and the tests'
// superuser transactions through it (test/helpers/db.ts). Skipped in the other lanes.
//
// - 1,000 GraphQL requests of both apps and many users, through two API services holding different
//   master keys, interleaved with direct SQL as both app roles and with "bystander" statements, all on
//   one server connection per login: every response shows its own role, app.user_id and key, and a
//   bystander never sees what a transaction set. A control shows the check catches a session-level set.
// - Named prepared statements: what PgBouncer 1.18 does to them, and PG_PREPARED_STATEMENTS=false.
// - The master key of direct SQL: the start-up option (`options`) is refused, or dropped when
//   ignore_startup_parameters lists it; a transaction-local set_config works (docs/direct-sql.md).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { signAppToken } from "../../src/http/auth.ts";
import { type MasterKeys, masterKeyOptions, useMasterKeys } from "../../src/privacy/masterKeys.ts";
import {
  committedAs,
  pgBouncerConsole,
  poolFor,
  roleUrl,
  testMasterKey,
  throughPgBouncer,
  viaPgBouncer,
  withOwnerDb,
} from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";
import { createQuest } from "../helpers/quests.ts";
import { testIf } from "../helpers/server.ts";
import { type PgBouncer, pgbouncerBinary, pgbouncerVersion, startPgBouncer } from "../setup/pgbouncer.ts";

const run = testIf(throughPgBouncer, "run by `npm run test:pgbouncer`, which puts PgBouncer in front of the test server");

const FAMILIES = 12;
const GRAPHQL_REQUESTS = 1000;
/** One direct SQL job after every this many GraphQL requests. */
const SQL_EVERY = 4;
const IN_FLIGHT = 24;

interface Family {
  parent: TestUser;
  child: TestUser;
  /** The parent's letter (P2): only the parent reads it, and only with the right master key. */
  letter: string;
  /** The child's answer, in a play event's payload (P2): only the child reads it, with the right key. */
  answer: string;
}

const families: Family[] = [];
/** Holds DATA_ENCRYPTION_KEY. */
let right: TestServer;
/** Holds another key, which unwraps none of the data keys: its P2 reads must fail. */
let wrong: TestServer;
let database: string;

beforeAll(async () => {
  if (!throughPgBouncer) return;
  right = await startTestServer();
  wrong = await startTestServer({ masterKeys: { current: randomBytes(24).toString("base64url") } });
  await withOwnerDb(async (owner) => {
    database = (await owner.query("select current_database() as name")).rows[0].name;
    for (let i = 0; i < FAMILIES; i++) {
      const parent = await createUser(owner, "parent", `Parent ${i}`);
      const child = await createUser(owner, "child", `Child ${i}`);
      await linkFamily(owner, parent, child);
      const quest = await createQuest(owner, parent);
      const family = { parent, child, letter: `Dear child ${i}, ${randomBytes(6).toString("hex")}`, answer: `answer ${i} ${randomBytes(6).toString("hex")}` };
      await owner.query("insert into app_public.letters (user_id, child_id, title, content) values ($1, $2, 'Letter', $3)", [
        parent.id,
        child.id,
        family.letter,
      ]);
      await owner.query(
        "insert into app_public.child_progress (child_id, quest_id, node_key, event_type, payload) values ($1, $2, 'start', 'node_entered', $3)",
        [child.id, quest.id, JSON.stringify({ answer: family.answer })],
      );
      families.push(family);
    }
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([right?.close(), wrong?.close()]);
});

const PARENT_QUERY = "{ currentUserId letters { nodes { userId childId content } } }";
const CHILD_QUERY = "{ currentUserId childProgresses { nodes { childId payload } } }";

/**
 * What one GraphQL response shows, against what it must: the acting user (currentUserId), the role (letters
 * are pas_bot_user's only, childProgresses inner_edu_user's only: the other role gets "permission denied")
 * and the master key (the P2 value decrypts to this user's text with the right key; with the wrong key it
 * does not decrypt at all, and no one's text appears). Returns the problems, or [].
 */
function graphqlProblems(family: Family, app: "pas_bot" | "inner_edu", keyed: "right" | "wrong", body: any): string[] {
  const me = app === "pas_bot" ? family.parent.id : family.child.id;
  const text = JSON.stringify(body);
  const problems: string[] = [];
  const foreign = families.flatMap((f) => [f.letter, f.answer]).filter((secret) => secret !== (app === "pas_bot" ? family.letter : family.answer));
  if (foreign.some((secret) => text.includes(secret))) problems.push("another user's P2 value");
  if (keyed === "right") {
    const expected =
      app === "pas_bot"
        ? { currentUserId: me, letters: { nodes: [{ userId: me, childId: family.child.id, content: family.letter }] } }
        : { currentUserId: me, childProgresses: { nodes: [{ childId: me, payload: { answer: family.answer } }] } };
    if (body.errors !== undefined || JSON.stringify(body.data) !== JSON.stringify(expected)) problems.push(`expected ${JSON.stringify(expected)}`);
  } else {
    // The wrong key: the P2 read fails, so the request has an error and no plaintext at all.
    if (!Array.isArray(body.errors) || body.errors.length === 0) problems.push("the wrong key decrypted");
    if (text.includes(app === "pas_bot" ? family.letter : family.answer)) problems.push("plaintext through the wrong key");
  }
  return problems.map((p) => `${app} ${keyed} key as ${me}: ${p}; got ${text.slice(0, 300)}`);
}

/** A statement outside any transaction: what the server connection holds between transactions. */
const BYSTANDER = `select current_user as "user", current_setting('role') as role,
  coalesce(current_setting('app.user_id', true), '') as user_id,
  coalesce(current_setting('app.data_encryption_key', true), '') as key,
  coalesce(current_setting('app.data_encryption_key_previous', true), '') as previous_key,
  current_setting('statement_timeout') as statement_timeout,
  pg_backend_pid() as pid`;

/** What a transaction of someone else left on the connection, seen by a bystander logged in as `login`: []. */
function bystanderProblems(login: string, row: Record<string, string>): string[] {
  const problems: string[] = [];
  if (row.user !== login || row.role !== "none") problems.push(`runs as ${row.user} (role ${row.role})`);
  if (row.user_id !== "") problems.push(`app.user_id is ${row.user_id}`);
  if (row.key !== "" || row.previous_key !== "") problems.push("holds a master key");
  if (row.statement_timeout !== "0") problems.push(`statement_timeout is ${row.statement_timeout}`);
  return problems.map((p) => `${login} bystander: ${p}`);
}

/**
 * Direct SQL as `role` acting as the family's parent or child, in a committed transaction (the key comes per
 * transaction: test/helpers/db.ts). `secrets` selects the P2 values the user's own rows hold.
 */
function acting(role: "pas_bot_user" | "inner_edu_user", secrets: string) {
  const member = role === "pas_bot_user" ? "parent" : "child";
  return (family: Family) =>
    committedAs(role, family[member].id, async (client) => {
      const { rows } = await client.query(`select current_user as role, app_public.current_user_id() as me, (${secrets}) as secrets`);
      const expected = { role, me: family[member].id, secrets: [role === "pas_bot_user" ? family.letter : family.answer] };
      return JSON.stringify(rows[0]) === JSON.stringify(expected) ? [] : [`${role} as ${family[member].id}: ${JSON.stringify(rows[0])}`];
    });
}

/** Direct SQL as `role` outside a transaction, acting as nobody: no row of `table`, no user, no key. */
function nobody(role: "pas_bot_user" | "inner_edu_user", table: string) {
  return async () => {
    const { rows } = await poolFor(roleUrl(role)).query(`${BYSTANDER}, (select count(*) from app_public.${table})::int as rows`);
    return [...bystanderProblems(role, rows[0]), ...(rows[0].rows === 0 ? [] : [`${role} as nobody sees ${rows[0].rows} rows of ${table}`])];
  };
}

/** The direct SQL jobs interleaved with the GraphQL requests: each returns its problems, or []. */
const SQL_JOBS: Array<(family: Family, pids: Set<number>) => Promise<string[]>> = [
  // The API's login, outside a transaction, on the API's one server connection.
  async (_family, pids) => {
    const { rows } = await poolFor(roleUrl("app_authenticator")).query(BYSTANDER);
    pids.add(rows[0].pid);
    return bystanderProblems("app_authenticator", rows[0]);
  },
  acting("pas_bot_user", "select array_agg(app_public.letters_content(l)) from app_public.letters l"),
  nobody("pas_bot_user", "letters"),
  acting("inner_edu_user", "select array_agg(app_public.child_progress_payload(c)->>'answer') from app_public.child_progress c"),
  nobody("inner_edu_user", "child_progress"),
];

/** Runs `jobs` with at most `inFlight` at a time, in order of start; resolves with every job's problems. */
async function interleave(jobs: Array<() => Promise<string[]>>, inFlight: number): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        problems.push(...(await job()));
      }
    }),
  );
  return problems;
}

run(
  "1,000 interleaved GraphQL requests of both apps, many users and two master keys, with direct SQL, on one server connection per login: each sees only its own role, user and key",
  async () => {
    const pids = new Set<number>();
    const jobs: Array<() => Promise<string[]>> = [];
    for (let i = 0; i < GRAPHQL_REQUESTS; i++) {
      // Neighbours differ in family, app and key: 12 families × 2 apps × 2 keys, stepped by a prime.
      const n = (i * 7) % (FAMILIES * 4);
      const family = families[n % FAMILIES]!;
      const app = n % 2 === 0 ? "pas_bot" : "inner_edu";
      const keyed = Math.floor(n / 2) % 2 === 0 ? "right" : "wrong";
      const server = keyed === "right" ? right : wrong;
      jobs.push(async () => {
        const user = app === "pas_bot" ? family.parent : family.child;
        const { status, body } = await graphql(server, app === "pas_bot" ? PARENT_QUERY : CHILD_QUERY, {
          token: signAppToken(app, user.id, server.secrets),
        });
        return [...(status === 200 ? [] : [`HTTP ${status}`]), ...graphqlProblems(family, app, keyed, body)];
      });
      if (i % SQL_EVERY === SQL_EVERY - 1) {
        const job = SQL_JOBS[(i / SQL_EVERY) % SQL_JOBS.length | 0]!;
        jobs.push(() => job(families[i % FAMILIES]!, pids));
      }
    }
    const problems = await interleave(jobs, IN_FLIGHT);
    expect(problems.slice(0, 10)).toEqual([]);

    // It all ran on one server connection per login: the bystanders always met the same backend, and
    // PgBouncer holds no more than one server connection for any user of this database.
    expect(pids.size).toBe(1);
    const servers = (await pgBouncerConsole("show servers")).filter((row) => row.database === database);
    const perUser = new Map<string, number>();
    for (const row of servers) perUser.set(String(row.user), (perUser.get(String(row.user)) ?? 0) + 1);
    expect(perUser.get("app_authenticator")).toBe(1);
    expect(Math.max(...perUser.values())).toBe(1);
    // …shared by many clients: two API services' pools and the bystanders' pool.
    const clients = (await pgBouncerConsole("show clients")).filter((row) => row.database === database && row.user === "app_authenticator");
    expect(clients.length).toBeGreaterThan(2);
  },
  120_000,
);

/** Two clients of their own PgBouncer (one server connection): what one sets, the other may see. */
async function onePgBouncerConnection(fn: (actor: pg.Client, bystander: pg.Client) => Promise<void>, extra: { ignoreStartupParameters?: string[] } = {}) {
  const bouncer = await ownPgBouncer(extra);
  const url = viaPgBouncer(roleUrl("app_authenticator"), bouncer.url);
  const actor = new pg.Client({ connectionString: url });
  const bystander = new pg.Client({ connectionString: url });
  try {
    await actor.connect();
    await bystander.connect();
    await fn(actor, bystander);
  } finally {
    await Promise.all([actor.end(), bystander.end()]);
    await bouncer.stop();
  }
}

/** A PgBouncer of this test's own (transaction mode, one server connection per login) before the same server. */
function ownPgBouncer(extra: { ignoreStartupParameters?: string[] } = {}): Promise<PgBouncer> {
  const users: Record<string, string> = {};
  for (const role of ["app_authenticator", "pas_bot_user"] as const) users[role] = decodeURIComponent(new URL(roleUrl(role)).password);
  return startPgBouncer({ serverUrl: process.env.TEST_ROOT_URL!, users, poolSize: 1, ...extra });
}

run("control: the bystander check catches a session-level set on the shared server connection, and passes a transaction-local one", async () => {
  const { parent } = families[0]!;
  await onePgBouncerConnection(async (actor, bystander) => {
    // Transaction-local, as the API and docs/direct-sql.md do: gone at commit.
    await actor.query("begin");
    await actor.query("select set_config('app.user_id', $1, true), set_config('app.data_encryption_key', 'k', true)", [parent.id]);
    await actor.query("set local role pas_bot_user");
    await actor.query("commit");
    expect(bystanderProblems("app_authenticator", (await bystander.query(BYSTANDER)).rows[0])).toEqual([]);

    // Session-level: it stays on the server connection, and the next client meets it.
    await actor.query("select set_config('app.user_id', $1, false), set_config('app.data_encryption_key', 'k', false)", [parent.id]);
    await actor.query("set role pas_bot_user");
    expect(bystanderProblems("app_authenticator", (await bystander.query(BYSTANDER)).rows[0])).toEqual([
      "app_authenticator bystander: runs as pas_bot_user (role pas_bot_user)",
      `app_authenticator bystander: app.user_id is ${parent.id}`,
      "app_authenticator bystander: holds a master key",
    ]);
  });
});

run("prepared statements: PgBouncer 1.18 in transaction mode breaks named ones; with PG_PREPARED_STATEMENTS=false the API works", async () => {
  // From 1.21, PgBouncer keeps named prepared statements itself (max_prepared_statements > 0): then both ways work.
  const version = await pgbouncerVersion(pgbouncerBinary()!);
  const before121 = version[0] === 1 && version[1]! < 21;
  const { parent, child, letter } = families[0]!;
  const expected = { currentUserId: parent.id, letters: { nodes: [{ userId: parent.id, childId: child.id, content: letter }] } };

  await onePgBouncerConnection(async (actor, bystander) => {
    // node-postgres prepares a query given a name (as @dataplan/pg names each query by its text's hash) once per
    // client; two clients on one server connection: the second one's Parse meets the first one's statement.
    await actor.query({ name: "pgbouncer_probe", text: "select 1 as one" });
    const second = bystander.query({ name: "pgbouncer_probe", text: "select 1 as one" });
    if (before121) await expect(second).rejects.toMatchObject({ code: "42P05", message: 'prepared statement "pgbouncer_probe" already exists' });
    else await second;
  });

  for (const preparedStatements of [true, false]) {
    const bouncer = await ownPgBouncer();
    const server = await startTestServer({ authenticatorUrl: viaPgBouncer(roleUrl("app_authenticator"), bouncer.url), preparedStatements });
    try {
      // 16 at once: the API's pool opens its 4 clients, each preparing the same statements on the one server connection.
      const token = signAppToken("pas_bot", parent.id, server.secrets);
      const bodies = await Promise.all(Array.from({ length: 16 }, async () => (await graphql(server, PARENT_QUERY, { token })).body));
      const failed = bodies.filter((body) => JSON.stringify(body.data) !== JSON.stringify(expected));
      if (preparedStatements && before121) expect(failed.length).toBeGreaterThan(0);
      else expect(failed).toEqual([]);
    } finally {
      await server.close();
      await bouncer.stop();
    }
  }
}, 60_000);

run("direct SQL's master key through PgBouncer: the start-up option is refused, or dropped; a transaction-local set_config works", async () => {
  const { parent, letter } = families[0]!;
  const keys: MasterKeys = { current: testMasterKey() };
  const READ = "select app_public.letters_content(l) as content from app_public.letters l";
  const asParent = async (client: pg.Client, withKeys: boolean) => {
    await client.query("begin");
    await client.query("select set_config('app.user_id', $1, true)", [parent.id]);
    if (withKeys) await useMasterKeys(client, keys);
    try {
      return (await client.query(READ)).rows.map((row) => row.content);
    } finally {
      await client.query("rollback");
    }
  };

  // As docs/direct-sql.md said before PgBouncer: `options`, which PgBouncer 1.18 refuses at start-up.
  const withOptions = new pg.Client({ connectionString: roleUrl("pas_bot_user"), options: masterKeyOptions(keys) });
  await expect(withOptions.connect()).rejects.toMatchObject({ code: "08P01", message: "unsupported startup parameter: options" });
  await withOptions.end().catch(() => {});

  // ignore_startup_parameters = options: the connection is made, and the key silently lost (KEY01 on a P2 read).
  const bouncer = await ownPgBouncer({ ignoreStartupParameters: ["options"] });
  const dropped = new pg.Client({ connectionString: viaPgBouncer(roleUrl("pas_bot_user"), bouncer.url), options: masterKeyOptions(keys) });
  try {
    await dropped.connect();
    await expect(asParent(dropped, false)).rejects.toMatchObject({ code: "KEY01" });
  } finally {
    await dropped.end();
    await bouncer.stop();
  }

  // The transaction-local way (useMasterKeys: set_config(…, true) per transaction): the letter decrypts, and the
  // key is gone from the server connection once the transaction ends.
  const local = new pg.Client({ connectionString: roleUrl("pas_bot_user") });
  await local.connect();
  try {
    expect(await asParent(local, true)).toEqual([letter]);
    expect((await local.query(BYSTANDER)).rows[0]).toMatchObject({ user_id: "", key: "" });
    await expect(asParent(local, false)).rejects.toMatchObject({ code: "KEY01" });
  } finally {
    await local.end();
  }
});
