// policies/ and functions/ are folders of idempotent .sql files, re-applied after every migrate:
// read and applied here, the same way for both.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { UserError } from "../errors/index.ts";

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

/** A SQL file of ours that PostgreSQL refused: the developer's to fix, told in one line (no stack). */
export class SqlFileError extends UserError {
  override name = "SqlFileError";
}

/**
 * Applies `files` in the order given, in ONE transaction as the owner: a failing file leaves the database as
 * it was, and no other session ever sees part of them applied. Throws a SqlFileError whose message is
 * `<file name>: ` and then PostgreSQL's message.
 */
export async function applySqlFiles(ownerUrl: string, files: SqlFile[]): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    for (const file of files) {
      try {
        await client.query(file.sql);
      } catch (e) {
        throw new SqlFileError(`${file.name}: ${(e as Error).message}`, { cause: e });
      }
    }
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

/** Applies every .sql file of `dir` in name order, in one transaction (applySqlFiles); returns their names. */
export async function applySqlFolder(ownerUrl: string, dir: string, label: string): Promise<string[]> {
  const files = await readSqlFolder(dir, label);
  await applySqlFiles(ownerUrl, files);
  return files.map((f) => path.basename(f.name));
}
