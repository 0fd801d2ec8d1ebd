// A database migrated from nothing, for the commands that only generate files from the schema
// (db:dump, schema:export, docs:schema): they read it instead of the user's database, which they
// must neither migrate nor depend on (a half-migrated or seeded database would change the output).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { appDatabaseAsSuperuser, type Config, describeDatabase, type RoleName, superuserUrl, urlForDatabase } from "../config.ts";
import { migrateDatabase } from "../db/migrate.ts";
import type { Lifecycle } from "../lifecycle.ts";

export interface ScratchDatabase {
  /** `config` with its owner URL (so every role's connection string) pointing at the scratch database. */
  config: Config;
  /** The superuser, connected to the scratch database's server (its maintenance database), open until the command stops. */
  root: pg.Client;
}

/** What every scratch database's name has after the app database's: a real database is never named so. */
const SCRATCH_MARK = "_scratch_";

/**
 * Creates `<app database>_scratch_<purpose>_<8 random hex>` on the app database's server (a name of
 * its own per run: two runs, or a real database, are never in each other's way) and migrates it as the
 * test suite's template is (committed migrations and migrations/current/, worker schema, policies,
 * audit log), so that what the command writes is what the tests compare with. The roles are
 * cluster-wide: missing ones are created, existing ones keep their passwords (a deployment's server).
 * This run's database, and only it, is dropped when `lifecycle` stops (after whatever the caller
 * registers later, such as a GraphQL service connected to it); one a killed run left behind stays
 * (the README, under Commands, says how to remove it). `why` completes "… needs a superuser": throws a ConfigError when no
 * superuser URL is known (ROOT_DATABASE_URL, or the embedded cluster's).
 */
export async function migrateScratchDatabase(
  config: Config,
  lifecycle: Lifecycle,
  purpose: string,
  why: string,
): Promise<ScratchDatabase> {
  const root = new pg.Client({ connectionString: superuserUrl(config, why) });
  await root.connect();
  const scratch = scratchName(describeDatabase(config.ownerUrl).database, purpose);
  let created = false;
  lifecycle.onStop("scratch database", async () => {
    if (created) await root.query(`drop database if exists ${root.escapeIdentifier(scratch)} with (force)`);
    await root.end();
  });
  // Fails, rather than reuses, should the name exist: what this run drops is what it made.
  await root.query(`create database ${root.escapeIdentifier(scratch)}`);
  created = true;
  await root.query(
    `comment on database ${root.escapeIdentifier(scratch)} is ${root.escapeLiteral(
      `scratch database of npm run ${process.env.npm_lifecycle_event ?? purpose} (pid ${process.pid}, ${new Date().toISOString()}): schema only, safe to drop once that run is over`,
    )}`,
  );
  const scratchConfig = { ...config, ownerUrl: urlForDatabase(config.ownerUrl, scratch) };
  await migrateDatabase(scratchConfig, () => {}, { withCurrent: true, keepExistingRoles: true });
  return { config: scratchConfig, root };
}

/**
 * `role` in the scratch database, logged in as the superuser (`-c role=…` at connection start):
 * the roles' passwords may be a deployment's, which this run must neither know nor change.
 */
export function scratchRoleUrl(scratch: ScratchDatabase, role: RoleName): string {
  const url = new URL(appDatabaseAsSuperuser(scratch.config, "the scratch database"));
  url.searchParams.set("options", `-c role=${role}`);
  return url.href;
}

/** `<database>_scratch_<purpose>_<8 hex>`, the database part shortened so that the whole fits PostgreSQL's 63 bytes. */
function scratchName(database: string, purpose: string): string {
  const suffix = `${SCRATCH_MARK}${purpose}_${randomBytes(4).toString("hex")}`;
  let prefix = database;
  while (Buffer.byteLength(prefix + suffix) > 63) prefix = prefix.slice(0, -1);
  return prefix + suffix;
}
