// Issue 18: `npm start`, `npm run worker`, `npm run db:migrate` and `npm run db:restore` refuse a PostgreSQL release with known
// row-level security bugs, in one line, before doing anything. The server is a fake that speaks
// PostgreSQL's protocol and says it is 15.8 (test/helpers/fakePostgres.ts): no real old server is at
// hand, and the commands are run as they are, with no seam of their own. The decision itself:
// server-version.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serverVersionProblem, SERVER_VERSION_QUERY } from "../../src/db/serverVersion.ts";
import { type FakePostgres, startFakePostgres } from "../helpers/fakePostgres.ts";
import { runNpm } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

/** Each case spawns one command (tsx compiles on 2 shared cores). */
const SLOW = 120_000;
const COMMAND_LIMIT_MS = 60_000;

let dataDir: string;
let env: NodeJS.ProcessEnv;
let fake: FakePostgres;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-server-version-"));
  fake = await startFakePostgres("150008", "15.8 (Debian 15.8-1.pgdg120+1)");
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  env = { ...rest, NODE_ENV: "development", DATA_DIR: dataDir, DATABASE_URL: `postgres://app_owner:pw@127.0.0.1:${fake.port}/app` };
});

afterAll(async () => {
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm run -s <script>`, which must fail with exactly one line (no stack) besides JSON log lines: that line. */
async function refusal(script: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const { code, output } = await runNpm(["run", "-s", script], { ...env, ...extraEnv }, COMMAND_LIMIT_MS);
  const lines = output.trimEnd().split("\n").filter((line) => !line.startsWith('{"level":'));
  if (code !== 1 || lines.length !== 1) throw new Error(`npm run ${script} exited with ${code}, printing ${lines.length} line(s):\n${output}`);
  return lines[0]!;
}

const expected = (setting: string) =>
  `ServerVersionError: ${serverVersionProblem("150008", "15.8 (Debian 15.8-1.pgdg120+1)", ` at 127.0.0.1:${fake.port} (${setting})`)}`;

test("db:migrate refuses PostgreSQL 15.8, naming the CVEs and 15.10", async () => {
  const before = fake.queries.length;
  expect(await refusal("db:migrate")).toBe(expected("DATABASE_URL"));
  // It asked the version and nothing else: no migration was tried.
  expect(fake.queries.slice(before)).toEqual([SERVER_VERSION_QUERY]);
}, SLOW);

test("npm start refuses it before migrating or serving", async () => {
  const before = fake.queries.length;
  expect(await refusal("start", { PORT: String(await freePort()) })).toBe(expected("DATABASE_URL"));
  expect(fake.queries.slice(before)).toEqual([SERVER_VERSION_QUERY]);
}, SLOW);

test("npm run worker refuses it, checked with its own login", async () => {
  const before = fake.queries.length;
  expect(await refusal("worker")).toBe(expected("DATABASE_URL and WORKER_DB_PASSWORD"));
  expect(fake.queries.slice(before)).toEqual([SERVER_VERSION_QUERY]);
}, SLOW);

test("db:restore, the runbook's rollback, refuses it too before touching anything (as do db:backup, db:seed, db:reset)", async () => {
  const before = fake.queries.length;
  const root = { ROOT_DATABASE_URL: `postgres://postgres:pw@127.0.0.1:${fake.port}/postgres` };
  const line = await runNpm(["run", "-s", "db:restore", "--", "--file", "/nonexistent.dump"], { ...env, ...root }, COMMAND_LIMIT_MS);
  expect({ code: line.code, last: line.output.trimEnd().split("\n").at(-1) }).toEqual({ code: 1, last: expected("ROOT_DATABASE_URL") });
  expect(fake.queries.slice(before)).toEqual([SERVER_VERSION_QUERY]);
}, SLOW);
