// What a GraphQL client sees of an error. Database errors the client can act on
// (a broken rule, a stale version, a refused permission) keep their message and
// get a stable code; everything else is masked: the client gets an id, and the
// log gets that id with what the error *is* (SQLSTATE, routine, constraint, the
// code location) — never its message, DETAIL, WHERE or the document, which can
// quote what the user sent (a letter, a P2 value: issue 14, item 10). Which SQLSTATEs
// keep their message, and under which code, is src/errors (docs/errors.md).
import { createHash, randomBytes } from "node:crypto";
import { isSafeError } from "postgraphile/grafast";
import { GraphQLError } from "postgraphile/graphql";
import { databaseUnavailability } from "../db/pool.ts";
import { unavailableAnswer } from "../errors/unavailable.ts";
import { CLIENT_CODE_BY_SQLSTATE } from "../errors/index.ts";
import type { Logger } from "../observability/logger.ts";

/** The fields of a node-postgres error that name what went wrong without quoting any value. */
const DESCRIPTIVE_FIELDS = ["code", "severity", "routine", "file", "line", "constraint", "table", "column", "dataType", "schema"] as const;

/** What may be logged of an error: its kind, never its text (messages and stacks can quote input). */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { kind: typeof error };
  const fields: Record<string, unknown> = { name: error.name };
  for (const field of DESCRIPTIVE_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined) fields[field] = value;
  }
  // Groups equal errors without showing them; the first stack frame says where it was thrown.
  fields.messageHash = createHash("sha256").update(error.message).digest("base64url").slice(0, 12);
  const frame = error.stack?.split("\n").find((line) => line.trimStart().startsWith("at "));
  if (frame) fields.thrownAt = frame.trim();
  return fields;
}

/** grafserv's maskError, logging masked errors through `logger` (redacted JSON) instead of the console. */
export function makeMaskError(logger: Pick<Logger, "error">): (error: GraphQLError) => GraphQLError {
  return (error) => {
    const original = error.originalError as { code?: unknown; constraint?: unknown } | undefined;
    // Errors GraphQL itself raised about the document (validation, null for a non-null field) are the client's to read.
    if (!original || original instanceof GraphQLError) return error;
    const unavailable = databaseUnavailability(original);
    if (unavailable) {
      // Not masked: the client must know to come back later (HTTP 503 + Retry-After, src/http/unavailable.ts).
      const answer = unavailableAnswer(unavailable);
      if (unavailable.commitOutcomeUnknown) {
        logger.error({ event: "commit_outcome_unknown", path: error.path, error: describeError(original) }, "connection lost during COMMIT");
      }
      return new GraphQLError(answer.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        originalError: error.originalError,
        extensions: answer.extensions,
      });
    }
    const code = typeof original.code === "string" ? CLIENT_CODE_BY_SQLSTATE.get(original.code) : undefined;
    if (code || isSafeError(original as Error)) {
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        originalError: error.originalError,
        extensions: code
          ? { code, ...(typeof original.constraint === "string" ? { constraint: original.constraint } : {}) }
          : ((original as { extensions?: Record<string, unknown> }).extensions ?? {}),
      });
    }
    const errorId = randomBytes(6).toString("base64url");
    logger.error({ errorId, path: error.path, error: describeError(original) }, "masked GraphQL error");
    return new GraphQLError(`An error occurred (logged with id: '${errorId}')`, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      originalError: error.originalError,
    });
  };
}
