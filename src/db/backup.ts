// Backups: pg_dump's custom format of the whole app database (every schema:
// app data, the job queue, the migration history), taken as the owner — but
// the users' data keys, which go to a file of their own: kept apart and for
// less time, so that erasing a user (their key) reaches the data backups too
// once the key backups from before the erasure are gone. And a restore into a
// database that does not exist yet — never over live data.
// Passwords reach pg_dump/pg_restore through PGPASSWORD, not the command line
// (which other local users can read in `ps`).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { type Config, describeDatabase, superuserUrl, urlForDatabase } from "../config.ts";
import { UserError } from "../errors.ts";
import { ensureRoles, migrateDatabase } from "./migrate.ts";

/** A libpq URL without its password, and the password for PGPASSWORD. */
function splitPassword(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.href, env: { ...process.env, PGPASSWORD: password } };
}

async function run(tool: string, args: string[], url: string): Promise<void> {
  const { url: bare, env } = splitPassword(url);
  try {
    await promisify(execFile)(tool, [...args, "--dbname", bare], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new Error(`${tool} failed: ${stderr || (e as Error).message}`);
  }
}

/** Where the data keys of a backup go: `x.dump` → `x.keys.dump`. */
export function keysFileOf(file: string): string {
  return file.replace(/(\.dump)?$/, ".keys.dump");
}

const DATA_KEYS = "app_private.user_data_keys";

/** Writes `file` (everything but the data keys' rows) and keysFileOf(file) (only those rows). */
export async function backupDatabase(pgDump: string, ownerUrl: string, file: string): Promise<{ data: string; keys: string }> {
  const keys = keysFileOf(file);
  await run(pgDump, ["--format=custom", `--exclude-table-data=${DATA_KEYS}`, "--file", file], ownerUrl);
  await run(pgDump, ["--format=custom", "--data-only", `--table=${DATA_KEYS}`, "--file", keys], ownerUrl);
  return { data: file, keys };
}

/**
 * Restores `file` into the database config.ownerUrl names, which must not hold
 * our tables yet: roles and database are created (ROOT_DATABASE_URL), the
 * backup is restored in one transaction (all or nothing), then its data keys
 * (without them, P2 values stay unreadable), then migrations newer than the
 * backup run and policies/ is re-applied.
 */
export async function restoreDatabase(
  config: Config,
  pgRestore: string,
  file: string,
  keysFile: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const rootUrl = superuserUrl(config, "A restore creates the database");
  const { database } = describeDatabase(config.ownerUrl);
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    const { rowCount } = await root.query("select 1 from pg_database where datname = $1", [database]);
    if (rowCount) {
      const inDb = new pg.Client({ connectionString: urlForDatabase(rootUrl, database) });
      await inDb.connect();
      const { rows } = await inDb.query("select count(*)::int as n from pg_namespace where nspname = 'app_public'").finally(() => inDb.end());
      if (rows[0].n > 0) {
        throw new UserError(`Database "${database}" already holds the app: restore into a new one (point DATABASE_URL at a name that does not exist).`);
      }
    }
  } finally {
    await root.end();
  }
  await ensureRoles(config, log);
  await run(pgRestore, ["--exit-on-error", "--single-transaction", "--no-owner", file], config.ownerUrl);
  log(`restored ${file} into "${database}"`);
  if (keysFile) {
    await run(pgRestore, ["--exit-on-error", "--single-transaction", "--data-only", "--no-owner", keysFile], config.ownerUrl);
    log(`restored the data keys of ${keysFile}`);
  } else {
    log("no data keys restored: every P2 value of this database stays unreadable until they are (--keys)");
  }
  await migrateDatabase(config, log);
}
