// npm run db:reset [-- --seed] [--force] [--external]
//   Development only: drops the app database and builds it again as `npm start` does (roles,
//   migrations, the worker's schema, policies); --seed then loads the development family.
//   Refused with NODE_ENV=production; refused while other sessions use the database (a running
//   `npm start` or worker) unless --force, which cuts them off; refused when DATABASE_URL names
//   a server rather than the embedded cluster unless --external (it needs ROOT_DATABASE_URL then).
//   Always refused while an `npm start` serves the embedded cluster, --force or not: its sessions are
//   live, not stale, and its worker would stop on the new schema. The check is the server's claim on
//   the cluster (src/db/clusterClaims.ts): a session in the `postgres` database named
//   "npm start (pid N, PORT P)", held for as long as that server runs and gone the moment it dies,
//   so a killed server never blocks a reset. (A server on an --external database holds no claim:
//   there --force cuts it off like any other session.)
import { parseArgs } from "node:util";
import pg from "pg";
import { ConfigError, describeDatabase, loadConfig, superuserUrl, urlForDatabase } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { familySummary, seedFamily } from "../tools/seed/family.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";

const usage = "usage: npm run db:reset [-- --seed] [--force] [--external]";

function parseFlags(): { seed: boolean; force: boolean; external: boolean } {
  try {
    const { values } = parseArgs({
      options: { seed: { type: "boolean" }, force: { type: "boolean" }, external: { type: "boolean" } },
    });
    return { seed: values.seed ?? false, force: values.force ?? false, external: values.external ?? false };
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${usage}`);
  }
}

/**
 * Drops `database` through a superuser connection to the server's `postgres` database.
 * Other sessions in it (counted from pg_stat_activity) make it refuse, unless `force`,
 * which terminates them (`drop database … with (force)`, PostgreSQL 13+). A running `npm start`'s claim
 * (see the header) makes it refuse even with `force`.
 */
async function dropDatabase(rootUrl: string, database: string, force: boolean): Promise<void> {
  const root = new pg.Client({ connectionString: urlForDatabase(rootUrl, "postgres") });
  await root.connect();
  try {
    const { rows: servers } = await root.query<{ name: string }>(
      "select application_name as name from pg_stat_activity where datname = 'postgres' and application_name like 'npm start (pid %' limit 1",
    );
    if (servers[0]) throw new UserError(`db:reset refused: ${servers[0].name} uses this database: stop it first.`);
    const { rows } = await root.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [database],
    );
    const others = rows[0]!.n;
    if (others > 0 && !force) {
      throw new UserError(
        `db:reset refused: ${others} other session(s) are connected to "${database}" (a running npm start or worker?); stop them, or add --force to cut them off.`,
      );
    }
    await root.query(`drop database if exists ${root.escapeIdentifier(database)}${force ? " with (force)" : ""}`);
    console.log(`dropped database "${database}"${others > 0 ? ` (cut off ${others} session(s))` : ""}`);
  } finally {
    await root.end();
  }
}

runCommand(async (lifecycle) => {
  const flags = parseFlags();
  if (process.env.NODE_ENV === "production") {
    throw new UserError("db:reset is for development only: refused with NODE_ENV=production.");
  }
  const config = loadConfig();
  const { database } = describeDatabase(config.ownerUrl);
  if (!config.embedded && !flags.external) {
    const server = new URL(config.ownerUrl);
    throw new ConfigError(
      `db:reset refused: DATABASE_URL names "${database}" on ${server.hostname}:${server.port || 5432}, not the embedded cluster; add --external to drop it anyway.`,
    );
  }
  const rootUrl = superuserUrl(config, "db:reset drops and creates the database");
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  await dropDatabase(rootUrl, database, flags.force);
  await migrateDatabase(config);
  if (flags.seed) {
    await seedFamily(config.ownerUrl, masterKeys(config));
    console.log(familySummary());
  }
}, "one-shot");
