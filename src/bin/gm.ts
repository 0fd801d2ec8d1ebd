// npm run gm -- <graphile-migrate command> (watch, commit, uncommit, status…)
// with DATABASE_URL, SHADOW_DATABASE_URL and ROOT_DATABASE_URL filled in for
// the embedded database (or taken from the environment), and the master key.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { describeDatabase, loadConfig, urlForDatabase } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { ensureRoles, oneMigrationAtATime } from "../db/migrate.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeyOptions, masterKeys } from "../privacy/masterKeys.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  // Checked here: graphile-migrate's own process would print a driver error with its stack.
  await checkDatabaseConnection(config);
  // Roles must exist before the shadow database can be created for them (in turn with any other migrate).
  await oneMigrationAtATime(config, () => ensureRoles(config));
  const shadowUrl =
    process.env.SHADOW_DATABASE_URL ?? urlForDatabase(config.ownerUrl, `${describeDatabase(config.ownerUrl).database}_shadow`);
  const cli = createRequire(import.meta.url).resolve("graphile-migrate/dist/cli.js");
  let stoppedByUs = false;
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], {
      stdio: "inherit",
      env: {
        ...process.env,
        DATABASE_URL: config.ownerUrl,
        SHADOW_DATABASE_URL: shadowUrl,
        ...(config.rootUrl ? { ROOT_DATABASE_URL: config.rootUrl } : {}),
        // The master key for every connection (`commit` and `watch` also migrate the development
        // database, whose P2 values a migration may have to encrypt).
        PGOPTIONS: masterKeyOptions(masterKeys(config)),
      },
    });
    child.on("error", reject);
    child.on("exit", resolve);
    // A signal to this process alone (an IDE's stop button, a process manager) must not leave
    // graphile-migrate running on its own (`watch` would go on migrating): it stops first.
    lifecycle.onStop("graphile-migrate", async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      stoppedByUs = true;
      child.kill("SIGTERM");
      await exited;
    });
  });
  // graphile-migrate has said why, above: no stack of ours after it.
  if (code !== 0 && !stoppedByUs) throw new UserError(`graphile-migrate exited with code ${code} (its message is above).`);
}, "one-shot");
