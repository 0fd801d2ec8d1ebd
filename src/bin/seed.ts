// npm run db:seed -- --scale 0 — one believable family for development.
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { FAMILY, seedFamily } from "../db/seed/family.ts";
import { UserError } from "../errors.ts";
import { runCommand } from "../lifecycle.ts";

const usage = "usage: npm run db:seed -- --scale 0";

runCommand(async (lifecycle) => {
  let scale: string | undefined;
  try {
    ({ values: { scale } } = parseArgs({ options: { scale: { type: "string" } } }));
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${usage}`);
  }
  if (scale !== "0") {
    throw new UserError(
      `--scale ${scale ?? "(missing)"}: only --scale 0 (one development family) exists so far; ` +
        `the synthetic generator for --scale N is not built yet.\n${usage}`,
    );
  }
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, () => {});
  await seedFamily(config.ownerUrl);
  console.log(
    [
      "Seeded one family (re-running changes nothing):",
      `  parent        Anna   ${FAMILY.parent}`,
      `  child         Misha  ${FAMILY.child}`,
      `  psychologist         ${FAMILY.psychologist}`,
      "Tokens for GraphiQL:",
      `  npm run -s token -- --app pas_bot --user ${FAMILY.parent}`,
      `  npm run -s token -- --app inner_edu --user ${FAMILY.child}`,
    ].join("\n"),
  );
}, "one-shot");
