// functions/ is the single source of truth for our SQL functions and triggers, as policies/ is for
// policies: re-applied after every migrate, before policies/ and in the same transaction (migrate.ts). The catalog check
// here proves it, on any migrated database: every function and trigger of our schemas is defined in
// exactly one file, and the live definitions are what the files say.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { PROJECT_ROOT } from "../config.ts";
import { readPolicies } from "./policies.ts";
import { OUR_SCHEMAS } from "./schemas.ts";
import { UserError } from "../errors/index.ts";
import { applySqlFolder, readSqlFolder, type SqlFile } from "./sqlFolder.ts";

export const FUNCTIONS_DIR = path.join(PROJECT_ROOT, "functions");

/** Applies functions/ (or a copy of it in `dir`); returns the file names; a failure names `functions/<file>`. */
export function applyFunctions(ownerUrl: string, dir = FUNCTIONS_DIR): Promise<string[]> {
  return applySqlFolder(ownerUrl, dir, "functions");
}

/**
 * Where the checked functions and triggers are defined: the files of functions/ (or a copy in `dir`)
 * and, with `auditLog`, src/db/auditLog.sql, the home of app_audit's functions (only a superuser can
 * apply it, so only a superuser's check includes it).
 */
async function functionHomes({ dir = FUNCTIONS_DIR, auditLog }: { dir?: string; auditLog: boolean }): Promise<SqlFile[]> {
  const files = await readSqlFolder(dir, "functions");
  if (!auditLog) return files;
  const auditLogSql = fileURLToPath(new URL("auditLog.sql", import.meta.url));
  return [...files, { name: path.relative(PROJECT_ROOT, auditLogSql), sql: await readFile(auditLogSql, "utf8") }];
}

/**
 * The checked objects of `schemas`, keyed "function app_public.f(uuid)" / "trigger _100_x on app_public.t",
 * always schema-qualified (regprocedure leaves out a schema on the search_path, as `public` is):
 * functions not owned by an extension (pg_depend deptype 'e'), and the non-internal triggers of their
 * tables but constraint triggers (which cannot be `create or replace`d: they stay in their migration).
 * `definition` is pg_get_functiondef (with the comment) or pg_get_triggerdef; `enabled` a trigger's
 * tgenabled ('O' enabled, 'D' disabled, 'R' replica only, 'A' always; '' for a function), which
 * pg_get_triggerdef leaves out; `xmin` the row version.
 */
const OBJECTS = `
  select 'function ' || case when starts_with(p.oid::regprocedure::text, quote_ident(n.nspname) || '.') then ''
                             else quote_ident(n.nspname) || '.' end || p.oid::regprocedure::text as key, p.xmin::text as xmin, '' as enabled,
         pg_get_functiondef(p.oid) || coalesce(E'\\ncomment: ' || obj_description(p.oid, 'pg_proc'), '') as definition
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any($1)
    and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
  select 'trigger ' || quote_ident(t.tgname) || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname), t.xmin::text, t.tgenabled::text, pg_get_triggerdef(t.oid)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1) and not t.tgisinternal and t.tgconstraint = 0`;

type Row = { xmin: string; enabled: string; definition: string };
type Snapshot = Map<string, Row>;

async function snapshot(client: pg.ClientBase, schemas: readonly string[]): Promise<Snapshot> {
  const { rows } = await client.query<Row & { key: string }>(OBJECTS, [schemas]);
  return new Map(rows.map(({ key, ...row }) => [key, row]));
}

const TRIGGER_STATES: Record<string, string> = { O: "enabled", D: "disabled", R: "enabled for replica sessions only", A: "enabled always" };

/**
 * The one-line error for a file that fails to apply: `<file>: <PostgreSQL's message>`, plus what to do
 * when the cause is the role (42501: only the owner may replace the functions the files define).
 */
function fileError(file: SqlFile, e: unknown): UserError {
  const { message, code } = e as Error & { code?: string };
  const hint = code === "42501" ? " (the check applies the files: run it as the owner, DATABASE_URL's user)" : "";
  return new UserError(`${file.name}: ${message}${hint}`, { cause: e });
}

/** Which files define and drop each object, learnt by applying the files in order; `applied` is the end state. */
interface Applied {
  definedIn: Map<string, string[]>;
  droppedBy: Map<string, string>;
  /** "dropped by X but defined in Y": a later file drops what an earlier one defines, whose definition is dead. */
  droppedAfterDefined: Map<string, string>;
  applied: Snapshot;
}

/**
 * Applies policies/000_reset.sql, then `files` cumulatively in name order, as migrate does (so functions/000_dropped.sql drops a
 * function before its file re-creates it with a new return type), in a savepoint always rolled back.
 * Each file runs in a savepoint of its own, released: its writes carry that subtransaction's xid, so
 * the pg_proc / pg_trigger rows whose xmin changed across the file are the ones it defined (`create or
 * replace` rewrites the row even when nothing changes, and a second file defining the same object
 * changes it again); the rows gone across it are the ones it dropped. Throws a UserError naming a file
 * that fails to apply.
 */
async function applyInOrder(client: pg.ClientBase, files: SqlFile[], schemas: readonly string[], reset: SqlFile): Promise<Applied> {
  const definedIn = new Map<string, string[]>();
  const droppedBy = new Map<string, string>();
  const droppedAfterDefined = new Map<string, string>();
  await client.query("savepoint function_catalog");
  try {
    // As migrate does: no policy or grant left to depend on a function 000_dropped.sql drops. (Its revokes
    // rewrite every pg_proc row: the snapshot the files are compared with is taken after it.)
    try {
      await client.query(reset.sql);
    } catch (e) {
      throw fileError(reset, e);
    }
    let before = await snapshot(client, schemas);
    for (const file of files) {
      await client.query("savepoint function_file");
      try {
        await client.query(file.sql);
      } catch (e) {
        throw fileError(file, e);
      }
      await client.query("release savepoint function_file");
      const after = await snapshot(client, schemas);
      for (const [key, row] of after) {
        if (before.get(key)?.xmin !== row.xmin) definedIn.set(key, [...(definedIn.get(key) ?? []), file.name]);
      }
      for (const key of before.keys()) {
        if (after.has(key)) continue;
        droppedBy.set(key, file.name);
        if (definedIn.has(key)) droppedAfterDefined.set(key, file.name);
      }
      before = after;
    }
    return { definedIn, droppedBy, droppedAfterDefined, applied: before };
  } finally {
    await client.query("rollback to savepoint function_catalog");
  }
}

/**
 * Checks the catalog against its homes and returns one line per problem (empty: all is well):
 * - "<key>: defined in no file" / "…: defined in 2 files: a, b" / "…: dropped by b but defined in a" (a
 *   later file drops it): which file defines (or drops) what, read while applying the files in order
 *   (see applyInOrder). A drop in functions/000_dropped.sql followed by the object's file re-creating it
 *   is the documented way to change a return type or defaults, and passes;
 * - "<key>: the live definition differs from <file>" (or "…: is in <file> but not in the database" / "…: is
 *   dropped by <file> but still in the database" / "trigger …: is disabled but enabled by <file>"): drift,
 *   seen by comparing the definitions before and after applying all files.
 * Our schemas include `public` (the owner's): a function there that no extension owns is ours, and in
 * no file unless one defines it.
 * `client` must be in a transaction (it uses savepoints and leaves everything as it found it); applying the
 * files takes their tables' trigger locks until that transaction ends. With `auditLog` it checks app_audit
 * too, which needs a superuser. Throws a UserError (one line) when a file fails to apply, naming it.
 */
export async function checkFunctionCatalog(
  client: pg.ClientBase,
  { dir, auditLog }: { dir?: string; auditLog: boolean },
): Promise<string[]> {
  const schemas = [...OUR_SCHEMAS, "public", ...(auditLog ? ["app_audit"] : [])];
  const homes = await functionHomes({ dir, auditLog });
  const live = await snapshot(client, schemas);
  const { reset } = await readPolicies();
  const { definedIn, droppedBy, droppedAfterDefined, applied } = await applyInOrder(client, homes, schemas, reset);

  const problems: string[] = [];
  for (const key of live.keys()) {
    // A function dropped on purpose (functions/000_dropped.sql) has its home there until the next migrate.
    if (!definedIn.has(key) && !droppedBy.has(key)) problems.push(`${key}: defined in no file`);
  }
  for (const [key, files] of definedIn) {
    if (files.length > 1) problems.push(`${key}: defined in ${files.length} files: ${files.join(", ")}`);
    const dropper = droppedAfterDefined.get(key);
    if (dropper) problems.push(`${key}: dropped by ${dropper} but defined in ${files.join(", ")}`);
  }

  for (const key of new Set([...live.keys(), ...applied.keys()])) {
    const before = live.get(key);
    const after = applied.get(key);
    const files = definedIn.get(key)?.join(", ") || "the files";
    if (before === undefined) problems.push(`${key}: is in ${files} but not in the database`);
    else if (after === undefined) problems.push(`${key}: is dropped by ${droppedBy.get(key) ?? "the files"} but still in the database`);
    else if (before.definition !== after.definition) problems.push(`${key}: the live definition differs from ${files}`);
    else if (before.enabled !== after.enabled) {
      const state = (s: string) => TRIGGER_STATES[s] ?? `tgenabled ${s}`;
      problems.push(`${key}: is ${state(before.enabled)} but ${state(after.enabled)} by ${files}`);
    }
  }
  return problems.sort();
}
