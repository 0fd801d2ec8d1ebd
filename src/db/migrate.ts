// `npm run db:migrate` and start-up share this: roles and database (when a
// superuser URL is known), committed migrations, graphile-worker's own
// schema, then policies/. Every step is idempotent.
import { readFileSync } from "node:fs";
import path from "node:path";
// graphile-migrate's own logger class (it checks instanceof): its lines go where ours go.
import { Logger } from "@graphile/logger";
import JSON5 from "json5";
import { migrate, type Settings, watch } from "graphile-migrate";
// graphile-migrate keeps its pool for 200 ms after use; we release it at once so
// a one-shot command can stop the database right after migrating.
import { clearAllPools as releaseGraphileMigratePools } from "graphile-migrate/dist/pgReal.js";
import { runMigrations as installWorkerSchema } from "graphile-worker";
import { type Config, PROJECT_ROOT, ROLE_PASSWORD_SECRET, ROLES, type RoleName, describeDatabase } from "../config.ts";
import { type MasterKeys, masterKeys, masterKeySettings } from "../privacy/masterKeys.ts";
import { applyPolicies } from "./policies.ts";
import { ensureRolesAndDatabase } from "./roles.ts";

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
  await ensureRoles(config, log);
  const settings = graphileMigrateSettings(config.ownerUrl, config.rootUrl, masterKeys(config), log);
  await (withCurrent ? watch(settings, true) : migrate(settings));
  releaseGraphileMigratePools();
  await installWorkerSchema({ connectionString: config.ownerUrl });
  log("graphile_worker schema is current");
  const files = await applyPolicies(config.ownerUrl);
  log(`policies re-applied: ${files.join(", ")}`);
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
  log(`roles and database "${target.database}" (owner ${target.owner}) are in place`);
}
