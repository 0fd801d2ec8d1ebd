// `npm run db:migrate` and start-up share this: roles and database (when a
// superuser URL is known), committed migrations, graphile-worker's own
// schema, the audit log, functions/, then policies/. Every step is idempotent.
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
import { applyFunctions } from "./functions.ts";
import { applyPolicies } from "./policies.ts";
import { AUDIT_ROLES, ensureAuditRoles, ensureRolesAndDatabase, installAuditLog } from "./roles.ts";

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
 * it, so work in progress is tested before `gm commit`; production never runs it.
 */
export async function migrateDatabase(
  config: Config,
  log: (line: string) => void = console.log,
  { withCurrent = false }: { withCurrent?: boolean } = {},
): Promise<void> {
  await oneMigrationAtATime(config, async () => {
    await ensureRoles(config, log);
    const settings = graphileMigrateSettings(config.ownerUrl, config.rootUrl, masterKeys(config), log);
    await (withCurrent ? watch(settings, true) : migrate(settings));
    releaseGraphileMigratePools();
    await installWorkerSchema({ connectionString: config.ownerUrl });
    log("graphile_worker schema is current");
    await ensureAuditLog(config, log);
    // Functions before policies: a policy may call a function, and functions/ may add one.
    log(`functions re-applied: ${(await applyFunctions(config.ownerUrl)).join(", ")}`);
    const files = await applyPolicies(config.ownerUrl);
    log(`policies re-applied: ${files.join(", ")}`);
  });
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

/** Roles and database, when a superuser URL is known (otherwise a DBA made them). */
export async function ensureRoles(config: Config, log: (line: string) => void = console.log): Promise<void> {
  if (!config.rootUrl) return;
  const target = describeDatabase(config.ownerUrl);
  const rolePasswords = Object.fromEntries(
    Object.values(ROLES).map((role) => [role, config.secret(ROLE_PASSWORD_SECRET[role])]),
  ) as Record<RoleName, string>;
  await ensureRolesAndDatabase(config.rootUrl, target, {
    owner: decodeURIComponent(new URL(config.ownerUrl).password),
    ...rolePasswords,
  });
  await ensureAuditRoles(config.rootUrl, target.database, config.secret("AUDIT_WRITER_DB_PASSWORD"));
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
