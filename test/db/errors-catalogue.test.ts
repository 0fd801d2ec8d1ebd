// The catalogue of errors (src/errors) against what really raises them: the live function
// bodies of this file's database (so it holds wherever the SQL files live), the TypeScript
// modules, maskError and docs/errors.md.
import { readFileSync } from "node:fs";
import type pg from "pg";
import { GraphQLError } from "postgraphile/graphql";
import { type CatalogueEntry, ERROR_CATALOGUE } from "../../src/errors/index.ts";
import { makeMaskError } from "../../src/graphql/maskError.ts";
import { withRootDb } from "../helpers/db.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { raisedIn } from "../helpers/raises.ts";

const CATALOGUE: readonly CatalogueEntry[] = ERROR_CATALOGUE;
/** Every schema whose functions we write, the audit log's included. */
const SCHEMAS = ["app_public", "app_private", "app_hidden", "app_jobs", "app_ops", "app_audit"];

/** "SQLSTATE function" for every raise in a PL/pgSQL function of our schemas (one line per function and code). */
async function liveRaises(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string; body: string }>(
    `select p.pronamespace::regnamespace::text || '.' || p.proname as name, p.prosrc as body
     from pg_proc p join pg_language l on l.oid = p.prolang
     where p.pronamespace::regnamespace::text = any($1) and l.lanname = 'plpgsql'`,
    [SCHEMAS],
  );
  return [...new Set(rows.flatMap(({ name, body }) => raisedIn(body).map((code) => `${code} ${name}`)))].sort();
}

/** What the catalogue says SQL raises, in liveRaises' shape. */
const catalogued = CATALOGUE.flatMap((e) => e.raisedBy.filter((by) => !by.startsWith("src/")).map((fn) => `${e.sqlstate} ${fn}`)).sort();

/** Whether `sql` returns a row: our schema has something of that kind. */
const hasRow = (sql: string) => async (client: pg.ClientBase) => (await client.query(`select exists (${sql}) as found`)).rows[0].found as boolean;
const IN_APP_PUBLIC = "connamespace = 'app_public'::regnamespace";
const COLUMNS = "select from pg_attribute a join pg_class c on c.oid = a.attrelid where c.relnamespace = 'app_public'::regnamespace and a.attnum > 0";

/**
 * For the SQLSTATEs PostgreSQL raises by itself (`byPostgres`): whether we have what makes it
 * raise them. A new such entry needs its question here.
 */
const POSTGRES_RAISES: Record<string, (client: pg.ClientBase) => Promise<boolean>> = {
  "42501": hasRow("select from pg_class where relnamespace = 'app_public'::regnamespace and relforcerowsecurity"),
  "23514": hasRow(`select from pg_constraint where ${IN_APP_PUBLIC} and contype = 'c'`),
  "23502": hasRow(`${COLUMNS} and c.relkind = 'r' and a.attnotnull`),
  "23503": hasRow(`select from pg_constraint where ${IN_APP_PUBLIC} and contype = 'f'`),
  "23505": hasRow(`select from pg_constraint where ${IN_APP_PUBLIC} and contype = 'u'`),
  "22P02": hasRow(`${COLUMNS} and c.relkind = 'r' and a.atttypid = 'uuid'::regtype`),
  // The GraphQL server sets it per request.
  "57014": async () => readFileSync("src/graphql/preset.ts", "utf8").includes("statement_timeout"),
};

test("raisedIn reads each raise of a body, not what its messages, comments or dynamic SQL say", () => {
  const body = `
    -- raise exception 'commented out' using errcode = 'NOPE1';
    raise notice 'a notice; raise exception using errcode = ''NOPE2'' ';
    raise exception 'no code given: %', x;
    raise exception 'ours' using hint = 'retry', errcode = 'STALE';
    raise sqlstate '22023' using message = 'standard';
    raise check_violation using message = 'by name';
    raise exception using errcode = 'not_null_violation', message = 'a;b';
    execute $sql$ do $d$ begin raise exception 'dynamic' using errcode = 'NOPE3'; end $d$ $sql$;
    exception when others then raise;`;
  expect(raisedIn(body)).toEqual(["P0001", "STALE", "22023", "23514", "23502"]);
  expect(() => raisedIn("raise exception division_by_zero;")).toThrow(/Unknown condition name division_by_zero/);
});

test("every error code raised in SQL is in the catalogue, under the function that raises it", async () => {
  await withRootDb(async (client) => {
    const live = await liveRaises(client);
    expect(live.filter((raise) => !catalogued.includes(raise))).toEqual([]);
  });
});

test("every catalogue entry is raised somewhere: by the functions it names, the modules it names, or PostgreSQL", async () => {
  await withRootDb(async (client) => {
    const live = await liveRaises(client);
    const unraised = catalogued.filter((raise) => !live.includes(raise)).map((raise) => `${raise}: no such raise in the database`);
    for (const entry of CATALOGUE) {
      const name = entry.sqlstate ?? entry.code;
      if (entry.raisedBy.length === 0 && entry.byPostgres === null) unraised.push(`${name}: raised by nobody`);
      for (const module of entry.raisedBy.filter((by) => by.startsWith("src/"))) {
        // A module returns a code by writing it (checked against ClientCode by the compiler).
        if (!readFileSync(module, "utf8").includes(`"${entry.code}"`)) unraised.push(`${name}: not in ${module}`);
      }
      if (entry.byPostgres !== null) {
        const raises = POSTGRES_RAISES[entry.sqlstate!];
        if (!raises) unraised.push(`${name}: no question in POSTGRES_RAISES`);
        else if (!(await raises(client))) unraised.push(`${name}: we have nothing that makes PostgreSQL raise it`);
      }
    }
    expect(unraised).toEqual([]);
  });
});

test("codes and SQLSTATEs are unique, SQLSTATEs have five characters", () => {
  const sqlstates = CATALOGUE.flatMap((e) => (e.sqlstate === null ? [] : [e.sqlstate]));
  const codes = CATALOGUE.flatMap((e) => (e.code === null ? [] : [e.code]));
  expect(sqlstates.filter((s, i) => sqlstates.indexOf(s) !== i || !/^[0-9A-Z]{5}$/.test(s))).toEqual([]);
  expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
});

describe("maskError follows the catalogue", () => {
  const logs = capturingLogger();
  const maskError = makeMaskError(logs.logger);
  const databaseErrors = CATALOGUE.filter((e) => e.sqlstate !== null);

  test.each(databaseErrors.map((e) => [e.sqlstate, e.code] as const))("SQLSTATE %s: code %s", (sqlstate, code) => {
    const original = Object.assign(new Error(`a message of ${sqlstate}`), { code: sqlstate });
    const masked = maskError(new GraphQLError(original.message, { originalError: original }));
    if (code === null) {
      expect(masked.message).toMatch(/^An error occurred \(logged with id: '[\w-]+'\)$/);
      expect(masked.extensions).toEqual({});
    } else {
      expect(masked.message).toBe(original.message);
      expect(masked.extensions).toEqual({ code });
    }
  });
});

/** The table of docs/errors.md, as the catalogue says it. */
function errorTable(): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const rows = CATALOGUE.map((e) => {
    const by = [...e.raisedBy.map((r) => `\`${r}\``), ...(e.byPostgres ? [`PostgreSQL: ${e.byPostgres}`] : [])].join("<br>");
    return `| ${e.sqlstate ? `\`${e.sqlstate}\`` : "–"} | ${e.code ? `\`${e.code}\`` : "–"} | ${e.code ? "yes" : "no"} | ${cell(by)} | ${cell(e.meaning)} |`;
  });
  return ["| SQLSTATE | `extensions.code` | GraphQL shows the message | raised by | meaning |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

test("docs/errors.md holds the catalogue's table exactly", () => {
  const doc = readFileSync("docs/errors.md", "utf8");
  const table = doc.slice(doc.indexOf("| SQLSTATE |"), doc.indexOf("\n\n", doc.indexOf("| SQLSTATE |")));
  expect(table).toBe(errorTable());
});
