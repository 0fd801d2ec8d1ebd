// A backup restores into a fresh database with the data, the roles' grants and
// the policies, and its data keys from their own file; a restore never lands on
// a database that holds the app.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { promisify } from "node:util";
import { describeDatabase, urlForDatabase } from "../../src/config.ts";
import { backupDatabase, restoreDatabase } from "../../src/tools/backup.ts";
import { findPgTool, serverMajor } from "../../src/tools/pgTools.ts";
import { committedAs, ownerUrl, rootUrl, testConfig, testMasterKey, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";
import { askServer, testIf } from "../helpers/server.ts";

// The embedded server ships no client programs; CI's PostgreSQL 15 pass has them.
const major = await askServer(serverMajor);
const [foundDump, foundRestore] = [await findPgTool("pg_dump", major), await findPgTool("pg_restore", major)];

testIf(Boolean(foundDump && foundRestore), `no pg_dump/pg_restore of PostgreSQL ${major} here`)("a backup restores into a new database: rows, grants and policies; never over the app's own database", async () => {
  const [pgDump, pgRestore] = [foundDump!, foundRestore!];
  const { parent, child, quest } = await withOwnerDb(async (owner) => {
    const parent = await createUser(owner, "parent", "Backed-up Parent");
    const child = await createUser(owner, "child", "Backed-up Child");
    await linkFamily(owner, parent, child);
    return { parent, child, quest: await createQuest(owner, parent, { child_id: child.id }) };
  });
  const LETTER = "A letter worth restoring";
  await committedAs("pas_bot_user", parent.id, (c) => c.query("insert into app_public.letters (content) values ($1)", [LETTER]));
  const dir = await mkdtemp(path.join(tmpdir(), "pas-backup-"));
  const restored = `${describeDatabase(ownerUrl).database}_restored`;
  const restoredConfig = testConfig({ ownerUrl: urlForDatabase(ownerUrl, restored) });
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    const file = path.join(dir, "app.dump");
    const auditRows = await withOwnerDb(async (o) => (await o.query("select count(*)::int as n from app_private.audit_log")).rows[0].n);
    const written = await backupDatabase(pgDump, ownerUrl, file);
    expect(written).toEqual({ data: file, keys: path.join(dir, "app.keys.dump") });
    // The data keys' rows are only in their own file; neither holds the master key or a P2 plaintext.
    const listing = async (f: string) => (await promisify(execFile)(pgRestore, ["--list", f])).stdout;
    expect(await listing(written.data)).not.toMatch(/TABLE DATA app_private user_data_keys/);
    expect(await listing(written.keys)).toMatch(/TABLE DATA app_private user_data_keys/);
    for (const f of [written.data, written.keys]) {
      const bytes = await readFile(f);
      expect([f, bytes.includes(testMasterKey()), bytes.includes(LETTER)]).toEqual([f, false, false]);
    }
    // Over the live database: refused before anything is touched.
    await expect(restoreDatabase(testConfig(), pgRestore, file, written.keys, () => {})).rejects.toThrow(/already holds the app/);

    await restoreDatabase(restoredConfig, pgRestore, file, written.keys, () => {});
    const db = new pg.Client({ connectionString: urlForDatabase(rootUrl, restored) });
    await db.connect();
    try {
      const { rows } = await db.query("select display_name from app_public.users where id = any ($1) order by 1", [[parent.id, child.id]]);
      expect(rows.map((r) => r.display_name)).toEqual(["Backed-up Child", "Backed-up Parent"]);
      // The app roles' grants and policies came back: the parent sees their quest, the child nothing unapproved.
      const asRole = async (role: string, user: string) => {
        await db.query("begin");
        await db.query("select set_config('role', $1, true), set_config('app.user_id', $2, true)", [role, user]);
        const { rows: quests } = await db.query("select id from app_public.quests");
        await db.query("rollback");
        return quests.map((q) => q.id);
      };
      expect(await asRole("pas_bot_user", parent.id)).toEqual([quest.id]);
      expect(await asRole("inner_edu_user", child.id)).toEqual([]);
      // With its data keys back, the P2 values read with the master key.
      await db.query("begin");
      await db.query("select set_config('app.data_encryption_key', $1, true)", [testMasterKey()]);
      const { rows: letters } = await db.query("select app_public.letters_content(l) as content from app_public.letters l where user_id = $1", [parent.id]);
      await db.query("rollback");
      expect(letters).toEqual([{ content: LETTER }]);
      const { rows: migrations } = await db.query("select count(*)::int as n from graphile_migrate.migrations");
      expect(migrations[0].n).toBeGreaterThan(10);
      // The audit log came back whole and still app_audit_owner's, and records a read that is rolled back.
      const auditLog = async () =>
        (await db.query("select count(*)::int as n, (select pg_get_userbyid(relowner) from pg_class where oid = 'app_audit.audit_log'::regclass) as owner from app_audit.audit_log")).rows[0];
      expect(await auditLog()).toEqual({ n: auditRows, owner: "app_audit_owner" });
      await db.query("begin");
      await db.query("select set_config('role', 'pas_bot_user', true), set_config('app.user_id', $1, true)", [parent.id]);
      await db.query("select app_public.can_share_with_parent($1, 'progress')", [child.id]);
      await db.query("rollback");
      expect(await auditLog()).toEqual({ n: auditRows + 1, owner: "app_audit_owner" });
    } finally {
      await db.end();
    }
    // The original is untouched.
    expect(await committedAs("pas_bot_user", parent.id, async (c) => (await c.query("select id from app_public.quests")).rows)).toEqual([{ id: quest.id }]);
  } finally {
    await root.query(`drop database if exists ${root.escapeIdentifier(restored)} with (force)`);
    await root.end();
    await rm(dir, { recursive: true, force: true });
  }
});
