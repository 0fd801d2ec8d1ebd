// The table `npm run test:faults` prints: one row per injected fault, with what was sent, what the API
// acknowledged, the errors by kind, and how many acknowledged writes were looked up in the database
// afterwards (checked) and not found (lost).

/** One fault's outcome. `lost` counts acknowledged writes missing from the database afterwards. */
export interface FaultRow {
  fault: string;
  sent: number;
  acknowledged: number;
  /** Errors by kind: `503 DATABASE_UNAVAILABLE`, `ECONNRESET`, `timeout`, … → how many. */
  errors: Record<string, number>;
  checked: number;
  lost: number;
  notes?: string;
}

/** `503 DATABASE_UNAVAILABLE: 41, ECONNRESET: 3`, the most frequent first; `-` when there were none. */
export function formatErrors(errors: Record<string, number>): string {
  const entries = Object.entries(errors).filter(([, n]) => n > 0);
  if (entries.length === 0) return "-";
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([kind, n]) => `${kind}: ${n}`)
    .join(", ");
}

/** The table, as text: fixed columns, then each row's notes on indented lines below it. */
export function formatTable(rows: FaultRow[]): string {
  const header = ["fault", "sent", "acked", "checked", "lost", "errors by kind"];
  const cells = rows.map((r) => [r.fault, String(r.sent), String(r.acknowledged), String(r.checked), String(r.lost), formatErrors(r.errors)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 || i === values.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ").trimEnd();
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  ")];
  rows.forEach((row, i) => {
    out.push(line(cells[i]!));
    for (const note of (row.notes ?? "").split("\n").filter(Boolean)) out.push(`    ${note}`);
  });
  return out.join("\n");
}
