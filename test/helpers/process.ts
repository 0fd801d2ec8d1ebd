// Real commands and slow conditions in tests: an npm script in its own process
// group (as a terminal or a deployment runs it) with its output captured, and
// waiting until a condition holds.
import { type ChildProcess, spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../src/config.ts";

export interface NpmRun {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm <args>` from the project root in a process group of its own (kill it with `-pid`). */
export function spawnNpm(args: string[], env: NodeJS.ProcessEnv): NpmRun {
  const child = spawn("npm", args, { cwd: PROJECT_ROOT, env, detached: true });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Polls `check` until it returns something truthy (errors count as not yet), and returns it. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
