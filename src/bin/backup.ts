// npm run db:backup [-- --out backups] — pg_dump (custom format) of the app
// database as its owner, into <out>/<database>-<UTC time>.dump, and its data
// keys into the same name with .keys.dump. Needs a pg_dump of the server's
// major version (the embedded server ships none). db:migrate takes the same backup in production.
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { backupToFolder } from "../tools/backup.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const { values } = parseArgs({ options: { out: { type: "string", default: "backups" } } });
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  const written = await backupToFolder(config.ownerUrl, values.out);
  console.log(`wrote ${written.data} (${(written.bytes / 1024 / 1024).toFixed(1)} MiB) in ${written.seconds.toFixed(1)} s`);
  console.log(`wrote ${written.keys}: the users' data keys (wrapped); keep it apart, for less time (docs/operations.md)`);
}, "one-shot");
