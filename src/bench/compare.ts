// What `npm run bench` and its side-by-side modes share: the load process, the mixed sequence, the
// choice of operations, and how a figure measured over several rounds is written (its median and
// range), so that every ratio the benchmark prints states its spread.
import { fork } from "node:child_process";
import { UserError } from "../errors/index.ts";
import type { LoadResult, LoadSpec } from "./load.ts";
import type { Operation } from "./operations.ts";

/** Runs one load (src/bench/load.ts, autocannon) in a process of its own and returns its figures. */
export function loadInChildProcess(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL("./load.ts", import.meta.url), { execArgv: ["--import", "tsx"] });
    child.once("message", (result) => resolve(result as LoadResult));
    child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`the load process exited with ${code}`))));
    child.send(spec);
  });
}

/** The median, lowest and highest of one or more values (a figure measured once per round). */
export function spread(values: number[]): { median: number; min: number; max: number } {
  if (values.length === 0) throw new Error("spread of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  // Of an even count, the mean of the two middle values (two rounds: their mean, not the lower one).
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** A ratio per round as `1.23× (1.10…1.31)`: the median, then the range when there are several rounds. */
export function formatRatio(ratios: number[]): string {
  const { median, min, max } = spread(ratios);
  const x = (n: number) => n.toFixed(2);
  return ratios.length === 1 ? `${x(median)}×` : `${x(median)}× (${x(min)}…${x(max)})`;
}

/** A share per round as `7.5 % (3.1…9.8 %)`: the median, then the range when there are several rounds. */
export function formatShare(shares: number[]): string {
  const { median, min, max } = spread(shares);
  const p = (n: number) => (n * 100).toFixed(1);
  return shares.length === 1 ? `${p(median)} %` : `${p(median)} % (${p(min)}…${p(max)} %)`;
}

/**
 * The operations (or queries) a run measures. Without a filter: `defaults`. With `--operations a,b`: every operation of
 * `all` whose name contains one of the comma-separated terms (case-insensitive), in `all`'s order; a term
 * that matches none is a UserError listing the names.
 */
export function selectOperations<T extends { name: string }>(filter: string | undefined, all: T[], defaults: T[]): T[] {
  if (filter === undefined) return defaults;
  const terms = filter.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (terms.length === 0) throw new UserError("--operations needs at least one name (comma-separated parts of operation names).");
  for (const term of terms) {
    if (!all.some((o) => o.name.toLowerCase().includes(term))) {
      throw new UserError(`--operations: "${term}" matches no operation. The operations: ${all.map((o) => `"${o.name}"`).join(", ")}.`);
    }
  }
  return all.filter((o) => terms.some((term) => o.name.toLowerCase().includes(term)));
}

/** A deterministic shuffle (mulberry32), so every run sends the same mixed sequence. */
export function shuffled<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The mixed load's sequence: each operation `mixWeight` × 10 times out of 1,000, shuffled the same way every run. */
export function mixedSequence<R>(operations: Operation[], requestsOf: (operation: Operation) => R[]): R[] {
  return shuffled(
    operations.flatMap((operation) => {
      const requests = requestsOf(operation);
      return Array.from({ length: operation.mixWeight * 10 }, (_, i) => requests[i % requests.length]!);
    }),
  );
}
