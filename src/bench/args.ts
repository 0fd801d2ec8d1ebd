// `npm run bench`'s and `npm run bench:rls`'s arguments, parsed apart from the runs so that a test can check them.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "../errors/index.ts";
import { MAX_SCALE } from "../tools/seed/synthetic.ts";

export interface BenchArgs {
  scale: number;
  /** Seconds per measurement. */
  seconds: number;
  rounds: number;
  connectionCounts: number[];
  /** --baseline <git ref>: that commit's API against the working tree's, alternating. */
  baseline: string | undefined;
  /** --ceiling: a bare node:http server next to the light operations. */
  ceiling: boolean;
  /** --operations a,b: parts of operation names (src/bench/compare.ts, selectOperations). */
  operations: string | undefined;
  /** --processes N: API processes per side (node:cluster) for --baseline/--ceiling. */
  processes: number;
  /** --baseline-processes M: the baseline's API processes (default: --processes), so `--baseline HEAD --baseline-processes 1 --processes 2` is 1 against 2 processes of the same code. */
  baselineProcesses: number;
  /** --profile <dir>: the working tree's API under each operation's load, CPU-profiled; the time by part of the request path. */
  profile: string | undefined;
}

/** A whole number written in decimal digits ("10"); NaN for anything else ("1e1", "0x5", "2.5", ""). */
function whole(text: string): number {
  return /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

/** parseArgs' values; its error (an unknown option, a missing value) as a UserError followed by `usage`. */
function parseOrUsage<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>>["values"] {
  try {
    return parseArgs(config).values;
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${usage}`);
  }
}

export const BENCH_USAGE =
  `usage: npm run bench -- [--scale 10 (1 to ${MAX_SCALE})] [--duration 10] [--connections 32,128] [--rounds 1] ` +
  "[--operations <name parts, comma-separated>] [--baseline <git ref> [--baseline-processes N]] [--ceiling] " +
  "[--processes 1 (with --baseline or --ceiling)] [--profile <dir for .cpuprofile files>]";

/** Parses `args` (process.argv after the script); a UserError with the usage on anything invalid. */
export function parseBenchArgs(args: string[]): BenchArgs {
  const values = parseOrUsage(BENCH_USAGE, {
    args,
    options: {
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "32,128" },
      rounds: { type: "string", default: "1" },
      scale: { type: "string", default: "10" },
      baseline: { type: "string" },
      ceiling: { type: "boolean", default: false },
      operations: { type: "string" },
      processes: { type: "string" },
      "baseline-processes": { type: "string" },
      profile: { type: "string" },
    },
  });
  const parsed: BenchArgs = {
    scale: whole(values.scale),
    seconds: whole(values.duration),
    rounds: whole(values.rounds),
    connectionCounts: values.connections.split(",").map(whole),
    baseline: values.baseline,
    ceiling: values.ceiling,
    operations: values.operations,
    processes: whole(values.processes ?? "1"),
    baselineProcesses: whole(values["baseline-processes"] ?? values.processes ?? "1"),
    profile: values.profile,
  };
  if (
    !(parsed.seconds > 0) ||
    !(Number.isInteger(parsed.rounds) && parsed.rounds > 0) ||
    !(Number.isInteger(parsed.scale) && parsed.scale >= 1 && parsed.scale <= MAX_SCALE) ||
    !parsed.connectionCounts.every((c) => Number.isInteger(c) && c > 0) ||
    ![parsed.processes, parsed.baselineProcesses].every((n) => Number.isInteger(n) && n >= 1 && n <= 64) ||
    parsed.baseline === ""
  ) {
    throw new UserError(BENCH_USAGE);
  }
  if (values.processes !== undefined && !parsed.baseline && !parsed.ceiling) {
    throw new UserError("--processes applies to the API processes of --baseline and --ceiling; the default run serves GraphQL in its own process.");
  }
  if (values["baseline-processes"] !== undefined && !parsed.baseline) throw new UserError("--baseline-processes needs --baseline.");
  if (parsed.profile !== undefined && (parsed.baseline !== undefined || parsed.ceiling || values.processes !== undefined || parsed.profile === "")) {
    throw new UserError("--profile <dir> profiles one API process of the working tree: without --baseline, --ceiling or --processes.");
  }
  return parsed;
}

export interface RlsArgs {
  /** Seconds per pgbench run. */
  seconds: number;
  rounds: number;
  clients: number;
  /** --queries a,b: parts of hot-read names (as the bench's --operations). */
  queries: string | undefined;
}

export const RLS_USAGE = "usage: npm run bench:rls -- [--duration 15] [--rounds 5] [--clients 32] [--queries <name parts, comma-separated>]";

/** Parses `npm run bench:rls`'s arguments; a UserError with the usage on anything invalid. */
export function parseRlsArgs(args: string[]): RlsArgs {
  const values = parseOrUsage(RLS_USAGE, {
    args,
    options: {
      duration: { type: "string", default: "15" },
      rounds: { type: "string", default: "5" },
      clients: { type: "string", default: "32" },
      queries: { type: "string" },
    },
  });
  const parsed = { seconds: whole(values.duration), rounds: whole(values.rounds), clients: whole(values.clients), queries: values.queries };
  if (
    !(Number.isInteger(parsed.seconds) && parsed.seconds >= 1) ||
    !(Number.isInteger(parsed.rounds) && parsed.rounds >= 1) ||
    !(Number.isInteger(parsed.clients) && parsed.clients >= 1 && parsed.clients <= 1000)
  ) {
    throw new UserError(RLS_USAGE);
  }
  return parsed;
}
