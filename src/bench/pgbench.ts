// `npm run bench:rls`: the cost of row-level security measured at the SQL level, with pgbench.
// For each hot read of the bench (db:explain's HOT_QUERIES) a custom script runs one transaction as
// an app would (begin; the role and the acting user as transaction-local settings; the hot query;
// commit), the acting user drawn at random from a prepared table of families; the same script runs
// once as the app role and once as its BYPASSRLS twin (bypassRoles.ts). This file holds the pure
// parts: the scripts, pgbench's command line and its output, and where pgbench is.
import { execFile } from "node:child_process";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { UserError } from "../errors/index.ts";
import type pg from "pg";
import { ROLES } from "../config.ts";
import type { Family, HotQuery } from "../tools/explain.ts";

const run = promisify(execFile);

/** The table the scripts draw their acting users from: row i (1..count) is one family. */
export const ACTORS_TABLE = "bench_rls.actors";

/**
 * Creates ACTORS_TABLE (schema bench_rls, made afresh) holding `families` as rows 1..n, readable by
 * app_authenticator: the scripts read it in their settings statement, before the role switch takes
 * effect. `client` is a superuser in the app's database.
 */
export async function prepareActors(client: pg.ClientBase, families: Family[]): Promise<void> {
  await client.query(`drop schema if exists bench_rls cascade; create schema bench_rls;
    create table ${ACTORS_TABLE} (i int primary key, parent uuid not null, child uuid not null, quest uuid not null);
    grant usage on schema bench_rls to ${ROLES.authenticator}; grant select on ${ACTORS_TABLE} to ${ROLES.authenticator};`);
  await client.query(
    `insert into ${ACTORS_TABLE} select row_number() over (), f.parent, f.child, f.quest
     from json_to_recordset($1::json) as f(parent uuid, child uuid, quest uuid)`,
    [JSON.stringify(families)],
  );
  await client.query(`analyze ${ACTORS_TABLE}`);
}

/** Drops what prepareActors made. */
export async function dropActors(client: pg.ClientBase): Promise<void> {
  await client.query("drop schema if exists bench_rls cascade");
}

/**
 * The pgbench script of `query` run as `role`: one random family (`\set r random(1, count)`), then in one
 * transaction the settings (role and app.user_id, read from the family's row with `\gset`, as PostGraphile
 * sets them: one statement) and the hot query, its `$n` parameters bound to the family's columns (pgbench's
 * extended protocol sends `:parent` as a parameter). Undefined for a query whose parameters are not a
 * family's ids (none of the hot reads).
 */
export function pgbenchScript(query: HotQuery, role: string, familyCount: number): string | undefined {
  // The query's parameters, named after the family's columns they come from.
  const placeholders = query.params({ parent: ":parent", child: ":child", quest: ":quest" });
  if (!placeholders.every((p) => typeof p === "string" && /^:(parent|child|quest)$/.test(p))) return undefined;
  const sql = query.sql.replace(/\$(\d+)/g, (_, n: string) => placeholders[Number(n) - 1] as string).replace(/\s+/g, " ").trim();
  if (sql.includes(";") || sql.includes("\\")) return undefined;
  return [
    `\\set r random(1, ${familyCount})`,
    "begin;",
    `select set_config('role', '${role}', true) as acting_role, set_config('app.user_id', ${query.actor}::text, true) as acting_user,`,
    `       parent, child, quest from ${ACTORS_TABLE} where i = :r \\gset`,
    `${sql};`,
    "commit;",
    "",
  ].join("\n");
}

export interface PgbenchRun {
  tps: number;
  /** Average latency of a transaction, ms. */
  latencyMs: number;
  /** Transactions that failed (pgbench 15 counts them; 0 when it does not report any). */
  failed: number;
}

/**
 * pgbench's arguments: no vacuum (there are no pgbench tables), the extended protocol (as `pg` sends
 * queries), `clients` clients on at most 2 threads, for `length` seconds or transactions per client.
 */
export function pgbenchArgs(scriptFile: string, clients: number, length: { seconds: number } | { transactions: number }): string[] {
  return [
    "--no-vacuum",
    "--protocol=extended",
    `--client=${clients}`,
    `--jobs=${Math.min(2, clients)}`,
    "seconds" in length ? `--time=${length.seconds}` : `--transactions=${length.transactions}`,
    `--file=${scriptFile}`,
  ];
}

/** Runs pgbench connected as `url`'s user (its password through PGPASSWORD, never on the command line); its figures, or an error with its last lines. */
export async function runPgbench(pgbench: string, args: string[], url: string): Promise<PgbenchRun> {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
    PGAPPNAME: "bench:rls",
  };
  try {
    const { stdout } = await run(pgbench, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return parsePgbenchOutput(stdout);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`pgbench ${args.join(" ")} failed: ${e.stderr?.trim().split("\n").slice(-5).join("\n") || e.message}`);
  }
}

/** Reads tps, average latency and failures from pgbench's report; throws when there is no tps line. */
export function parsePgbenchOutput(output: string): PgbenchRun {
  const tps = /^tps = ([\d.]+)/m.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps line:\n${output.slice(-2000)}`);
  const latency = /^latency average = ([\d.]+) ms/m.exec(output);
  const failed = /^number of failed transactions: (\d+)/m.exec(output);
  return { tps: Number(tps[1]), latencyMs: latency ? Number(latency[1]) : NaN, failed: failed ? Number(failed[1]) : 0 };
}

/** The pgbench to use: the one on PATH, else the newest of Debian's /usr/lib/postgresql/<version>/bin; a UserError when there is none. */
export async function findPgbench(searchPath = process.env.PATH ?? "", debianRoot = "/usr/lib/postgresql"): Promise<string> {
  const candidates = searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, "pgbench"));
  const versions = await readdir(debianRoot).catch(() => [] as string[]);
  candidates.push(...versions.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(debianRoot, v, "bin", "pgbench")));
  for (const candidate of candidates) {
    try {
      await access(candidate);
      await run(candidate, ["--version"]);
      return candidate;
    } catch {
      // not there, or not runnable: the next one
    }
  }
  throw new UserError(
    "npm run bench:rls needs pgbench, and found none on PATH nor in /usr/lib/postgresql/*/bin: " +
      "install it (Debian ships it with the server package: apt-get install postgresql-15; pgbench 15 works against newer servers).",
  );
}
