// Structured JSON logs (pino). What may never appear in a log — tokens,
// passwords, secrets, GraphQL variables (they carry letters, messages and
// children's names), any field named like a P1 or P2 column (displayName,
// content, …: src/privacy/dataClasses.ts) — is removed by path here, and the
// HTTP serializers log only method, path, status and request id (no headers,
// no bodies).
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config.ts";
import { personalFieldNames } from "../privacy/dataClasses.ts";

export type { Logger };

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "variables",
  "*.variables",
  "connectionString",
  "*.connectionString",
  ...personalFieldNames().flatMap((name) => [name, `*.${name}`]),
];

export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
