// What a client reads when the database cannot serve its request (issue 18): the message and GraphQL
// extensions of UNAVAILABLE and OUTCOME_UNKNOWN (docs/errors.md). Shared by maskError (GraphQL results)
// and src/http/unavailable.ts (answers before GraphQL runs); free of GraphQL's modules, so that a
// command importing the HTTP layer's helpers (npm run token) does not load Grafast.
import type { Unavailability } from "../db/pool.ts";
import type { ClientCode } from "./index.ts";

/** Seconds a client should wait before trying again (the Retry-After header and `extensions.retryAfterSeconds`). */
export const RETRY_AFTER_SECONDS: Record<Unavailability["reason"], number> = { database_unreachable: 5, pool_exhausted: 2 };

/**
 * What a client reads when the database could not serve its request (docs/errors.md, UNAVAILABLE and
 * OUTCOME_UNKNOWN): HTTP 503 with Retry-After, and this message and these extensions.
 */
export function unavailableAnswer(unavailable: Unavailability): {
  message: string;
  extensions: { code: ClientCode; reason: Unavailability["reason"]; retryAfterSeconds: number };
} {
  const retryAfterSeconds = RETRY_AFTER_SECONDS[unavailable.reason];
  const extensions = { reason: unavailable.reason, retryAfterSeconds };
  if (unavailable.commitOutcomeUnknown) {
    const message = "The connection to the database was lost while this was being committed: it may or may not have been saved. Read it back before trying again.";
    return { message, extensions: { code: "OUTCOME_UNKNOWN" satisfies ClientCode, ...extensions } };
  }
  const message =
    unavailable.reason === "pool_exhausted"
      ? `The server is busy (no database connection came free in time), so this was not done; try again in ${retryAfterSeconds} seconds.`
      : `The database cannot be reached right now, so this was not done; try again in ${retryAfterSeconds} seconds.`;
  return { message, extensions: { code: "UNAVAILABLE" satisfies ClientCode, ...extensions } };
}
