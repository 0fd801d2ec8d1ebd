// The development family (family.sql), loaded in one transaction as the owner.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { type MasterKeys, useMasterKeys } from "../../privacy/masterKeys.ts";

export const FAMILY = {
  parent: "a0000000-0000-4000-8000-000000000001",
  child: "c0000000-0000-4000-8000-000000000001",
  psychologist: "b0000000-0000-4000-8000-000000000001",
  admin: "ad000000-0000-4000-8000-000000000001",
} as const;

/** What `db:seed --scale 0` and `db:reset --seed` print: who is in the family, and their token commands. */
export function familySummary(): string {
  return [
    "Seeded one family (re-running changes nothing):",
    `  parent        Anna    ${FAMILY.parent}`,
    `  child         Misha   ${FAMILY.child}`,
    `  psychologist  Ivanova ${FAMILY.psychologist}`,
    `  admin         Orlov   ${FAMILY.admin}`,
    "Tokens: `npm run dev:tokens` prints a GraphiQL header for each (the child's from inner_edu, the others' from pas_bot);",
    `  for scripts: TOKEN=$(npm run -s token -- --app pas_bot --user ${FAMILY.parent})`,
  ].join("\n");
}

export async function seedFamily(ownerUrl: string, keys: MasterKeys): Promise<void> {
  const sql = await readFile(new URL("./family.sql", import.meta.url), "utf8");
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    // Its letters, sessions and profile are P2: the triggers encrypt them with this key.
    await useMasterKeys(client, keys);
    await client.query(sql);
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

/**
 * Whether the app database has no users at all (a fresh database, or one just reset): `npm start`
 * then says how to get this family. Reads as the owner (`ownerUrl`), which bypasses RLS.
 */
export async function hasNoUsers(ownerUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ empty: boolean }>("select not exists (select from app_public.users) as empty");
    return rows[0]!.empty;
  } finally {
    await client.end();
  }
}
