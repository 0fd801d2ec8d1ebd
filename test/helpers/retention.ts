// Time travel for retention tests: a user whose own traces are old, a notice given days ago.
import { poolFor, rootUrl, withOwnerDb } from "./db.ts";
import type { TestUser } from "./fixtures.ts";

/**
 * Makes the user's row `days` old — created_at, updated_at and last_active_at — with their
 * period set to `retentionDays`; committed as the superuser with triggers off (updated_at is the server's).
 */
export async function makeIdle(user: TestUser, days: number, retentionDays = 365): Promise<void> {
  const root = await poolFor(rootUrl).connect();
  try {
    await root.query("begin");
    await root.query("set local session_replication_role = replica");
    await root.query(
      `update app_public.users set data_retention_days = $3, created_at = now() - make_interval(days => $2),
         updated_at = now() - make_interval(days => $2), last_active_at = now() - make_interval(days => $2)
       where id = $1`,
      [user.id, days, retentionDays],
    );
    await root.query("commit");
  } catch (e) {
    await root.query("rollback");
    throw e;
  } finally {
    root.release();
  }
}

/** Moves the user's standing retention notice back in time, as if given `days` ago. */
export async function noticeGiven(user: TestUser, days: number): Promise<void> {
  await withOwnerDb((o) =>
    o.query("update app_private.retention_notices set notified_at = now() - make_interval(days => $2) where user_id = $1", [user.id, days]),
  );
}
