// Real commands and slow conditions in tests: an npm script in its own process
// group (as a terminal or a deployment runs it) with its output captured, and
// waiting until a condition holds.
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../../src/config.ts";
import { freePort } from "../setup/testCluster.ts";

export interface NpmRun {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** What it printed so far on stdout alone. */
  stdout: () => string;
  exited: Promise<number | null>;
}

/** `npm <args>` from the project root in a process group of its own (kill it with `-pid`). */
export function spawnNpm(args: string[], env: NodeJS.ProcessEnv): NpmRun {
  const child = spawn("npm", args, { cwd: PROJECT_ROOT, env, detached: true });
  let output = "";
  let stdout = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, exited };
}

/**
 * Runs `npm <args>` to its end: its exit code and what it printed. A command still running after `limitMs` (one
 * that does not end, such as a worker that never learns its login is wrong) gets SIGTERM with its process group,
 * SIGKILL 10 s later: its code is then null, which fails the test that expected it to end.
 */
export async function runNpm(
  args: string[],
  env: NodeJS.ProcessEnv,
  limitMs = 120_000,
): Promise<{ code: number | null; output: string; stdout: string }> {
  const run = spawnNpm(args, env);
  const signal = (name: NodeJS.Signals) => () => {
    if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.child.pid!, name);
  };
  const term = setTimeout(signal("SIGTERM"), limitMs);
  const kill = setTimeout(signal("SIGKILL"), limitMs + 10_000);
  try {
    const code = await run.exited;
    return { code, output: run.output(), stdout: run.stdout() };
  } finally {
    clearTimeout(term);
    clearTimeout(kill);
  }
}

/** Polls `check` until it returns something truthy (errors count as not yet), and returns it. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  let lastError: unknown;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const value = await check().catch((e: unknown) => {
      lastError = e;
      return undefined;
    });
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const last = lastError === undefined ? "" : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  throw new Error(`timed out waiting for ${what}${last}`);
}

/** pids of the embedded PostgreSQL's processes (initdb, postgres) whose command line names something inside `dir`. */
export async function postgresProcessesUsing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.startsWith(path.join(PROJECT_ROOT, "node_modules")) && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * The environment of a command on its own data folder and ports (the embedded cluster), with no database
 * settings or secrets inherited from the test run: as a newcomer's shell has it.
 */
export async function embeddedEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([name]) => !/_SECRET$|_PASSWORD$/.test(name))),
    NODE_ENV: "development",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(await freePort()),
    ...extra,
  };
}

/** Waits until `npm start` printed its banner; fails at once, with its output, if it exits first. */
export async function untilReady(run: NpmRun, timeoutMs = 150_000): Promise<void> {
  const ready = () => /Ready in/.test(run.output());
  await until("npm start to be ready or to exit", async () => ready() || run.child.exitCode !== null, { timeoutMs }).catch(
    (e: Error) => {
      throw new Error(`${e.message}:\n${run.output()}`);
    },
  );
  if (!ready()) throw new Error(`npm start exited before it was ready:\n${run.output()}`);
}
