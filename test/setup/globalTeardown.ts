import pg from "pg";
import { TEMPLATE_DATABASE } from "./globalSetup.ts";

export default async function globalTeardown(): Promise<void> {
  await globalThis.__testPgBouncer?.stop();
  const cluster = globalThis.__testCluster;
  if (!cluster) return;
  // A prepared template (npm run test:mutations) belongs to whoever prepared it, as does its server.
  if (process.env.TEST_PREPARED_TEMPLATE) return;
  const root = new pg.Client({ connectionString: cluster.rootUrl });
  await root.connect();
  await root.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await root.end();
  await cluster.stop();
}
