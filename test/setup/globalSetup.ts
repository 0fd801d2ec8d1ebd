// Once per `jest` run: a cluster, the roles, and a template database migrated
// exactly as production is (src/db/migrate.ts). Each test file then clones it.
// With TEST_PREPARED_TEMPLATE (set by `npm run test:mutations`), the files clone
// that database instead, already built on the server of ROOT_DATABASE_URL with
// this process's secrets: nothing is migrated and no secret is replaced.
import { randomBytes } from "node:crypto";
import { ROLE_PASSWORD_SECRET, ROLES, SECRET_NAMES, urlForDatabase, urlForRole } from "../../src/config.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { configFor } from "../helpers/config.ts";
import { type PgBouncer, startPgBouncer } from "./pgbouncer.ts";
import { startTestCluster, type TestCluster } from "./testCluster.ts";

export const TEMPLATE_DATABASE = "pas_test_template";
export const TEST_OWNER = "app_owner";

declare global {
  var __testCluster: TestCluster | undefined;
  var __testPgBouncer: PgBouncer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const prepared = process.env.TEST_PREPARED_TEMPLATE;
  if (prepared && !(process.env.ROOT_DATABASE_URL || process.env.TEST_DATABASE_URL)) {
    throw new Error("TEST_PREPARED_TEMPLATE names a database on a server: set ROOT_DATABASE_URL to that server's superuser URL.");
  }
  const cluster = await startTestCluster();
  globalThis.__testCluster = cluster;
  const template = prepared ?? TEMPLATE_DATABASE;

  // Fresh secrets for this run, handed to the test workers through the environment.
  if (!prepared) for (const name of SECRET_NAMES) process.env[name] = randomBytes(24).toString("base64url");
  process.env.TEST_ROOT_URL = cluster.rootUrl;
  process.env.TEST_TEMPLATE_DATABASE = template;

  const ownerUrl = urlForRole(
    urlForDatabase(cluster.rootUrl, template),
    TEST_OWNER,
    process.env.EMBEDDED_OWNER_PASSWORD!,
  );
  process.env.TEST_OWNER_URL_TEMPLATE = ownerUrl;
  if (prepared) return;

  const { default: pg } = await import("pg");
  const root = new pg.Client({ connectionString: cluster.rootUrl });
  await root.connect();
  await root.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await root.end();

  const config = configFor(ownerUrl, cluster.rootUrl);
  await migrateDatabase(config, () => {}, { withCurrent: true });

  // `npm run test:pgbouncer`: a PgBouncer in transaction mode, one server connection per (database, user),
  // which the helpers put between the tests and the server for the API's and the apps' connections
  // (test/helpers/db.ts); the worker, migrations and the owner connect directly.
  if (process.env.TEST_PGBOUNCER === "1") {
    const root = new URL(cluster.rootUrl);
    const users: Record<string, string> = { [decodeURIComponent(root.username)]: decodeURIComponent(root.password) };
    for (const role of [ROLES.authenticator, ROLES.pasBot, ROLES.innerEdu]) users[role] = process.env[ROLE_PASSWORD_SECRET[role]]!;
    const adminUsers = [decodeURIComponent(root.username)];
    globalThis.__testPgBouncer = await startPgBouncer({ serverUrl: cluster.rootUrl, users, poolSize: 1, adminUsers });
    process.env.TEST_PGBOUNCER_URL = globalThis.__testPgBouncer.url;
  }
}
