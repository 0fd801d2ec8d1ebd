// Issue 16, section 4: a first run with data. `npm start` on a database without users says so and
// how to get the development family; `npm run db:reset` starts over — development only, never
// under another session's feet unless told to (--force), never on a server by accident (--external).
// The real npm commands, against a scratch database of the test server (DATABASE_URL, as on a
// developer's own PostgreSQL), so no embedded cluster is started here.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT, urlForDatabase } from "../../src/config.ts";
import { FAMILY } from "../../src/tools/seed/family.ts";
import { type NpmRun, runNpm, spawnNpm, until } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

/** Each test runs a migration from nothing or a server start; on 2 shared cores that takes a while. */
const SLOW = 120_000;

const database = `pas_first_run_${randomBytes(4).toString("hex")}`;
const ownerUrl = urlForDatabase(process.env.TEST_OWNER_URL_TEMPLATE!, database);
const serverRoot = urlForDatabase(process.env.TEST_ROOT_URL!, "postgres");
// The run's secrets (globalSetup's) are passed through, so the roles' passwords stay what the other files use.
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", DATABASE_URL: ownerUrl, ROOT_DATABASE_URL: serverRoot };

beforeAll(async () => {
  // Nothing should be written there (every secret is given), but never into the project's .data.
  env.DATA_DIR = await mkdtemp(path.join(tmpdir(), "pas-first-run-"));
});

afterAll(async () => {
  await rm(env.DATA_DIR!, { recursive: true, force: true });
  const root = new pg.Client({ connectionString: serverRoot });
  await root.connect();
  await root.query(`drop database if exists ${database} with (force)`);
  await root.end();
});

/** `npm run -s <script> -- <flags>` to its end: npm adds nothing of its own to what the command prints. */
const npmRun = (script: string, flags: string[] = [], runEnv = env) => runNpm(["run", "-s", script, "--", ...flags], runEnv);

/** The output of a command that must succeed (else the error shows what it printed). */
async function succeeds(script: string, flags: string[]): Promise<string> {
  const { code, output } = await npmRun(script, flags);
  if (code !== 0) throw new Error(`npm run ${script} -- ${flags.join(" ")} exited with ${code}:\n${output}`);
  return output;
}

async function owner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function startServer(): Promise<NpmRun> {
  const run = spawnNpm(["start"], { ...env, PORT: String(await freePort()) });
  await until("npm start to be ready", async () => /Ready in/.test(run.output()) || run.child.exitCode !== null, { timeoutMs: 90_000 });
  if (!/Ready in/.test(run.output())) throw new Error(`npm start did not become ready:\n${run.output()}`);
  return run;
}

async function stopServer(run: NpmRun): Promise<void> {
  process.kill(-run.child.pid!, "SIGTERM");
  expect(await run.exited).toBe(0);
}

const EMPTY_NOTICE = "no users yet: `npm run db:seed -- --scale 0` adds the development family";

test("db:reset is refused in production and, without --external, on a server that is not the embedded cluster: one line each", async () => {
  const production = await npmRun("db:reset", [], { ...env, NODE_ENV: "production" });
  expect({ code: production.code, output: production.output }).toEqual({
    code: 1,
    output: "UserError: db:reset is for development only: refused with NODE_ENV=production.\n",
  });

  const server = await npmRun("db:reset");
  expect(server.code).toBe(1);
  expect(server.output).toMatch(/^ConfigError: db:reset refused: DATABASE_URL names "pas_first_run_\w+" on localhost:\d+, not the embedded cluster; add --external to drop it anyway\.\n$/);
}, SLOW);

test("on a database without users, npm start says so and names the seed command; db:reset is refused while the server is connected", async () => {
  await succeeds("db:reset", ["--external"]);
  const server = await startServer();
  try {
    expect(server.output()).toContain(`  Empty     ${EMPTY_NOTICE}`);
    const refused = await npmRun("db:reset", ["--external"]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      new RegExp(`^UserError: db:reset refused: \\d+ other session\\(s\\) are connected to "${database}" \\(a running npm start or worker\\?\\); stop them, or add --force to cut them off\\.\\n$`),
    );
  } finally {
    await stopServer(server);
  }
}, SLOW);

test("db:reset --force --seed drops the data, cuts off other sessions and builds a migrated database with the family; start then has no notice", async () => {
  await owner((c) => c.query("insert into app_public.users (kind, display_name) values ('parent', 'Gone after the reset')"));
  const lingering = new pg.Client({ connectionString: ownerUrl });
  await lingering.connect();
  lingering.on("error", () => {}); // terminated by the reset: expected
  try {
    const reset = await succeeds("db:reset", ["--external", "--force", "--seed"]);
    expect(reset).toContain(`dropped database "${database}" (cut off 1 session(s))`);
    expect(reset).toContain(`admin         Orlov   ${FAMILY.admin}`);
  } finally {
    await lingering.end().catch(() => {});
  }

  const state = await owner(async (c) => ({
    users: (await c.query("select id, kind::text from app_public.users order by id")).rows,
    migrations: (await c.query("select count(*)::int as n from graphile_migrate.migrations")).rows[0].n,
    workerSchema: (await c.query("select count(*)::int as n from pg_namespace where nspname = 'graphile_worker'")).rows[0].n,
    policies: (await c.query("select count(*)::int as n from pg_policies where schemaname = 'app_public'")).rows[0].n,
  }));
  expect(state.users).toEqual(
    Object.entries(FAMILY).map(([kind, id]) => ({ id, kind })).sort((a, b) => a.id.localeCompare(b.id)),
  );
  expect(state.migrations).toBe((await readdir(path.join(PROJECT_ROOT, "migrations/committed"))).length);
  expect(state.workerSchema).toBe(1);
  expect(state.policies).toBeGreaterThan(0);

  const server = await startServer();
  try {
    expect(server.output()).not.toContain(EMPTY_NOTICE);
  } finally {
    await stopServer(server);
  }
}, SLOW);
