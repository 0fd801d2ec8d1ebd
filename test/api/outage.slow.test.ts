// The API while its PostgreSQL stops and starts again (issue 18, item 2), against a cluster of this
// file's own: requests during the outage get 503 + Retry-After at once (fast and immediate shutdown),
// the server serves again by itself once the database is back, and an acknowledged write is there.
// The pool-exhausted and killed-connection cases: test/api/outage.test.ts.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Config, ROLES, roleConnectionString } from "../../src/config.ts";
import { clusterDirOf, type EmbeddedCluster, runningPostmaster, startEmbeddedCluster } from "../../src/db/embeddedPostgres.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { createHttpService, type HttpService } from "../../src/http/app.ts";
import { appSecretsFrom, signAppToken } from "../../src/http/auth.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { configFor } from "../helpers/config.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { until } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

const SLOW = 120_000;

let dataDir: string;
let clusterOptions: { dataDir: string; port: number; superuserPassword: string };
let cluster: EmbeddedCluster;
let config: Config;
let service: HttpService;
let url: string;
let parent: TestUser;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-api-outage-"));
  await chmod(dataDir, 0o755);
  clusterOptions = { dataDir, port: await freePort(), superuserPassword: randomBytes(18).toString("base64url") };
  cluster = await startEmbeddedCluster(clusterOptions);
  config = configFor(`postgres://app_owner:${randomBytes(18).toString("hex")}@localhost:${clusterOptions.port}/pas_outage`, cluster.rootUrl);
  await migrateDatabase(config, () => {});
  const owner = new pg.Client({ connectionString: config.ownerUrl });
  await owner.connect();
  parent = await createUser(owner, "parent");
  await owner.end();

  const secrets = appSecretsFrom(config.secret);
  service = await createHttpService({
    authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
    poolMax: 4,
    secrets,
    production: false,
    masterKeys: masterKeys(config),
    // Far beyond anything a test waits: a request that hung on the database would show.
    statementTimeout: "60s",
    logger: createLogger({ level: "silent" }),
    requireWorker: false,
  });
  await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  token = signAppToken("pas_bot", parent.id, secrets);
}, SLOW);

afterAll(async () => {
  await service?.close();
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
}

const CREATE_GOAL = "mutation ($title: String!) { createGoal(input: { goal: { title: $title } }) { goal { id } } }";
const GOAL_COUNT = "{ goals { totalCount } }";

/** A request during the outage: 503, Retry-After, the catalogued code; nothing else is acceptable. */
function expectUnavailable(answer: Awaited<ReturnType<typeof post>>) {
  expect({ status: answer.status, retryAfter: answer.retryAfter, codes: answer.body.errors?.map((e: any) => e.extensions) }).toEqual({
    status: 503,
    retryAfter: "5",
    codes: [{ code: "UNAVAILABLE", reason: "database_unreachable", retryAfterSeconds: 5 }],
  });
}

async function goalTitles(): Promise<string[]> {
  const owner = new pg.Client({ connectionString: config.ownerUrl });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ title: string }>("select title from app_public.goals where user_id = $1 order by title", [parent.id]);
    return rows.map((r) => r.title);
  } finally {
    await owner.end();
  }
}

test("fast shutdown: 503 + Retry-After while PostgreSQL is down, 200 once it is back, the acknowledged write kept", async () => {
  const before = await post(CREATE_GOAL, { title: "before the fast shutdown" });
  expect(before.status).toBe(200);
  expect(before.body.errors).toBeUndefined();

  await cluster.stop();
  // A write and a read (the acting-kind verdict is remembered: both reach GraphQL and the pool).
  expectUnavailable(await post(CREATE_GOAL, { title: "during the outage" }));
  expectUnavailable(await post(GOAL_COUNT));

  cluster = await startEmbeddedCluster(clusterOptions);
  // No restart of the server: its first request after the database is back succeeds.
  expect(await post(GOAL_COUNT)).toMatchObject({ status: 200, body: { data: { goals: { totalCount: 1 } } } });
  expect(await goalTitles()).toEqual(["before the fast shutdown"]);
}, SLOW);

test("immediate shutdown under a request in flight: it gets 503, not a hang; then 200 without restarting the server", async () => {
  // A request in flight: it waits for a lock the owner holds when PostgreSQL is shut down under it.
  const locker = new pg.Client({ connectionString: config.ownerUrl });
  locker.on("error", () => {}); // the shutdown drops this connection on purpose
  await locker.connect();
  await locker.query("begin");
  await locker.query("lock table app_public.goals in access exclusive mode");
  const inFlight = post(CREATE_GOAL, { title: "in flight at the immediate shutdown" });
  // (Only a superuser sees what other roles' sessions wait for.)
  const root = new pg.Client({ connectionString: cluster.rootUrl });
  root.on("error", () => {});
  await root.connect();
  await until("the request to wait for the lock", async () => {
    const { rows } = await root.query("select count(*)::int as n from pg_stat_activity where usename = 'app_authenticator' and wait_event_type = 'Lock'");
    return rows[0].n > 0;
  });

  // SIGQUIT: PostgreSQL's immediate shutdown (no checkpoint: crash recovery at the next start).
  const postmaster = runningPostmaster(clusterDirOf(dataDir))!;
  process.kill(postmaster.pid, "SIGQUIT");
  await until("the postmaster to exit", async () => runningPostmaster(clusterDirOf(dataDir)) === undefined);
  await Promise.all([root.end(), locker.end()]);

  const answer = await inFlight;
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).not.toBeNull();
  // Lost before its COMMIT was sent: known not done (UNAVAILABLE, not OUTCOME_UNKNOWN).
  expect(answer.body.errors.map((e: any) => e.extensions.code)).toEqual(["UNAVAILABLE"]);
  expectUnavailable(await post(GOAL_COUNT));

  cluster = await startEmbeddedCluster(clusterOptions);
  expect(await post(GOAL_COUNT)).toMatchObject({ status: 200, body: { data: { goals: { totalCount: 1 } } } });
  expect(await goalTitles()).toEqual(["before the fast shutdown"]);
  const after = await post(CREATE_GOAL, { title: "after the restart" });
  expect([after.status, after.body.errors]).toEqual([200, undefined]);
}, SLOW);
