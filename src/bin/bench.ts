// npm run bench [-- --scale 10 --duration 10 --connections 32,128 --rounds 1] —
// both apps' hot paths through HTTP with real tokens, the load coming from a
// separate process (src/bench/load.ts, autocannon), on synthetic data at
// --scale (seeded first when the database has none, as db:seed --scale N). Side by side in one run, per operation and connection
// count: GraphQL requests/s and p50/p95/p99, errors; for reads the same query
// as direct SQL through pg (same role, same policies) with the GraphQL ÷ SQL
// ratio, and the same GraphQL with RLS bypassed (bench-only BYPASSRLS twins)
// for RLS's cost — each `--rounds` times, the order alternating, ratios taken
// per round. Then all operations at once in the apps' proportions (the mixed
// load). Afterwards: the writes the database holds match the requests that
// succeeded.
//
// Side by side, every server in a child process of the same shape (src/bench/sideBySide.ts):
// - `--baseline <git ref>`: that commit, checked out in a scratch worktree (src/bench/worktree.ts),
//   serves its API from its own code (src/bench/serveApi.ts) beside the working tree's, on the same
//   database and data, loaded alternately by the same load process: per operation and for the mixed
//   load, both req/s, current ÷ baseline (median and range over the rounds) and both p99s.
// - `--ceiling`: a bare node:http server answering the same JSON as `{ __typename }` (ceilingServer.ts),
//   next to the GraphQL `{ __typename }` and `currentUserId` operations: the HTTP stack's ceiling here.
// - `--processes N`: N API processes per side (node:cluster), each with a pool of PG_POOL_MAX;
//   `--baseline-processes M` gives the baseline M instead (1 against N: `--baseline HEAD --baseline-processes 1`).
// `--operations a,b` runs only the operations whose names contain one of the parts (any mode).
// `--profile <dir>`: the working tree's API (one process, src/bench/serveApi.ts) under each operation's
// load at the first --connections count, V8's CPU profiler on for the measured seconds (after a 2-s
// warm-up); each profile is written to <dir> and summed by part of the request path
// (src/bench/cpuProfile.ts): a table of shares of the busy time, and the CPU time per request.
import { mkdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type pg from "pg";
import pino from "pino";
import { BYPASS_TWIN, createBypassTwins, dropBypassTwins } from "../bench/bypassRoles.ts";
import { parseBenchArgs } from "../bench/args.ts";
import { type CpuProfile, timeByPart } from "../bench/cpuProfile.ts";
import { loadInChildProcess, mixedSequence, selectOperations } from "../bench/compare.ts";
import { actorsFor, LIGHT_OPERATIONS, OPERATIONS, type Operation } from "../bench/operations.ts";
import type { Figures, LoadResult } from "../bench/load.ts";
import { type ServerProcess, startServerProcess } from "../bench/servers.ts";
import { runSideBySide } from "../bench/sideBySide.ts";
import { checkoutBaseline } from "../bench/worktree.ts";
import { latencyPercentiles, percentile } from "../bench/percentile.ts";
import { appDatabaseAsSuperuser, loadConfig, PROJECT_ROOT, ROLES, roleConnectionString, superuserUrl } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { pickFamilies } from "../tools/explain.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { resilientPool } from "../db/pool.ts";
import { countSyntheticData, seedSynthetic } from "../tools/seed/synthetic.ts";
import { UserError } from "../errors/index.ts";
import { createHttpService } from "../http/app.ts";
import { appSecretsFrom, signAppToken } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";
import { createLogger } from "../observability/logger.ts";
import { masterKeys } from "../privacy/masterKeys.ts";

/** Distinct families the requests are spread over. */
const FAMILIES = 500;

/**
 * The same read as a hand-written service would run it: `connections` callers
 * sharing a pool as large as the GraphQL server's, one transaction per request
 * with the acting user set.
 */
async function sqlFloor(pool: pg.Pool, operation: Operation, actors: ReturnType<typeof actorsFor>, connections: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const actor = actors[next++ % actors.length]!;
        const started = performance.now();
        const client = await pool.connect();
        try {
          await client.query("begin");
          await client.query("select set_config('app.user_id', $1, true)", [actor.userId]);
          await client.query(operation.sql!, actor.sqlParams);
          await client.query("commit");
          latencies.push(performance.now() - started);
        } catch {
          errors++;
          await client.query("rollback").catch(() => {});
        } finally {
          client.release();
        }
      }
    }),
  );
  return { requestsPerSecond: latencies.length / seconds, ...latencyPercentiles(latencies), errors };
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)} %`;
const pct1 = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
/** The median of per-round ratios, with their range when there are several rounds. */
const ratioCell = (ratios: number[]) =>
  ratios.length === 1 ? pct(ratios[0]!) : `${pct(median(ratios))} (${pct(Math.min(...ratios))}…${pct(Math.max(...ratios))})`;
/** Each statistic's median over the rounds. */
const medianFigures = (runs: Array<{ requestsPerSecond: number; p50: number; p95: number; p99: number }>) => ({
  requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
  p50: median(runs.map((r) => r.p50)),
  p95: median(runs.map((r) => r.p95)),
  p99: median(runs.map((r) => r.p99)),
});

runCommand(async (lifecycle) => {
  const { scale, seconds, rounds, connectionCounts, ...args } = parseBenchArgs(process.argv.slice(2));
  const sideBySide = args.baseline !== undefined || args.ceiling || args.profile !== undefined;
  // Light operations only by name, or with --ceiling; the mixed load only when every weighted operation is run.
  const operations = selectOperations(
    args.operations,
    [...OPERATIONS, ...LIGHT_OPERATIONS],
    args.ceiling && !args.baseline
      ? LIGHT_OPERATIONS
      : args.ceiling
        ? [...OPERATIONS, ...LIGHT_OPERATIONS]
        : args.profile
          ? [...LIGHT_OPERATIONS, ...OPERATIONS]
          : OPERATIONS,
  );
  const withMix = !args.profile && OPERATIONS.every((o) => operations.includes(o));
  const config = loadConfig();
  const keys = masterKeys(config);
  if (config.production) throw new UserError("The benchmark creates BYPASSRLS roles: never run it with NODE_ENV=production.");
  const rootUrl = superuserUrl(config, "The benchmark creates its RLS-bypassing roles");
  // First, so that a bad ref fails before anything starts; removed at the end, even after a failure.
  const checkout =
    args.baseline === undefined
      ? undefined
      : await checkoutBaseline(args.baseline, { onCreated: (remove) => lifecycle.onStop("the baseline's worktree", remove) });
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, () => {});
  await createBypassTwins(rootUrl);
  lifecycle.onStop("the benchmark's BYPASSRLS roles", () => dropBypassTwins(rootUrl));
  const owner = resilientPool({ connectionString: config.ownerUrl, max: 2 }, "benchmark (owner)");
  // As many database connections as the GraphQL server has: the comparison is of what runs on them.
  const sqlPools = {
    pas_bot: resilientPool({ connectionString: roleConnectionString(config, ROLES.pasBot), max: config.poolMax }, "benchmark (pas_bot SQL)"),
    inner_edu: resilientPool({ connectionString: roleConnectionString(config, ROLES.innerEdu), max: config.poolMax }, "benchmark (inner_edu SQL)"),
  };
  lifecycle.onStop("benchmark connections", async () => {
    await Promise.all([owner.end(), sqlPools.pas_bot.end(), sqlPools.inner_edu.end()]);
  });

  let { users } = await countSyntheticData(owner);
  if (users === 0) {
    console.log(`No synthetic data yet: seeding scale ${scale} first (as npm run db:seed -- --scale ${scale}).`);
    const seeded = await seedSynthetic(appDatabaseAsSuperuser(config, "the benchmark seeds with triggers off"), scale, keys);
    console.log(`Seeded in ${seeded.seconds.toFixed(1)} s.`);
    ({ users } = await countSyntheticData(owner));
  } else if (users !== scale * 1000) {
    throw new UserError(
      `This database holds synthetic data at scale ${users / 1000}: run the bench with --scale ${users / 1000}, ` +
        `or point DATA_DIR at a fresh folder for scale ${scale}.`,
    );
  }
  const families = await pickFamilies(owner, FAMILIES);
  const secrets = appSecretsFrom(config.secret);
  const countWrites = async () =>
    (await owner.query<{ quests: number; sessions: number }>(
      `select (select count(*)::int from app_public.quests where title = 'Bench quest') as quests,
              (select coalesce(sum(session_count), 0)::int from app_public.quest_progress p where p.quest_id = any ($1)) as sessions`,
      [families.map((f) => f.quest)],
    )).rows[0]!;
  const before = await countWrites();
  const succeeded = new Map<string, number>();
  const sent = new Map<string, number>();

  const requestsOf = (operation: Operation) =>
    actorsFor(operation, families).map((a) => ({
      operation: operation.name,
      token: signAppToken(operation.app, a.userId, secrets),
      query: operation.query,
      variables: a.variables,
    }));
  const tally = (result: LoadResult) => {
    for (const [name, figures] of Object.entries(result.byOperation)) {
      succeeded.set(name, (succeeded.get(name) ?? 0) + figures.succeeded);
      sent.set(name, (sent.get(name) ?? 0) + figures.sent);
    }
    return result;
  };

  console.log(
    `Scale ${users / 1000} (${users} users); ${families.length} families; ${seconds} s per measurement, ${rounds} round(s) ` +
      `(medians; ratios per round, ${sideBySide ? "the servers" : "GraphQL and its comparisons"} alternating in order); GraphQL pool ${config.poolMax} ` +
      `connections (PG_POOL_MAX)${sideBySide ? ` per API process; API processes: ${checkout ? `baseline ${args.baselineProcesses}, ` : ""}current ${args.processes}` : ""}; ` +
      "request logs to /dev/null; " +
      "load from a separate process.",
  );

  /** The default run: GraphQL in this process, against direct SQL and against itself without RLS. */
  const measureInProcess = async () => {
    // Each request is logged as in production, into /dev/null: the cost stays, the output stays readable.
    const logger = createLogger({ destination: pino.destination({ dest: "/dev/null", sync: false }) });
    const http = await createHttpService({
      authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
      poolMax: config.poolMax,
      secrets,
      production: true,
      masterKeys: keys,
      logger,
    });
    lifecycle.onStop("HTTP server", () => http.close());
    const bypass = await createHttpService({
      authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
      poolMax: config.poolMax,
      secrets,
      production: true,
      masterKeys: keys,
      roleFor: (role) => BYPASS_TWIN[role]!,
      logger,
    });
    lifecycle.onStop("HTTP server without RLS", () => bypass.close());
    const listen = async (service: typeof http) => {
      await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
    };
    const url = await listen(http);
    const bypassUrl = await listen(bypass);

    console.log(
      "operation | connections | GraphQL req/s | p50 / p95 / p99 ms | errors | SQL req/s | SQL p50 / p95 / p99 ms | GraphQL ÷ SQL | " +
        "GraphQL without RLS req/s | RLS overhead",
    );
    for (const connections of connectionCounts) {
      for (const operation of operations) {
        const actors = actorsFor(operation, families);
        const requests = requestsOf(operation);
        const graphqlRuns: LoadResult[] = [];
        const sqlRuns: Awaited<ReturnType<typeof sqlFloor>>[] = [];
        const noRlsRuns: LoadResult[] = [];
        const measureGraphql = async () => graphqlRuns.push(tally(await loadInChildProcess({ url, requests, connections, durationSeconds: seconds })));
        const measureComparisons = async () => {
          if (operation.sql) sqlRuns.push(await sqlFloor(sqlPools[operation.app], operation, actors, connections, seconds));
          if (!operation.write) noRlsRuns.push(await loadInChildProcess({ url: bypassUrl, requests, connections, durationSeconds: seconds }));
        };
        for (let round = 0; round < rounds; round++) {
          // Alternate which goes first, so a drift of the machine's load favours neither.
          if (round % 2 === 0) {
            await measureGraphql();
            await measureComparisons();
          } else {
            await measureComparisons();
            await measureGraphql();
          }
        }
        const graphql = medianFigures(graphqlRuns);
        const sql = sqlRuns.length > 0 ? medianFigures(sqlRuns) : undefined;
        const errors = [...graphqlRuns, ...sqlRuns, ...noRlsRuns].reduce((sum, r) => sum + r.errors, 0);
        console.log(
          [
            operation.name,
            connections,
            Math.round(graphql.requestsPerSecond),
            `${ms(graphql.p50)} / ${ms(graphql.p95)} / ${ms(graphql.p99)}`,
            errors,
            sql ? Math.round(sql.requestsPerSecond) : "-",
            sql ? `${ms(sql.p50)} / ${ms(sql.p95)} / ${ms(sql.p99)}` : "-",
            sql ? ratioCell(graphqlRuns.map((g, i) => g.requestsPerSecond / sqlRuns[i]!.requestsPerSecond)) : "-",
            noRlsRuns.length > 0 ? Math.round(median(noRlsRuns.map((r) => r.requestsPerSecond))) : "-",
            noRlsRuns.length > 0 ? ratioCell(graphqlRuns.map((g, i) => 1 - g.requestsPerSecond / noRlsRuns[i]!.requestsPerSecond)) : "-",
          ].join(" | "),
        );
        const firstError = graphqlRuns.find((r) => r.firstError)?.firstError;
        if (firstError) console.log(`  first error: ${firstError}`);
      }
    }

    // The mixed load: all operations at once in the apps' proportions (mixWeight), one load process.
    if (!withMix) return;
    const mix = mixedSequence(OPERATIONS, requestsOf);
    console.log("\nMixed load (per 100 requests: " + OPERATIONS.map((o) => `${o.mixWeight} ${o.name}`).join(", ") + ")");
    console.log("connections | operation | req/s | p50 / p95 / p99 ms | errors");
    for (const connections of connectionCounts) {
      const mixed = tally(await loadInChildProcess({ url, requests: mix, connections, durationSeconds: seconds }));
      const row = (name: string, f: Figures) =>
        console.log([connections, name, Math.round(f.requestsPerSecond), `${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.p99)}`, f.errors].join(" | "));
      row("all", mixed);
      for (const operation of OPERATIONS) row(operation.name, mixed.byOperation[operation.name]!);
      if (mixed.firstError) console.log(`  first error: ${mixed.firstError}`);
    }
  };

  /** The same configuration for every server process, whatever its code reads: the database, the data folder, the secrets. */
  const sideEnv = (): NodeJS.ProcessEnv => ({
    DATABASE_URL: config.ownerUrl,
    ...(config.embedded ? { DATA_DIR: config.embedded.dataDir } : {}),
    ...Object.fromEntries(
      (["PAS_BOT_JWT_SECRET", "INNER_EDU_JWT_SECRET", "AUTHENTICATOR_DB_PASSWORD", "DATA_ENCRYPTION_KEY"] as const).map((n) => [n, config.secret(n)]),
    ),
    PG_POOL_MAX: String(config.poolMax),
  });

  /** --baseline and --ceiling: every server in a child process of the same shape (src/bench/sideBySide.ts). */
  const measureSideBySide = async () => {
    const env = sideEnv();
    const started: ServerProcess[] = [];
    lifecycle.onStop("the benchmark's servers", () => Promise.all(started.map((s) => s.stop())).then(() => {}));
    const start = async (script: "serveApi.ts" | "ceilingServer.ts", argv: string[], extra: NodeJS.ProcessEnv = {}) => {
      const server = await startServerProcess(script, argv, { ...env, ...extra });
      started.push(server);
      return server;
    };
    const baseline = checkout ? await start("serveApi.ts", ["--root", checkout.dir, "--processes", String(args.baselineProcesses)]) : undefined;
    const current = await start("serveApi.ts", ["--root", PROJECT_ROOT, "--processes", String(args.processes)]);
    let ceiling: ServerProcess | undefined;
    if (args.ceiling) {
      // The very body the API answers `{ __typename }` with, so both send the same bytes.
      const [request] = requestsOf(LIGHT_OPERATIONS[0]!);
      const answer = await fetch(`${current.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${request!.token}` },
        body: JSON.stringify({ query: request!.query }),
      });
      const body = await answer.text();
      if (!answer.ok) throw new Error(`The API answered { __typename } with HTTP ${answer.status}: ${body}`);
      ceiling = await start("ceilingServer.ts", [], { BENCH_CEILING_BODY: body });
    }
    if (checkout) console.log(`Baseline ${args.baseline} (${checkout.commit.slice(0, 12)}, ${checkout.dependencies}) against the working tree.`);
    await runSideBySide({
      baseline,
      current,
      ceiling,
      operations,
      requestsOf,
      mix: withMix ? mixedSequence(OPERATIONS, requestsOf) : undefined,
      connectionCounts,
      rounds,
      seconds,
      tally,
    });
  };

  /** --profile: one API process of the working tree, profiled under each operation's load in turn. */
  const measureProfiles = async (dir: string) => {
    await mkdir(dir, { recursive: true });
    const api = await startServerProcess("serveApi.ts", ["--root", PROJECT_ROOT], sideEnv());
    lifecycle.onStop("the profiled API", () => api.stop());
    const connections = connectionCounts[0]!;
    const columns: Array<{ name: string; requestsPerSecond: number; cpuMicrosecondsPerRequest: number; shares: Map<string, number> }> = [];
    for (const operation of operations) {
      const requests = requestsOf(operation);
      await loadInChildProcess({ url: api.url, requests, connections, durationSeconds: 2 });
      const file = path.join(dir, `${operation.name.replace(/[^a-z]+/gi, "-")}.cpuprofile`);
      await api.ask({ profile: "start" });
      const result = tally(await loadInChildProcess({ url: api.url, requests, connections, durationSeconds: seconds }));
      await api.ask({ profile: "stop", file });
      const { busyMicroseconds, shares } = timeByPart(JSON.parse(await readFile(file, "utf8")) as CpuProfile);
      columns.push({
        name: operation.name,
        requestsPerSecond: result.requestsPerSecond,
        cpuMicrosecondsPerRequest: busyMicroseconds / Math.max(1, result.requestsPerSecond * seconds),
        shares: new Map(shares.map((s) => [s.part, s.share])),
      });
      console.error(`profiled ${operation.name}: ${file}${result.errors ? ` (${result.errors} errors: ${result.firstError})` : ""}`);
    }
    const parts = [...new Set(columns.flatMap((c) => [...c.shares.keys()]))].sort(
      (a, b) => Math.max(...columns.map((c) => c.shares.get(b) ?? 0)) - Math.max(...columns.map((c) => c.shares.get(a) ?? 0)),
    );
    console.log(`\nShare of the API process's busy CPU time, ${connections} connections, ${seconds} s each (profiles in ${dir})`);
    console.log(`| part | ${columns.map((c) => c.name).join(" | ")} |`);
    console.log(`| --- |${columns.map(() => " ---: |").join("")}`);
    for (const part of parts) console.log(`| ${part} | ${columns.map((c) => (c.shares.has(part) ? pct1(c.shares.get(part)!) : "–")).join(" | ")} |`);
    console.log(`| **requests/s (profiler on)** | ${columns.map((c) => Math.round(c.requestsPerSecond)).join(" | ")} |`);
    console.log(`| **CPU µs per request** | ${columns.map((c) => Math.round(c.cpuMicrosecondsPerRequest)).join(" | ")} |`);
  };

  await (args.profile ? measureProfiles(args.profile) : sideBySide ? measureSideBySide() : measureInProcess());

  // Nothing lost under load: every acknowledged write is in the database, and nothing beyond what
  // was sent (a run ends with up to one request per connection in flight, done but not counted).
  const after = await countWrites();
  const check = (name: string, added: number) => {
    const [ok, asked] = [succeeded.get(name) ?? 0, sent.get(name) ?? 0];
    console.log(`Consistency, ${name}: ${added} rows for ${ok} acknowledged of ${asked} sent requests.`);
    return ok <= added && added <= asked;
  };
  const consistent = [
    check("parent: create_quest", after.quests - before.quests),
    check("child: update_quest_progress", after.sessions - before.sessions),
  ].every(Boolean);
  if (!consistent) throw new Error("Writes and requests do not match: an acknowledged write is missing.");
  console.log("Nothing lost: every acknowledged write is in the database.");
}, "one-shot");
