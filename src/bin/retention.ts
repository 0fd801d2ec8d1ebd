// npm run retention:dry-run — lists who tonight's enforce_retention would notify,
// erase, keep waiting, withdraw a notice from or find active after all, each with
// the reason (app_private.retention_review). Changes nothing.
import { loadConfig } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { formatRetentionReview, retentionReview } from "../tools/retention.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  console.log(formatRetentionReview(await retentionReview(config.ownerUrl)));
}, "one-shot");
