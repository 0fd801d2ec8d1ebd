// npm run schema:export [-- --output FILE] — build the GraphQL schema of a scratch database migrated
// from nothing (the user's database is left alone), write schema.graphql (or FILE: to compare without
// touching the committed one).
import "../graphileEnv.ts";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, ROLES } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { writeSchemaSDL, SDL_FILE } from "../graphql/sdl.ts";
import { createHttpService } from "../http/app.ts";
import { appSecretsFrom } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";
import { migrateScratchDatabase, scratchRoleUrl } from "../tools/scratchDatabase.ts";

runCommand(async (lifecycle) => {
  const { output } = parseArgs({ options: { output: { type: "string" } } }).values;
  const file = output ? path.resolve(output) : SDL_FILE;
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  const scratch = await migrateScratchDatabase(config, lifecycle, "schema", "schema:export builds in a scratch database");
  const http = await createHttpService({
    authenticatorUrl: scratchRoleUrl(scratch, ROLES.authenticator),
    poolMax: 1,
    secrets: appSecretsFrom(config.secret),
    production: config.production,
    masterKeys: masterKeys(config),
  });
  lifecycle.onStop("GraphQL schema", () => http.close());
  await writeSchemaSDL(http.pgl, file);
  console.log(`wrote ${file}`);
}, "one-shot");
