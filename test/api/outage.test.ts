// The API when the database cannot serve a request (issue 18, item 2): an exhausted pool and a
// killed connection answer HTTP 503 with Retry-After and a catalogued code, at once, never a
// masked 200 or a hang; the server carries on by itself afterwards. A database that is stopped and
// started again: test/api/outage.slow.test.ts.
import type { AddressInfo } from "node:net";
import pg from "pg";
import { databaseUnavailability, resilientPool } from "../../src/db/pool.ts";
import { createHttpService } from "../../src/http/app.ts";
import { appSecretsFrom, signAppToken } from "../../src/http/auth.ts";
import { makeMaskError } from "../../src/graphql/maskError.ts";
import { GraphQLError } from "postgraphile/graphql";
import { createLogger } from "../../src/observability/logger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { roleUrl, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { graphql, type TestServer } from "../helpers/http.ts";
import { until } from "../helpers/process.ts";

const HOUR = 3_600_000;

/** The real service with a pool of one connection, so that one request holding it exhausts the pool. */
async function startOneConnectionServer(): Promise<TestServer> {
  const secrets = appSecretsFrom(testConfig().secret);
  const service = await createHttpService({
    authenticatorUrl: roleUrl("app_authenticator"),
    poolMax: 1,
    poolTimeoutMs: 500,
    secrets,
    production: false,
    masterKeys: masterKeys(testConfig()),
    // The request held on purpose must outlive the bound by far.
    statementTimeout: "60s",
    logger: createLogger({ level: "silent" }),
    requireWorker: false,
    // No background poll takes the one connection while a test looks.
    privacyPollMs: HOUR,
    databasePollMs: HOUR,
  });
  await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
  const { port } = service.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, service, secrets, close: () => service.close() };
}

let server: TestServer;
let root: pg.Client;
let parent: TestUser;
let otherParent: TestUser;

beforeAll(async () => {
  server = await startOneConnectionServer();
  root = new pg.Client({ connectionString: rootUrl });
  // The file's database is dropped WITH (FORCE) after the file (test/helpers/db.ts), maybe before this client ends.
  root.on("error", () => {});
  await root.connect();
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent");
    otherParent = await createUser(owner, "parent");
  });
});

afterAll(async () => {
  await server?.close();
  await root?.end();
});

const token = (user: TestUser) => signAppToken("pas_bot", user.id, server.secrets);

async function post(user: TestUser, query: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token(user)}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
}

/** The pids of the server's connections (app_authenticator's, in this file's database) that wait for a lock. */
async function serverBackendsWaitingForALock(): Promise<number[]> {
  const { rows } = await root.query<{ pid: number }>(
    "select pid from pg_stat_activity where usename = 'app_authenticator' and datname = current_database() and wait_event_type = 'Lock'",
  );
  return rows.map((r) => r.pid);
}

test("pool exhausted: 503 + Retry-After while the connection is held; a killed connection: 503; then 200 without a restart", async () => {
  // The acting-kind verdict of `parent` is remembered from here on: its next requests go straight to GraphQL.
  expect(await graphql(server, "{ currentUserId }", { token: token(parent) })).toEqual({ status: 200, body: { data: { currentUserId: parent.id } } });

  // A request that holds the pool's one connection: it waits for a lock the owner holds on quests.
  const locker = new pg.Client({ connectionString: rootUrl });
  await locker.connect();
  try {
    await locker.query("begin");
    await locker.query("lock table app_public.quests in access exclusive mode");
    let heldSettled = false;
    const held = post(parent, "{ quests { totalCount } }").finally(() => (heldSettled = true));
    const [heldPid] = await until("the held request to wait for the lock", async () => {
      const pids = await serverBackendsWaitingForALock();
      return pids.length > 0 && pids;
    });

    // GraphQL itself finds no free connection within the bound (PG_POOL_TIMEOUT_MS): 503, not a wait.
    const busy = await post(parent, "{ currentUserId }");
    expect(busy).toEqual({
      status: 503,
      retryAfter: "2",
      body: {
        data: { currentUserId: null },
        errors: [
          {
            message: "The server is busy (no database connection came free in time), so this was not done; try again in 2 seconds.",
            locations: expect.anything(),
            path: ["currentUserId"],
            extensions: { code: "UNAVAILABLE", reason: "pool_exhausted", retryAfterSeconds: 2 },
          },
        ],
      },
    });
    // The acting-kind check of a user not seen yet, before GraphQL, answers the same way.
    const unchecked = await post(otherParent, "{ currentUserId }");
    expect(unchecked).toEqual({
      status: 503,
      retryAfter: "2",
      body: { errors: [{ message: expect.stringContaining("The server is busy"), extensions: { code: "UNAVAILABLE", reason: "pool_exhausted", retryAfterSeconds: 2 } }] },
    });
    // Both answered while the held request was still waiting: nobody waited for it.
    expect(heldSettled).toBe(false);

    // The held request's connection is killed (57P01, as on a fast shutdown): 503, not a masked error.
    await root.query("select pg_terminate_backend($1)", [heldPid]);
    const killed = await held;
    expect(killed.status).toBe(503);
    expect(killed.retryAfter).toBe("5");
    expect(killed.body.errors).toEqual([
      expect.objectContaining({
        message: "The database cannot be reached right now, so this was not done; try again in 5 seconds.",
        extensions: { code: "UNAVAILABLE", reason: "database_unreachable", retryAfterSeconds: 5 },
      }),
    ]);
  } finally {
    await locker.query("rollback");
    await locker.end();
  }

  // The dead connection was not handed out again: the next requests, both apps' paths, succeed.
  expect(await graphql(server, "{ quests { totalCount } }", { token: token(parent) })).toEqual({ status: 200, body: { data: { quests: { totalCount: 0 } } } });
  expect(await graphql(server, "{ currentUserId }", { token: token(otherParent) })).toEqual({ status: 200, body: { data: { currentUserId: otherParent.id } } });
});

test("idle connections killed under the server: no dead connection is handed out twice, the server carries on by itself", async () => {
  expect((await graphql(server, "{ currentUserId }", { token: token(parent) })).status).toBe(200);
  const { rows: killed } = await root.query<{ pid: number }>(
    "select pid, pg_terminate_backend(pid) from pg_stat_activity where usename = 'app_authenticator' and datname = current_database()",
  );
  expect(killed).toHaveLength(1);
  // pg_terminate_backend only signals: until the backend has gone, it may still answer a query (then die under
  // the next one). Once it is gone, its goodbye is on the pool's socket.
  await until("the killed backend to go", async () =>
    (await root.query("select not exists (select from pg_stat_activity where pid = $1) as gone", [killed[0]!.pid])).rows[0].gone,
  );
  // The pool learns that its idle connection died when the server's goodbye arrives: a request taken in
  // the instant between may still get it (and a 503, never a masked error); the next one cannot.
  const first = await graphql(server, "{ currentUserId }", { token: token(parent) });
  if (first.status !== 200) expect([first.status, first.body.errors[0].extensions.code]).toEqual([503, "UNAVAILABLE"]);
  for (let i = 0; i < 3; i++) {
    expect(await graphql(server, "{ currentUserId }", { token: token(parent) })).toEqual({ status: 200, body: { data: { currentUserId: parent.id } } });
  }
});

test("a connection lost while COMMIT is on its way: the error says the outcome is unknown (OUTCOME_UNKNOWN)", async () => {
  const pool = resilientPool({ connectionString: roleUrl("app_authenticator"), max: 1 }, "outage test");
  try {
    const client = await pool.connect();
    await client.query("begin");
    // COMMIT is written to the socket, then the socket dies before any answer: the server may have committed.
    const commit = client.query("commit");
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const commitError = await commit.then(() => undefined, (e: unknown) => e);
    // What @dataplan/pg sends next, and what reaches GraphQL: the ROLLBACK's error, marked the same.
    const rollbackError = await client.query("rollback").then(() => undefined, (e: unknown) => e);
    client.release(true);
    expect(databaseUnavailability(commitError)).toEqual({ reason: "database_unreachable", commitOutcomeUnknown: true });
    expect(databaseUnavailability(rollbackError)).toEqual({ reason: "database_unreachable", commitOutcomeUnknown: true });

    const masked = makeMaskError(createLogger({ level: "silent" }))(new GraphQLError("lost", { originalError: rollbackError as Error }));
    expect(masked.extensions).toEqual({ code: "OUTCOME_UNKNOWN", reason: "database_unreachable", retryAfterSeconds: 5 });
    expect(masked.message).toMatch(/may or may not have been saved/);

    // A client already broken never sends its COMMIT: the transaction was rolled back, the outcome is known.
    const other = await pool.connect();
    await other.query("begin");
    (other as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await until("the client to notice", async () => (other as unknown as { _queryable: boolean })._queryable === false);
    const neverSent = await other.query("commit").then(() => undefined, (e: unknown) => e);
    other.release(true);
    expect(databaseUnavailability(neverSent)).toEqual({ reason: "database_unreachable", commitOutcomeUnknown: false });
  } finally {
    await pool.end();
  }
});

test("which errors mean an unavailable database", () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  const unreachable = { reason: "database_unreachable", commitOutcomeUnknown: false };
  // Node tries every address of localhost: the refusal comes as an AggregateError.
  expect(databaseUnavailability(new AggregateError([withCode("connect ECONNREFUSED ::1:5432", "ECONNREFUSED")], ""))).toEqual(unreachable);
  expect(databaseUnavailability(withCode("read ECONNRESET", "ECONNRESET"))).toEqual(unreachable);
  for (const sqlstate of ["57P01", "57P02", "57P03", "53300", "08006", "08P01"]) {
    expect([sqlstate, databaseUnavailability(withCode("terminating connection", sqlstate))]).toEqual([sqlstate, unreachable]);
  }
  expect(databaseUnavailability(new Error("Connection terminated unexpectedly"))).toEqual(unreachable);
  expect(databaseUnavailability(new Error("Connection terminated due to connection timeout", { cause: new Error("x") }))).toEqual(unreachable);
  expect(databaseUnavailability(new Error("timeout exceeded when trying to connect"))).toEqual({ reason: "pool_exhausted", commitOutcomeUnknown: false });
  // The client's own errors and the server's refusals are not outages.
  for (const code of ["23514", "42501", "57014", "STALE", "P0001"]) {
    expect([code, databaseUnavailability(withCode("no", code))]).toEqual([code, null]);
  }
  expect(databaseUnavailability("not an error")).toBeNull();
});

test("GraphQL shows an unavailable database under its code, in words of ours: never the error's own text", () => {
  const maskError = makeMaskError(createLogger({ level: "silent" }));
  const original = Object.assign(new Error("connection to 10.0.0.3 refused, password=hunter2"), { code: "08006" });
  const shown = maskError(new GraphQLError(original.message, { originalError: original }));
  expect({ message: shown.message, extensions: shown.extensions }).toEqual({
    message: "The database cannot be reached right now, so this was not done; try again in 5 seconds.",
    extensions: { code: "UNAVAILABLE", reason: "database_unreachable", retryAfterSeconds: 5 },
  });
});
