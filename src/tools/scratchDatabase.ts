// A database migrated from nothing, for the commands that only generate files from the schema
// (db:dump, schema:export, docs:schema): they read it instead of the user's database, which they
// must neither migrate nor depend on (a half-migrated or seeded database would change the output).
import pg from "pg";
import { type Config, describeDatabase, superuserUrl, urlForDatabase } from "../config.ts";
import { migrateDatabase } from "../db/migrate.ts";
import type { Lifecycle } from "../lifecycle.ts";

export interface ScratchDatabase {
  /** `config` with its owner URL (so every role's connection string) pointing at the scratch database. */
  config: Config;
  /** The superuser, connected to the scratch database's server (its maintenance database), open until the command stops. */
  root: pg.Client;
}

/**
 * Creates `<app database>_<purpose>` on the app database's server and migrates it as the test suite's
 * template is (committed migrations and migrations/current/, worker schema, policies, audit log), so
 * that what the command writes is what the tests compare with. A leftover from an interrupted run is
 * dropped first; the database is dropped when `lifecycle` stops (after whatever the caller registers
 * later, such as a GraphQL service connected to it). `why` completes "… needs a superuser": throws a
 * ConfigError when no superuser URL is known (ROOT_DATABASE_URL, or the embedded cluster's).
 */
export async function migrateScratchDatabase(
  config: Config,
  lifecycle: Lifecycle,
  purpose: string,
  why: string,
): Promise<ScratchDatabase> {
  const root = new pg.Client({ connectionString: superuserUrl(config, why) });
  await root.connect();
  const scratch = `${describeDatabase(config.ownerUrl).database}_${purpose}`;
  const drop = () => root.query(`drop database if exists ${root.escapeIdentifier(scratch)} with (force)`);
  await drop();
  lifecycle.onStop("scratch database", async () => {
    await drop();
    await root.end();
  });
  const scratchConfig = { ...config, ownerUrl: urlForDatabase(config.ownerUrl, scratch) };
  await migrateDatabase(scratchConfig, () => {}, { withCurrent: true });
  return { config: scratchConfig, root };
}
