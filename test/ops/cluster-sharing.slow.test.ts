// Issue 16 §1: every command shares the running embedded cluster of its data directory. Beside a
// running `npm start`, seed, migrate, gm, schema export and a second `npm start` attach to its
// PostgreSQL and leave it running (the server stays ready throughout); a command alone starts and
// stops its own; a postgres left by a SIGKILLed command is adopted and stopped by the next one; the
// server says when its database goes and comes back; a busy PORT is refused before any database starts.
// Real npm commands on a temp data folder; no postgres may outlive a test.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { SDL_FILE } from "../../src/graphql/sdl.ts";
import { embeddedEnv, type NpmRun, postgresProcessesUsing, runNpm, spawnNpm, until, untilReady } from "../helpers/process.ts";

/** Each test runs `npm start` and a few commands: seconds each on 2 shared cores. */
const SLOW = 240_000;
/** What a one-shot command prints when it leaves the cluster to the others. */
const KEEPS_RUNNING = "The embedded PostgreSQL keeps running: another command is using it.";

let dataDir: string;
let env: NodeJS.ProcessEnv;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-sharing-"));
  env = await embeddedEnv(dataDir);
  base = `http://localhost:${env.PORT}`;
});

/** Servers a test started: stopped after it, also when it failed half-way. */
const servers: NpmRun[] = [];
function startServer(): NpmRun {
  const run = spawnNpm(["start"], env);
  servers.push(run);
  return run;
}

afterEach(async () => {
  for (const run of servers.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) await stopServer(run);
  }
});

afterAll(async () => {
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs `npm <args>` to its end (SIGTERM to its group after 2 minutes); returns the exit code and what it printed. */
const npm = (args: string[], runEnv = env) => runNpm(args, runEnv);

/** SIGTERM to npm (as `docker stop` does), and the exit code. */
async function stopServer(run: NpmRun): Promise<number | null> {
  run.child.kill("SIGTERM");
  return run.exited;
}

async function readyzStatus(): Promise<number> {
  return (await fetch(`${base}/readyz`)).status;
}

/** Asks /readyz every 200 ms until `stop()`, which returns how many answers came and the ones that were not 200. */
function pollReadiness(): { stop(): Promise<{ polls: number; notReady: string[] }> } {
  let polls = 0;
  const notReady: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      polls++;
      try {
        const res = await fetch(`${base}/readyz`);
        if (res.status !== 200) notReady.push(`${res.status} ${await res.text()}`);
      } catch (e) {
        notReady.push((e as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { polls, notReady };
    },
  };
}

/** The app's owner (not a superuser) connected to `database` of the embedded cluster. */
async function ownerClientOf(database: string): Promise<pg.Client> {
  const secrets = JSON.parse(await readFile(path.join(dataDir, "dev-secrets.json"), "utf8"));
  const client = new pg.Client({
    host: "localhost",
    port: Number(env.EMBEDDED_PG_PORT),
    user: "app_owner",
    password: secrets.EMBEDDED_OWNER_PASSWORD,
    database,
  });
  await client.connect();
  return client;
}

/** How often the cluster has started and stopped so far, by its own log. */
async function clusterStarts(): Promise<{ started: number; stopped: number }> {
  const log = await readFile(path.join(dataDir, "postgres.log"), "utf8");
  return {
    started: log.split("database system is ready to accept connections").length - 1,
    stopped: log.split("database system is shut down").length - 1,
  };
}

test("beside a running npm start: seed, migrate, gm status, schema export and a second npm start complete, and the server stays ready", async () => {
  const server = startServer();
  await untilReady(server);
  const serverNode = Number((await readFile(`/proc/${server.child.pid}/task/${server.child.pid}/children`, "utf8")).trim());
  const schemaBefore = await stat(SDL_FILE);
  const exported = path.join(dataDir, "schema.graphql");
  const before = await clusterStarts();
  const readiness = pollReadiness();

  const seed = await npm(["run", "db:seed", "--", "--scale", "0"]);
  expect(seed).toMatchObject({ code: 0, output: expect.stringContaining(KEEPS_RUNNING) });
  const migrate = await npm(["run", "db:migrate"]);
  expect(migrate).toMatchObject({ code: 0, output: expect.stringContaining(KEEPS_RUNNING) });
  // (status's exit code says whether migrations/current is empty: the working tree's business.)
  const status = await npm(["run", "gm", "--", "status"]);
  expect(status.output).toMatch(/Up to date|The current migration is not empty/);
  expect(status.output).toContain(KEEPS_RUNNING);
  const schema = await npm(["run", "schema:export", "--", "--output", exported]);
  expect(schema).toMatchObject({ code: 0, output: expect.stringContaining(KEEPS_RUNNING) });
  expect(await readFile(exported, "utf8")).toContain("type Query");
  expect((await stat(SDL_FILE)).mtimeMs).toBe(schemaBefore.mtimeMs);

  // A second server on the same data folder (and PORT) refuses with one line naming the first.
  const second = await npm(["start"]);
  expect(second.code).toBe(1);
  const said = second.output.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(">"));
  expect(said).toEqual([
    `ServerAlreadyRunningError: npm start (pid ${serverNode}, PORT ${env.PORT}) is already serving this data directory: ` +
      "use that one, or stop it first (Ctrl-C in its terminal).",
  ]);

  const { polls, notReady } = await readiness.stop();
  expect(notReady).toEqual([]);
  expect(polls).toBeGreaterThan(10);
  expect(server.output()).not.toContain("database_unavailable");
  // Nothing stopped or restarted the server's PostgreSQL.
  expect(await clusterStarts()).toEqual(before);

  // A role that is not the embedded superuser cannot keep the cluster alive with a fake claim
  // (the `postgres` database is open to every role): its connection is ended.
  const impostor = await ownerClientOf("postgres");
  impostor.on("error", () => {}); // ended on purpose
  await impostor.query("select pg_advisory_lock_shared(x'70617369'::int, 1)");

  // The server is the last user: it stops the cluster.
  expect(await stopServer(server)).toBe(0);
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  await impostor.end();
}, SLOW);

test("a command alone starts its own cluster and stops it when done", async () => {
  const before = await clusterStarts();
  const migrate = await npm(["run", "db:migrate"]);
  expect(migrate.code).toBe(0);
  expect(migrate.output).not.toContain(KEEPS_RUNNING);
  expect(await clusterStarts()).toEqual({ started: before.started + 1, stopped: before.stopped + 1 });
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);

test("two commands started at once with no cluster running share one, and the last to finish stops it", async () => {
  const before = await clusterStarts();
  const [first, second] = await Promise.all([npm(["run", "db:migrate"]), npm(["run", "db:migrate"])]);
  expect([first.code, second.code]).toEqual([0, 0]);
  // Whichever started it (postgres's own postmaster.pid lock decides a tie), the other attached.
  expect(await clusterStarts()).toEqual({ started: before.started + 1, stopped: before.stopped + 1 });
  expect([first.output, second.output].filter((output) => output.includes(KEEPS_RUNNING))).toHaveLength(1);
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);

test("after npm start is killed with SIGKILL, the next command adopts its postgres and stops it when done", async () => {
  const killed = startServer();
  await untilReady(killed);
  // npm runs the app with `exec`: its only child is the node process.
  const node = Number((await readFile(`/proc/${killed.child.pid}/task/${killed.child.pid}/children`, "utf8")).trim());
  process.kill(node, "SIGKILL");
  await killed.exited;
  expect(await postgresProcessesUsing(dataDir)).not.toEqual([]);
  const before = await clusterStarts();

  const status = await npm(["run", "gm", "--", "status"]);
  expect(status.output).toMatch(/Up to date|The current migration is not empty/);
  // Used as it was (no restart), then stopped: it was the last user.
  expect(await clusterStarts()).toEqual({ started: before.started, stopped: before.stopped + 1 });
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);

test("the server logs when its database stops answering and when it answers again, and is ready again", async () => {
  const server = startServer();
  await untilReady(server);
  const postmaster = Number((await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0]);

  // Stopped from outside (a crash, an operator): not ready, and one error line says why.
  process.kill(postmaster, "SIGINT");
  await until("/readyz to say 503", async () => (await readyzStatus()) === 503);
  const down = await until("the database_unavailable line", async () =>
    server.output().split("\n").find((line) => line.includes('"database_unavailable"')),
  );
  expect(JSON.parse(down)).toMatchObject({ level: "error", event: "database_unavailable" });

  // A command starts it again; the server claims it too, so the command leaves it running.
  expect((await npm(["run", "db:migrate"])).code).toBe(0);
  await until("/readyz to say 200", async () => (await readyzStatus()) === 200, { timeoutMs: 60_000 });
  const back = await until("the database_available line", async () =>
    server.output().split("\n").find((line) => line.includes('"database_available"')),
  );
  expect(JSON.parse(back)).toMatchObject({ level: "info", event: "database_available" });
  expect(server.output().split('"database_unavailable"').length - 1).toBe(1);

  expect(await stopServer(server)).toBe(0);
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);

test("a busy PORT is refused with one line before any database is started", async () => {
  const fresh = await mkdtemp(path.join(tmpdir(), "pas-sharing-port-"));
  const blocker: Server = createServer();
  await new Promise<void>((resolve, reject) => blocker.once("error", reject).listen(Number(env.PORT), resolve));
  try {
    const run = await npm(["start"], { ...env, DATA_DIR: fresh });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`PORT ${env.PORT} is in use by another process: stop it, or set PORT to a free port.`);
    expect(run.output).not.toMatch(/^\s+at /m);
    // Not even created: initdb never ran.
    expect(existsSync(path.join(fresh, "postgres"))).toBe(false);
    expect(await postgresProcessesUsing(fresh)).toEqual([]);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
    await rm(fresh, { recursive: true, force: true });
  }
}, SLOW);
