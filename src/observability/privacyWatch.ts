// Follows the audit log's privacy checks (every client's: GraphQL, direct SQL,
// psql, jobs) for privacy_checks_total, and logs each denied check as a
// warning — the seed's "privacy violation attempt" — with ids only.
import type pg from "pg";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";

interface Poll {
  last_id: string;
  allowed: number;
  denied: number;
  denials: Array<Record<string, unknown>>;
}

export interface PrivacyWatch {
  /** One poll now (the timer polls every intervalMs). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

export function watchPrivacyChecks(pool: pg.Pool, metrics: Pick<Metrics, "privacyChecks">, logger: Logger, intervalMs: number): PrivacyWatch {
  let lastId: string | null = null;
  let failing = false;
  let running: Promise<void> = Promise.resolve();

  const pollOnce = async () => {
    try {
      const { rows } = await pool.query<Poll>("select * from app_ops.privacy_checks_after($1)", [lastId]);
      const result = rows[0]!;
      lastId = result.last_id;
      metrics.privacyChecks.inc({ result: "allowed" }, result.allowed);
      metrics.privacyChecks.inc({ result: "denied" }, result.denied);
      for (const denial of result.denials) logger.warn({ event: "privacy_check_denied", ...denial }, "privacy check denied");
      if (result.denied > result.denials.length) {
        logger.warn({ event: "privacy_check_denied", more: result.denied - result.denials.length }, "more privacy checks denied");
      }
      if (failing) logger.info({ event: "privacy_watch_recovered" }, "privacy checks followed again");
      failing = false;
    } catch (e) {
      if (!failing) logger.warn({ event: "privacy_watch_failed", err: e }, "cannot read the privacy checks");
      failing = true;
    }
  };
  const poll = () => (running = running.then(pollOnce));
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  void poll();
  return {
    poll,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
