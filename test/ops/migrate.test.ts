import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyPolicies, POLICIES_DIR } from "../../src/db/policies.ts";
import { FUNCTIONS_DIR } from "../../src/db/functions.ts";
import { applyFunctionsAndPolicies, MIGRATION_LOCK_CLASS, migrateDatabase } from "../../src/db/migrate.ts";
import pg from "pg";
import { ownerUrl, poolFor, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { until } from "../helpers/process.ts";

/** Everything a migrate could change: objects, policies, privileges, role attributes. */
async function catalogSnapshot(): Promise<unknown> {
  const { rows } = await poolFor(rootUrl).query(`
    select json_build_object(
      'relations', (select json_agg(json_build_array(oid::regclass::text, relacl::text, relrowsecurity, relforcerowsecurity) order by oid::regclass::text)
                    from pg_class where relnamespace in ('app_public'::regnamespace, 'app_private'::regnamespace, 'graphile_worker'::regnamespace)),
      'attributes', (select json_agg(json_build_array(attrelid::regclass::text, attname, attacl::text) order by attrelid::regclass::text, attname)
                    from pg_attribute where attacl is not null and attrelid in (select oid from pg_class where relnamespace = 'app_public'::regnamespace)),
      'functions', (select json_agg(json_build_array(oid::regprocedure::text, proacl::text, prosrc) order by oid::regprocedure::text)
                    from pg_proc where pronamespace in ('app_public'::regnamespace, 'app_private'::regnamespace)),
      'policies', (select json_agg(json_build_array(schemaname, tablename, policyname, roles::text, cmd, qual, with_check) order by schemaname, tablename, policyname)
                    from pg_policies),
      'schemas', (select json_agg(json_build_array(nspname, nspacl::text) order by nspname) from pg_namespace),
      'migrations', (select json_agg(hash order by hash) from graphile_migrate.migrations),
      'database', (select datacl::text from pg_database where datname = current_database()),
      'roles', (select json_agg(json_build_array(rolname, rolinherit, rolcanlogin, rolbypassrls) order by rolname)
                from pg_roles where rolname !~ '^pg_')
    ) as snapshot`);
  return rows[0].snapshot;
}

test("migrating an up-to-date database changes nothing", async () => {
  const before = await catalogSnapshot();
  await migrateDatabase(testConfig(), () => {});
  await migrateDatabase(testConfig(), () => {});
  expect(await catalogSnapshot()).toEqual(before);
});

// Two first commands on a new cluster, or compose's `migrate` beside a start: they take turns, and the
// result is the same as one migrate (roles, database and policies/ are not graphile-migrate's to lock).
test("two migrates at once both succeed and change nothing", async () => {
  const before = await catalogSnapshot();
  await Promise.all([migrateDatabase(testConfig(), () => {}), migrateDatabase(testConfig(), () => {})]);
  expect(await catalogSnapshot()).toEqual(before);
});

test("policies/ is the whole truth: a policy or grant made by hand is gone after re-applying", async () => {
  const before = await catalogSnapshot();
  await withOwnerDb(async (owner) => {
    await owner.query("create policy sneaky on app_public.users for select to pas_bot_user using (true)");
    await owner.query("grant delete on app_public.users to inner_edu_user");
  });
  expect(await catalogSnapshot()).not.toEqual(before);
  await applyPolicies(ownerUrl);
  expect(await catalogSnapshot()).toEqual(before);
});

test("a failing policy file names itself and leaves the previous policies in force", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "policies-"));
  try {
    await cp(POLICIES_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, "500_broken.sql"), "grant select on app_public.no_such_table to pas_bot_user;\n");
    const before = await catalogSnapshot();
    await expect(applyPolicies(ownerUrl, dir)).rejects.toThrow(
      /^policies\/500_broken\.sql: relation "app_public\.no_such_table" does not exist$/,
    );
    expect(await catalogSnapshot()).toEqual(before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// policies/000_reset.sql runs first, so functions/ can drop and make again a helper that policies call
// (000_dropped.sql, no `cascade`); and all of it is one transaction, so a failing policies/ file leaves every
// policy in force (had functions/ committed on its own, the tables would be left without them).
test("reset, functions/, policies/ in one transaction: a policy helper can be dropped and made again, and a failing policy file changes nothing", async () => {
  const functionsDir = await mkdtemp(path.join(tmpdir(), "functions-"));
  const policiesDir = await mkdtemp(path.join(tmpdir(), "policies-"));
  try {
    await cp(FUNCTIONS_DIR, functionsDir, { recursive: true });
    await writeFile(path.join(functionsDir, "000_dropped.sql"), "drop function if exists app_hidden.my_child_ids();\n", { flag: "a" });
    await cp(POLICIES_DIR, policiesDir, { recursive: true });
    await writeFile(path.join(policiesDir, "500_broken.sql"), "select 1 / 0;\n");
    const before = await catalogSnapshot();
    await expect(applyFunctionsAndPolicies(ownerUrl, { functionsDir, policiesDir })).rejects.toThrow(
      /^policies\/500_broken\.sql: division by zero$/,
    );
    expect(await catalogSnapshot()).toEqual(before);
  } finally {
    await rm(functionsDir, { recursive: true, force: true });
    await rm(policiesDir, { recursive: true, force: true });
  }
});

// Issue 18: applying the reset, functions/ and policies/ while the API serves could deadlock with an app's query (the
// query holds one table and waits for another the transaction already holds, while the transaction waits for the
// first): `deadlock detected`, and db:migrate failed. Forced here: an app transaction holds a table B the migrate
// needs after another, A; once the migrate waits for B, the app asks for A. The migrate takes its table locks first,
// gives way (lock_timeout, shorter than the deadlock check), says so in one line and tries again; the app's
// transaction is never the victim.
test("functions/ and policies/ give way to an app transaction they conflict with, say so, retry and succeed", async () => {
  const before = await catalogSnapshot();
  const app = new pg.Client({ connectionString: rootUrl });
  await app.connect();
  try {
    // B: a table with policies the migrate locks after at least one other, in the fixed order (schema, name) and in
    // pg_policies' order (which the reset drops them in).
    const { rows: byPolicy } = await app.query<{ t: string }>(
      "select format('%I.%I', schemaname, tablename) as t from pg_policies where schemaname in ('app_public', 'app_private')",
    );
    const { rows: byName } = await app.query<{ t: string }>(
      `select c.oid::regclass::text as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('app_public', 'app_private') and c.relkind in ('r', 'p') order by n.nspname, c.relname limit 1`,
    );
    const tableB = [...new Set(byPolicy.map((r) => r.t))].reverse().find((t) => t !== byName[0]!.t)!;
    // This session never runs the deadlock check first: what happens to the migrate decides the test.
    await app.query("set deadlock_timeout = '30s'");
    await app.query("begin");
    await app.query(`lock table ${tableB} in access share mode`);
    const lines: string[] = [];
    // (A variable, not a literal: the options as the code before issue 18 took them, plus `log`.)
    const options = { functionsDir: FUNCTIONS_DIR, log: (line: string) => lines.push(line) };
    const applying = applyFunctionsAndPolicies(ownerUrl, options);
    applying.catch(() => {});
    const tableA = await until(
      `the migrate to wait for ${tableB} while it holds another table`,
      async () => {
        const { rows } = await app.query<{ a: string }>(
          `select held.relation::regclass::text as a
           from pg_locks waiting join pg_locks held on held.pid = waiting.pid
           where waiting.locktype = 'relation' and not waiting.granted and waiting.relation = $1::regclass
             and held.locktype = 'relation' and held.granted and held.mode = 'AccessExclusiveLock' and held.relation <> $1::regclass
             and held.relation in (select oid from pg_class where relkind in ('r', 'p'))
           limit 1`,
          [tableB],
        );
        return rows[0]?.a;
      },
      { intervalMs: 20 },
    );
    await app.query(`lock table ${tableA} in access share mode`);
    await app.query("commit");
    await applying;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(/^functions\/ and policies\/: (deadlock with|lock wait timed out behind) another session \((40P01|55P03)\), rolled back, nothing applied; attempt \d+ of \d+ in \d+ ms$/);
    }
  } finally {
    await app.query("rollback").catch(() => {});
    await app.end();
  }
  expect(await catalogSnapshot()).toEqual(before);
});

test("functions/ and policies/ that keep losing their locks stop after a bounded number of attempts, having changed nothing", async () => {
  const before = await catalogSnapshot();
  const app = new pg.Client({ connectionString: rootUrl });
  await app.connect();
  try {
    await app.query("begin");
    await app.query("lock table app_public.users in access share mode");
    const lines: string[] = [];
    await expect(applyFunctionsAndPolicies(ownerUrl, { log: (line) => lines.push(line), attempts: 2, retryDelayMs: 10 })).rejects.toThrow(
      /^functions\/ and policies\/ not applied: they lost a table lock to other sessions 2 times \(55P03, last: .*lock timeout\)\. Nothing was changed\. A long transaction/,
    );
    expect(lines).toEqual([
      expect.stringMatching(/^functions\/ and policies\/: lock wait timed out behind another session \(55P03\), rolled back, nothing applied; attempt 2 of 2 in \d+ ms$/),
    ]);
  } finally {
    await app.query("rollback").catch(() => {});
    await app.end();
  }
  expect(await catalogSnapshot()).toEqual(before);
});

/** Advisory locks of the migration lock's namespace ("pasm") in this cluster: granted and waiting. */
const migrationLocks = () =>
  poolFor(rootUrl)
    .query<{ pid: number; granted: boolean }>("select pid, granted from pg_locks where locktype = 'advisory' and classid = $1", [MIGRATION_LOCK_CLASS])
    .then((r) => r.rows);

test("db:migrate (with the superuser URL) and a production start (owner only) migrating the same database take turns", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const migrate = migrateDatabase(testConfig(), () => {}, {
    beforeMigrations: async () => {
      inside();
      await gate;
    },
  });
  await entered;
  let startMigrated = false;
  const start = migrateDatabase(testConfig({ rootUrl: undefined }), () => {}).then(() => (startMigrated = true));
  try {
    // The start waits on the lock db:migrate holds in the app database (it has no superuser to meet it elsewhere).
    const verdict = await until("the start to wait for the migration lock, or migrate", async () =>
      startMigrated ? "the start migrated meanwhile" : (await migrationLocks()).some((l) => !l.granted) ? "the start waits" : undefined,
    );
    expect(verdict).toBe("the start waits");
  } finally {
    release();
    await migrate;
    await start;
  }
});

test("a migration whose lock's connection is lost says so instead of crashing", async () => {
  const outcome = await migrateDatabase(testConfig(), () => {}, {
    beforeMigrations: async () => {
      const holders = (await migrationLocks()).filter((l) => l.granted).map((l) => l.pid);
      await poolFor(rootUrl).query("select pg_terminate_backend(pid) from unnest($1::int[]) as pid", [holders]);
      await until("the locks to go", async () => (await migrationLocks()).length === 0);
    },
  }).then(
    () => "resolved without a word",
    (e: Error) => `${e.name}: ${e.message}`,
  );
  expect(outcome).toMatch(/^UserError: The migration lock's connection was lost during the migration/);
});
