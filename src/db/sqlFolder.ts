// policies/ and functions/ are folders of idempotent .sql files, re-applied after every migrate:
// read and applied here, the same way for both.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** One .sql file of a folder: `name` is what errors and reports call it ("policies/100_users.sql"). */
export interface SqlFile {
  name: string;
  sql: string;
}

/** The .sql files of `dir`, in name order; `label` names the folder in `SqlFile.name` (a copy in a temp dir keeps its label). */
export async function readSqlFolder(dir: string, label: string): Promise<SqlFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return Promise.all(files.map(async (f) => ({ name: `${label}/${f}`, sql: await readFile(path.join(dir, f), "utf8") })));
}

/**
 * Applies every .sql file of `dir`, in name order, in one transaction as the owner, so a failing file
 * leaves the database as it was. Returns the file names applied; throws an Error whose message starts
 * with `<label>/<file>: ` and then PostgreSQL's message.
 */
export async function applySqlFolder(ownerUrl: string, dir: string, label: string): Promise<string[]> {
  const files = await readSqlFolder(dir, label);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    for (const file of files) {
      try {
        await client.query(file.sql);
      } catch (e) {
        throw new Error(`${file.name}: ${(e as Error).message}`, { cause: e });
      }
    }
    await client.query("commit");
    return files.map((f) => path.basename(f.name));
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
