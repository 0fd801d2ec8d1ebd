// Roles and the database are created outside migrations (graphile-migrate's
// rule): they are cluster-wide and need a superuser. Idempotent: every run
// re-asserts attributes, passwords, memberships and database grants.
import { readFileSync } from "node:fs";
import pg from "pg";
import { ConfigError, type RoleName, ROLES, urlForDatabase } from "../config.ts";

/** The owner's password and each fixed role's. */
export type RolePasswords = { owner: string } & Record<RoleName, string>;

const APP_ROLE_ATTRIBUTES = "login noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls";

/**
 * `keepExisting`: create the roles that are missing but leave every existing role as it is (its
 * password above all): for a scratch database built beside a deployment (src/tools/scratchDatabase.ts),
 * whose roles are cluster-wide and whose passwords this process may not know.
 */
export interface RoleOptions {
  keepExisting?: boolean;
}

export async function ensureRolesAndDatabase(
  rootUrl: string,
  target: { database: string; owner: string },
  passwords: RolePasswords,
  { keepExisting = false }: RoleOptions = {},
): Promise<void> {
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    const {
      rows: [me],
    } = await root.query<{ rolsuper: boolean }>("select rolsuper from pg_roles where rolname = current_user");
    if (!me?.rolsuper) {
      throw new ConfigError("ROOT_DATABASE_URL must connect as a superuser: it creates roles and the database.");
    }
    const id = (value: string) => root.escapeIdentifier(value);

    // The owner runs migrations and owns every object, security-definer
    // functions included; it bypasses RLS so those functions can aggregate
    // raw rows. No app role ever owns anything.
    await ensureRole(root, target.owner, "login nosuperuser nocreatedb nocreaterole noreplication bypassrls", passwords.owner, keepExisting);
    // GraphQL logs in as the authenticator, which holds no privilege itself
    // (NOINHERIT) and can only switch into an app role.
    // The apps' roles and the worker's likewise hold nothing beyond their grants.
    for (const role of Object.values(ROLES)) await ensureRole(root, role, APP_ROLE_ATTRIBUTES, passwords[role], keepExisting);
    await root.query(`grant ${id(ROLES.pasBot)}, ${id(ROLES.innerEdu)} to ${id(ROLES.authenticator)}`);

    const { rowCount } = await root.query("select 1 from pg_database where datname = $1", [target.database]);
    if (!rowCount) {
      await root.query(`create database ${id(target.database)} owner ${id(target.owner)} encoding 'UTF8'`);
    } else {
      await root.query(`alter database ${id(target.database)} owner to ${id(target.owner)}`);
    }
    const connecting = [target.owner, ROLES.authenticator, ROLES.pasBot, ROLES.innerEdu, ROLES.worker];
    await root.query(`revoke all on database ${id(target.database)} from public`);
    await root.query(`grant connect on database ${id(target.database)} to ${connecting.map(id).join(", ")}`);
  } finally {
    await root.end();
  }

  // Inside the new database: nobody but the owner may create in `public`.
  const inDb = new pg.Client({ connectionString: urlForDatabase(rootUrl, target.database) });
  await inDb.connect();
  try {
    await inDb.query("revoke all on schema public from public");
    await inDb.query(`alter schema public owner to ${inDb.escapeIdentifier(target.owner)}`);
    await inDb.query(statisticsForMonitoringOnly(inDb.escapeIdentifier(target.owner)));
  } finally {
    await inDb.end();
  }
}

/**
 * Statistics are side channels (issue 14, item 11): a table's counters move when a child plays,
 * pg_locks shows who is writing which table now, pg_stat_activity and pg_stat_statements show
 * other sessions. PostgreSQL grants them to PUBLIC; in this database only monitoring
 * (pg_read_all_stats, so pg_monitor) and the owner (app_ops.readiness reads pg_locks) may read them.
 * pg_stats (planner statistics) stays: it already hides tables under row-level security.
 * pg_stat_statements is covered once installed in this database: run db:migrate after creating it.
 */
const statisticsForMonitoringOnly = (owner: string) => `
  do $$
  declare
    object record;
  begin
    for object in
      select 'table' as kind, c.oid::regclass::text as name from pg_class c
      where c.relkind = 'v' and has_table_privilege('public', c.oid, 'select')
        and c.relname not in ('pg_stats', 'pg_stats_ext', 'pg_stats_ext_exprs')
        and (c.relnamespace = 'pg_catalog'::regnamespace and (c.relname like 'pg\\_stat%' or c.relname = 'pg_locks')
             or exists (select 1 from pg_depend d join pg_extension e on e.oid = d.refobjid
                        where e.extname = 'pg_stat_statements' and d.classid = 'pg_class'::regclass and d.objid = c.oid))
      union all
      select 'function', p.oid::regprocedure::text from pg_proc p
      where has_function_privilege('public', p.oid, 'execute')
        and (p.pronamespace = 'pg_catalog'::regnamespace
             and (p.proname like 'pg\\_stat\\_%' or p.proname in ('pg_lock_status', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids'))
             or exists (select 1 from pg_depend d join pg_extension e on e.oid = d.refobjid
                        where e.extname = 'pg_stat_statements' and d.classid = 'pg_proc'::regclass and d.objid = p.oid))
    loop
      -- What PUBLIC could read goes to monitoring and the owner instead (nothing more: the resets stay the superuser's).
      execute format('revoke all on %s %s from public', object.kind, object.name);
      execute format('grant %s on %s %s to pg_read_all_stats, ${owner}',
        case object.kind when 'table' then 'select' else 'execute' end, object.kind, object.name);
    end loop;
  end;
  $$`;

/** Creates or re-asserts role `name`; with `keepExisting`, an existing role is left alone. Returns whether it was (re)set. */
async function ensureRole(client: pg.Client, name: string, attributes: string, password: string, keepExisting: boolean): Promise<boolean> {
  const id = client.escapeIdentifier(name);
  const { rowCount } = await client.query("select 1 from pg_roles where rolname = $1", [name]);
  if (rowCount && keepExisting) return false;
  if (!rowCount) await client.query(`create role ${id}`);
  await client.query(`alter role ${id} with ${attributes} password ${client.escapeLiteral(password)}`);
  for (const [setting, value] of Object.entries(SERVER_LOG_SETTINGS)) {
    await client.query(`alter role ${id} set ${setting} = ${client.escapeLiteral(value)}`);
  }
  return true;
}

/**
 * Nothing a session of our roles is sent (letters, messages, a master key in a set_config) may
 * reach the server log or outlive it in pg_stat_activity (issue 14, item 10). Superuser-only
 * settings, so set per role here and applied at login; docs/operations.md lists them for a DBA.
 * The sessions' errors are not logged at all: an error's message can quote a value (`invalid input
 * syntax for type uuid: "<text>"`), its DETAIL the failing row; the apps log their errors, redacted.
 */
export const SERVER_LOG_SETTINGS = {
  // No ERROR, WARNING or LOG line: message, DETAIL, CONTEXT, statement logging, slow statements, auto_explain.
  log_min_messages: "fatal",
  // No STATEMENT line, even under the FATAL of a terminated query.
  log_min_error_statement: "panic",
  // No DETAIL or CONTEXT under what is still logged.
  log_error_verbosity: "terse",
  // Bind parameters, should a DBA lower log_min_messages again.
  log_parameter_max_length: "0",
  log_parameter_max_length_on_error: "0",
  // No query text in pg_stat_activity, nor in the postmaster's report of a crashed backend.
  track_activities: "off",
  // pg_stat_statements keeps utility statements verbatim (`set app.data_encryption_key = '…'`).
  "pg_stat_statements.track_utility": "off",
} as const;

/** Who owns the audit log (no login, no members) and who appends consent-gated reads' records (issue 14). */
export const AUDIT_ROLES = { owner: "app_audit_owner", writer: "app_audit_writer" } as const;

/**
 * The audit log's two roles, cluster-wide like the others. app_audit_owner owns the log, so
 * nobody may become it: it cannot log in and every membership in it is revoked. app_audit_writer
 * logs in only through app_audit.append_durable's dblink connection and may only append.
 * `keepExisting` as for ensureRolesAndDatabase.
 */
export async function ensureAuditRoles(
  rootUrl: string,
  database: string,
  writerPassword: string,
  { keepExisting = false }: RoleOptions = {},
): Promise<void> {
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    const id = (value: string) => root.escapeIdentifier(value);
    const { rowCount } = await root.query("select 1 from pg_roles where rolname = $1", [AUDIT_ROLES.owner]);
    if (!rowCount || !keepExisting) {
      if (!rowCount) await root.query(`create role ${id(AUDIT_ROLES.owner)}`);
      await root.query(`alter role ${id(AUDIT_ROLES.owner)} with nologin noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls`);
      const { rows: members } = await root.query<{ member: string }>(
        "select m.member::regrole::text as member from pg_auth_members m where m.roleid = $1::regrole",
        [AUDIT_ROLES.owner],
      );
      for (const { member } of members) await root.query(`revoke ${id(AUDIT_ROLES.owner)} from ${member}`);
    }
    // A login role like the apps': the same attributes and server-log settings.
    if (await ensureRole(root, AUDIT_ROLES.writer, APP_ROLE_ATTRIBUTES, writerPassword, keepExisting)) {
      // A durable write that cannot get its lock (a superuser holding the table) fails the read instead of hanging it.
      await root.query(`alter role ${id(AUDIT_ROLES.writer)} set lock_timeout = '10s'`);
    }
    await root.query(`grant connect on database ${id(database)} to ${id(AUDIT_ROLES.writer)}`);
  } finally {
    await root.end();
  }
}

/**
 * Inside the app database, after the migrations: the app_audit schema and its functions, the
 * migrations' audit table moved into it (src/db/auditLog.sql), and the writer's password where
 * only app_audit_owner reads it.
 */
export async function installAuditLog(rootDatabaseUrl: string, writerPassword: string): Promise<void> {
  const sql = readFileSync(new URL("auditLog.sql", import.meta.url), "utf8");
  const inDb = new pg.Client({ connectionString: rootDatabaseUrl });
  await inDb.connect();
  try {
    await inDb.query("begin");
    await inDb.query(sql);
    await inDb.query(
      `insert into app_audit.writer_login (password) values ($1)
       on conflict (only_row) do update set password = excluded.password where writer_login.password <> excluded.password`,
      [writerPassword],
    );
    await inDb.query("commit");
  } catch (error) {
    await inDb.query("rollback").catch(() => {});
    throw error;
  } finally {
    await inDb.end();
  }
}
