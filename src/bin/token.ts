// npm run token -- --app pas_bot|inner_edu --user <uuid> [--expires-in <seconds>]
// Mints a development JWT. The token goes to stdout alone, so `$(npm run -s token …)` works.
import { parseArgs } from "node:util";
import { APPS, type AppName, loadConfig } from "../config.ts";
import { UserError } from "../errors.ts";
import { appSecretsFrom, signAppToken } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";

const usage = "usage: npm run token -- --app pas_bot|inner_edu --user <uuid> [--expires-in <seconds>]";

runCommand(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: { app: { type: "string" }, user: { type: "string" }, "expires-in": { type: "string" } },
    }));
  } catch (e) {
    throw new UserError(`${(e as Error).message}\n${usage}`);
  }
  const app = values.app as AppName | undefined;
  if (!app || !(app in APPS) || !values.user) throw new UserError(usage);
  const expiresIn = Number(values["expires-in"] ?? 3600);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new UserError(`--expires-in must be a positive number of seconds.\n${usage}`);

  const config = loadConfig();
  const token = signAppToken(app, values.user, appSecretsFrom(config.secret), expiresIn);
  process.stdout.write(token + "\n");
  process.stderr.write(
    `${app} token for ${values.user}, valid ${expiresIn} s. Use it as:\n` +
      `  curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" ` +
      `-d '{"query":"{ currentUserId }"}' http://localhost:${config.httpPort}/graphql\n`,
  );
}, "one-shot");
