// npm run dev:tokens — logging in to GraphiQL in one step: a ready token for every member of the
// development family (src/tools/seed/family.ts), as the JSON line GraphiQL's Headers tab takes.
// Development only. It reads the apps' JWT secrets (from the environment, else .data/dev-secrets.json,
// as `npm start` does) and nothing else: no database is started or asked, so it answers at once,
// even before the family is seeded. To mint a token for any other user: `npm run token`.
import { type AppName, loadConfig } from "../config.ts";
import { FAMILY } from "../tools/seed/family.ts";
import { UserError } from "../errors/index.ts";
import { appSecretsFrom, MAX_TOKEN_SECONDS, signAppToken } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";

/**
 * Longer than `npm run token`'s default hour, so that a header kept in GraphiQL across reloads keeps
 * working for a week of development: the longest a token may live.
 */
const DEV_TOKEN_SECONDS = MAX_TOKEN_SECONDS;

/**
 * The app a user of this kind signs in through (the database's rule, app_private.acting_kind_problem):
 * a child through inner_edu, a parent, a psychologist or an admin through pas_bot.
 */
const appOfKind = (kind: keyof typeof FAMILY): AppName => (kind === "child" ? "inner_edu" : "pas_bot");

runCommand(async () => {
  if (process.env.NODE_ENV === "production") {
    throw new UserError("npm run dev:tokens is for development only (NODE_ENV=production); mint a token with `npm run token`.");
  }
  const config = loadConfig();
  const secrets = appSecretsFrom(config.secret);
  const lines = [
    `Development tokens, valid ${DEV_TOKEN_SECONDS / 86400} days. Open http://localhost:${config.httpPort}/graphiql,`,
    "paste one member's line into the Headers tab (below the query) and reload the page: the Docs then show the schema,",
    "queries run as that member, and GraphiQL keeps the header across reloads.",
    "The family is in the database after `npm run db:seed -- --scale 0`.",
    "",
  ];
  for (const [kind, userId] of Object.entries(FAMILY) as [keyof typeof FAMILY, string][]) {
    const app = appOfKind(kind);
    const header = { Authorization: `Bearer ${signAppToken(app, userId, secrets, DEV_TOKEN_SECONDS)}` };
    lines.push(`${kind.padEnd(13)} ${userId}  (${app})`, `  ${JSON.stringify(header)}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}, "one-shot");
