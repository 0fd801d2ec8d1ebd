// `npm run db:migrate` and start-up share this: roles and database (when a
// superuser URL is known), committed migrations, graphile-worker's own
// schema, the audit log, functions/, then policies/. Every step is idempotent.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
// graphile-migrate's own logger class (it checks instanceof): its lines go where ours go.
import { Logger } from "@graphile/logger";
import JSON5 from "json5";
import pg from "pg";
import { migrate, type Settings, watch } from "graphile-migrate";
// graphile-migrate keeps its pool for 200 ms after use; we release it at once so
// a one-shot command can stop the database right after migrating.
import { clearAllPools as releaseGraphileMigratePools } from "graphile-migrate/dist/pgReal.js";
import { runMigrations as installWorkerSchema } from "graphile-worker";
import { type Config, ConfigError, PROJECT_ROOT, ROLE_PASSWORD_SECRET, ROLES, type RoleName, describeDatabase, urlForDatabase } from "../config.ts";
import { type MasterKeys, masterKeys, masterKeySettings } from "../privacy/masterKeys.ts";
import { UserError } from "../errors/index.ts";
import { FUNCTIONS_DIR } from "./functions.ts";
import { POLICIES_DIR, readPolicies } from "./policies.ts";
import { applySqlFiles, readSqlFolder, type SqlFile, SqlFileError } from "./sqlFolder.ts";
import { AUDIT_ROLES, ensureAuditRoles, ensureRolesAndDatabase, installAuditLog, type RoleOptions } from "./roles.ts";

/** graphile-migrate's folder: `committed/` (what production runs) and `current/`. */
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "migrations");

/**
 * The .gmrc settings with the connection strings and master keys of this environment (and, optionally, where its
 * lines go, and another migrations folder: a test's copy).
 */
export function graphileMigrateSettings(
  ownerUrl: string,
  rootUrl: string | undefined,
  keys: MasterKeys,
  log?: (line: string) => void,
  migrationsFolder = MIGRATIONS_DIR,
): Settings {
  const gmrc = JSON5.parse(readFileSync(path.join(PROJECT_ROOT, ".gmrc"), "utf8")) as Settings;
  return {
    ...gmrc,
    // A migration that encrypts existing P2 values needs the master key (an empty database does not).
    pgSettings: { ...gmrc.pgSettings, ...masterKeySettings(keys) },
    ...(log ? { logger: new Logger(() => (_level, message) => log(message)) } : {}),
    connectionString: ownerUrl,
    rootConnectionString: rootUrl,
    migrationsFolder,
  };
}

/**
 * `withCurrent`: also run the uncommitted migration (migrations/current.sql or
 * current/), as `gm watch --once` does. Only the test suite's template asks for
 * it, so work in progress is tested before `gm commit`; production never runs it; its failure
 * is a SqlFileError naming the file (runCurrentMigration).
 * `keepExistingRoles`: for a scratch database (src/tools/scratchDatabase.ts) on a server others use:
 * the roles that exist keep their passwords and attributes (ensureRolesAndDatabase's keepExisting),
 * missing ones get random passwords nobody needs, and so does this database's audit writer login.
 * `beforeMigrations`: runs once roles and database are in place, before the first change to the database, under the
 * migration lock (db:migrate's backup in production, src/tools/backup.ts); when it throws, nothing is migrated.
 * `migrationsFolder`: another folder than migrations/ (a test's copy with a migration of its own).
 */
export async function migrateDatabase(
  config: Config,
  log: (line: string) => void = console.log,
  {
    withCurrent = false,
    keepExistingRoles = false,
    beforeMigrations,
    migrationsFolder = MIGRATIONS_DIR,
  }: { withCurrent?: boolean; keepExistingRoles?: boolean; beforeMigrations?: () => Promise<void>; migrationsFolder?: string } = {},
): Promise<void> {
  await oneMigrationAtATime(config, async () => {
    const roleConfig = keepExistingRoles ? { ...config, secret: throwawaySecrets() } : config;
    await ensureRoles(roleConfig, log, { keepExisting: keepExistingRoles });
    await holdingAppDatabaseLock(config, async () => {
      await beforeMigrations?.();
      const settings = graphileMigrateSettings(config.ownerUrl, config.rootUrl, masterKeys(config), log, migrationsFolder);
      try {
        await (withCurrent ? runCurrentMigration(settings) : migrate(settings));
      } finally {
        // Also after a failed migration: its idle client, ended later by the server, would make graphile-migrate exit the process.
        releaseGraphileMigratePools();
      }
      await installWorkerSchema({ connectionString: config.ownerUrl });
      log("graphile_worker schema is current");
      await ensureAuditLog(roleConfig, log);
      const [functions, policies] = await applyFunctionsAndPolicies(config.ownerUrl, { log });
      log(`functions re-applied: ${functions.join(", ")}`);
      log(`policies re-applied: ${policies.join(", ")}`);
    });
  });
}

/**
 * The committed migrations of `migrationsFolder` the database has not run yet (their file names), as
 * graphile-migrate picks them: every one numbered after the last it recorded; all of them when the database holds no
 * migration history (a new database).
 */
export async function pendingMigrations(ownerUrl: string, migrationsFolder = MIGRATIONS_DIR): Promise<string[]> {
  const committed = (await readdir(path.join(migrationsFolder, "committed")))
    .map((file) => ({ file, number: /^([0-9]{6,})(-[-_a-zA-Z0-9]*)?\.sql$/.exec(file)?.[1] }))
    .filter((m): m is { file: string; number: string } => m.number !== undefined)
    .sort((a, b) => a.number.localeCompare(b.number, "en"));
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ history: boolean }>("select to_regclass('graphile_migrate.migrations') is not null as history");
    const last = rows[0]!.history
      ? (await client.query<{ last: string | null }>("select max(filename) as last from graphile_migrate.migrations")).rows[0]!.last
      : null;
    return committed.filter((m) => !last || `${m.number}.sql` > last).map((m) => m.file);
  } finally {
    await client.end();
  }
}

/**
 * How long applyFunctionsAndPolicies waits for one table lock before it gives up and tries again: far longer than
 * an API query holds one, far shorter than PostgreSQL's default deadlock_timeout (1 s), so that when an app query
 * and the migrate wait for each other, the migrate gives way (55P03) before the deadlock detector might pick the
 * app's query, and app queries queued behind it wait at most about this long per table.
 */
export const POLICY_LOCK_TIMEOUT_MS = 100;
/**
 * How many times applyFunctionsAndPolicies tries its transaction when it loses a lock to concurrent sessions; with
 * the waits between (doubling from 100 ms to at most 5 s, jittered), about a minute in all: a job's transaction
 * of up to that long is waited out, as the migrate waited for it before it took a lock_timeout.
 */
export const POLICY_APPLY_ATTEMPTS = 20;
const MAX_RETRY_DELAY_MS = 5000;

/**
 * The first statement of the reset-functions-policies transaction: every table of app_public and app_private the
 * owner owns, locked at once in one fixed order (schema, name), each lock waited for at most
 * POLICY_LOCK_TIMEOUT_MS (which holds for the rest of the transaction too). Dropping and creating policies and
 * triggers locks those tables anyway, one by one and in pg_policy's order; an app query holding one table while it
 * waits for another the transaction already held could deadlock with it (40P01). Taken first, the locks make
 * the transaction fail before it did anything, and once it holds them it waits for nobody.
 */
const LOCK_TABLES: SqlFile = {
  name: "(the table locks of functions/ and policies/)",
  sql: `set local lock_timeout = '${POLICY_LOCK_TIMEOUT_MS}ms';
do $$
declare
  tables text;
begin
  select string_agg(c.oid::regclass::text, ', ' order by n.nspname, c.relname) into tables
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('app_public', 'app_private') and c.relkind in ('r', 'p')
    and c.relowner = (select oid from pg_roles where rolname = current_user);
  if tables is not null then
    execute 'lock table ' || tables || ' in access exclusive mode';
  end if;
end;
$$;`,
};

/** SQLSTATEs of losing a lock to another session: deadlock_detected, lock_not_available (lock_timeout). */
const LOCK_LOST = new Set(["40P01", "55P03"]);

/**
 * policies/000_reset.sql (every policy and grant of our schemas dropped), then functions/, then the rest of
 * policies/ (or copies of the folders), in ONE transaction: nobody ever sees the database between them.
 * Reset first, so that a helper functions/ drops and makes again (000_dropped.sql) has no policy or grant
 * depending on it then; policies/ gives them back. Returns the file names applied, per folder.
 * The transaction takes its table locks first (LOCK_TABLES); when it loses one to concurrent sessions (a deadlock, a
 * lock wait past POLICY_LOCK_TIMEOUT_MS: the whole transaction rolled back, nothing applied), it says so in one
 * `log` line and runs again, at most `attempts` times in all, waiting `retryDelayMs`, then twice as long (at most
 * 5 s), each ±50% at random so that two migrates or a burst of queries do not meet again in step, between.
 */
export async function applyFunctionsAndPolicies(
  ownerUrl: string,
  {
    functionsDir = FUNCTIONS_DIR,
    policiesDir = POLICIES_DIR,
    log = console.log,
    attempts = POLICY_APPLY_ATTEMPTS,
    retryDelayMs = 100,
  }: { functionsDir?: string; policiesDir?: string; log?: (line: string) => void; attempts?: number; retryDelayMs?: number } = {},
): Promise<[functions: string[], policies: string[]]> {
  const functions = await readSqlFolder(functionsDir, "functions");
  const { reset, rest: policies } = await readPolicies(policiesDir);
  for (let attempt = 1; ; attempt++) {
    try {
      await applySqlFiles(ownerUrl, [LOCK_TABLES, reset, ...functions, ...policies]);
      break;
    } catch (e) {
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      if (typeof code !== "string" || !LOCK_LOST.has(code)) throw e;
      if (attempt >= attempts) {
        throw new SqlFileError(
          `functions/ and policies/ not applied: they lost a table lock to other sessions ${attempts} times (${code}, last: ${(e as Error).message}). ` +
            "Nothing was changed. A long transaction may hold a table of app_public or app_private (pg_stat_activity, pg_locks): end it and run db:migrate again.",
          { cause: e },
        );
      }
      const wait = Math.round(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS) * (0.5 + Math.random()));
      log(
        `functions/ and policies/: ${code === "40P01" ? "deadlock with" : "lock wait timed out behind"} another session (${code}), ` +
          `rolled back, nothing applied; attempt ${attempt + 1} of ${attempts} in ${wait} ms`,
      );
      await sleep(wait);
    }
  }
  const names = (files: SqlFile[]) => files.map((f) => path.basename(f.name));
  return [names(functions), names([reset, ...policies])];
}

/**
 * `gm watch --once`; its failure (graphile-migrate's error, with a stack) as one line naming the file, as
 * policies/ and functions/ name theirs (`migrations/current/2-x.sql: <PostgreSQL's message>`), or the folder.
 */
async function runCurrentMigration(settings: Settings): Promise<void> {
  try {
    await watch(settings, true);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const file = await failingCurrentFile(settings, message).catch(() => undefined);
    throw new SqlFileError(`${file ?? "migrations/current/"}: ${message}`, { cause: e });
  }
}

/**
 * Which file of migrations/current/ fails with `message`: graphile-migrate runs the folder as one query, so
 * PostgreSQL cannot say. Each file again, in order, in one transaction that is rolled back; undefined when none
 * fails so (a current.sql instead of the folder, a failure of another kind).
 */
async function failingCurrentFile(settings: Settings, message: string): Promise<string | undefined> {
  const files = await readSqlFolder(path.join(settings.migrationsFolder!, "current"), "migrations/current");
  const client = new pg.Client({ connectionString: settings.connectionString });
  await client.connect();
  try {
    await client.query("begin");
    for (const [name, value] of Object.entries(settings.pgSettings ?? {})) {
      await client.query("select set_config($1, $2, true)", [name, String(value)]);
    }
    for (const file of files) {
      try {
        await client.query(file.sql);
      } catch (e) {
        return e instanceof Error && e.message === message ? file.name : undefined;
      }
    }
    return undefined;
  } finally {
    await client.query("rollback").catch(() => {});
    await client.end();
  }
}

/** A `secret` that makes up a random value per name (the same for the same name): passwords nobody needs. */
function throwawaySecrets(): Config["secret"] {
  const made = new Map<string, string>();
  return (name) => made.get(name) ?? made.set(name, randomBytes(24).toString("base64url")).get(name)!;
}

/** Namespace of the migration lock (the first key of pg_advisory_lock(int, int)): "pasm" in ASCII. */
export const MIGRATION_LOCK_CLASS = 0x7061736d;

/**
 * Runs `work` holding a session advisory lock, so two commands migrating the same server at once (two
 * first commands on a new cluster, compose's `migrate` beside a start) take turns: graphile-migrate
 * locks only its own step, not the roles, the database or policies/ (drop-and-create). The lock is
 * taken as the superuser in its database when one is known (the app database may not exist yet),
 * otherwise as the owner in the app database; migrateDatabase then also takes it in the app database
 * (holdingAppDatabaseLock), where a start without the superuser URL meets it.
 */
export async function oneMigrationAtATime(config: Config, work: () => Promise<void>): Promise<void> {
  await holdingMigrationLock(config.rootUrl ?? config.ownerUrl, work);
}

/**
 * Runs `work` (the steps after the app database exists) holding the migration lock in the app database too,
 * when oneMigrationAtATime took it in the superuser's database: advisory locks belong to one database, and a
 * production start (no superuser URL) takes it in the app database, so that is where every command migrating
 * this database meets. Always after the superuser's lock, never the other way round: no deadlock.
 */
async function holdingAppDatabaseLock(config: Config, work: () => Promise<void>): Promise<void> {
  await (config.rootUrl ? holdingMigrationLock(config.ownerUrl, work) : work());
}

/** `work` under the migration lock of `url`'s database; if that lock's connection is lost meanwhile, says so afterwards. */
async function holdingMigrationLock(url: string, work: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  let lost: Error | undefined;
  // Without a listener, a connection ended by the server (a restart, pg_terminate_backend, idle_session_timeout
  // during a long backup) would be an uncaught exception in the middle of the work.
  client.on("error", (e) => (lost ??= e));
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1, 1)", [MIGRATION_LOCK_CLASS]);
    await work();
  } finally {
    await client.end().catch(() => {});
  }
  if (lost) {
    throw new UserError(
      `The migration lock's connection was lost during the migration (${lost.message}), so another command may have ` +
        "migrated at the same time: run `npm run db:migrate` again (it changes nothing if all is applied) and read its output.",
    );
  }
}

/** Roles and database, when a superuser URL is known (otherwise a DBA made them); `options` as ensureRolesAndDatabase's. */
export async function ensureRoles(config: Config, log: (line: string) => void = console.log, options: RoleOptions = {}): Promise<void> {
  if (!config.rootUrl) return;
  const target = describeDatabase(config.ownerUrl);
  const rolePasswords = Object.fromEntries(
    Object.values(ROLES).map((role) => [role, config.secret(ROLE_PASSWORD_SECRET[role])]),
  ) as Record<RoleName, string>;
  await ensureRolesAndDatabase(config.rootUrl, target, {
    owner: decodeURIComponent(new URL(config.ownerUrl).password),
    ...rolePasswords,
  }, options);
  await ensureAuditRoles(config.rootUrl, target.database, config.secret("AUDIT_WRITER_DB_PASSWORD"), options);
  log(`roles and database "${target.database}" (owner ${target.owner}) are in place`);
}

/**
 * The audit log belongs to app_audit_owner, which only a superuser can set up (src/db/auditLog.sql):
 * done here after the migrations when a superuser URL is known; otherwise it must already be in place.
 */
async function ensureAuditLog(config: Config, log: (line: string) => void): Promise<void> {
  if (config.rootUrl) {
    await installAuditLog(urlForDatabase(config.rootUrl, describeDatabase(config.ownerUrl).database), config.secret("AUDIT_WRITER_DB_PASSWORD"));
    log(`audit log in place (schema app_audit, owned by ${AUDIT_ROLES.owner})`);
    return;
  }
  const owner = new pg.Client({ connectionString: config.ownerUrl });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ ready: boolean }>(
      `select exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                      where n.nspname = 'app_audit' and p.proname = 'append_durable')
          and exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      where n.nspname = 'app_private' and c.relname = 'audit_log' and c.relkind = 'v') as ready`,
    );
    if (!rows[0]?.ready) {
      throw new ConfigError(
        `The audit log is not in place: it must belong to ${AUDIT_ROLES.owner}, which only a superuser can set up. ` +
          "Run `npm run db:migrate` once with ROOT_DATABASE_URL (a superuser) and AUDIT_WRITER_DB_PASSWORD set (docs/operations.md, \"The audit log's superuser step\").",
      );
    }
  } finally {
    await owner.end();
  }
}
