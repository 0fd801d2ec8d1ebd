// schema.sql: `pg_dump --schema-only` of our schemas in a freshly migrated
// database. pg_dump must be of the server's major version,
// so the committed dump records the version it was taken with, and the drift
// test runs where a matching pg_dump exists (CI's PostgreSQL 15 pass).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../config.ts";
import { OUR_SCHEMAS } from "../db/schemas.ts";

export const SCHEMA_DUMP = path.join(PROJECT_ROOT, "schema.sql");
const HEADER = /^-- Schema of a freshly migrated database \(npm run db:dump\), PostgreSQL (\d+)\n/;

export async function dumpSchema(pgDump: string, url: string, major: number): Promise<string> {
  const { stdout } = await promisify(execFile)(
    pgDump,
    ["--schema-only", ...OUR_SCHEMAS.map((schema) => `--schema=${schema}`), "--dbname", url],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const body = stdout
    .split("\n")
    // Versions and the per-run random \restrict key change between runs; the schema does not.
    .filter((line) => !/^-- Dumped (from|by)|^\\(un)?restrict /.test(line))
    // A policy's roles come out in pg_authid's physical order, which ALTER ROLE reshuffles.
    .map((line) =>
      line.startsWith("CREATE POLICY ")
        ? line.replace(/ TO ((?:\w+, )*\w+)(?= USING| WITH CHECK|;)/, (_, roles: string) => ` TO ${roles.split(", ").sort().join(", ")}`)
        : line,
    )
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return `-- Schema of a freshly migrated database (npm run db:dump), PostgreSQL ${major}\n\n${body}\n`;
}

/** The major version the committed dump was taken with. */
export function dumpMajor(dump: string): number | undefined {
  const match = dump.match(HEADER);
  return match ? Number(match[1]) : undefined;
}
