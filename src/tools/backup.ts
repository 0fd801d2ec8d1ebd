// Backups: pg_dump's custom format of the whole app database (every schema:
// app data, the job queue, the migration history), taken as the owner — but
// the users' data keys, which go to a file of their own: kept apart and for
// less time, so that erasing a user (their key) reaches the data backups too
// once the key backups from before the erasure are gone. And a restore into a
// database that does not exist yet — never over live data.
// Passwords reach pg_dump/pg_restore through PGPASSWORD, not the command line
// (which other local users can read in `ps`).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { type Config, describeDatabase, superuserUrl, urlForDatabase } from "../config.ts";
import { UserError } from "../errors/index.ts";
import { ensureRoles, migrateDatabase, MIGRATIONS_DIR, pendingMigrations } from "../db/migrate.ts";
import { requirePgTool, serverMajor } from "./pgTools.ts";

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
const AUDIT_WRITER_LOGIN = "app_audit.writer_login";

/**
 * A backup's entries of the audit log (src/db/auditLog.sql): its schema, dblink, and the owner's view
 * of it. They belong to app_audit_owner or need a superuser, so the superuser restores them.
 */
const AUDIT_LOG_ENTRY = /^\d+; \d+ \d+ (?:.* )?(?:app_audit|dblink|app_private (?:VIEW )?audit_log)(?: |$)/;

/** `file`'s table of contents in two lists for pg_restore -L: the audit log's entries and the rest. */
async function splitContents(pgRestore: string, file: string, dir: string): Promise<{ auditLog: string; rest: string }> {
  const { stdout } = await promisify(execFile)(pgRestore, ["--list", file], { maxBuffer: 64 * 1024 * 1024 });
  const entries = stdout.split("\n").filter((line) => /^\d+;/.test(line));
  const lists = { auditLog: path.join(dir, "audit-log.list"), rest: path.join(dir, "rest.list") };
  await writeFile(lists.auditLog, entries.filter((line) => AUDIT_LOG_ENTRY.test(line)).join("\n") + "\n");
  await writeFile(lists.rest, entries.filter((line) => !AUDIT_LOG_ENTRY.test(line)).join("\n") + "\n");
  return lists;
}

/** Writes `file` (everything but the data keys' rows) and keysFileOf(file) (only those rows). */
export async function backupDatabase(pgDump: string, ownerUrl: string, file: string): Promise<{ data: string; keys: string }> {
  const keys = keysFileOf(file);
  // (The audit log's writer password stays out: only app_audit_owner may read it; db:migrate sets it.)
  await run(pgDump, ["--format=custom", `--exclude-table-data=${DATA_KEYS}`, `--exclude-table=${AUDIT_WRITER_LOGIN}`, "--file", file], ownerUrl);
  await run(pgDump, ["--format=custom", "--data-only", `--table=${DATA_KEYS}`, "--file", keys], ownerUrl);
  return { data: file, keys };
}

/** A backup written by backupToFolder: its two files, the data file's size, how long it took. */
export interface WrittenBackup {
  data: string;
  keys: string;
  bytes: number;
  seconds: number;
}

/**
 * `npm run db:backup`'s work: a pg_dump of the server's major version (a ConfigError when none is installed), then
 * backupDatabase into `<outDir>/<database>-<UTC time>.dump` (and `.keys.dump`), `outDir` created when missing.
 */
export async function backupToFolder(ownerUrl: string, outDir: string): Promise<WrittenBackup> {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const major = await serverMajor(owner).finally(() => owner.end());
  const pgDump = await requirePgTool("pg_dump", major);
  await mkdir(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.resolve(outDir, `${describeDatabase(ownerUrl).database}-${stamp}.dump`);
  const started = performance.now();
  const written = await backupDatabase(pgDump, ownerUrl, file);
  const { size } = await stat(written.data);
  return { ...written, bytes: size, seconds: (performance.now() - started) / 1000 };
}

/** What migrateWithBackup does about the backup: `outDir` where it goes, `skip` (--skip-backup) to take none. */
export interface MigrateBackupOptions {
  skip: boolean;
  outDir: string;
  /** Another migrations folder than migrations/ (a test's copy). */
  migrationsFolder?: string;
}

/**
 * `npm run db:migrate`: migrateDatabase, and in production (config.production) first a backup with db:backup's
 * machinery (backupToFolder) when the database has committed migrations to run, taken under the migration lock
 * before anything changes; `log` says where it went. The rollback of a migration is a restore of that backup
 * (docs/operations.md, "Migrate"). A backup that fails stops the command before any change. `skip` takes none and
 * says so in one line. Development migrates as it always did, with no backup.
 */
export async function migrateWithBackup(config: Config, { skip, outDir, migrationsFolder = MIGRATIONS_DIR }: MigrateBackupOptions, log: (line: string) => void): Promise<void> {
  if (!config.production) {
    await migrateDatabase(config, log, { migrationsFolder });
    return;
  }
  const beforeMigrations = async () => {
    const pending = await pendingMigrations(config.ownerUrl, migrationsFolder);
    const { database } = describeDatabase(config.ownerUrl);
    const which = `${pending.length} committed migration(s) to run: ${pending.join(", ")}`;
    if (pending.length === 0) {
      log(`backup before migrating: none taken, "${database}" has no committed migration to run`);
    } else if (await holdsNoApp(config.ownerUrl)) {
      log(`backup before migrating: none taken, "${database}" holds no data yet (a new database; ${pending.length} committed migration(s) to run)`);
    } else if (skip) {
      log(`backup before migrating: SKIPPED (--skip-backup), no backup taken of "${database}"; ${which}`);
    } else {
      let written: WrittenBackup;
      try {
        written = await backupToFolder(config.ownerUrl, outDir);
      } catch (e) {
        throw new UserError(
          `The backup before migrating failed, so nothing was migrated: ${(e as Error).message} ` +
            "Fix it and run db:migrate again, or take a backup of your own and run `npm run db:migrate -- --skip-backup` (docs/operations.md, \"Migrate\").",
          { cause: e },
        );
      }
      log(`backup before migrating (${which}): wrote ${written.data} (${(written.bytes / 1024 / 1024).toFixed(1)} MiB) in ${written.seconds.toFixed(1)} s`);
      log(`backup before migrating: wrote ${written.keys}, the users' data keys; to roll back, restore both (docs/operations.md, "Migrate")`);
    }
  };
  await migrateDatabase(config, log, { beforeMigrations, migrationsFolder });
}

/** Whether the database has no graphile-migrate history yet: nothing of the app in it to back up. */
async function holdsNoApp(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ history: boolean }>("select to_regclass('graphile_migrate.migrations') is not null as history");
    if (!rows[0]!.history) return true;
    return (await client.query("select from graphile_migrate.migrations limit 1")).rowCount === 0;
  } finally {
    await client.end();
  }
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
  const dir = await mkdtemp(path.join(tmpdir(), "pas-restore-"));
  try {
    const lists = await splitContents(pgRestore, file, dir);
    await run(pgRestore, ["--exit-on-error", "--single-transaction", "--no-owner", "--use-list", lists.rest, file], config.ownerUrl);
    log(`restored ${file} into "${database}"`);
    // With its owners: the audit log stays app_audit_owner's.
    await run(pgRestore, ["--exit-on-error", "--single-transaction", "--use-list", lists.auditLog, file], urlForDatabase(rootUrl, database));
    log(`restored the audit log of ${file}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (keysFile) {
    await run(pgRestore, ["--exit-on-error", "--single-transaction", "--data-only", "--no-owner", keysFile], config.ownerUrl);
    log(`restored the data keys of ${keysFile}`);
  } else {
    log("no data keys restored: every P2 value of this database stays unreadable until they are (--keys)");
  }
  await migrateDatabase(config, log);
}
