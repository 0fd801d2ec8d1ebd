import { ROLES } from "../../src/config.ts";
import { poolFor, roleUrl, withRootDb } from "../helpers/db.ts";

const APP_ROLES = [ROLES.authenticator, ROLES.pasBot, ROLES.innerEdu, ROLES.worker];

interface RoleRow {
  rolname: string;
  rolcanlogin: boolean;
  rolinherit: boolean;
  rolsuper: boolean;
  rolbypassrls: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
}

test("every fixed role exists, can log in, and holds no dangerous attribute", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query<RoleRow>(
      `select rolname, rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb
       from pg_roles where rolname = any($1) order by rolname`,
      [APP_ROLES],
    );
    expect(rows.map((r) => r.rolname).sort()).toEqual([...APP_ROLES].sort());
    for (const role of rows) {
      expect(role).toMatchObject({
        rolcanlogin: true,
        rolsuper: false,
        rolbypassrls: false,
        rolcreaterole: false,
        rolcreatedb: false,
      });
    }
  });
});

test("no login role's bind parameters reach the server log (they carry letters and messages)", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select r.rolname, s.setconfig from pg_roles r
       left join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0
       where r.rolname = any ($1) order by 1`,
      [[...APP_ROLES, "app_owner"]],
    );
    for (const row of rows) {
      expect([row.rolname, row.setconfig]).toEqual([row.rolname, expect.arrayContaining(["log_parameter_max_length=0", "log_parameter_max_length_on_error=0"])]);
    }
    expect(rows).toHaveLength(APP_ROLES.length + 1);
  });
  // And a session of the app's role has it.
  const { rows } = await poolFor(roleUrl(ROLES.pasBot)).query("show log_parameter_max_length");
  expect(rows).toEqual([{ log_parameter_max_length: "0" }]);
});

test("the authenticator is NOINHERIT and can switch only into the two app roles", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query<{ rolinherit: boolean; member_of: string[] }>(
      `select r.rolinherit,
              array(select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid
                    where m.member = r.oid order by 1)::text[] as member_of
       from pg_roles r where r.rolname = $1`,
      [ROLES.authenticator],
    );
    expect(rows[0]).toEqual({ rolinherit: false, member_of: [ROLES.innerEdu, ROLES.pasBot] });
  });
});

test("the owner owns the database and every object in it; no app role owns anything", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query<{ owner: string; bypass: boolean }>(
      `select pg_get_userbyid(d.datdba) as owner, r.rolbypassrls as bypass
       from pg_database d join pg_roles r on r.oid = d.datdba where d.datname = current_database()`,
    );
    expect(rows[0]).toEqual({ owner: "app_owner", bypass: true });

    const owned = await client.query<{ kind: string; name: string; owner: string }>(
      `select 'schema' as kind, nspname as name, pg_get_userbyid(nspowner) as owner from pg_namespace
       union all
       select 'relation', relnamespace::regnamespace || '.' || relname, pg_get_userbyid(relowner) from pg_class
       union all
       select 'function', pronamespace::regnamespace || '.' || proname, pg_get_userbyid(proowner) from pg_proc
       union all
       select 'type', typnamespace::regnamespace || '.' || typname, pg_get_userbyid(typowner) from pg_type`,
    );
    expect(owned.rows.filter((row) => APP_ROLES.includes(row.owner as never))).toEqual([]);
    const ours = owned.rows.filter((row) => /^(app_public|app_private|graphile_worker|graphile_migrate)\b/.test(row.name));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.filter((row) => row.owner !== "app_owner")).toEqual([]);
  });
});

test("PUBLIC may not connect to the database", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select has_database_privilege('public', current_database(), 'connect') as public_connect`,
    );
    expect(rows[0]).toEqual({ public_connect: false });
  });
});
