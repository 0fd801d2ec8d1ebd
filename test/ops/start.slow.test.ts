// `npm start` as a newcomer runs it: the real npm command on a fresh data folder,
// in its own process group like a terminal's foreground job. Covers start-up,
// reuse of the data, SIGTERM to npm (docker stop), Ctrl-C to the whole group, a
// start that fails half-way, and recovery from a run whose node was SIGKILLed.
// No postgres may outlive a test.
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { embeddedEnv, type NpmRun, postgresProcessesUsing, spawnNpm, untilReady } from "../helpers/process.ts";

/** Each test starts the stack once or twice; initdb alone takes seconds on 2 cores. */
const SLOW = 150_000;

let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-start-"));
  await chmod(dataDir, 0o755);
  env = await embeddedEnv(dataDir);
});

afterAll(async () => {
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

/** The exit code, with the output attached when it is not the expected one. */
async function exitCode(run: NpmRun, expected: number): Promise<number | null> {
  const code = await run.exited;
  if (code !== expected) console.error(`exit code ${code}; output:\n${run.output()}`);
  return code;
}

function start(): NpmRun {
  return spawnNpm(["start"], env);
}

/** No postgres may outlive a run; on failure, show what the run printed. */
async function expectNoPostgresLeft(run: NpmRun): Promise<void> {
  const left = await postgresProcessesUsing(dataDir);
  if (left.length > 0) console.error(`postgres left running (${left.join(", ")}); output:\n${run.output()}`);
  expect(left).toEqual([]);
}

async function ownerClient(): Promise<pg.Client> {
  const secrets = JSON.parse(await readFile(path.join(dataDir, "dev-secrets.json"), "utf8"));
  const client = new pg.Client({
    connectionString: `postgres://app_owner:${secrets.EMBEDDED_OWNER_PASSWORD}@localhost:${env.EMBEDDED_PG_PORT}/pas_in_peace`,
  });
  await client.connect();
  return client;
}

test("first start: initialises, serves, prints the block, and SIGTERM to npm leaves no postgres behind", async () => {
  const run = start();
  await untilReady(run);
  const base = `http://localhost:${env.PORT}`;
  expect(run.output()).toContain(`GraphQL   ${base}/graphql`);
  expect(run.output()).toContain(`GraphiQL  ${base}/graphiql   log in: \`npm run dev:tokens\``);
  expect(run.output()).toMatch(/psql .*psql "postgres:\/\/app_owner@localhost:\d+\/pas_in_peace"/);
  // The banner names this run's DATA_DIR, and the psql line reads the secrets file that is really there.
  expect(run.output()).toContain(`(embedded PostgreSQL, data in ${dataDir}/)`);
  expect(run.output()).toContain(`require('${dataDir}/dev-secrets.json').EMBEDDED_OWNER_PASSWORD`);
  expect(run.output()).toContain("npm run -s token -- --app pas_bot|inner_edu --user <uuid>");
  expect((await fetch(`${base}/healthz`)).status).toBe(200);

  const owner = await ownerClient();
  await owner.query("insert into app_public.users (kind, display_name) values ('parent', 'Survives restarts')");
  await owner.end();

  run.child.kill("SIGTERM");
  expect(await exitCode(run, 0)).toBe(0);
  await expectNoPostgresLeft(run);
}, SLOW);

test("second start reuses the data; Ctrl-C (SIGINT to the process group) stops cleanly", async () => {
  const run = start();
  await untilReady(run);
  const owner = await ownerClient();
  const { rows } = await owner.query("select display_name from app_public.users");
  await owner.end();
  expect(rows).toEqual([{ display_name: "Survives restarts" }]);

  // Ctrl-C: the terminal signals the whole foreground process group (npm, node and postgres).
  process.kill(-run.child.pid!, "SIGINT");
  expect(await exitCode(run, 0)).toBe(0);
  await expectNoPostgresLeft(run);
}, SLOW);

test("a taken HTTP port fails start-up with one line, and nothing keeps running", async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(Number(env.PORT), resolve));
  try {
    const run = start();
    expect(await exitCode(run, 1)).toBe(1);
    expect(run.output()).toContain(`PORT ${env.PORT} is in use`);
    await expectNoPostgresLeft(run);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}, SLOW);

test("a database port already taken fails start-up with one line naming EMBEDDED_PG_PORT, and nothing keeps running", async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(Number(env.EMBEDDED_PG_PORT), "127.0.0.1", resolve));
  try {
    const run = start();
    expect(await exitCode(run, 1)).toBe(1);
    expect(run.output()).toContain(
      `EmbeddedPostgresError: EMBEDDED_PG_PORT ${env.EMBEDDED_PG_PORT} is in use by another program: set EMBEDDED_PG_PORT to a free port.`,
    );
    await expectNoPostgresLeft(run);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}, SLOW);

test("after a run whose node was killed with SIGKILL, the next start adopts its postgres and stops it at the end", async () => {
  const killed = start();
  await untilReady(killed);
  // npm runs the app with `exec`: its only child is the node process.
  const [node] = (await readFile(`/proc/${killed.child.pid}/task/${killed.child.pid}/children`, "utf8"))
    .trim()
    .split(" ")
    .map(Number);
  process.kill(node!, "SIGKILL");
  await killed.exited;
  const [orphan] = await postgresProcessesUsing(dataDir);
  expect(orphan).toBeDefined();

  const run = start();
  await untilReady(run);
  expect(await postgresProcessesUsing(dataDir)).toContain(orphan);
  run.child.kill("SIGTERM");
  expect(await exitCode(run, 0)).toBe(0);
  await expectNoPostgresLeft(run);
}, SLOW);
