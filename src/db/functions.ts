// functions/ is the single source of truth for our SQL functions and triggers, as policies/ is for
// policies: re-applied after every migrate (before policies/), in one transaction. The catalog check
// here proves it, on any migrated database: every function and trigger of our schemas is defined in
// exactly one file, and the live definitions are what the files say.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { PROJECT_ROOT } from "../config.ts";
import { OUR_SCHEMAS } from "./schemas.ts";
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
 * The checked objects of `schemas`, keyed "function app_public.f(uuid)" / "trigger _100_x on app_public.t":
 * functions not owned by an extension (pg_depend deptype 'e'), and the non-internal triggers of their
 * tables but constraint triggers (which cannot be `create or replace`d: they stay in their migration).
 * `definition` is pg_get_functiondef (with the comment) or pg_get_triggerdef; `xmin` the row version.
 */
const OBJECTS = `
  select 'function ' || p.oid::regprocedure::text as key, p.xmin::text as xmin,
         pg_get_functiondef(p.oid) || coalesce(E'\\ncomment: ' || obj_description(p.oid, 'pg_proc'), '') as definition
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = any($1)
    and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  union all
  select 'trigger ' || quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass::text, t.xmin::text, pg_get_triggerdef(t.oid)
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1) and not t.tgisinternal and t.tgconstraint = 0`;

type Snapshot = Map<string, { xmin: string; definition: string }>;

async function snapshot(client: pg.ClientBase, schemas: readonly string[]): Promise<Snapshot> {
  const { rows } = await client.query<{ key: string; xmin: string; definition: string }>(OBJECTS, [schemas]);
  return new Map(rows.map((r) => [r.key, { xmin: r.xmin, definition: r.definition }]));
}

/** Runs `fn` after applying `files` in a savepoint, always rolled back; a failing file is named in the error. */
async function withFilesApplied<T>(client: pg.ClientBase, files: SqlFile[], fn: () => Promise<T>): Promise<T> {
  await client.query("savepoint function_catalog");
  try {
    for (const file of files) {
      try {
        await client.query(file.sql);
      } catch (e) {
        throw new Error(`${file.name}: ${(e as Error).message}`, { cause: e });
      }
    }
    return await fn();
  } finally {
    await client.query("rollback to savepoint function_catalog");
  }
}

/**
 * Checks the catalog against its homes and returns one line per problem (empty: all is well):
 * - "<key>: defined in no file" / "…: defined in 2 files: a, b" / "…: dropped by a but defined in b": which
 *   file defines (or drops) what is read by applying each file alone and seeing whose pg_proc / pg_trigger
 *   rows it rewrote (a changed xmin: `create or replace` rewrites the row even when nothing changes);
 * - "<key>: the live definition differs from <file>" (or "…: is in <file> but not in the database" / "…: is
 *   dropped by <file> but still in the database"): drift, seen by applying all files in order and comparing
 *   the definitions before and after.
 * `client` must be in a transaction (it uses savepoints and leaves everything as it found it); applying the
 * files takes their tables' trigger locks until that transaction ends. With `auditLog` it checks app_audit
 * too, which needs a superuser. Throws when a file fails to apply, naming it.
 */
export async function checkFunctionCatalog(
  client: pg.ClientBase,
  { dir, auditLog }: { dir?: string; auditLog: boolean },
): Promise<string[]> {
  const schemas = auditLog ? [...OUR_SCHEMAS, "app_audit"] : [...OUR_SCHEMAS];
  const homes = await functionHomes({ dir, auditLog });
  const live = await snapshot(client, schemas);

  const homesOf = new Map<string, string[]>([...live.keys()].map((key) => [key, []]));
  const droppedBy = new Map<string, string>();
  for (const home of homes) {
    const rewritten = await withFilesApplied(client, [home], () => snapshot(client, schemas));
    for (const [key, row] of rewritten) {
      if (live.get(key)?.xmin !== row.xmin) homesOf.set(key, [...(homesOf.get(key) ?? []), home.name]);
    }
    for (const key of live.keys()) if (!rewritten.has(key)) droppedBy.set(key, home.name);
  }
  const problems: string[] = [];
  for (const [key, files] of homesOf) {
    const dropper = droppedBy.get(key);
    // A function dropped on purpose (functions/000_dropped.sql) has its home there until the next migrate.
    if (files.length === 0 && !dropper) problems.push(`${key}: defined in no file`);
    if (files.length > 1) problems.push(`${key}: defined in ${files.length} files: ${files.join(", ")}`);
    if (files.length > 0 && dropper) problems.push(`${key}: dropped by ${dropper} but defined in ${files.join(", ")}`);
  }

  const applied = await withFilesApplied(client, homes, () => snapshot(client, schemas));
  for (const key of new Set([...live.keys(), ...applied.keys()])) {
    const before = live.get(key)?.definition;
    const after = applied.get(key)?.definition;
    if (before === after) continue;
    if (before === undefined) problems.push(`${key}: is in ${homesOf.get(key)?.join(", ") ?? "a file"} but not in the database`);
    else if (after === undefined) problems.push(`${key}: is dropped by ${droppedBy.get(key) ?? "the files"} but still in the database`);
    else problems.push(`${key}: the live definition differs from ${homesOf.get(key)?.join(", ") || "the files"}`);
  }
  return problems.sort();
}
