// npm run token -- --app pas_bot|inner_edu --user <uuid> [--expires-in <seconds>]
// Mints a development JWT for a user that exists and that the app may act as: both are checked in
// the database (the embedded cluster is attached to, or started, as by every command), so a typo is
// told now rather than as an empty result later. The token goes to stdout alone, so
// `$(npm run -s token …)` works.
import { parseArgs } from "node:util";
import pg from "pg";
import { APPS, type AppName, appDatabaseAsSuperuser, type Config, describeDatabase, loadConfig } from "../config.ts";
import { checkDatabaseConnection } from "../db/connectionCheck.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { UserError } from "../errors/index.ts";
import { appSecretsFrom, MAX_TOKEN_SECONDS, signAppToken } from "../http/auth.ts";
import { runCommand } from "../lifecycle.ts";
import { isUuid } from "../uuid.ts";

const usage = "usage: npm run token -- --app pas_bot|inner_edu --user <uuid> [--expires-in <seconds>]";

const help = `${usage}

Prints a JWT for the user (a users.id) in the app's name, signed with the app's secret
(PAS_BOT_JWT_SECRET or INNER_EDU_JWT_SECRET), valid --expires-in seconds (default 3600, at most 7 days).
pas_bot acts as a parent, a psychologist or an admin; inner_edu as a child.
The development family's ids: npm run db:seed -- --scale 0.
`;

/** One line: what is wrong, then how the command is used. */
const misuse = (problem: string) => new UserError(`${problem} ${usage}`);

runCommand(async (lifecycle) => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        app: { type: "string" },
        user: { type: "string" },
        "expires-in": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw misuse((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(help);
    return;
  }
  const app = values.app as AppName | undefined;
  if (!app || !(app in APPS)) throw misuse(`--app must be pas_bot or inner_edu${app ? `, got "${app}"` : ""}.`);
  if (!isUuid(values.user)) throw misuse(`--user must be a user's uuid${values.user ? `, got "${values.user}"` : ""}.`);
  const userId = values.user.toLowerCase();
  const expiresIn = Number(values["expires-in"] ?? 3600);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0 || expiresIn > MAX_TOKEN_SECONDS) {
    throw misuse(`--expires-in must be a whole number of seconds from 1 to ${MAX_TOKEN_SECONDS} (7 days).`);
  }

  const config = loadConfig();
  const secrets = appSecretsFrom(config.secret);
  await startEmbeddedIfNeeded(config, lifecycle);
  await checkDatabaseConnection(config);
  await checkUser(config, app, userId);

  const token = signAppToken(app, userId, secrets, expiresIn);
  process.stdout.write(token + "\n");
  process.stderr.write(
    `${app} token for ${userId}, valid ${expiresIn} s. Use it as:\n` +
      `  curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" ` +
      `-d '{"query":"{ currentUserId }"}' http://localhost:${config.httpPort}/graphql\n`,
  );
}, "one-shot");

/**
 * Throws a UserError when the user is not in the database, or when the app may not act as the
 * user's kind (the database's own rule and words: app_ops.acting_kind_problem). Asked as the
 * superuser when one is known (the embedded cluster's: on a cluster never migrated the owner role
 * does not exist yet, and the superuser learns that the database is missing), else as the owner.
 */
async function checkUser(config: Config, app: AppName, userId: string): Promise<void> {
  const { database } = describeDatabase(config.ownerUrl);
  const url = config.rootUrl ? appDatabaseAsSuperuser(config, "checking the user") : config.ownerUrl;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ kind: string; problem: string | null }>(
      "select u.kind, app_ops.acting_kind_problem($2, u.id) as problem from app_public.users u where u.id = $1",
      [userId, APPS[app].role],
    );
    if (rows.length === 0) {
      throw new UserError(
        `No user ${userId} in the database "${database}": use an existing users.id ` +
          "(npm run db:seed -- --scale 0 prints the development family's).",
      );
    }
    if (rows[0]!.problem) throw new UserError(`No ${app} token for this ${rows[0]!.kind}: ${rows[0]!.problem}`);
  } catch (e) {
    // No app database yet (3D000), or one never migrated (3F000: no schema, 42P01: no table).
    if (["3D000", "3F000", "42P01"].includes((e as pg.DatabaseError).code ?? "")) {
      throw new UserError(`The database "${database}" is not set up yet: run \`npm start\` or \`npm run db:migrate\` first.`);
    }
    throw e;
  } finally {
    await client.end().catch(() => {});
  }
}
