// npm run db:backup [-- --out backups] — pg_dump (custom format) of the app
// database as its owner, into <out>/<database>-<UTC time>.dump, and its data
// keys into the same name with .keys.dump. Needs a pg_dump of the server's
// major version (the embedded server ships none).
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { describeDatabase, loadConfig } from "../config.ts";
import { backupDatabase } from "../tools/backup.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { requirePgTool, serverMajor } from "../tools/pgTools.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const { values } = parseArgs({ options: { out: { type: "string", default: "backups" } } });
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  const owner = new pg.Client({ connectionString: config.ownerUrl });
  await owner.connect();
  const major = await serverMajor(owner).finally(() => owner.end());
  const pgDump = await requirePgTool("pg_dump", major);

  await mkdir(values.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.resolve(values.out, `${describeDatabase(config.ownerUrl).database}-${stamp}.dump`);
  const started = performance.now();
  const written = await backupDatabase(pgDump, config.ownerUrl, file);
  const { size } = await stat(written.data);
  console.log(`wrote ${written.data} (${(size / 1024 / 1024).toFixed(1)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`wrote ${written.keys}: the users' data keys (wrapped); keep it apart, for less time (docs/operations.md)`);
}, "one-shot");
