// policies/ is the single source of truth for RLS policies and grants: every
// file is re-applied, in name order, after every migrate, in one transaction,
// so a failing file leaves the previous policies in force.
import path from "node:path";
import { PROJECT_ROOT } from "../config.ts";
import { applySqlFolder, readSqlFolder, type SqlFile } from "./sqlFolder.ts";

export const POLICIES_DIR = path.join(PROJECT_ROOT, "policies");

/** Applies policies/ (or a copy of it in `dir`); returns the file names; a failure names `policies/<file>`. */
export function applyPolicies(ownerUrl: string, dir = POLICIES_DIR): Promise<string[]> {
  return applySqlFolder(ownerUrl, dir, "policies");
}

/**
 * policies/ (or a copy of it in `dir`) split as migrate and the function catalog check apply it: `reset`,
 * 000_reset.sql (every policy and grant of our schemas dropped), runs before functions/, `rest` after.
 * Throws when the folder does not begin with 000_reset.sql.
 */
export async function readPolicies(dir = POLICIES_DIR): Promise<{ reset: SqlFile; rest: SqlFile[] }> {
  const [reset, ...rest] = await readSqlFolder(dir, "policies");
  if (reset?.name !== "policies/000_reset.sql") throw new Error(`${dir} must begin with 000_reset.sql`);
  return { reset, rest };
}
