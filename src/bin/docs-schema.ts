// npm run docs:schema — migrate, then regenerate docs/schema.md and the README's diagram.
import pg from "pg";
import { loadConfig } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { writeSchemaDocs, SCHEMA_DOC } from "../db/erDiagram.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config);
  const client = new pg.Client({ connectionString: config.ownerUrl });
  await client.connect();
  try {
    await writeSchemaDocs(client);
  } finally {
    await client.end();
  }
  console.log(`wrote ${SCHEMA_DOC} and the diagram in README.md`);
}, "one-shot");
