// What a client gets when the database cannot serve its request (issue 18: "fail fast and clearly"):
// HTTP 503, a Retry-After header (seconds), and the GraphQL errors shape with a catalogued code
// (UNAVAILABLE, or OUTCOME_UNKNOWN when the connection was lost during COMMIT: docs/errors.md).
// Whatever asks the pool on the way — requireActingKind before the operation, the operation itself
// in grafserv — answers the same way; nobody waits longer than the pool's acquire bound
// (PG_POOL_TIMEOUT_MS) for a connection. docs/operations.md, "During a database outage".
import type { ErrorRequestHandler, Response } from "express";
import { databaseUnavailability, type Unavailability } from "../db/pool.ts";
import { unavailableAnswer } from "../errors/unavailable.ts";

/** The codes maskError gives an error of an unavailable database (src/graphql/maskError.ts). */
const UNAVAILABLE_CODES = new Set<unknown>(["UNAVAILABLE", "OUTCOME_UNKNOWN"]);

/** 503 + Retry-After with the GraphQL errors shape, from an Express handler. */
export function sendUnavailable(res: Response, unavailable: Unavailability): void {
  const answer = unavailableAnswer(unavailable);
  res
    .status(503)
    .set("Retry-After", String(answer.extensions.retryAfterSeconds))
    .json({ errors: [{ message: answer.message, extensions: answer.extensions }] });
}

/**
 * Express error handler after grafserv: an error of an unavailable database that reached Express
 * (rather than GraphQL's result) is answered like the rest; any other goes on to Express's own.
 */
export const answerUnavailable: ErrorRequestHandler = (error, _req, res, next) => {
  const unavailable = databaseUnavailability(error);
  if (!unavailable || res.headersSent) return next(error);
  sendUnavailable(res, unavailable);
};

/**
 * A grafserv plugin (its `processRequest` middleware): a GraphQL result that holds an error of an
 * unavailable database becomes HTTP 503 with Retry-After (the longest any of its errors asks), its
 * body unchanged: `data` still holds whatever parts of the operation were done. It asks grafserv for
 * the result as JSON (`preferJSON`, written out by grafserv all the same) so that it can read the
 * errors' codes instead of parsing the bytes.
 */
export const DatabaseUnavailablePlugin: GraphileConfig.Plugin = {
  name: "DatabaseUnavailablePlugin",
  version: "1.0.0",
  grafserv: {
    middleware: {
      async processRequest(next, event) {
        event.requestDigest.preferJSON = true;
        const result = await next();
        if (result?.type !== "json") return result;
        const errors = (result.json as { errors?: unknown } | null)?.errors;
        if (!Array.isArray(errors)) return result;
        let retryAfter = 0;
        for (const error of errors as { extensions?: { code?: unknown; retryAfterSeconds?: unknown } }[]) {
          if (!UNAVAILABLE_CODES.has(error.extensions?.code)) continue;
          retryAfter = Math.max(retryAfter, Number(error.extensions?.retryAfterSeconds) || 1);
        }
        if (retryAfter === 0) return result;
        return { ...result, statusCode: 503, headers: { ...result.headers, "retry-after": String(retryAfter) } };
      },
    },
  },
};
