// Once per `jest` run: a cluster, the roles, and a template database migrated
// exactly as production is (src/db/migrate.ts). Each test file then clones it.
import { randomBytes } from "node:crypto";
import { type Config, SECRET_NAMES, type SecretName, urlForDatabase, urlForRole } from "../../src/config.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { startTestCluster, type TestCluster } from "./testCluster.ts";

export const TEMPLATE_DATABASE = "pas_test_template";
export const TEST_OWNER = "app_owner";

declare global {
  var __testCluster: TestCluster | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cluster = await startTestCluster();
  globalThis.__testCluster = cluster;

  // Fresh secrets for this run, handed to the test workers through the environment.
  for (const name of SECRET_NAMES) process.env[name] = randomBytes(24).toString("base64url");
  process.env.TEST_ROOT_URL = cluster.rootUrl;
  process.env.TEST_TEMPLATE_DATABASE = TEMPLATE_DATABASE;

  const ownerUrl = urlForRole(
    urlForDatabase(cluster.rootUrl, TEMPLATE_DATABASE),
    TEST_OWNER,
    process.env.EMBEDDED_OWNER_PASSWORD!,
  );
  process.env.TEST_OWNER_URL_TEMPLATE = ownerUrl;

  const { default: pg } = await import("pg");
  const root = new pg.Client({ connectionString: cluster.rootUrl });
  await root.connect();
  await root.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await root.end();

  const config: Config = {
    production: false,
    httpPort: 0,
    ownerUrl,
    rootUrl: cluster.rootUrl,
    embedded: undefined,
    poolMax: 5,
    trustedDocumentsDir: undefined,
    metricsPort: undefined,
    logLevel: "info",
    previousDataEncryptionKey: undefined,
    secret: (name: SecretName) => process.env[name]!,
  };
  await migrateDatabase(config, () => {}, { withCurrent: true });
}
