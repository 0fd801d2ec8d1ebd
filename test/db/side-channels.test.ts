// Issue 14, item 11: what the app roles could learn beside the rows and
// functions they are granted — statistics that move when a child plays, other
// sessions' queries and locks, and helpers that answer about any id. What
// PostgreSQL cannot close (LISTEN, timing, pg_class.reltuples) is in the threat
// model of docs/privacy.md.
import pg from "pg";
import { ROLES } from "../../src/config.ts";
import { ensureRoles } from "../../src/db/migrate.ts";
import { actingAs, becomeUser, expectError, rootUrl, testConfig, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";

const APP_ROLES = Object.values(ROLES);

test("no app role may read the statistics views or call the functions behind them", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select r.rolname, o.name from pg_roles r cross join (
         select c.oid::regclass::text as name, has_table_privilege(r2.oid, c.oid, 'select') as open, r2.rolname
         from pg_class c cross join pg_roles r2
         where c.relnamespace = 'pg_catalog'::regnamespace and c.relkind = 'v'
           and (c.relname like 'pg\\_stat%' or c.relname = 'pg_locks') and c.relname not in ('pg_stats', 'pg_stats_ext', 'pg_stats_ext_exprs')
         union all
         select p.oid::regprocedure::text, has_function_privilege(r2.oid, p.oid, 'execute'), r2.rolname
         from pg_proc p cross join pg_roles r2
         where p.pronamespace = 'pg_catalog'::regnamespace
           and (p.proname like 'pg\\_stat\\_get\\_%' or p.proname in ('pg_lock_status', 'pg_blocking_pids'))
       ) o
       where r.rolname = any ($1) and o.rolname = r.rolname and o.open order by 1, 2`,
      [APP_ROLES],
    );
    expect(rows).toEqual([]);
    // Monitoring keeps them.
    const monitor = await client.query("select has_table_privilege('pg_monitor', 'pg_catalog.pg_stat_user_tables', 'select') as tables");
    expect(monitor.rows).toEqual([{ tables: true }]);
  });
});

test.each([
  ["pg_stat_user_tables (counts move when a child plays)", "select n_tup_ins from pg_stat_user_tables where relname = 'child_progress'"],
  ["the same counters as functions", "select pg_stat_get_tuples_inserted('app_public.child_progress'::regclass)"],
  ["pg_statio_user_tables", "select heap_blks_hit from pg_statio_user_tables"],
  ["pg_stat_user_indexes", "select idx_scan from pg_stat_user_indexes"],
  ["pg_stat_activity (other sessions' queries)", "select query from pg_stat_activity"],
  ["pg_locks (who is writing which table now)", "select relation from pg_locks"],
])("%s: permission denied to both apps", async (_what, sql) => {
  await withRootDb(async (client) => {
    for (const [role, user] of [[ROLES.pasBot, W.parentA], [ROLES.innerEdu, W.childA]] as const) {
      await becomeUser(client, role, user);
      expect((await expectError(client, sql)).message).toMatch(/^permission denied/);
    }
  });
});

test("the API's readiness, which reads pg_locks as the owner, still works", async () => {
  await withRootDb(async (client) => {
    await client.query("set local role app_authenticator");
    const { rows } = await client.query("select live_workers from app_ops.readiness()");
    expect(rows[0].live_workers).toEqual(expect.any(Number));
  });
});

const statementsAvailable = await (async () => {
  const root = new pg.Client({ connectionString: process.env.TEST_ROOT_URL });
  await root.connect();
  try {
    return (await root.query("select 1 from pg_available_extensions where name = 'pg_stat_statements'")).rowCount === 1;
  } finally {
    await root.end();
  }
})();

(statementsAvailable ? test : test.skip)("pg_stat_statements, once installed, is closed to the apps by the next db:migrate", async () => {
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    await root.query("create extension if not exists pg_stat_statements");
  } finally {
    await root.end();
  }
  await ensureRoles(testConfig(), () => {});
  await withRootDb(async (client) => {
    // (In `public` the apps could not reach it anyway; a DBA may install it in a schema they can.)
    const { rows } = await client.query(
      `select r.rolname, has_table_privilege(r.oid, 'public.pg_stat_statements', 'select') as view,
              has_function_privilege(r.oid, 'public.pg_stat_statements(boolean)', 'execute') as function
       from pg_roles r where r.rolname = any ($1) order by 1`,
      [APP_ROLES],
    );
    expect(rows).toEqual([...APP_ROLES].sort().map((rolname) => ({ rolname, view: false, function: false })));
  });
});

test("no helper the apps may run answers about another user's id: reviews go only to psychologists, through a trigger", async () => {
  await withRootDb(async (client) => {
    // Security-definer helpers in app_hidden that take an id: only the P2 decrypting ones, which answer
    // for the acting user's own rows. (An invoker helper sees what the caller's own policies show.)
    const { rows } = await client.query(`
      select p.oid::regprocedure::text as helper from pg_proc p
      where p.pronamespace = 'app_hidden'::regnamespace and p.prosecdef and 'uuid'::regtype = any (p.proargtypes)
        and (has_function_privilege('pas_bot_user', p.oid, 'execute') or has_function_privilege('inner_edu_user', p.oid, 'execute'))
        and p.proname not like 'decrypt\\_%'`);
    expect(rows).toEqual([]);

    await buildWorld(client);
    const refused = { code: "23514", constraint: "psychologist_reviews_assign_only_psychologists" };
    await actingAs(client, ROLES.pasBot, W.parentA, async () => {
      const assign = (psychologist: string) =>
        `insert into app_public.psychologist_reviews (quest_id, psychologist_id) values ('${W.questA}', '${psychologist}')`;
      // A parent and an id that does not exist get the same answer.
      expect(await expectError(client, assign(W.parentB))).toMatchObject(refused);
      expect(await expectError(client, assign("f0000000-0000-4000-8000-00000000000b"))).toMatchObject(refused);
      await client.query(assign(W.psychologist));
      // The trigger's function is the owner's alone.
      expect((await expectError(client, "select app_private.tg__assign_only_psychologists()")).message).toMatch(/^permission denied/);
    });
    // Whoever writes, the rule holds.
    expect(await expectError(client, `update app_public.psychologist_reviews set psychologist_id = '${W.parentB}' where parent_id = '${W.parentA}'`)).toMatchObject(refused);
  });
});
