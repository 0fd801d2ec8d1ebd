// npm run db:functions -- --check — does the database of DATABASE_URL run what functions/ says? Prints one
// line per function or trigger that is in no file, in two, or whose live definition differs from its file
// (exit 1), or that all is well. Changes nothing: the files are applied in a transaction rolled back.
// app_audit (src/db/auditLog.sql) is left out: only a superuser may apply that file. A file that fails
// to apply (or a DATABASE_URL that is not the owner) is one line naming the file (a UserError).
import pg from "pg";
import { loadConfig } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { checkFunctionCatalog } from "../db/functions.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  if (process.argv[2] !== "--check" || process.argv.length > 3) throw new UserError("Usage: npm run db:functions -- --check");
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  const client = new pg.Client({ connectionString: config.ownerUrl });
  await client.connect();
  lifecycle.onStop("database connection", () => client.end());
  await client.query("begin");
  // Replacing a trigger locks its table against writes until the rollback: give up rather than queue behind a long transaction.
  await client.query("set local lock_timeout = '5s'");
  const problems = await checkFunctionCatalog(client, { auditLog: false });
  await client.query("rollback");
  if (problems.length > 0) throw new UserError(`functions/ and the database disagree:\n${problems.join("\n")}`);
  console.log("functions/ and the database agree: every function and trigger is defined in exactly one file, as it is live.");
}, "one-shot");
