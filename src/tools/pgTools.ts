// PostgreSQL's client programs (pg_dump, pg_restore) of a given major version:
// Debian's layout first, then PATH. The embedded server ships none, so on it
// the commands that need them say so.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import type pg from "pg";
import { ConfigError } from "../config.ts";

export type PgTool = "pg_dump" | "pg_restore";

/** The tool of exactly this major version, or undefined. */
export async function findPgTool(tool: PgTool, major: number): Promise<string | undefined> {
  for (const candidate of [`/usr/lib/postgresql/${major}/bin/${tool}`, tool]) {
    if (candidate.includes("/") && !existsSync(candidate)) continue;
    try {
      const { stdout } = await promisify(execFile)(candidate, ["--version"]);
      if (new RegExp(`\\(PostgreSQL\\) ${major}\\.`).test(stdout)) return candidate;
    } catch {
      // Not installed there.
    }
  }
  return undefined;
}

/** The tool of exactly this major version, or a ConfigError saying where it was looked for. */
export async function requirePgTool(tool: PgTool, major: number): Promise<string> {
  const found = await findPgTool(tool, major);
  if (!found) {
    throw new ConfigError(`No ${tool} of PostgreSQL ${major} found (looked in /usr/lib/postgresql/${major}/bin and PATH): install the server's client programs.`);
  }
  return found;
}

export async function serverMajor(client: pg.ClientBase | pg.Pool): Promise<number> {
  return Math.floor(Number((await client.query("show server_version_num")).rows[0].server_version_num) / 10000);
}
