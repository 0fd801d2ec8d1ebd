// Notifications the database queues: a child's consent changes, told to the linked parents.
import type { Task } from "graphile-worker";
import { isUuid } from "../../uuid.ts";
import { dropBadPayload } from "./payload.ts";

export const notifyConsentChanges: Task = async (payload, helpers) => {
  const eventIds = (payload as { event_ids?: unknown } | null)?.event_ids;
  if (!Array.isArray(eventIds) || eventIds.length === 0 || !eventIds.every(isUuid)) {
    return dropBadPayload(helpers, '{"event_ids": ["<uuid>", …]}', payload);
  }
  const { rows } = await helpers.query<{ written: number }>("select app_jobs.notify_consent_changes($1) as written", [eventIds]);
  helpers.logger.info(`notify_consent_changes: ${rows[0]!.written} notifications for ${eventIds.length} consent events`);
};
