// `npm run test:faults`: faults injected against the API (a real `npm start` process with its in-process
// worker) under a mixed load of both apps' writes, on an embedded PostgreSQL of the run's own. Prints what was
// injected and when, then one row per fault (report.ts): requests sent, acknowledged, errors by kind, rows
// checked, lost. Exits non-zero when any acknowledged write is missing afterwards or a fault's expectation
// fails (each reason printed). docs/faults.md says what each fault shows.
//   1. PostgreSQL fast shutdown + restart under load      2. the same with an immediate shutdown (crash recovery)
//   3. the API SIGKILLed mid-burst and restarted           4. the API's pool exhausted by a burst
//   5. a worker whose liveness connection drops (workerLiveness.ts)
import { get } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { type Api, type Stack, startApi, startStack } from "./stack.ts";
import { checkAcknowledged, checkQuestGraphs, errorKinds, explainMasked, type Family, MIXED, now, type Op, seedFamilies, type Sent, send, startLoad } from "./load.ts";
import { type FaultRow, formatTable } from "./report.ts";
import { workerLivenessFault } from "./workerLiveness.ts";

const { values: options } = parseArgs({
  options: {
    // Proves the run fails when a write is lost: deletes one acknowledged row of the first fault before its check.
    "lose-a-write": { type: "boolean", default: false },
  },
});

/** How long PostgreSQL stays down in the restart faults. */
const DOWN_MS = 3_000;
/** A request sent while the database is down must fail within this (the statement timeout is 10 s). */
const QUICK_FAILURE_MS = 5_000;
/** The API's pool in the pool fault, the burst sent at it, and how long a request may wait for a connection. */
const TINY_POOL = 2;
const BURST = 16;
const POOL_TIMEOUT_MS = 1_000;
/** How long the pool fault holds the lock that keeps the first requests' connections busy. */
const HOLD_MS = POOL_TIMEOUT_MS + 3_000;

const failures: string[] = [];
const say = (line: string) => console.log(`[${(now() / 1000).toFixed(1).padStart(6)} s] ${line}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expect(fault: string, ok: boolean, problem: string): void {
  if (!ok) {
    failures.push(`${fault}: ${problem}`);
    say(`EXPECTATION FAILED (${fault}): ${problem}`);
  }
}

/** The load works before the fault: every request sent before `faultAt` was acknowledged. */
function healthyBefore(fault: string, sent: Sent[], faultAt: number): void {
  const before = sent.filter((s) => s.sentAt + s.ms < faultAt);
  const failed = before.filter((s) => s.error);
  const kinds = [...new Set(failed.map((s) => `${s.op}: ${s.error}`))].join("; ");
  expect(fault, failed.length === 0, `before the fault, ${failed.length} of ${before.length} requests already failed (${kinds})`);
}

/** Waits until the load has a request sent at or after `after` acknowledged: when it was sent (undefined: not within `timeoutMs`). */
async function firstSuccess(load: { sent: Sent[] }, after: number, timeoutMs: number): Promise<number | undefined> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await pause(50)) {
    const ok = load.sent.find((s) => s.id && s.sentAt >= after);
    if (ok) return ok.sentAt;
  }
  return undefined;
}

/** The row of a fault from its requests, after checking every acknowledged write; `lost` > 0 fails the run. */
async function rowOf(fault: string, stack: Stack, sent: Sent[], notes: string[]): Promise<FaultRow> {
  const { checked, missing } = await checkAcknowledged(stack.owner, sent);
  for (const m of missing.slice(0, 5)) say(`LOST (${fault}): ${m.op} acknowledged with id ${m.id} at ${m.sentAt} ms is not in ${m.table}`);
  expect(fault, missing.length === 0, `${missing.length} acknowledged write(s) not in the database`);
  return { fault, sent: sent.length, acknowledged: sent.filter((s) => s.id).length, errors: errorKinds(sent), checked, lost: missing.length, notes: notes.join("\n") };
}

/** Faults 1 and 2: PostgreSQL shut down (fast or immediate) under load, down DOWN_MS, started again. */
async function databaseRestart(stack: Stack, api: Api, families: Family[], mode: "fast" | "immediate"): Promise<FaultRow> {
  const fault = `PostgreSQL ${mode} shutdown + restart`;
  say(`— ${fault}: mixed load on ${api.base}`);
  const load = startLoad(() => api.base, families, MIXED, mode);
  await pause(2_000);
  const down = now();
  say(`injecting: PostgreSQL ${mode} shutdown, down for ${DOWN_MS / 1000} s`);
  await stack.restartDatabase(mode, DOWN_MS, say);
  const up = now();
  const recoveredAt = await firstSuccess(load, up, 30_000);
  if (recoveredAt !== undefined) {
    say(`first acknowledged write sent ${recoveredAt - up} ms after PostgreSQL came back`);
    await pause(2_000);
  }
  const sent = await load.stop();
  explainMasked(sent, api.run.output());
  healthyBefore(fault, sent, down);
  if (options["lose-a-write"] && mode === "fast") {
    const victim = sent.find((s) => s.id && s.table === "goals")!;
    await stack.owner.query("delete from app_public.goals where id = $1", [victim.id]);
    say(`--lose-a-write: deleted acknowledged goal ${victim.id} before the check`);
  }
  const failedBefore = failures.length;
  const during = sent.filter((s) => s.sentAt >= down && s.sentAt < up);
  const failed = during.filter((s) => s.error);
  const slowest = Math.max(0, ...during.map((s) => s.ms));
  const not503 = failed.filter((s) => !/^503 \S+$/.test(s.error!));
  expect(fault, await answers(api), `the API ${alive(api) ? "process runs but no longer answers HTTP" : "process exited"}`);
  expect(fault, recoveredAt !== undefined, "no write was acknowledged within 30 s of PostgreSQL's return (the API did not recover)");
  expect(fault, slowest < QUICK_FAILURE_MS, `a request sent during the outage took ${slowest} ms (limit ${QUICK_FAILURE_MS} ms)`);
  expect(fault, not503.length === 0, `${not503.length} of ${failed.length} failures during the outage were not a 503 with Retry-After (${[...new Set(not503.map((s) => s.error))].join(", ")})`);
  if (failures.length > failedBefore) say(`the API's last lines (it is ${alive(api) ? "still running" : "gone"}):\n${tail(api)}`);
  return rowOf(fault, stack, sent, [
    `outage ${up - down} ms: ${during.length} requests sent, ${failed.length} failed, slowest ${slowest} ms; ` +
      `recovered without restart: ${recoveredAt === undefined ? "NO" : `yes, ${recoveredAt - up} ms after PostgreSQL was back`}`,
  ]);
}

/** Fault 3: the API process group SIGKILLed mid-burst (createQuest-heavy), started again. */
async function apiKilled(stack: Stack, api: Api, families: Family[]): Promise<{ row: FaultRow; api: Api }> {
  const fault = "API SIGKILLed mid-burst + restart";
  say(`— ${fault}: createQuest-heavy load on ${api.base}`);
  let base = api.base;
  const ops: Op[] = ["createQuest", "createQuest", "createGoal", "recordAchievement", "createLetter"];
  const load = startLoad(() => base, families, ops, "kill", 12);
  await pause(2_500);
  say(`injecting: SIGKILL to the API's process group (npm ${api.run.child.pid}), ${load.sent.length} requests done`);
  const killedAt = now();
  await api.kill();
  await pause(500);
  const sent = await load.stop();
  explainMasked(sent, api.run.output());
  healthyBefore(fault, sent, killedAt);
  say("starting the API again");
  const restarted = await startApi(stack, say);
  base = restarted.base;
  const after = await Promise.all(families.slice(0, 4).map((f, i) => send(base, f, ops[i]!, "kill-after")));
  explainMasked(after, restarted.run.output());
  const all = [...sent, ...after];
  const graphs = await checkQuestGraphs(stack.owner, all);
  for (const p of graphs.problems.slice(0, 5)) say(`HALF-WRITTEN (${fault}): ${p}`);
  expect(fault, graphs.problems.length === 0, `${graphs.problems.length} createQuest graph(s) half-written`);
  expect(fault, after.every((s) => s.id), `the restarted API refused writes: ${after.map((s) => s.error ?? "ok").join(", ")}`);
  const quests = all.filter((s) => s.op === "createQuest");
  const row = await rowOf(fault, stack, all, [
    `createQuest: ${quests.length} sent, ${quests.filter((s) => s.id).length} acknowledged, ${graphs.existing} in the database, ` +
      `${graphs.problems.length} half-written (each has all its nodes in graph_structure and quest_nodes, or does not exist)`,
    `after the restart: ${after.filter((s) => s.id).length} of ${after.length} writes acknowledged`,
  ]);
  return { row, api: restarted };
}

/** Fault 4: the API with a pool of TINY_POOL connections, held by requests blocked on a lock, and a burst of BURST. */
async function poolExhausted(stack: Stack, families: Family[]): Promise<FaultRow> {
  const settings = { PG_POOL_MAX: String(TINY_POOL), PG_POOL_TIMEOUT_MS: String(POOL_TIMEOUT_MS) };
  // The wait the API will allow, as its config reads these settings.
  const bound = loadConfig({ ...settings, NODE_ENV: "development", DATABASE_URL: stack.ownerUrl, DATA_DIR: path.join(stack.dataDir, "app") }).poolTimeoutMs;
  const fault = `pool exhausted (PG_POOL_MAX=${TINY_POOL}, burst of ${BURST})`;
  say(`— ${fault}: starting the API with a pool of ${TINY_POOL}, connections waited for at most ${bound} ms`);
  const api = await startApi(stack, say, settings);
  try {
    // Every user's acting kind checked once (remembered ten minutes), so the burst's requests need only their own statement.
    const warm = await Promise.all(families.map((f) => send(api.base, f, "createGoal", "pool-warm")));
    healthyBefore(fault, warm, Infinity);
    const locker = await stack.owner.connect();
    let sent: Sent[];
    try {
      await locker.query("begin");
      await locker.query("lock table app_public.goals in access exclusive mode");
      say(`injecting: goals locked (holding the pool's connections), a burst of ${BURST} createGoal; the lock is held ${HOLD_MS / 1000} s`);
      const burst = Array.from({ length: BURST }, (_, i) => send(api.base, families[i % families.length]!, "createGoal", "pool"));
      await pause(HOLD_MS);
      await locker.query("rollback");
      say("lock released");
      sent = await Promise.all(burst);
      explainMasked([...warm, ...sent], api.run.output());
    } finally {
      locker.release();
    }
    const busy = sent.filter((s) => s.error?.startsWith("503"));
    const slowest503 = Math.max(0, ...busy.map((s) => s.ms));
    expect(fault, busy.length > 0, `no request of the burst got a 503 while the pool was exhausted (they waited up to ${Math.max(...sent.map((s) => s.ms))} ms: ${sent.map((s) => s.error ?? "ok").join(", ")})`);
    expect(fault, slowest503 < bound + 1_000, `a 503 came only after ${slowest503} ms (the bound is ${bound} ms)`);
    expect(fault, sent.every((s) => s.id || /^503 \S+$/.test(s.error!)), "a request of the burst failed otherwise than with a 503 carrying Retry-After");
    return await rowOf(fault, stack, [...warm, ...sent], [
      `burst: ${sent.filter((s) => s.id).length} acknowledged once the lock was released, ${busy.length} answered 503 ` +
        `(slowest ${slowest503} ms; PG_POOL_TIMEOUT_MS ${bound} ms, lock held ${HOLD_MS} ms)`,
    ]);
  } finally {
    await api.stop();
  }
}

const tail = (api: Api) => api.run.output().trimEnd().split("\n").slice(-15).join("\n");
const alive = (api: Api) => api.run.child.exitCode === null && api.run.child.signalCode === null;

/**
 * Whether the API answers HTTP at all (/healthz, any status) on a new connection: a process that is stopping has
 * closed its listening socket, yet may still answer on the load's kept-alive connections for a while.
 */
async function answers(api: Api): Promise<boolean> {
  if (!alive(api)) return false;
  return new Promise((resolve) => {
    const request = get(`${api.base}/healthz`, { agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/** The API, or a new one when it exited or stopped answering (the fault it failed in is reported already). */
async function ensureApi(stack: Stack, api: Api): Promise<Api> {
  if (await answers(api)) return api;
  say(`starting a new API for the next fault (the last one ${alive(api) ? "no longer answers HTTP: SIGKILLed" : "exited"})`);
  await api.kill();
  return startApi(stack, say);
}

/** A fault that threw: its row says so, and the run fails. */
function brokenRow(fault: string, e: unknown): FaultRow {
  const message = e instanceof Error ? e.message : String(e);
  failures.push(`${fault}: ${message}`);
  say(`FAULT RUN FAILED (${fault}): ${message}`);
  return { fault, sent: 0, acknowledged: 0, errors: {}, checked: 0, lost: 0, notes: `did not complete: ${message.split("\n")[0]}` };
}

async function main(): Promise<number> {
  const rows: FaultRow[] = [];
  const stack = await startStack(say);
  let api: Api | undefined;
  try {
    const families = await seedFamilies(stack.owner, stack.secrets, 8);
    say(`seeded ${families.length} families (parents on pas_bot, children on inner_edu)`);
    api = await startApi(stack, say);
    say(`API started (${api.base})`);
    for (const mode of ["fast", "immediate"] as const) {
      api = await ensureApi(stack, api);
      rows.push(await databaseRestart(stack, api, families, mode).catch((e) => brokenRow(`PostgreSQL ${mode} shutdown + restart`, e)));
    }
    try {
      api = await ensureApi(stack, api);
      const killed = await apiKilled(stack, api, families);
      rows.push(killed.row);
      api = killed.api;
    } catch (e) {
      rows.push(brokenRow("API SIGKILLed mid-burst + restart", e));
    }
    await api.stop();
    api = undefined;
    rows.push(await poolExhausted(stack, families).catch((e) => brokenRow("pool exhausted", e)));
  } finally {
    await api?.stop();
    await stack.close();
  }
  say("— worker liveness (workerLiveness.ts)");
  rows.push(await workerLivenessFault().catch((e) => brokenRow("worker liveness", e)));
  for (const row of rows) if (row.lost > 0 && !failures.some((f) => f.startsWith(`${row.fault}:`))) failures.push(`${row.fault}: ${row.lost} lost`);

  console.log(`\n${formatTable(rows)}\n`);
  console.log(`Whole run: ${(now() / 1000).toFixed(1)} s.`);
  if (failures.length === 0) {
    console.log("Every acknowledged write was found; every fault's expectations held.");
    return 0;
  }
  console.log(`FAILED:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
