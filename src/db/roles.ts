// Roles and the database are created outside migrations (graphile-migrate's
// rule): they are cluster-wide and need a superuser. Idempotent: every run
// re-asserts attributes, passwords, memberships and database grants.
import pg from "pg";
import { type RoleName, ROLES, urlForDatabase } from "../config.ts";

/** The owner's password and each fixed role's. */
export type RolePasswords = { owner: string } & Record<RoleName, string>;

const APP_ROLE_ATTRIBUTES = "login noinherit nosuperuser nocreatedb nocreaterole noreplication nobypassrls";

export async function ensureRolesAndDatabase(
  rootUrl: string,
  target: { database: string; owner: string },
  passwords: RolePasswords,
): Promise<void> {
  const root = new pg.Client({ connectionString: rootUrl });
  await root.connect();
  try {
    const {
      rows: [me],
    } = await root.query<{ rolsuper: boolean }>("select rolsuper from pg_roles where rolname = current_user");
    if (!me?.rolsuper) {
      throw new Error("ROOT_DATABASE_URL must connect as a superuser: it creates roles and the database.");
    }
    const id = (value: string) => root.escapeIdentifier(value);

    // The owner runs migrations and owns every object, security-definer
    // functions included; it bypasses RLS so those functions can aggregate
    // raw rows. No app role ever owns anything.
    await ensureRole(root, target.owner, "login nosuperuser nocreatedb nocreaterole noreplication bypassrls", passwords.owner);
    // GraphQL logs in as the authenticator, which holds no privilege itself
    // (NOINHERIT) and can only switch into an app role.
    // The apps' roles and the worker's likewise hold nothing beyond their grants.
    for (const role of Object.values(ROLES)) await ensureRole(root, role, APP_ROLE_ATTRIBUTES, passwords[role]);
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
  } finally {
    await inDb.end();
  }
}

async function ensureRole(client: pg.Client, name: string, attributes: string, password: string) {
  const id = client.escapeIdentifier(name);
  const { rowCount } = await client.query("select 1 from pg_roles where rolname = $1", [name]);
  if (!rowCount) await client.query(`create role ${id}`);
  await client.query(`alter role ${id} with ${attributes} password ${client.escapeLiteral(password)}`);
  // Bind parameters carry what users write (letters, messages): never into the server log, even
  // when a DBA turns statement logging on (superuser-only settings, so set here, at login).
  await client.query(`alter role ${id} set log_parameter_max_length = 0`);
  await client.query(`alter role ${id} set log_parameter_max_length_on_error = 0`);
}
