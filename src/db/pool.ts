// A pg pool whose connections may be dropped by the server at any time (a
// restart, or the embedded cluster stopping just after pool.end() returned,
// which does not wait for sockets to close) without crashing the process: every
// client keeps an error listener for its whole life, not only while idle.
//
// It also says, of an error, whether it means "the database cannot be reached
// now" (databaseUnavailability): the API answers those with 503 + Retry-After
// (src/http/unavailable.ts, docs/operations.md "During a database outage").
import pg from "pg";

/** Marks an error raised on a connection that was lost while its COMMIT was on the way. */
const COMMIT_OUTCOME_UNKNOWN = Symbol("commitOutcomeUnknown");

/**
 * A client that remembers when its connection was lost while a COMMIT was in flight: the server may
 * have committed or not, and nobody can tell from here. Every error it raises from then on (the
 * COMMIT's, and the ROLLBACK's that @dataplan/pg sends next, which is what reaches GraphQL) carries
 * the mark. Given to the pool as its `Client` (pg-pool's own option), not patched onto instances.
 */
class CommitAwareClient extends pg.Client {
  private lostDuringCommit = false;
  /** Pipeline mode: the error of a BEGIN whose answer nobody awaited; every statement but ROLLBACK is refused until one comes. */
  private beginFailure: unknown = undefined;

  // pg's query has many overloads; this forwards them all and only watches the promise form of COMMIT.
  override query(...args: unknown[]): any {
    if ((this as { pipeline?: boolean }).pipeline && args.length === 1) {
      if (isBegin(args[0])) return this.beginWithoutWaiting();
      if (this.beginFailure !== undefined) {
        const failure = this.beginFailure;
        if (isRollback(args[0])) this.beginFailure = undefined;
        else return Promise.reject(failure);
      }
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    const watched = this.lostDuringCommit || (isCommit(args[0]) && typeof args.at(-1) !== "function");
    if (!watched || typeof (result as Promise<unknown> | undefined)?.then !== "function") return result;
    return (result as Promise<unknown>).catch((error: unknown) => {
      // (A client that was already broken never sent the COMMIT: the server rolled the transaction back.)
      if (isCommit(args[0]) && connectionLost(error) && !NEVER_SENT.some((words) => String((error as Error | null)?.message).startsWith(words))) {
        this.lostDuringCommit = true;
      }
      if (this.lostDuringCommit && typeof error === "object" && error !== null) Object.assign(error, { [COMMIT_OUTCOME_UNKNOWN]: true });
      throw error;
    });
  }

  /**
   * Pipeline mode (pg's `pipeline: true`, the GraphQL pool's): BEGIN is sent and answered at once, so the
   * statement that follows (@dataplan/pg's settings: role, app.user_id, keys) goes out in the same write
   * and the transaction's start costs no round trip of its own — one of a read's four, and a write(2) on
   * each side. BEGIN can fail only with its connection, which fails what follows too; should it fail
   * otherwise, every statement after it but ROLLBACK is refused (none runs outside the transaction).
   */
  private beginWithoutWaiting(): Promise<pg.QueryResult> {
    const stream = (this as unknown as { connection: { stream: { cork?(): void; uncork?(): void } } }).connection.stream;
    // Held until the microtasks that issue the next statement have run.
    stream.cork?.();
    setImmediate(() => stream.uncork?.());
    (super.query("begin") as Promise<pg.QueryResult>).catch((error: unknown) => {
      this.beginFailure = error;
    });
    return Promise.resolve({ command: "BEGIN", rowCount: null, oid: 0, rows: [], fields: [] });
  }
}

function isBegin(query: unknown): boolean {
  return statementText(query) === "begin";
}

function isRollback(query: unknown): boolean {
  return statementText(query) === "rollback";
}

function statementText(query: unknown): string | undefined {
  const text = typeof query === "string" ? query : (query as { text?: unknown; values?: unknown } | null)?.text;
  const values = typeof query === "object" && query !== null ? (query as { values?: unknown[] }).values : undefined;
  return typeof text === "string" && !(values && values.length > 0) ? text.trim().toLowerCase() : undefined;
}

/** node-postgres's words for a query it refused to send, the connection being already gone. */
const NEVER_SENT = ["Client has encountered a connection error and is not queryable", "Client was closed and is not queryable"];

function isCommit(query: unknown): boolean {
  const text = typeof query === "string" ? query : (query as { text?: unknown } | null)?.text;
  return typeof text === "string" && /^\s*(commit|end)\s*;?\s*$/i.test(text);
}

/**
 * A CommitAwareClient that never prepares a named statement: a query given a `name` (@dataplan/pg names
 * its queries by their text's hash and prepares them once per connection) is sent unnamed, parsed anew
 * each time. For PgBouncer in transaction mode before 1.21 (PG_PREPARED_STATEMENTS=false): there the
 * server connection under a client changes between transactions, so a statement one client prepared
 * is missing for it later (26000) or already there for the next client that prepares the same name
 * (42P05). docs/scaling.md §4.
 */
class UnpreparedClient extends CommitAwareClient {
  override query(...args: unknown[]): any {
    const [first, ...rest] = args;
    if (typeof first === "object" && first !== null && "name" in first) {
      const { name: _unused, ...unnamed } = first as { name?: unknown };
      return super.query(unnamed, ...rest);
    }
    return super.query(...args);
  }
}

export interface ResilientPoolConfig extends pg.PoolConfig {
  /** false: queries given a name are sent unnamed (UnpreparedClient). Default true. */
  preparedStatements?: boolean;
}

/**
 * A pool with a bound on waiting for a connection (`connectionTimeoutMillis`: a free client, or a new
 * connection to be made); without one pg waits forever. Callers that serve requests should set it.
 */
export function resilientPool({ preparedStatements = true, ...config }: ResilientPoolConfig, label: string): pg.Pool {
  const pool = new pg.Pool({ Client: preparedStatements ? CommitAwareClient : UnpreparedClient, ...config });
  const report = (e: Error) => {
    // 57P01 (the server shut down): a running query reports it itself, an idle client is
    // simply replaced; anything else is worth a line.
    if ((e as pg.DatabaseError).code !== "57P01") console.error(`${label} connection: ${e.message}`);
  };
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
  return pool;
}

/**
 * Why the database cannot serve a request now:
 * - `pool_exhausted`: every connection of the pool stayed busy for the whole acquire bound;
 * - `database_unreachable`: no connection could be made or kept (refused, reset, the server shutting
 *   down, crashed or starting up, a connection exception, too many connections);
 * `commitOutcomeUnknown` is true when the connection was lost while COMMIT was on the way: the
 * transaction may have been committed. In every other case nothing of the failed statement's
 * transaction was committed.
 */
export interface Unavailability {
  reason: "pool_exhausted" | "database_unreachable";
  commitOutcomeUnknown: boolean;
}

/** pg-pool's words when the acquire bound passed with every client busy (pg-pool 3, index.js). */
const POOL_TIMEOUT = "timeout exceeded when trying to connect";
/** Socket-level failures (Node's error codes). */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);
/**
 * SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (shutting down or
 * starting up), 53300 too_many_connections; class 08 is "connection exception".
 */
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** node-postgres's own words for a connection that is gone (it gives them no code). */
const LOST_CONNECTION = [
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/** What an error says about itself (duck-typed: an error made by Node's core in another realm, as under jest, is no `instanceof Error` here). */
interface ErrorLike {
  message: string;
  code?: unknown;
  [COMMIT_OUTCOME_UNKNOWN]?: boolean;
}

/** The error and what it wraps (`cause`, AggregateError's `errors`: Node tries every address of localhost). */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (typeof error !== "object" || error === null || depth > 5) return;
  const e = error as Partial<ErrorLike> & { cause?: unknown; errors?: unknown; originalError?: unknown };
  yield { message: typeof e.message === "string" ? e.message : "", code: e.code, [COMMIT_OUTCOME_UNKNOWN]: e[COMMIT_OUTCOME_UNKNOWN] };
  yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
  yield* chain(e.originalError, depth + 1);
}

function connectionLost(error: unknown): boolean {
  for (const e of chain(error)) {
    const code = e.code;
    if (typeof code === "string" && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08"))) return true;
    if (LOST_CONNECTION.some((words) => e.message.startsWith(words))) return true;
  }
  return false;
}

/** Whether `error` means the database cannot serve the request now, and why; null for any other error. */
export function databaseUnavailability(error: unknown): Unavailability | null {
  const commitOutcomeUnknown = [...chain(error)].some((e) => e[COMMIT_OUTCOME_UNKNOWN] === true);
  if ([...chain(error)].some((e) => e.message === POOL_TIMEOUT)) return { reason: "pool_exhausted", commitOutcomeUnknown };
  if (commitOutcomeUnknown || connectionLost(error)) return { reason: "database_unreachable", commitOutcomeUnknown };
  return null;
}
