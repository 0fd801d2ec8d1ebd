// npm run schema:export — migrate, build the GraphQL schema, write schema.graphql.
import "../graphileEnv.ts";
import { loadConfig, ROLES, roleConnectionString } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { writeSchemaSDL, SDL_FILE } from "../graphql/sdl.ts";
import { createHttpService } from "../http/app.ts";
import { appSecretsFrom } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config);
  const http = await createHttpService({
    authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
    poolMax: 1,
    secrets: appSecretsFrom(config.secret),
    production: config.production,
    masterKeys: masterKeys(config),
  });
  lifecycle.onStop("GraphQL schema", () => http.close());
  await writeSchemaSDL(http.pgl);
  console.log(`wrote ${SDL_FILE}`);
}, "one-shot");
