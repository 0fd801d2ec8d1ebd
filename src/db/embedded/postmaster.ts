// A running PostgreSQL server, known by its data directory's postmaster.pid: is it
// running, is it ready, and stopping it with a time limit. Nothing here looks at
// process names: the pid file names the postmaster, and its start time (on Linux,
// where /proc tells a process's start time) proves the pid was not reused.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { EmbeddedPostgresError } from "./errors.ts";

export interface PostmasterStatus {
  pid: number;
  /** Line 8 of postmaster.pid: "starting", "ready", "stopping" or "standby". */
  status: string;
  /** Line 4: the port it listens on (NaN while the file is still being written). */
  port: number;
}

/**
 * The postmaster that runs on `clusterDir` now, from its postmaster.pid: undefined when there is
 * no pid file, its pid is not alive, or (on Linux) the process alive under that pid started at
 * another time than the postmaster that wrote the file (a stale file whose pid was reused).
 */
export function runningPostmaster(clusterDir: string): PostmasterStatus | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const startedAt = processStartSeconds(pid);
  // Both clocks have about a second's resolution; the postmaster writes its file right after it starts.
  if (startedAt !== undefined && Math.abs(startedAt - Number(lines[2])) > 10) return undefined;
  return { pid, status: (lines[7] ?? "").trim(), port: Number(lines[3] || Number.NaN) };
}

/** Options of `stopPostmaster`. */
export interface StopOptions {
  /** How long the fast shutdown (SIGINT) may take before the immediate one (SIGQUIT), in ms. */
  timeoutMs?: number;
}

/**
 * Stops the postmaster running on `clusterDir` (one this process did not start, too) and resolves
 * once it is gone; resolves at once when none runs. Escalates: SIGINT (fast shutdown: sessions
 * end, a checkpoint is written), after `timeoutMs` SIGQUIT (immediate shutdown: crash recovery on
 * the next start), after 5 s more SIGKILL to its process group. Throws EmbeddedPostgresError only
 * if it still runs after that.
 */
export async function stopPostmaster(clusterDir: string, { timeoutMs = 30_000 }: StopOptions = {}): Promise<void> {
  const running = runningPostmaster(clusterDir);
  if (running) await stopServerProcess(running.pid, timeoutMs);
}

/** The escalation of `stopPostmaster`, for a postmaster known by its pid (one this process spawned). */
export async function stopServerProcess(pid: number, timeoutMs: number): Promise<void> {
  signal(pid, "SIGINT");
  if (await exitedWithin(pid, timeoutMs)) return;
  console.error(`PostgreSQL (pid ${pid}) did not stop within ${timeoutMs} ms: immediate shutdown (SIGQUIT).`);
  signal(pid, "SIGQUIT");
  if (await exitedWithin(pid, 5_000)) return;
  console.error(`PostgreSQL (pid ${pid}) ignored SIGQUIT: killing its process group (SIGKILL).`);
  // Our servers lead their own process group (spawned detached): this also ends their backends.
  // One started otherwise has no group of that id; then only the postmaster gets it.
  if (!signal(-pid, "SIGKILL")) signal(pid, "SIGKILL");
  if (await exitedWithin(pid, 5_000)) return;
  throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) is still running after SIGKILL.`);
}

/**
 * Whether a process with this pid runs (one of another OS user's, too). A zombie does not: an
 * orphan's exit is reaped by PID 1, which in a container may never do it.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    // Without /proc (not Linux) kill's answer stands; with it, the process has just gone.
    return !existsSync("/proc/self");
  }
}

/** Sends a signal; false when no such process (or group) exists. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; isAlive(pid); ) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** When the process started, in seconds since the epoch; undefined where /proc does not say (not Linux). */
function processStartSeconds(pid: number): number | undefined {
  try {
    // Field 22 of /proc/<pid>/stat (after the parenthesised name): start time in clock ticks since boot.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))![1]);
    return bootSeconds + startTicks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

// USER_HZ: 100 on every Linux architecture Node runs on (the kernel's ABI, whatever its internal HZ).
const CLOCK_TICKS_PER_SECOND = 100;
