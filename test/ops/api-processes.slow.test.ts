// API_PROCESSES: `npm start` as node:cluster's primary with API processes sharing PORT (src/http/cluster.ts), on a
// real embedded cluster. Two processes serve, /metrics sums them (and the primary), a killed one is replaced while
// the service answers, SIGTERM stops them all; one that cannot start fails npm start instead of being restarted for
// ever; API_PROCESSES=1 is the single process it always was. No postgres and no API process may outlive the file.
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { embeddedEnv, type NpmRun, postgresProcessesUsing, spawnNpm, until, untilReady } from "../helpers/process.ts";

/** A start (initdb the first time) and a stop on 2 shared cores. */
const SLOW = 150_000;

let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-api-processes-"));
  await chmod(dataDir, 0o755);
  env = await embeddedEnv(dataDir, { API_PROCESSES: "2" });
});

/** The runs of the current test: whatever a failed test left running is stopped before the next starts. */
const runs: NpmRun[] = [];
function start(extra: NodeJS.ProcessEnv = {}): NpmRun {
  const run = spawnNpm(["start"], { ...env, ...extra });
  runs.push(run);
  return run;
}

afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    process.kill(-run.child.pid!, "SIGTERM");
    await run.exited;
  }
});

afterAll(async () => {
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

/** GET on a connection of its own (no keep-alive: the cluster hands each new connection to the next process). */
function fetchFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    }).on("error", reject);
  });
}

/** The pids of the API processes that answered the primary's last collection (api_process_info). */
function apiPidsIn(metrics: string): number[] {
  return [...metrics.matchAll(/^api_process_info\{[^}]*pid="(\d+)"[^}]*\} 1$/gm)].map((m) => Number(m[1])).sort();
}

/** The value of a sample of /metrics (the whole line's name and labels as printed), 0 when absent. */
function sample(metrics: string, series: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** npm start's node process (npm runs it with `exec`: npm's only child). */
async function nodeOf(run: NpmRun): Promise<number> {
  const [node] = (await readFile(`/proc/${run.child.pid}/task/${run.child.pid}/children`, "utf8")).trim().split(" ").map(Number);
  return node!;
}

/** The children of `pid` that run src/bin/start.ts: the API processes node:cluster forked. */
async function forkedApiProcesses(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim().split(" ").filter(Boolean).map(Number);
  const forked: number[] = [];
  for (const child of children) {
    const cmdline = await readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes("src/bin/start.ts")) forked.push(child);
  }
  return forked.sort();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to npm (as `docker stop`): exit 0, the primary's one "Stopped" line, and nothing left running. */
async function stopsCleanly(run: NpmRun, processes: number[]): Promise<void> {
  run.child.kill("SIGTERM");
  const code = await run.exited;
  if (code !== 0) console.error(run.output());
  expect(code).toBe(0);
  const said = run.output().split("\n").filter((line) => /^(SIG\w+ received|Stopped)/.test(line));
  expect(said).toEqual(["SIGTERM received: stopping…", "Stopped (HTTP server, worker, embedded PostgreSQL)."]);
  expect(processes.filter(alive)).toEqual([]);
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}

test("API_PROCESSES=2: two processes serve the port, /metrics sums them, a killed one is replaced while the service answers, SIGTERM stops all", async () => {
  const run = start();
  await untilReady(run);
  const base = `http://localhost:${env.PORT}`;
  expect(run.output()).toContain("API       2 processes sharing the port (API_PROCESSES)");
  const primary = await nodeOf(run);
  const forked = await forkedApiProcesses(primary);
  expect(forked).toHaveLength(2);
  // The processes that answer /metrics are those the primary forked.
  expect(apiPidsIn((await fetchFresh(`${base}/metrics`)).body)).toEqual(forked);

  // K requests on fresh connections: the primary deals them out in turn, so each process serves about half; the
  // sum on /metrics (whichever process answers it) counts them all.
  const K = 20;
  const before = sample((await fetchFresh(`${base}/metrics`)).body, 'http_requests_total{method="GET",route="/healthz",status="200"}');
  for (let i = 0; i < K; i++) expect((await fetchFresh(`${base}/healthz`)).status).toBe(200);
  const metrics = (await fetchFresh(`${base}/metrics`)).body;
  expect(sample(metrics, 'http_requests_total{method="GET",route="/healthz",status="200"}') - before).toBeGreaterThanOrEqual(K);
  // The figures counted once, by the primary, are there once.
  expect(metrics).toMatch(/^worker_jobs_queued\{state="runnable"\} \d+$/m);
  expect(metrics.match(/^# TYPE worker_jobs_queued /gm)).toHaveLength(1);
  expect(sample(metrics, "api_process_restarts_total")).toBe(0);

  // A crash: once the primary has seen it, the service keeps answering (the other process) while a replacement starts.
  const [killed, survivor] = forked as [number, number];
  process.kill(killed, "SIGKILL");
  await until("the primary to log the crash", async () => run.stdout().includes('"event":"api_process_exited"'));
  const statuses: number[] = [];
  const replaced = await until(
    "a replacement API process to answer /metrics",
    async () => {
      for (let i = 0; i < 4; i++) statuses.push((await fetchFresh(`${base}/healthz`)).status);
      const pids = apiPidsIn((await fetchFresh(`${base}/metrics`)).body);
      return pids.length === 2 && !pids.includes(killed) && pids;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.filter((status) => status !== 200)).toEqual([]);
  expect(replaced).toContain(survivor);
  expect(await forkedApiProcesses(primary)).toEqual(replaced);
  const afterCrash = (await fetchFresh(`${base}/metrics`)).body;
  expect(sample(afterCrash, "api_process_restarts_total")).toBe(1);
  // The killed process's requests still count: a counter never goes down (break-this, issue 19).
  const healthz = 'http_requests_total{method="GET",route="/healthz",status="200"}';
  expect(sample(afterCrash, healthz)).toBeGreaterThanOrEqual(sample(metrics, healthz) + statuses.length);
  const exited = run.stdout().split("\n").filter((line) => line.includes('"api_process_exited"')).map((line) => JSON.parse(line));
  expect(exited).toEqual([expect.objectContaining({ level: "error", apiProcessPid: killed, signal: "SIGKILL", restartInMs: 500 })]);

  await stopsCleanly(run, [primary, ...replaced]);
}, SLOW);

test("an API process that cannot start fails npm start, without restarts", async () => {
  // The port is free when npm start checks it, and taken (by another program) when the API processes listen.
  const run = start();
  const blocker: Server = createServer();
  try {
    await until("npm start to migrate", async () => run.output().includes('"event":"migrate"') || run.child.exitCode !== null, {
      timeoutMs: 120_000,
      intervalMs: 20,
    });
    await new Promise<void>((resolve, reject) => blocker.once("error", reject).listen(Number(env.PORT), resolve));
    const code = await run.exited;
    expect({ code, output: run.output() }).toEqual({
      code: 1,
      output: expect.stringMatching(/^UserError: An API process \(pid \d+\) failed to start \(exit code 1\): see its error above\.$/m),
    });
    expect(run.output()).toContain("EADDRINUSE");
    expect(run.output()).not.toContain("api_process_exited");
    expect(await postgresProcessesUsing(dataDir)).toEqual([]);
  } finally {
    if (blocker.listening) await new Promise((resolve) => blocker.close(resolve));
  }
}, SLOW);

test("API_PROCESSES=1: one process, as before the cluster", async () => {
  const run = start({ API_PROCESSES: "1" });
  await untilReady(run);
  const base = `http://localhost:${env.PORT}`;
  expect(run.output()).not.toContain("processes sharing the port");
  const primary = await nodeOf(run);
  expect(await forkedApiProcesses(primary)).toEqual([]);
  expect((await fetchFresh(`${base}/healthz`)).status).toBe(200);
  const metrics = (await fetchFresh(`${base}/metrics`)).body;
  expect(metrics).not.toContain("api_process");
  expect(sample(metrics, 'http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
  expect(metrics).toMatch(/^worker_jobs_queued\{state="runnable"\} \d+$/m);
  await stopsCleanly(run, [primary]);
}, SLOW);
