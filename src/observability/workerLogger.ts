// graphile-worker's log lines as structured JSON through our pino logger.
import { Logger as WorkerLogger } from "graphile-worker";
import type { Logger } from "./logger.ts";

export function workerLoggerFrom(logger: Logger): WorkerLogger {
  const worker = logger.child({ component: "worker" });
  return new WorkerLogger((scope) => (level, message, meta) => {
    // The job itself (meta.job) carries its payload: its id and task are in the scope already.
    const { job: _job, ...rest } = meta ?? {};
    const fields = { ...scope, ...rest };
    if (level === "error") worker.error(fields, message);
    else if (level === "warning") worker.warn(fields, message);
    else if (level === "info") worker.info(fields, message);
    else worker.debug(fields, message);
  });
}
