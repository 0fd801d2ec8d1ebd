// What a GraphQL client sees of an error. Database errors the client can act on
// (a broken rule, a stale version, a refused permission) keep their message and
// get a stable code; everything else is masked and logged with an id (grafserv's default).
import { defaultMaskError } from "postgraphile/grafserv";
import { GraphQLError } from "postgraphile/graphql";

/** SQLSTATE → the stable `extensions.code` clients switch on. */
const CLIENT_ERROR_CODES: Record<string, string> = {
  "23502": "NOT_NULL_VIOLATION",
  "23503": "FOREIGN_KEY_VIOLATION",
  "23505": "UNIQUE_VIOLATION",
  "23514": "CHECK_VIOLATION",
  "22P02": "INVALID_INPUT",
  "22023": "INVALID_PARAMETER",
  P0002: "NOT_FOUND",
  // Mostly statement_timeout: the request asked for more than the server gives one request.
  "57014": "QUERY_CANCELED",
  STALE: "STALE_VERSION",
  // Also "new row violates row-level security policy".
  "42501": "PERMISSION_DENIED",
};

export function maskError(error: GraphQLError): GraphQLError {
  const original = error.originalError as { code?: unknown; constraint?: unknown } | undefined;
  const code = typeof original?.code === "string" ? CLIENT_ERROR_CODES[original.code] : undefined;
  if (!code) return defaultMaskError(error);
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { code, ...(typeof original?.constraint === "string" ? { constraint: original.constraint } : {}) },
  });
}
