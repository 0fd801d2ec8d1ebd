// The benchmark's own parts that decide what its figures mean: arguments, the choice of operations,
// how a ratio and its spread are written, the baseline's scratch worktree, and the pgbench scripts of
// `npm run bench:rls` (run for real, as the app roles, against this file's database). No timings.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { parseBenchArgs, parseRlsArgs } from "../../src/bench/args.ts";
import { BYPASS_TWIN } from "../../src/bench/bypassRoles.ts";
import { formatRatio, formatShare, mixedSequence, selectOperations, spread } from "../../src/bench/compare.ts";
import { LIGHT_OPERATIONS, OPERATIONS } from "../../src/bench/operations.ts";
import {
  dropActors,
  findPgbench,
  parsePgbenchOutput,
  pgbenchArgs,
  pgbenchScript,
  prepareActors,
  runPgbench,
} from "../../src/bench/pgbench.ts";
import type { LoadResult, LoadSpec } from "../../src/bench/load.ts";
import { parseLauncherArgs } from "../../src/bench/serveApi.ts";
import { runSideBySide } from "../../src/bench/sideBySide.ts";
import { checkoutBaseline, resolveCommit } from "../../src/bench/worktree.ts";
import { ROLES } from "../../src/config.ts";
import { UserError } from "../../src/errors/index.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { HOT_QUERIES, pickFamilies } from "../../src/tools/explain.ts";
import { seedFamily } from "../../src/tools/seed/family.ts";
import { ownerUrl, rootUrl, roleUrl, testConfig } from "../helpers/db.ts";

describe("ratios and their spread", () => {
  test("the median of an odd count is the middle value; of an even count, the mean of the two middle ones", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([1.2, 0.8])).toEqual({ median: 1, min: 0.8, max: 1.2 });
    expect(() => spread([])).toThrow();
  });

  test("a ratio is written with its median and, over several rounds, its range", () => {
    expect(formatRatio([1.234])).toBe("1.23×");
    expect(formatRatio([1.3, 1.1, 1.2])).toBe("1.20× (1.10…1.30)");
    expect(formatShare([0.075])).toBe("7.5 %");
    expect(formatShare([0.05, -0.01, 0.1])).toBe("5.0 % (-1.0…10.0 %)");
  });
});

describe("npm run bench's arguments", () => {
  test("no flag: the default run, unchanged", () => {
    expect(parseBenchArgs([])).toEqual({
      scale: 10,
      seconds: 10,
      rounds: 1,
      connectionCounts: [32, 128],
      baseline: undefined,
      ceiling: false,
      operations: undefined,
      processes: 1,
      baselineProcesses: 1,
    });
  });

  test("--baseline-processes: the baseline's own count, else --processes", () => {
    expect(parseBenchArgs(["--baseline", "HEAD", "--processes", "2"])).toMatchObject({ processes: 2, baselineProcesses: 2 });
    // Whole numbers in decimal digits only (break-this, issue 19: Number() took "0x5" as 5 and "1e1" as 10).
    for (const [option, value] of [["--scale", "0x5"], ["--rounds", "1e1"], ["--duration", "0.001"], ["--connections", "32,1e2"]]) {
      expect(() => parseBenchArgs([option!, value!])).toThrow(UserError);
    }
    expect(() => parseRlsArgs(["--clients", "1e1"])).toThrow(UserError);
    expect(parseBenchArgs(["--baseline", "HEAD", "--baseline-processes", "1", "--processes", "2"])).toMatchObject({ processes: 2, baselineProcesses: 1 });
    expect(() => parseBenchArgs(["--ceiling", "--baseline-processes", "1"])).toThrow(/needs --baseline/);
  });

  test("--baseline, --ceiling, --operations and --processes", () => {
    expect(parseBenchArgs(["--baseline", "main", "--ceiling", "--operations", "typename", "--processes", "2", "--rounds", "5"])).toMatchObject({
      baseline: "main",
      ceiling: true,
      operations: "typename",
      processes: 2,
      rounds: 5,
    });
  });

  test.each([
    [["--rounds", "0"]],
    [["--connections", "32,x"]],
    [["--baseline", ""]],
    [["--processes", "0", "--ceiling"]],
    [["--processes", "2"]], // only with --baseline or --ceiling
    [["--unknown"]],
  ])("%j is refused with the usage", (args) => {
    expect(() => parseBenchArgs(args)).toThrow(UserError);
  });

  test("the launcher takes a root and a process count", () => {
    expect(parseLauncherArgs(["--root", "/tmp/x", "--processes", "3"])).toEqual({ root: "/tmp/x", processes: 3 });
    expect(() => parseLauncherArgs(["--processes", "2"])).toThrow(/usage/);
  });
});

describe("the operations a run measures", () => {
  const all = [...OPERATIONS, ...LIGHT_OPERATIONS];

  test("without a filter, the defaults; with one, every operation whose name contains a part, in order", () => {
    expect(selectOperations(undefined, all, OPERATIONS)).toBe(OPERATIONS);
    expect(selectOperations("TYPENAME, currentuser", all, OPERATIONS).map((o) => o.name)).toEqual(["{ __typename }", "currentUserId"]);
    expect(selectOperations("child:", all, OPERATIONS).map((o) => o.name)).toEqual([
      "child: my deployed quests",
      "child: update_quest_progress",
      "child: record_achievement",
    ]);
  });

  test("a part that names nothing is refused, listing the operations", () => {
    expect(() => selectOperations("typename,nothing", all, OPERATIONS)).toThrow(/"nothing" matches no operation.*"currentUserId"/);
    expect(() => selectOperations(" , ", all, OPERATIONS)).toThrow(UserError);
  });

  test("the light operations stay out of the mixed load, which keeps the apps' proportions", () => {
    const mix = mixedSequence(all, (o) => [o.name]);
    expect(mix).toHaveLength(OPERATIONS.reduce((sum, o) => sum + o.mixWeight * 10, 0));
    expect(mix.filter((name) => name === "child: update_quest_progress")).toHaveLength(250);
    expect(mix).not.toContain("{ __typename }");
    expect(mixedSequence(all, (o) => [o.name])).toEqual(mix); // the same sequence every run
  });
});

describe("side by side: the servers alternate, ratios are taken per round", () => {
  const server = (url: string) => ({ url, ask: async () => undefined, stop: async () => {} });
  /** A load that answers from a table of req/s per server and call, recording the order of the calls (the warm-ups: 2 s). */
  function fakeLoad(rates: Record<string, number[]>) {
    const calls: string[] = [];
    const load = async (spec: LoadSpec): Promise<LoadResult> => {
      const figures = (rate: number) => ({ requestsPerSecond: rate, p50: 1, p95: 2, p99: rate / 10, errors: 0, succeeded: rate, sent: rate });
      if (spec.durationSeconds === 2) {
        calls.push(`warm-up ${spec.url}`);
        return { ...figures(1), byOperation: {} };
      }
      calls.push(spec.url);
      const rate = rates[spec.url]!.shift()!;
      return { ...figures(rate), byOperation: Object.fromEntries([...new Set(spec.requests.map((r) => r.operation))].map((o) => [o, figures(rate / 2)])) };
    };
    return { calls, load };
  }
  const requestsOf = (operation: { name: string }) => [{ operation: operation.name, token: "t", query: "{ __typename }", variables: {} }];

  test("--baseline: per operation both rates, current ÷ baseline per round with its range, both p99s; then the mixed load", async () => {
    // Round 1: baseline 100, current 150 (1.5×); round 2 (current first): current 300, baseline 200 (1.5×); round 3: 100 / 120 (1.2×).
    const { calls, load } = fakeLoad({ b: [100, 200, 100, 400, 400, 400], c: [150, 300, 120, 200, 200, 200] });
    const lines: string[] = [];
    await runSideBySide({
      baseline: server("b"),
      current: server("c"),
      operations: [LIGHT_OPERATIONS[0]!],
      requestsOf,
      mix: [{ operation: "mixed", token: "t", query: "{ __typename }", variables: {} }],
      connectionCounts: [32],
      rounds: 3,
      seconds: 10,
      tally: (r) => r,
      print: (line) => lines.push(line),
      load,
    });
    expect(calls).toEqual(["warm-up b", "warm-up c", "b", "c", "c", "b", "b", "c", "b", "c", "c", "b", "b", "c"]);
    expect(lines[1]).toBe("{ __typename } | 32 | 100 | 150 | 1.50× (1.20…1.50) | 10.0 | 15.0 | 0 / 0");
    // The mixed load: 400 against 200 in every round.
    expect(lines).toContain("32 | all | 400 | 200 | 0.50× (0.50…0.50) | 40.0 | 20.0 | 0 / 0");
  });

  test("--ceiling: the bare server next to the light operations only, each ÷ the bare server per round", async () => {
    const { calls, load } = fakeLoad({ c: [100, 100, 50, 50], h: [1000, 1000] });
    const lines: string[] = [];
    const marketplace = OPERATIONS.find((o) => o.name.startsWith("marketplace"))!;
    await runSideBySide({
      current: server("c"),
      ceiling: server("h"),
      operations: [LIGHT_OPERATIONS[0]!, marketplace],
      requestsOf,
      connectionCounts: [32],
      rounds: 2,
      seconds: 10,
      tally: (r) => r,
      print: (line) => lines.push(line),
      load,
    });
    expect(calls).toEqual(["warm-up c", "c", "h", "h", "c", "c", "c"]);
    expect(lines.slice(-3)).toEqual([
      "server / operation | connections | req/s | p50 / p95 / p99 ms | errors | ÷ bare node:http",
      "bare node:http | 32 | 1000 | 1.0 / 2.0 / 100.0 | 0 | 1.00×",
      "GraphQL { __typename } | 32 | 100 | 1.0 / 2.0 / 10.0 | 0 | 0.10× (0.10…0.10)",
    ]);
  });
});

describe("the baseline's scratch worktree", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();
  const worktrees = () => git("worktree", "list", "--porcelain").split("\n").filter((l) => l.startsWith("worktree ")).length;

  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), "bench-worktree-test-"));
    execFileSync("git", ["init", "--quiet", repo]);
    git("config", "user.email", "bench@example.invalid");
    git("config", "user.name", "bench test");
    writeFileSync(path.join(repo, "package-lock.json"), '{"lockfileVersion": 3}\n');
    writeFileSync(path.join(repo, "file.txt"), "first\n");
    git("add", ".");
    git("commit", "--quiet", "-m", "first");
    git("tag", "first");
    writeFileSync(path.join(repo, "package-lock.json"), '{"lockfileVersion": 3, "changed": true}\n');
    writeFileSync(path.join(repo, "file.txt"), "second\n");
    git("commit", "--quiet", "-am", "second");
    mkdirSync(path.join(repo, "node_modules"));
  });
  afterAll(() => rm(repo, { recursive: true, force: true }));

  test("a malformed or unknown ref is a UserError, and nothing is created", async () => {
    await expect(resolveCommit(repo, "--output=/tmp/x")).rejects.toThrow(UserError);
    await expect(resolveCommit(repo, "no-such-branch")).rejects.toThrow(/names no commit/);
    await expect(checkoutBaseline("no-such-branch", { repo, log: () => {} })).rejects.toThrow(UserError);
    expect(worktrees()).toBe(1);
  });

  test("the same lock file: this checkout's node_modules, linked; removed afterwards, the linked folder untouched", async () => {
    const installed: string[] = [];
    const checkout = await checkoutBaseline("HEAD", { repo, install: async (dir) => void installed.push(dir), log: () => {} });
    expect(checkout.commit).toBe(git("rev-parse", "HEAD"));
    expect(checkout.dependencies).toBe("shared node_modules");
    expect(installed).toEqual([]);
    expect(lstatSync(path.join(checkout.dir, "node_modules")).isSymbolicLink()).toBe(true);
    expect(worktrees()).toBe(2);
    await checkout.remove();
    expect(existsSync(checkout.dir)).toBe(false);
    expect(worktrees()).toBe(1);
    expect(existsSync(path.join(repo, "node_modules"))).toBe(true);
  });

  test("another lock file: installed in the worktree, which holds that commit's files", async () => {
    const installed: string[] = [];
    const checkout = await checkoutBaseline("first", { repo, install: async (dir) => void installed.push(dir), log: () => {} });
    expect(checkout.dependencies).toBe("npm ci");
    expect(installed).toEqual([checkout.dir]);
    expect(readFileSync(path.join(checkout.dir, "file.txt"), "utf8")).toBe("first\n");
    await checkout.remove();
    expect(existsSync(checkout.dir)).toBe(false);
  });

  test("stopped while it installs (Ctrl-C): the remover it handed out first leaves no worktree behind (break-this, issue 19)", async () => {
    let removeEarly: (() => Promise<void>) | undefined;
    let folder = "";
    const checkout = checkoutBaseline("first", {
      repo,
      log: () => {},
      onCreated: (remove) => (removeEarly = remove),
      // The caller's stop runs while npm ci is still at work.
      install: async (dir) => {
        folder = dir;
        expect(worktrees()).toBe(2);
        await removeEarly!();
      },
    });
    await checkout.then((c) => c.remove());
    expect(folder).not.toBe("");
    expect(existsSync(folder)).toBe(false);
    expect(worktrees()).toBe(1);
  });

  test("a failed install leaves no worktree behind", async () => {
    await expect(
      checkoutBaseline("first", { repo, install: () => Promise.reject(new Error("npm ci failed")), log: () => {} }),
    ).rejects.toThrow("npm ci failed");
    expect(worktrees()).toBe(1);
  });
});

const pgbench = await findPgbench().catch(() => undefined);

describe("npm run bench:rls's pgbench scripts", () => {
  const reads = HOT_QUERIES.filter((q) => OPERATIONS.some((o) => o.name === q.name && !o.write));

  test("each hot read: a random family, the role and acting user in one statement, the query with the family's ids", () => {
    expect(reads).toHaveLength(5);
    const script = pgbenchScript(HOT_QUERIES.find((q) => q.name === "parent: my quests page")!, "pas_bot_user", 500)!;
    expect(script.split("\n")).toEqual([
      "\\set r random(1, 500)",
      "begin;",
      "select set_config('role', 'pas_bot_user', true) as acting_role, set_config('app.user_id', parent::text, true) as acting_user,",
      "       parent, child, quest from bench_rls.actors where i = :r \\gset",
      "select id, title, status, moderation_status from app_public.quests where author_id = :parent order by created_at desc limit 20;",
      "commit;",
      "",
    ]);
    for (const query of reads) {
      const text = pgbenchScript(query, query.role, 10)!;
      expect(text).not.toMatch(/\$\d/);
      // The twin's script differs only in the role it switches to.
      expect(pgbenchScript(query, BYPASS_TWIN[query.role]!, 10)).toBe(text.replace(`'${query.role}'`, `'${BYPASS_TWIN[query.role]}'`));
    }
    // A write's parameters are not a family's ids: no script.
    expect(pgbenchScript(HOT_QUERIES.find((q) => q.name === "parent: create_quest")!, "pas_bot_user", 10)).toBeUndefined();
  });

  test("pgbench's command line and report", () => {
    expect(pgbenchArgs("/tmp/s.sql", 32, { seconds: 15 })).toEqual([
      "--no-vacuum",
      "--protocol=extended",
      "--client=32",
      "--jobs=2",
      "--time=15",
      "--file=/tmp/s.sql",
    ]);
    expect(pgbenchArgs("/tmp/s.sql", 1, { transactions: 5 })).toContain("--transactions=5");
    const report = [
      "transaction type: /tmp/s.sql",
      "number of transactions actually processed: 24690",
      "number of failed transactions: 3 (0.012%)",
      "latency average = 12.961 ms",
      "initial connection time = 35.111 ms",
      "tps = 2468.940934 (without initial connection time)",
    ].join("\n");
    expect(parsePgbenchOutput(report)).toEqual({ tps: 2468.940934, latencyMs: 12.961, failed: 3 });
    expect(() => parsePgbenchOutput("pgbench: error: connection failed")).toThrow(/no tps line/);
  });

  test("bench:rls's arguments", () => {
    expect(parseRlsArgs([])).toEqual({ seconds: 15, rounds: 5, clients: 32, queries: undefined });
    expect(parseRlsArgs(["--duration", "20", "--rounds", "7", "--clients", "16", "--queries", "marketplace"])).toEqual({
      seconds: 20,
      rounds: 7,
      clients: 16,
      queries: "marketplace",
    });
    expect(() => parseRlsArgs(["--duration", "1.5"])).toThrow(UserError);
    expect(() => parseRlsArgs(["--clients", "0"])).toThrow(UserError);
  });

  test("without pgbench on PATH nor under the Debian folder: a UserError saying what to install", async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), "no-pgbench-"));
    try {
      await expect(findPgbench(empty, path.join(empty, "none"))).rejects.toThrow(/needs pgbench.*install/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  // pgbench comes with Debian's server package (postgresql-15, as CI's PG15 pass has): where it is missing, this one is skipped.
  (pgbench ? test : test.skip)("every script runs as its app role, connected as app_authenticator, without a failed transaction", async () => {
    await seedFamily(ownerUrl, masterKeys(testConfig()));
    const root = new pg.Client({ connectionString: rootUrl });
    await root.connect();
    const dir = await mkdtemp(path.join(os.tmpdir(), "bench-rls-test-"));
    try {
      const families = await pickFamilies(root, 5);
      expect(families.length).toBeGreaterThan(0);
      await prepareActors(root, families);
      for (const query of reads) {
        const file = path.join(dir, "script.sql");
        await writeFile(file, pgbenchScript(query, query.role, families.length)!);
        const result = await runPgbench(pgbench!, pgbenchArgs(file, 2, { transactions: 5 }), roleUrl(ROLES.authenticator));
        expect({ query: query.name, failed: result.failed }).toEqual({ query: query.name, failed: 0 });
        expect(result.tps).toBeGreaterThan(0);
      }
      // A role the authenticator cannot switch into fails the run, with pgbench's own words.
      const file = path.join(dir, "bad.sql");
      await writeFile(file, pgbenchScript(reads[0]!, ROLES.worker, families.length)!);
      await expect(runPgbench(pgbench!, pgbenchArgs(file, 1, { transactions: 1 }), roleUrl(ROLES.authenticator))).rejects.toThrow(
        /permission denied to set role/,
      );
    } finally {
      await dropActors(root);
      await root.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
