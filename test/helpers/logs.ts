// The service's JSON logs, captured for assertions.
import { createLogger } from "../../src/observability/logger.ts";

/** A logger whose JSON lines land in `lines`. */
export function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw };
}
