// `npm run bench -- --baseline <ref>` and `--ceiling`: servers in child processes of the same shape
// (serveApi.ts for an API, ceilingServer.ts for the bare node:http ceiling), loaded one at a time by
// the same load process (load.ts), on the same database and data, the order of the servers
// alternating from round to round so that a drift of the machine favours none. Every ratio is taken
// per round (each round's figures measured back to back) and printed as its median and range.
import { formatRatio, loadInChildProcess, spread } from "./compare.ts";
import type { Figures, LoadRequest, LoadResult, LoadSpec } from "./load.ts";
import { LIGHT_OPERATIONS, type Operation } from "./operations.ts";
import type { ServerProcess } from "./servers.ts";

type Side = "baseline" | "current" | "ceiling";

export interface SideBySideOptions {
  /** The baseline commit's API (--baseline). */
  baseline?: ServerProcess;
  /** The working tree's API. */
  current: ServerProcess;
  /** The bare node:http server (--ceiling): measured next to the light operations. */
  ceiling?: ServerProcess;
  operations: Operation[];
  requestsOf: (operation: Operation) => LoadRequest[];
  /** The mixed load's sequence, or undefined when none is run (only with --baseline). */
  mix?: LoadRequest[];
  connectionCounts: number[];
  rounds: number;
  seconds: number;
  /** Counts what succeeded, for the consistency check afterwards. */
  tally: (result: LoadResult) => LoadResult;
  print?: (line: string) => void;
  /** Runs one load (default: loadInChildProcess, a process of its own; a test passes its own). */
  load?: (spec: LoadSpec) => Promise<LoadResult>;
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
const median = (values: number[]) => spread(values).median;
const rate = (runs: Figures[]) => Math.round(median(runs.map((r) => r.requestsPerSecond)));
const p99 = (runs: Figures[]) => ms(median(runs.map((r) => r.p99)));
const errors = (runs: Figures[]) => runs.reduce((sum, r) => sum + r.errors, 0);
/** Per round, `a`'s rate ÷ `b`'s. */
const ratios = (a: Figures[], b: Figures[]) => a.map((run, i) => run.requestsPerSecond / b[i]!.requestsPerSecond);
const isLight = (operation: Operation) => LIGHT_OPERATIONS.some((o) => o.name === operation.name);

/** One cell group per compared pair: `a` req/s, `b` req/s, b ÷ a with its spread, both p99s, errors of both. */
function comparisonCells(a: Figures[], b: Figures[]): string[] {
  return [String(rate(a)), String(rate(b)), formatRatio(ratios(b, a)), p99(a), p99(b), `${errors(a)} / ${errors(b)}`];
}

/** Measures and prints the tables: per operation and connection count, then the mixed load (with a baseline). */
export async function runSideBySide(options: SideBySideOptions): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  const load = options.load ?? loadInChildProcess;
  const { baseline, current, ceiling, rounds } = options;
  const urls: Record<Side, string | undefined> = { baseline: baseline?.url, current: current.url, ceiling: ceiling?.url };
  const measure = async (sides: Side[], requests: LoadRequest[], connections: number) => {
    const runs = new Map<Side, LoadResult[]>(sides.map((side) => [side, []]));
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const result = await load({ url: urls[side]!, requests, connections, durationSeconds: options.seconds });
        // The ceiling answers every request alike: its "successes" are no writes of ours.
        runs.get(side)!.push(side === "ceiling" ? result : options.tally(result));
      }
    }
    return runs;
  };
  const firstErrors = (name: string, runs: Map<Side, LoadResult[]>) => {
    for (const [side, results] of runs) {
      const first = results.find((r) => r.firstError)?.firstError;
      if (first) print(`  first error (${name}, ${side}): ${first}`);
    }
  };

  // A first load on each API, unmeasured: its code compiled and its pool filled before any figure counts.
  const warmUp = options.operations.flatMap((operation) => options.requestsOf(operation).slice(0, 20));
  for (const side of ["baseline", "current"] as const) {
    const url = urls[side];
    if (url) options.tally(await load({ url, requests: warmUp, connections: Math.max(...options.connectionCounts), durationSeconds: 2 }));
  }

  const ceilingRows: string[] = [];
  if (baseline) {
    print("operation | connections | baseline req/s | current req/s | current ÷ baseline | baseline p99 ms | current p99 ms | errors (baseline / current)");
  }
  for (const connections of options.connectionCounts) {
    for (const operation of options.operations) {
      const sides: Side[] = [...(baseline ? (["baseline"] as const) : []), "current", ...(ceiling && isLight(operation) ? (["ceiling"] as const) : [])];
      const runs = await measure(sides, options.requestsOf(operation), connections);
      const currentRuns = runs.get("current")!;
      if (baseline) print([operation.name, connections, ...comparisonCells(runs.get("baseline")!, currentRuns)].join(" | "));
      const ceilingRuns = runs.get("ceiling");
      if (ceilingRuns) {
        const f = (r: LoadResult[]) => `${ms(median(r.map((x) => x.p50)))} / ${ms(median(r.map((x) => x.p95)))} / ${p99(r)}`;
        if (!ceilingRows.some((row) => row.startsWith(`bare node:http | ${connections} |`))) {
          ceilingRows.push(["bare node:http", connections, rate(ceilingRuns), f(ceilingRuns), errors(ceilingRuns), "1.00×"].join(" | "));
        }
        ceilingRows.push(
          [`GraphQL ${operation.name}`, connections, rate(currentRuns), f(currentRuns), errors(currentRuns), formatRatio(ratios(currentRuns, ceilingRuns))].join(" | "),
        );
      }
      firstErrors(operation.name, runs);
    }
  }
  if (ceiling) {
    print(`${baseline ? "\n" : ""}The HTTP stack's ceiling: a bare node:http server answering the same JSON, loaded the same way`);
    print("server / operation | connections | req/s | p50 / p95 / p99 ms | errors | ÷ bare node:http");
    for (const row of ceilingRows) print(row);
  }

  if (baseline && options.mix) {
    const inMix = new Set(options.mix.map((r) => r.operation));
    const names = options.operations.map((o) => o.name).filter((name) => inMix.has(name));
    print("\nMixed load, baseline and current alternating");
    print("connections | operation | baseline req/s | current req/s | current ÷ baseline | baseline p99 ms | current p99 ms | errors (baseline / current)");
    for (const connections of options.connectionCounts) {
      const runs = await measure(["baseline", "current"], options.mix, connections);
      const [b, c] = [runs.get("baseline")!, runs.get("current")!];
      print([connections, "all", ...comparisonCells(b, c)].join(" | "));
      for (const name of names) {
        print([connections, name, ...comparisonCells(b.map((r) => r.byOperation[name]!), c.map((r) => r.byOperation[name]!))].join(" | "));
      }
      firstErrors("mixed load", runs);
    }
  }
}
