// Marks signed-in users active (users.last_active_at, which account retention
// reads): at most once an hour per user and process, after the response, so a
// request never waits for it and a failure costs only a log line.
import type { NextFunction, Request, Response } from "express";
import type pg from "pg";
import type { Logger } from "../observability/logger.ts";
import { identityOf } from "./auth.ts";
import { ExpiringMemory } from "./expiringMemory.ts";

/** The database writes at most hourly too (app_ops.record_activity); this spares it the calls. */
const MARK_EVERY_MS = 60 * 60 * 1000;
/** Past this many users the memory is dropped: the database's own hourly guard still holds. */
const REMEMBERED_USERS = 100_000;

export function recordActivity(pool: pg.Pool, logger: Logger) {
  const marked = new ExpiringMemory<true>(MARK_EVERY_MS, REMEMBERED_USERS);
  return (_req: Request, res: Response, next: NextFunction) => {
    const identity = identityOf(res);
    if (identity && !marked.get(identity.userId)) {
      marked.set(identity.userId, true);
      res.once("finish", () => {
        pool.query("select app_ops.record_activity($1)", [identity.userId]).catch((e: Error) => {
          marked.delete(identity.userId);
          logger.warn({ event: "activity_not_recorded", err: e.message }, "could not mark a user active");
        });
      });
    }
    next();
  };
}
