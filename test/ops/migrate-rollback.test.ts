// A migration is rolled back by a restore (issue 18, item 3): `npm run db:migrate` in production backs the
// database up first when it has committed migrations to run (migrateWithBackup); a migration that fails changes
// nothing (graphile-migrate runs each in one transaction); and the backup taken before it restores into a new
// database that serves. Also: --skip-backup says so and takes none, a failed backup migrates nothing, development
// takes none. The runbook: docs/operations.md, "Migrate".
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { calculateHash } from "graphile-migrate/dist/hash.js";
import { describeDatabase, urlForDatabase } from "../../src/config.ts";
import { MIGRATIONS_DIR, pendingMigrations } from "../../src/db/migrate.ts";
import { migrateWithBackup, restoreDatabase } from "../../src/tools/backup.ts";
import { findPgTool, serverMajor } from "../../src/tools/pgTools.ts";
import { committedAs, ownerUrl, rootUrl, testConfig, testMasterKey, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";
import { askServer, testIf } from "../helpers/server.ts";

// The embedded server (PostgreSQL 18) ships no client programs and Debian's are 15: CI's PostgreSQL 15 pass runs it.
const major = await askServer(serverMajor);
const [foundDump, foundRestore] = [await findPgTool("pg_dump", major), await findPgTool("pg_restore", major)];

/** Migrates and rolls back; a migrate on 2 shared cores, a backup and a restore take a while. */
const SLOW = 120_000;

/** A migration that changes schema and data, then fails: PostgreSQL rolls all of it back. */
const FAILING = `
create table app_public.rollback_probe (id uuid primary key default gen_random_uuid(), note text);
insert into app_public.rollback_probe (note) values ('half-applied');
alter table app_public.letters add column rollback_probe text;
delete from app_public.letters;
do $$ begin raise exception 'the deliberately failing migration' using errcode = '23514'; end $$;
`;
/** A migration that would succeed (a failed backup must keep it from running). */
const GOOD = "create table app_public.rollback_probe (id uuid primary key default gen_random_uuid(), note text);\n";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "pas-rollback-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A copy of migrations/committed/ with `body` committed after the last one, as `gm commit` would: its folder. */
async function migrationsWith(name: string, body: string): Promise<string> {
  const folder = path.join(work, name);
  await mkdir(folder);
  await cp(path.join(MIGRATIONS_DIR, "committed"), path.join(folder, "committed"), { recursive: true });
  const files = (await readdir(path.join(folder, "committed"))).filter((f) => /^\d{6}.*\.sql$/.test(f)).sort();
  const last = files.at(-1)!;
  const previous = /^--! Hash: (\S+)$/m.exec(await readFile(path.join(folder, "committed", last), "utf8"))![1]!;
  const number = String(Number(last.slice(0, 6)) + 1).padStart(6, "0");
  const text = `--! Previous: ${previous}\n--! Hash: ${calculateHash(body.trim() + "\n", previous)}\n--! Message: ${name}\n\n${body.trim()}\n`;
  await writeFile(path.join(folder, "committed", `${number}-${name}.sql`), text);
  return folder;
}

/** The whole test database, schema and data, as pg_dump's plain text (as the superuser: the audit log too). */
async function dumpAll(pgDump: string, url: string): Promise<string> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  const { stdout } = await promisify(execFile)(pgDump, ["--format=plain", "--dbname", u.href], {
    env: { ...process.env, PGPASSWORD: password },
    maxBuffer: 256 * 1024 * 1024,
  });
  // (Less the random key of psql's \restrict lines, new in each dump since PostgreSQL 15.14.)
  return stdout.replace(/^\\(un)?restrict \S+$/gm, "");
}

const migrationHistory = async () =>
  withOwnerDb(async (o) => (await o.query("select count(*)::int as n from graphile_migrate.migrations")).rows[0].n as number);
const probeTable = async () => withOwnerDb(async (o) => (await o.query("select to_regclass('app_public.rollback_probe')::text as t")).rows[0].t);

testIf(Boolean(foundDump && foundRestore), `no pg_dump/pg_restore of PostgreSQL ${major} here`)(
  "production: a backup before migrating; a failing migration changes nothing; the backup restores into a database that serves",
  async () => {
    const [pgDump, pgRestore] = [foundDump!, foundRestore!];
    // The marker rows: a family, a quest and a P2 letter.
    const { parent, child, stranger, quest } = await withOwnerDb(async (owner) => {
      const parent = await createUser(owner, "parent", "Rollback Parent");
      const stranger = await createUser(owner, "parent", "Another Parent");
      const child = await createUser(owner, "child", "Rollback Child");
      await linkFamily(owner, parent, child);
      return { parent, child, stranger, quest: await createQuest(owner, parent, { child_id: child.id }) };
    });
    const LETTER = "A letter the failed migration must not lose";
    await committedAs("pas_bot_user", parent.id, (c) => c.query("insert into app_public.letters (content) values ($1)", [LETTER]));

    const folder = await migrationsWith("deliberately-failing", FAILING);
    expect(await pendingMigrations(ownerUrl, folder)).toEqual([expect.stringMatching(/-deliberately-failing\.sql$/)]);
    const outDir = path.join(work, "backups");
    const before = await dumpAll(pgDump, rootUrl);
    const lines: string[] = [];
    await expect(migrateWithBackup(testConfig({ production: true }), { skip: false, outDir, migrationsFolder: folder }, (l) => lines.push(l))).rejects.toThrow(
      /the deliberately failing migration/,
    );

    // The backup was taken first, and said where it went.
    const files = (await readdir(outDir)).sort();
    const database = describeDatabase(ownerUrl).database;
    expect(files).toEqual([expect.stringMatching(new RegExp(`^${database}-.*Z\\.dump$`)), expect.stringMatching(/\.keys\.dump$/)]);
    const [data, keys] = [path.join(outDir, files[0]!), path.join(outDir, files[1]!)];
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^backup before migrating \\(1 committed migration\\(s\\) to run: .*-deliberately-failing\\.sql\\): wrote ${data} \\(`)),
        `backup before migrating: wrote ${keys}, the users' data keys; to roll back, restore both (docs/operations.md, "Migrate")`,
      ]),
    );
    // One transaction: schema and data exactly as before (the new table, the column, the deleted letter: all undone).
    expect((await dumpAll(pgDump, rootUrl)) === before).toBe(true);
    expect(await probeTable()).toBeNull();

    // Roll back by restore: the backup into a new database, with this release's migrations (none newer than it).
    const restored = `${database}_rolled_back`;
    const root = new pg.Client({ connectionString: rootUrl });
    await root.connect();
    try {
      await restoreDatabase(testConfig({ ownerUrl: urlForDatabase(ownerUrl, restored) }), pgRestore, data, keys, () => {});
      const db = new pg.Client({ connectionString: urlForDatabase(rootUrl, restored) });
      await db.connect();
      try {
        // It serves: each app role sees what RLS lets it see, and the P2 letter reads with its data key.
        const asRole = async (role: string, user: string, sql: string) => {
          await db.query("begin");
          await db.query("select set_config('role', $1, true), set_config('app.user_id', $2, true), set_config('app.data_encryption_key', $3, true)", [
            role,
            user,
            testMasterKey(),
          ]);
          const { rows } = await db.query(sql);
          await db.query("rollback");
          return rows;
        };
        expect(await asRole("pas_bot_user", parent.id, "select id from app_public.quests")).toEqual([{ id: quest.id }]);
        expect(await asRole("inner_edu_user", child.id, "select id from app_public.quests")).toEqual([]);
        expect(await asRole("pas_bot_user", parent.id, "select app_public.letters_content(l) as content from app_public.letters l")).toEqual([{ content: LETTER }]);
        expect(await asRole("pas_bot_user", stranger.id, "select id from app_public.letters")).toEqual([]);
        const { rows } = await db.query("select (select count(*)::int from graphile_migrate.migrations) as migrations, to_regclass('app_public.rollback_probe') as probe");
        expect(rows).toEqual([{ migrations: await migrationHistory(), probe: null }]);
      } finally {
        await db.end();
      }
    } finally {
      await root.query(`drop database if exists ${root.escapeIdentifier(restored)} with (force)`);
      await root.end();
    }
  },
  SLOW,
);

test("production --skip-backup: one line saying so, no backup; the failing migration still changes nothing", async () => {
  const folder = await migrationsWith("failing-unbacked", FAILING);
  const outDir = path.join(work, "skipped");
  const history = await migrationHistory();
  const lines: string[] = [];
  await expect(migrateWithBackup(testConfig({ production: true }), { skip: true, outDir, migrationsFolder: folder }, (l) => lines.push(l))).rejects.toThrow(
    /the deliberately failing migration/,
  );
  expect(lines.filter((l) => l.startsWith("backup before migrating"))).toEqual([
    expect.stringMatching(/^backup before migrating: SKIPPED \(--skip-backup\), no backup taken of "[^"]+"; 1 committed migration\(s\) to run: \d{6}-failing-unbacked\.sql$/),
  ]);
  await expect(readdir(outDir)).rejects.toThrow(/ENOENT/);
  expect([await migrationHistory(), await probeTable()]).toEqual([history, null]);
}, SLOW);

test("production: a backup that fails stops db:migrate before anything is migrated", async () => {
  const folder = await migrationsWith("good-but-unbacked", GOOD);
  // Where the backup should go is a file: it cannot be written (here PostgreSQL 18 also has no pg_dump: failed either way).
  const outDir = path.join(work, "not-a-folder");
  await writeFile(outDir, "");
  const history = await migrationHistory();
  await expect(migrateWithBackup(testConfig({ production: true }), { skip: false, outDir, migrationsFolder: folder }, () => {})).rejects.toThrow(
    /^The backup before migrating failed, so nothing was migrated: .+ Fix it and run db:migrate again, or take a backup of your own and run `npm run db:migrate -- --skip-backup`/,
  );
  expect([await migrationHistory(), await probeTable()]).toEqual([history, null]);
});

test("production with nothing to migrate, and development: no backup, one line for production", async () => {
  const outDir = path.join(work, "none");
  const lines: string[] = [];
  await migrateWithBackup(testConfig({ production: true }), { skip: false, outDir }, (l) => lines.push(l));
  expect(lines.filter((l) => l.startsWith("backup before migrating"))).toEqual([
    `backup before migrating: none taken, "${describeDatabase(ownerUrl).database}" has no committed migration to run`,
  ]);
  const folder = await migrationsWith("failing-in-development", FAILING);
  const development: string[] = [];
  await expect(migrateWithBackup(testConfig(), { skip: false, outDir, migrationsFolder: folder }, (l) => development.push(l))).rejects.toThrow(
    /the deliberately failing migration/,
  );
  expect(development.filter((l) => l.includes("backup"))).toEqual([]);
  await expect(readdir(outDir)).rejects.toThrow(/ENOENT/);
}, SLOW);
