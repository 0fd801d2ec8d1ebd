// The retention dry run (npm run retention:dry-run): what tonight's enforce_retention
// would do to whole accounts, and why — app_private.retention_review(), read as the owner.
import pg from "pg";

export interface RetentionReviewRow {
  user_id: string;
  kind: string;
  action: "keep" | "notify" | "wait" | "cancel" | "erase";
  trace: string;
  reason: string;
}

export async function retentionReview(ownerUrl: string): Promise<RetentionReviewRow[]> {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const { rows } = await owner.query<RetentionReviewRow>("select user_id, kind, action, trace, reason from app_private.retention_review()");
    return rows;
  } finally {
    await owner.end();
  }
}

/** One line per user, then the totals by action. */
export function formatRetentionReview(rows: RetentionReviewRow[]): string {
  const lines = rows.map((r) => `${r.action.padEnd(6)} ${r.user_id} ${r.kind.padEnd(12)} ${r.reason}`);
  const totals = ["erase", "notify", "wait", "cancel", "keep"].map((a) => `${rows.filter((r) => r.action === a).length} ${a}`);
  return [...lines, `${totals.join(", ")} (nothing was changed)`].join("\n");
}
