// policies/ is the single source of truth for RLS policies and grants: every
// file is re-applied, in name order, after every migrate, in one transaction,
// so a failing file leaves the previous policies in force.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "../config.ts";

export const POLICIES_DIR = path.join(PROJECT_ROOT, "policies");

export async function applyPolicies(ownerUrl: string, dir = POLICIES_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    for (const file of files) {
      const sql = await readFile(path.join(dir, file), "utf8");
      try {
        await client.query(sql);
      } catch (e) {
        throw new Error(`policies/${file}: ${(e as Error).message}`, { cause: e });
      }
    }
    await client.query("commit");
    return files;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
