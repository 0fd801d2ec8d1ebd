// Marks signed-in users active (users.last_active_at, which account retention
// reads): at most once an hour per user and process, after the response, so a
// request never waits for it and a failure costs only a log line.
import type { NextFunction, Request, Response } from "express";
import type pg from "pg";
import type { Logger } from "../observability/logger.ts";
import { identityOf } from "./auth.ts";

/** The database writes at most hourly too (app_ops.record_activity); this spares it the calls. */
const MARK_EVERY_MS = 60 * 60 * 1000;
/** Past this many users the memory is dropped: the database's own hourly guard still holds. */
const REMEMBERED_USERS = 100_000;

export function recordActivity(pool: pg.Pool, logger: Logger) {
  const lastMarked = new Map<string, number>();
  return (req: Request, res: Response, next: NextFunction) => {
    const identity = identityOf(req);
    const now = Date.now();
    if (identity && now - (lastMarked.get(identity.userId) ?? 0) >= MARK_EVERY_MS) {
      if (lastMarked.size >= REMEMBERED_USERS) lastMarked.clear();
      lastMarked.set(identity.userId, now);
      res.once("finish", () => {
        pool.query("select app_ops.record_activity($1)", [identity.userId]).catch((e: Error) => {
          lastMarked.delete(identity.userId);
          logger.warn({ event: "activity_not_recorded", err: e.message }, "could not mark a user active");
        });
      });
    }
    next();
  };
}
