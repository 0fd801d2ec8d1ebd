// npm run docs:schema — regenerate docs/schema.md and the README's diagram from a scratch database
// migrated from nothing (the user's database is left alone).
import pg from "pg";
import { loadConfig } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { runCommand } from "../lifecycle.ts";
import { writeSchemaDocs, SCHEMA_DOC } from "../tools/erDiagram.ts";
import { migrateScratchDatabase } from "../tools/scratchDatabase.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  const scratch = await migrateScratchDatabase(config, lifecycle, "docs", "docs:schema builds in a scratch database");
  const client = new pg.Client({ connectionString: scratch.config.ownerUrl });
  await client.connect();
  try {
    await writeSchemaDocs(client);
  } finally {
    await client.end();
  }
  console.log(`wrote ${SCHEMA_DOC} and the diagram in README.md`);
}, "one-shot");
