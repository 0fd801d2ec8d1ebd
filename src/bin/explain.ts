// npm run db:explain [-- --max-seq-scan-rows 10000] [--strict]
// Prints the plan of every hot query as the role that runs it (policies
// included) on the seeded database, and exits 1 if any scans a table of more
// than the given rows sequentially (--strict: any sequential scan at all, with
// enable_seqscan off — for small databases such as CI's).
import { parseArgs } from "node:util";
import { appDatabaseAsSuperuser, loadConfig } from "../config.ts";
import { explainHotQueries } from "../tools/explain.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";

runCommand(async (lifecycle) => {
  const { values } = parseArgs({
    options: { "max-seq-scan-rows": { type: "string", default: "10000" }, strict: { type: "boolean", default: false } },
  });
  const maxSeqScanRows = Number(values["max-seq-scan-rows"]);
  if (!Number.isInteger(maxSeqScanRows) || maxSeqScanRows < 0) {
    throw new UserError("usage: npm run db:explain -- [--max-seq-scan-rows 10000] [--strict]");
  }
  const config = loadConfig();
  const superuserUrl = appDatabaseAsSuperuser(config, "db:explain reads nested plans with auto_explain");
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, () => {});
  const report = await explainHotQueries(superuserUrl, {
    maxSeqScanRows,
    strict: values.strict,
  });
  for (const { query, statements } of report.plans) {
    console.log(`\n${query}`);
    for (const lines of statements) console.log(lines.join("\n"));
  }
  console.log("");
  if (report.findings.length > 0) {
    for (const f of report.findings) console.log(`SEQUENTIAL SCAN: ${f.query} scans ${f.relation} (${f.rows} rows)`);
    throw new UserError(`${report.findings.length} sequential scan(s) of large tables in the hot queries.`);
  }
  console.log(
    values.strict
      ? "No hot query scans an app table sequentially (enable_seqscan off)."
      : `No hot query scans a table of more than ${maxSeqScanRows} rows sequentially.`,
  );
}, "one-shot");
