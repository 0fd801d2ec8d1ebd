// `npm run db:migrate` and start-up share this: roles and database (when a
// superuser URL is known), committed migrations, graphile-worker's own
// schema, the audit log, functions/, then policies/. Every step is idempotent.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
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
import { FUNCTIONS_DIR } from "./functions.ts";
import { POLICIES_DIR, readPolicies } from "./policies.ts";
import { applySqlFiles, readSqlFolder, type SqlFile, SqlFileError } from "./sqlFolder.ts";
import { AUDIT_ROLES, ensureAuditRoles, ensureRolesAndDatabase, installAuditLog, type RoleOptions } from "./roles.ts";

/** The .gmrc settings with the connection strings and master keys of this environment (and, optionally, where its lines go). */
export function graphileMigrateSettings(
  ownerUrl: string,
  rootUrl: string | undefined,
  keys: MasterKeys,
  log?: (line: string) => void,
): Settings {
  const gmrc = JSON5.parse(readFileSync(path.join(PROJECT_ROOT, ".gmrc"), "utf8")) as Settings;
  return {
    ...gmrc,
    // A migration that encrypts existing P2 values needs the master key (an empty database does not).
    pgSettings: { ...gmrc.pgSettings, ...masterKeySettings(keys) },
    ...(log ? { logger: new Logger(() => (_level, message) => log(message)) } : {}),
    connectionString: ownerUrl,
    rootConnectionString: rootUrl,
    migrationsFolder: path.join(PROJECT_ROOT, "migrations"),
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
 */
export async function migrateDatabase(
  config: Config,
  log: (line: string) => void = console.log,
  { withCurrent = false, keepExistingRoles = false }: { withCurrent?: boolean; keepExistingRoles?: boolean } = {},
): Promise<void> {
  await oneMigrationAtATime(config, async () => {
    const roleConfig = keepExistingRoles ? { ...config, secret: throwawaySecrets() } : config;
    await ensureRoles(roleConfig, log, { keepExisting: keepExistingRoles });
    const settings = graphileMigrateSettings(config.ownerUrl, config.rootUrl, masterKeys(config), log);
    await (withCurrent ? runCurrentMigration(settings) : migrate(settings));
    releaseGraphileMigratePools();
    await installWorkerSchema({ connectionString: config.ownerUrl });
    log("graphile_worker schema is current");
    await ensureAuditLog(roleConfig, log);
    const [functions, policies] = await applyFunctionsAndPolicies(config.ownerUrl);
    log(`functions re-applied: ${functions.join(", ")}`);
    log(`policies re-applied: ${policies.join(", ")}`);
  });
}

/**
 * policies/000_reset.sql (every policy and grant of our schemas dropped), then functions/, then the rest of
 * policies/ (or copies of the folders), in ONE transaction: nobody ever sees the database between them.
 * Reset first, so that a helper functions/ drops and makes again (000_dropped.sql) has no policy or grant
 * depending on it then; policies/ gives them back. Returns the file names applied, per folder.
 */
export async function applyFunctionsAndPolicies(
  ownerUrl: string,
  { functionsDir = FUNCTIONS_DIR, policiesDir = POLICIES_DIR }: { functionsDir?: string; policiesDir?: string } = {},
): Promise<[functions: string[], policies: string[]]> {
  const functions = await readSqlFolder(functionsDir, "functions");
  const { reset, rest: policies } = await readPolicies(policiesDir);
  await applySqlFiles(ownerUrl, [reset, ...functions, ...policies]);
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
const MIGRATION_LOCK_CLASS = 0x7061736d;

/**
 * Runs `work` holding a session advisory lock, so two commands migrating the same server at once (two
 * first commands on a new cluster, compose's `migrate` beside a start) take turns: graphile-migrate
 * locks only its own step, not the roles, the database or policies/ (drop-and-create). The lock is
 * taken as the superuser in its database when one is known (the app database may not exist yet),
 * otherwise as the owner in the app database.
 */
export async function oneMigrationAtATime(config: Config, work: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: config.rootUrl ?? config.ownerUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1, 1)", [MIGRATION_LOCK_CLASS]);
    await work();
  } finally {
    await client.end();
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
