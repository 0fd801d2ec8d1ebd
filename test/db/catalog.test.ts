// Rules every table of app_public follows, checked on the live catalog so a
// new table cannot forget them.
import { OUR_SCHEMAS } from "../../src/db/schemas.ts";
import { withRootDb } from "../helpers/db.ts";

test("every foreign key has an index that starts with its columns", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.conrelid::regclass::text as "table", c.conname as "constraint"
      from pg_constraint c
      where c.contype = 'f' and c.connamespace = 'app_public'::regnamespace
        and not exists (
          select 1 from pg_index i
          where i.indrelid = c.conrelid
            and (select array_agg(k order by k) from unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) k)
              = (select array_agg(k order by k) from unnest(c.conkey) k))
      order by 1, 2`);
    expect(rows).toEqual([]);
  });
});

test("every table and column in app_public has a comment (it becomes the GraphQL description)", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.relname || coalesce('.' || a.attname, '') as missing
      from pg_class c
      left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r'
        and (case when a.attname is null then obj_description(c.oid, 'pg_class')
                  else col_description(c.oid, a.attnum) end) is null
      union
      select c.relname from pg_class c
      where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r' and obj_description(c.oid, 'pg_class') is null
      order by 1`);
    expect(rows).toEqual([]);
  });
});

test("every table has created_at; every table with a version keeps it and updated_at by trigger", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.relname as "table",
             exists (select 1 from pg_attribute where attrelid = c.oid and attname = 'created_at') as has_created_at,
             exists (select 1 from pg_attribute where attrelid = c.oid and attname = 'version') as has_version,
             exists (select 1 from pg_attribute where attrelid = c.oid and attname = 'updated_at') as has_updated_at,
             exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = '_100_row_metadata') as has_trigger
      from pg_class c where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r'`);
    expect(rows.filter((r) => !r.has_created_at)).toEqual([]);
    expect(rows.filter((r) => r.has_version !== r.has_trigger || (r.has_version && !r.has_updated_at))).toEqual([]);
  });
});

test("every table the contract names exists", async () => {
  const contract = [
    "users", "family_links", "child_privacy", "quest_privacy", "consent_events", "quests", "quest_nodes",
    "quest_progress", "child_progress", "achievements", "quest_analytics", "creative_projects",
    "psychological_profiles", "user_tracks", "milestones", "quest_builder_sessions", "user_quest_library",
    "quest_ratings", "psychologist_reviews", "notifications", "data_deletion_requests", "therapy_sessions",
    "messages", "letters", "goals", "metrics_snapshots",
  ];
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      "select relname from pg_class where relnamespace = 'app_public'::regnamespace and relkind = 'r' order by 1",
    );
    expect(rows.map((r) => r.relname).sort()).toEqual([...contract].sort());
  });
});

test("every security-definer function pins its search_path", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select p.oid::regprocedure::text as function from pg_proc p
      where p.prosecdef and p.pronamespace::regnamespace::text = any ($1)
        and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')
      order by 1`, [[...OUR_SCHEMAS]]);
    expect(rows).toEqual([]);
  });
});

test("no function of ours is executable by PUBLIC", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select p.oid::regprocedure::text as function from pg_proc p
      where p.pronamespace::regnamespace::text = any ($1)
        and has_function_privilege('public', p.oid, 'execute')
      order by 1`, [[...OUR_SCHEMAS]]);
    expect(rows).toEqual([]);
  });
});

test("every view in app_public runs with the invoker's rights", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.relname as view from pg_class c
      where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'v'
        and not coalesce('security_invoker=true' = any (c.reloptions), false)`);
    expect(rows).toEqual([]);
  });
});

test("no app role holds any privilege on app_private", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select r.rolname, c.relname from pg_class c cross join pg_roles r
      where c.relnamespace = 'app_private'::regnamespace and c.relkind in ('r', 'S', 'v')
        and r.rolname in ('pas_bot_user', 'inner_edu_user', 'app_authenticator', 'app_worker')
        and (has_table_privilege(r.oid, c.oid, 'select') or has_table_privilege(r.oid, c.oid, 'insert')
             or has_table_privilege(r.oid, c.oid, 'update') or has_table_privilege(r.oid, c.oid, 'delete'))`);
    expect(rows).toEqual([]);
    const { rows: usage } = await client.query(`
      select rolname from pg_roles where rolname in ('pas_bot_user', 'inner_edu_user', 'app_authenticator', 'app_worker')
        and has_schema_privilege(oid, 'app_private', 'usage')`);
    expect(usage).toEqual([]);
  });
});

test.each([
  ["app_jobs", { app_worker: "all" }],
  // The API runs them all; a standalone worker's /metrics reads the queue.
  ["app_ops", { app_authenticator: "all", app_worker: ["data_keys_by_master_key", "erasure_queue", "job_counts"] }],
])("%s holds functions only, run by exactly %o", async (schema, runners) => {
  await withRootDb(async (client) => {
    const { rows: relations } = await client.query("select relname from pg_class where relnamespace = $1::regnamespace", [schema]);
    expect(relations).toEqual([]);
    const { rows } = await client.query(
      `select r.rolname, array_agg(p.proname::text order by p.proname) as functions from pg_proc p cross join pg_roles r
       where p.pronamespace = $1::regnamespace
         and r.rolname in ('pas_bot_user', 'inner_edu_user', 'app_authenticator', 'app_worker')
         and has_function_privilege(r.oid, p.oid, 'execute') and has_schema_privilege(r.oid, $1, 'usage')
       group by r.rolname order by r.rolname`,
      [schema],
    );
    const { rows: all } = await client.query("select array_agg(proname::text order by proname) as names from pg_proc where pronamespace = $1::regnamespace", [schema]);
    expect(all[0].names.length).toBeGreaterThan(0);
    const expected = Object.entries(runners)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([rolname, functions]) => ({ rolname, functions: functions === "all" ? all[0].names : functions }));
    expect(rows).toEqual(expected);
  });
});
