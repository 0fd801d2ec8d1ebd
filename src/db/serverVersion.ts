// The PostgreSQL servers we refuse. The API keeps one pool of app_authenticator connections that
// switch between pas_bot_user and inner_edu_user, and PostgreSQL caches plans (prepared statements,
// PL/pgSQL's plans) per connection: exactly the setting of CVE-2023-2455 and CVE-2024-10976, where a
// plan built under one role's row-level security policies is reused under another's. Their fixes
// shipped in 15.9, 16.5 and 17.1; 15.10, 16.6 and 17.2 repaired those releases' regressions, so they
// are the minimums; every 18 is fixed. Turning off prepared statement caching would not be enough
// (PL/pgSQL caches its own plans, and our functions are PL/pgSQL), so an unsafe server is refused,
// with no setting to accept it: the fix is a minor-release upgrade (same data directory, new
// binaries, a restart), and the bug defeats the very rule this database exists to keep.
// checkDatabaseConnection (connectionCheck.ts) asks, for every command that connects first:
// `npm start`, `npm run worker`, `db:migrate`, `gm`, `db:functions`, `token`, `db:backup`, `db:restore`, `db:seed`, `db:reset`.
import type pg from "pg";
import { UserError } from "../errors/index.ts";

/** The oldest major release we run on (the contract: PostgreSQL 15 or newer). */
export const OLDEST_MAJOR = 15;
/** The first minor release of each major before 18 without the known row-level security bugs. */
export const MINIMUM_MINOR: Readonly<Record<number, number>> = { 15: 10, 16: 6, 17: 2 };
/** The first major release whose every minor is fixed. */
const FIRST_FIXED_MAJOR = 18;
const CVES = "CVE-2024-10976, CVE-2023-2455";

export interface ServerVersion {
  major: number;
  minor: number;
}

export type ServerVersionVerdict =
  | { safe: true }
  | { safe: false; kind: "too old" | "rls bugs"; minimum: string };

export class ServerVersionError extends UserError {
  override name = "ServerVersionError";
}

/**
 * A version from `server_version_num` (150010, as a number or its text) or from `server_version`
 * ("15.10", "15.10 (Debian 15.10-1.pgdg120+1)", "18beta1": a pre-release counts as minor 0, below
 * every fixed minor of its major); undefined when it is neither.
 */
export function parseServerVersion(value: string | number): ServerVersion | undefined {
  const text = String(value).trim();
  if (/^\d{5,6}$/.test(text)) {
    const num = Number(text);
    // From 10 on, major * 10000 + minor; before, 9.6.24 was 90624 (the "minor" is then 6, irrelevant: refused).
    return num >= 100_000 ? { major: Math.floor(num / 10_000), minor: num % 10_000 } : { major: Math.floor(num / 10_000), minor: Math.floor(num / 100) % 100 };
  }
  const match = /^(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: match[2] === undefined ? 0 : Number(match[2]) };
}

/** Whether we run on this server: a supported major, at least its first minor without the known RLS bugs. */
export function judgeServerVersion(version: ServerVersion): ServerVersionVerdict {
  if (version.major < OLDEST_MAJOR) return { safe: false, kind: "too old", minimum: minimumsText() };
  if (version.major >= FIRST_FIXED_MAJOR) return { safe: true };
  const minimum = MINIMUM_MINOR[version.major]!;
  return version.minor >= minimum ? { safe: true } : { safe: false, kind: "rls bugs", minimum: `${version.major}.${minimum}` };
}

/**
 * The one-line refusal for a server `judgeServerVersion` finds unsafe, or undefined for a safe one.
 * `shown` is the server's own `server_version`; `where` says which server (" at host:port (SETTING)").
 */
export function serverVersionProblem(num: string, shown: string, where = ""): string | undefined {
  const version = parseServerVersion(num) ?? parseServerVersion(shown);
  const name = `PostgreSQL ${shown}${where}`;
  if (!version) {
    return `Cannot tell which release ${name} is (server_version_num "${num}"): this project needs PostgreSQL ${minimumsText()}.`;
  }
  const verdict = judgeServerVersion(version);
  if (verdict.safe) return undefined;
  if (verdict.kind === "too old") {
    return (
      `${name} is too old: this project needs PostgreSQL ${verdict.minimum}. ` +
      "Upgrade the server to a newer major release (pg_upgrade, or a dump and restore)."
    );
  }
  // 15.9, 16.5, 17.1 had the fixes, with a regression their next minor release repaired.
  const regression = version.minor === MINIMUM_MINOR[version.major]! - 1 ? ` (${version.major}.${version.minor}'s fix came with a regression that ${verdict.minimum} repaired)` : "";
  return (
    `${name} has known row-level security bugs (${CVES}: a plan built under one role's policies can be reused ` +
    `under another's, and the API's pooled connections switch between pas_bot_user and inner_edu_user). ` +
    `Upgrade the server to PostgreSQL ${verdict.minimum} or later${regression}: a minor release, the same data directory and a restart.`
  );
}

/** "15.10, 16.6 or 17.2 (or later in the same series), or 18 or newer". */
function minimumsText(): string {
  const minimums = Object.entries(MINIMUM_MINOR).map(([major, minor]) => `${major}.${minor}`);
  return `${minimums.slice(0, -1).join(", ")} or ${minimums.at(-1)} (or later in the same series), or ${FIRST_FIXED_MAJOR} or newer`;
}

/** The query the check asks (any role may: no privilege needed). */
export const SERVER_VERSION_QUERY = "select current_setting('server_version_num') as num, current_setting('server_version') as version";

/**
 * Asks the server its version and throws a ServerVersionError (one line: the version found, why, the
 * minimum, the fix) unless we run on it. `where`: which server, for the message (" at host:port (SETTING)").
 */
export async function assertSafeServerVersion(client: Pick<pg.ClientBase, "query">, where = ""): Promise<void> {
  const { rows } = await client.query<{ num: string; version: string }>(SERVER_VERSION_QUERY);
  const problem = serverVersionProblem(String(rows[0]?.num ?? ""), String(rows[0]?.version ?? "unknown"), where);
  if (problem) throw new ServerVersionError(problem);
}
