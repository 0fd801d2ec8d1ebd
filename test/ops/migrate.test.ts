import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyPolicies, POLICIES_DIR } from "../../src/db/policies.ts";
import { FUNCTIONS_DIR } from "../../src/db/functions.ts";
import { applyFunctionsAndPolicies, migrateDatabase } from "../../src/db/migrate.ts";
import { ownerUrl, poolFor, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";

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
