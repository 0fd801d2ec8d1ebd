// A server must not live on with a dead worker, nor have its database reset under its feet. With a real
// `npm start` on the embedded cluster: `db:reset --force` is refused while it runs (its sessions are live,
// not stale; a reset would stop its worker), and a worker that stops on its own (here: the notification
// graphile-worker sends on a breaking migration of its schema) makes npm start log one JSON line, stop
// everything in order and exit non-zero (test/worker/worker.test.ts has the worker's side). No postgres may
// outlive the file.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { embeddedEnv, type NpmRun, postgresProcessesUsing, spawnNpm, until, untilReady } from "../helpers/process.ts";

/** One server start, a reset attempt and a stop: seconds each on 2 shared cores. */
const SLOW = 240_000;

let dataDir: string;
let env: NodeJS.ProcessEnv;
let server: NpmRun;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-worker-stopped-"));
  env = await embeddedEnv(dataDir);
  server = spawnNpm(["start"], env);
  await untilReady(server);
}, SLOW);

afterAll(async () => {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    process.kill(-server.child.pid!, "SIGTERM");
    await server.exited;
  }
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

/** What graphile-worker's migrate sends after a breaking migration (node_modules/graphile-worker/dist/migrate.js). */
const BREAKING = JSON.stringify({ migrationNumber: 999, breaking: true });

async function readyzStatus(): Promise<number> {
  return (await fetch(`http://localhost:${env.PORT}/readyz`)).status;
}

test("db:reset --force is refused with one line naming the running npm start, which stays ready", async () => {
  const reset = spawnNpm(["run", "-s", "db:reset", "--", "--seed", "--force"], env);
  const code = await reset.exited;
  expect({ code, output: reset.output() }).toEqual({
    code: 1,
    output: expect.stringMatching(
      new RegExp(`^UserError: db:reset refused: npm start \\(pid \\d+, PORT ${env.PORT}\\) uses this database: stop it first\\.$`, "m"),
    ),
  });
  expect(reset.output()).not.toContain("dropped database");
  expect(await readyzStatus()).toBe(200);
}, SLOW);

test("a worker that stops on its own makes npm start log why in one JSON line, stop in order and exit non-zero", async () => {
  const secrets = JSON.parse(await readFile(path.join(dataDir, "dev-secrets.json"), "utf8"));
  const owner = new pg.Client({
    connectionString: `postgres://app_owner:${secrets.EMBEDDED_OWNER_PASSWORD}@localhost:${env.EMBEDDED_PG_PORT}/pas_in_peace`,
  });
  await owner.connect();
  try {
    await owner.query("select pg_notify('worker:migrate', $1)", [BREAKING]);
  } finally {
    await owner.end();
  }
  // Before the fix the server lived on (GraphQL answering, no jobs run): this wait timed out.
  await until("npm start to exit", async () => server.child.exitCode !== null, { timeoutMs: 60_000 }).catch((e: Error) => {
    throw new Error(`${e.message}; output:\n${server.output()}`);
  });
  const output = server.output();
  expect(await server.exited).toBe(1);
  const lines = output.split("\n").filter((line) => line.includes("worker_stopped"));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({
    level: "error",
    event: "worker_stopped",
    msg: "The in-process worker stopped on its own: another process applied a breaking migration of graphile-worker's schema (revision 999). Stopping npm start.",
  });
  expect(output).not.toContain("Error while stopping");
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);
