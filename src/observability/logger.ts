// Structured JSON logs (pino). What may never appear in a log — tokens,
// passwords, secrets, GraphQL variables (they carry letters, messages and
// children's names), any field named like a P1 or P2 column (displayName,
// content, …: src/privacy/dataClasses.ts) — is replaced by "[redacted]" here,
// and the HTTP serializers log only method, path, status and request id (no
// headers, no bodies).
//
// Redaction is by field name, at any of the first three levels of a log line's
// object, of a child logger's bindings and of a serialized error. It is one
// walk over the line's own keys, not pino's `redact` paths: with ~200 of them
// (`name` and `*.name` for each name) pino's redaction cost a sixth of a light
// request's CPU time, on every request's log line (BENCHMARKS.md).
import { IncomingMessage, ServerResponse } from "node:http";
import pino, { type Bindings, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config.ts";
import { personalFieldNames } from "../privacy/dataClasses.ts";

export type { Logger };

/** Field names whose values never reach a log (compared exactly, case-sensitive). */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set([
  "password",
  "token",
  "secret",
  "authorization",
  "cookie",
  "variables",
  "connectionString",
  ...personalFieldNames(),
]);

const CENSOR = "[redacted]";
/** Levels walked: a field, a field of a field (`row.content`), and one more (`req.headers.authorization`). */
const DEPTH = 3;

/** Objects with serializers of their own that whitelist what they log (app.ts): a request, a response. */
function hasOwnSerializer(value: object): boolean {
  return value instanceof IncomingMessage || value instanceof ServerResponse;
}

/**
 * `value` with every field named in REDACTED_FIELDS, down to DEPTH levels, replaced by "[redacted]". Any
 * object is walked (its own enumerable fields, as JSON.stringify writes them), except a request or a
 * response (their serializers whitelist) and values JSON writes through toJSON (a Date); an Error, under
 * any key, is first serialized as pino serializes `err` (type, message, stack, own fields). Nothing is
 * copied when nothing matches (the common case costs one Set lookup per key); otherwise the objects on
 * the way to a match are copied into plain ones, and the caller's object is left unchanged.
 */
export function redactFields<T>(value: T, depth = DEPTH): T {
  if (depth === 0 || typeof value !== "object" || value === null || hasOwnSerializer(value)) return value;
  if (value instanceof Error) return redactFields({ ...pino.stdSerializers.err(value) }, depth) as T;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    const replaced = REDACTED_FIELDS.has(key) ? CENSOR : redactFields(field, depth - 1);
    if (replaced !== field) {
      copy ??= (Array.isArray(value) ? [...value] : { ...fields }) as Record<string, unknown>;
      copy[key] = replaced;
    }
  }
  return (copy ?? value) as T;
}

export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), bindings: redactFields, log: redactFields },
      // `err` is serialized and redacted like an error under any other key (redactFields).
      serializers: { err: (error: Error) => redactFields(error) },
    },
    // stdout by default, written asynchronously: a write(2) per request's log line was a cost of its own
    // under load. pino flushes what is buffered when the process exits (not on SIGKILL).
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
  // A child's bindings, and bindings set later, skip formatters.bindings (pino applies it to the root's
  // only): redact them here. Children are made from their parent's prototype, so this covers children of
  // children too.
  const child = logger.child;
  logger.child = function (this: Logger, bindings: Bindings, childOptions?: Parameters<Logger["child"]>[1]) {
    return child.call(this, redactFields(bindings), childOptions);
  } as Logger["child"];
  const setBindings = logger.setBindings;
  logger.setBindings = function (this: Logger, bindings: Bindings) {
    setBindings.call(this, redactFields(bindings));
  };
  return logger;
}
