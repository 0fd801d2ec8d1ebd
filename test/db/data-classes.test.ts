// Every column of app_public has exactly one data class (seed 003's P0/P1/P2),
// and the classification names no column that does not exist.
import { columnsOfClass, DATA_CLASSES } from "../../src/privacy/dataClasses.ts";
import { withRootDb } from "../helpers/db.ts";

test("every app_public column is classified once, and nothing else is", async () => {
  const catalog = await withRootDb(async (client) =>
    (await client.query<{ col: string }>(`
      select c.relname || '.' || a.attname as col from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
      order by 1`)).rows.map((r) => r.col),
  );
  // A P2 column's ciphertext (<column>_encrypted, migration 000017) is that column's storage, classified with it.
  const storage = new Set(columnsOfClass("P2").map((c) => `${c}_encrypted`));
  const classified = Object.entries(DATA_CLASSES).flatMap(([table, classes]) =>
    Object.values(classes).flatMap((columns) => columns.map((c) => `${table}.${c}`)),
  );
  const counts = new Map<string, number>();
  for (const c of classified) counts.set(c, (counts.get(c) ?? 0) + 1);
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  expect(catalog.filter((c) => !counts.has(c) && !storage.has(c))).toEqual([]);
  expect(classified.filter((c) => !catalog.includes(c))).toEqual([]);
});
