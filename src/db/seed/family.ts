// The development family (family.sql), loaded in one transaction as the owner.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { type MasterKeys, useMasterKeys } from "../../privacy/masterKeys.ts";

export const FAMILY = {
  parent: "a0000000-0000-4000-8000-000000000001",
  child: "c0000000-0000-4000-8000-000000000001",
  psychologist: "b0000000-0000-4000-8000-000000000001",
} as const;

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
