// npm run bench:rls [-- --duration 15 --rounds 5 --clients 32 --queries <parts>] — the cost of
// row-level security where it can be measured steadily: at the SQL level, with pgbench, without
// HTTP or GraphQL around it. For each hot read of `npm run bench` (db:explain's HOT_QUERIES), a
// pgbench custom script (src/bench/pgbench.ts) runs the transaction an app runs — begin; the role
// and app.user_id as transaction-local settings; the hot query; commit — with the acting family
// drawn at random from a prepared table (bench_rls.actors), connected as app_authenticator as the
// GraphQL server is. Each round runs the script as the app role and as its BYPASSRLS twin
// (bench-only roles, src/bench/bypassRoles.ts), the order alternating; per query it prints both tps
// (medians) and the overhead 1 − app role ÷ BYPASSRLS, median and range over the rounds. First it
// checks that both roles read as many rows (and some) for one family: the same work, with and without RLS.
// Needs data (npm run db:seed -- --scale N) and pgbench (on PATH, or Debian's /usr/lib/postgresql/*/bin).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { parseRlsArgs } from "../bench/args.ts";
import { BYPASS_TWIN, createBypassTwins, dropBypassTwins } from "../bench/bypassRoles.ts";
import { formatShare, selectOperations, spread } from "../bench/compare.ts";
import { OPERATIONS } from "../bench/operations.ts";
import { dropActors, findPgbench, prepareActors, type PgbenchRun, pgbenchArgs, pgbenchScript, runPgbench } from "../bench/pgbench.ts";
import { appDatabaseAsSuperuser, loadConfig, ROLES, roleConnectionString, superuserUrl } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { HOT_QUERIES, pickFamilies } from "../tools/explain.ts";
import { countSyntheticData } from "../tools/seed/synthetic.ts";

/** Distinct families the acting users are drawn from (as `npm run bench`). */
const FAMILIES = 500;

const run = promisify(execFile);

runCommand(async (lifecycle) => {
  const args = parseRlsArgs(process.argv.slice(2));
  // The hot reads of the bench (its writes change the data from run to run, and are not RLS's cost alone).
  const reads = OPERATIONS.filter((o) => !o.write && o.sql).map((o) => HOT_QUERIES.find((q) => q.name === o.name)!);
  const queries = selectOperations(args.queries, reads, reads);
  const config = loadConfig();
  if (config.production) throw new UserError("bench:rls creates BYPASSRLS roles: never run it with NODE_ENV=production.");
  const pgbench = await findPgbench();
  const rootUrl = superuserUrl(config, "bench:rls creates its RLS-bypassing roles and its table of acting users");
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, () => {});

  const root = new pg.Client({ connectionString: appDatabaseAsSuperuser(config, "bench:rls prepares its table of acting users") });
  await root.connect();
  lifecycle.onStop("bench:rls connection", () => root.end());
  const { users } = await countSyntheticData(root);
  if (users === 0) throw new UserError("No synthetic data in this database: seed it first (npm run db:seed -- --scale 10).");
  const families = await pickFamilies(root, FAMILIES);
  if (families.length === 0) throw new UserError("No family with a deployed personal quest in this database: seed it with npm run db:seed -- --scale N.");

  await createBypassTwins(rootUrl);
  lifecycle.onStop("the benchmark's BYPASSRLS roles", () => dropBypassTwins(rootUrl));
  await prepareActors(root, families);
  lifecycle.onStop("bench:rls's table of acting users", () => dropActors(root));

  const scripts = await mkdtemp(path.join(os.tmpdir(), "bench-rls-"));
  lifecycle.onStop("bench:rls's scripts", () => rm(scripts, { recursive: true, force: true }));
  // As app_authenticator, as the GraphQL server connects (the script switches role in its transaction).
  const authenticatorUrl = roleConnectionString(config, ROLES.authenticator);
  const measure = (file: string) => runPgbench(pgbench, pgbenchArgs(file, args.clients, { seconds: args.seconds }), authenticatorUrl);

  // Like with like: for the first family both roles read as many rows, and some (else the comparison is of different work).
  const authenticator = new pg.Client({ connectionString: authenticatorUrl });
  await authenticator.connect();
  lifecycle.onStop("bench:rls check connection", () => authenticator.end());
  const rowsAs = async (role: string, query: (typeof queries)[number]) => {
    await authenticator.query("begin");
    try {
      await authenticator.query("select set_config('role', $1, true), set_config('app.user_id', $2, true)", [role, families[0]![query.actor]]);
      return (await authenticator.query(query.sql, query.params(families[0]!))).rowCount ?? 0;
    } finally {
      await authenticator.query("rollback");
    }
  };

  const { stdout: version } = await run(pgbench, ["--version"]);
  console.log(
    `RLS at the SQL level: ${version.trim()}, ${users} users, ${families.length} families, ${args.clients} clients, ` +
      `${args.seconds} s per run, ${args.rounds} round(s), the app role and its BYPASSRLS twin alternating ` +
      "(tps: medians; overhead per round, median and range).",
  );
  console.log("query | app role tps | BYPASSRLS tps | RLS overhead (1 − app role ÷ BYPASSRLS) | app role latency ms | BYPASSRLS latency ms | failed");
  for (const query of queries) {
    const files = { rls: path.join(scripts, `${reads.indexOf(query)}-rls.sql`), bypass: path.join(scripts, `${reads.indexOf(query)}-bypass.sql`) };
    await writeFile(files.rls, pgbenchScript(query, query.role, families.length)!);
    await writeFile(files.bypass, pgbenchScript(query, BYPASS_TWIN[query.role]!, families.length)!);
    const [asApp, asTwin] = [await rowsAs(query.role, query), await rowsAs(BYPASS_TWIN[query.role]!, query)];
    // (Counts, not rows: seeded quests share a created_at, so `order by created_at desc limit 20` may pick other ties per plan.)
    if (asApp !== asTwin || asApp === 0) {
      throw new Error(
        `${query.name}: for the same family the app role reads ${asApp} row(s), its BYPASSRLS twin ${asTwin}: ` +
          "the overhead would not compare the same work.",
      );
    }
    const runs = { rls: [] as PgbenchRun[], bypass: [] as PgbenchRun[] };
    for (let round = 0; round < args.rounds; round++) {
      // Alternate which goes first, so a drift of the machine's load favours neither.
      for (const side of round % 2 === 0 ? (["rls", "bypass"] as const) : (["bypass", "rls"] as const)) runs[side].push(await measure(files[side]));
    }
    const med = (values: number[]) => spread(values).median;
    console.log(
      [
        query.name,
        med(runs.rls.map((r) => r.tps)).toFixed(0),
        med(runs.bypass.map((r) => r.tps)).toFixed(0),
        formatShare(runs.rls.map((r, i) => 1 - r.tps / runs.bypass[i]!.tps)),
        med(runs.rls.map((r) => r.latencyMs)).toFixed(2),
        med(runs.bypass.map((r) => r.latencyMs)).toFixed(2),
        [...runs.rls, ...runs.bypass].reduce((sum, r) => sum + r.failed, 0),
      ].join(" | "),
    );
  }
}, "one-shot");
