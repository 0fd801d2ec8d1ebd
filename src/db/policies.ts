// policies/ is the single source of truth for RLS policies and grants: every
// file is re-applied, in name order, after every migrate, in one transaction,
// so a failing file leaves the previous policies in force.
import path from "node:path";
import { PROJECT_ROOT } from "../config.ts";
import { applySqlFolder } from "./sqlFolder.ts";

export const POLICIES_DIR = path.join(PROJECT_ROOT, "policies");

/** Applies policies/ (or a copy of it in `dir`); returns the file names; a failure names `policies/<file>`. */
export function applyPolicies(ownerUrl: string, dir = POLICIES_DIR): Promise<string[]> {
  return applySqlFolder(ownerUrl, dir, "policies");
}
