import { FAMILY, seedFamily } from "../src/db/seed/family.ts";
import { masterKeys } from "../src/privacy/masterKeys.ts";
import { ownerUrl, poolFor, rootUrl, testConfig } from "./helpers/db.ts";

async function counts(): Promise<Record<string, number>> {
  const { rows } = await poolFor(rootUrl).query<{ table: string; n: number }>(`
    select c.relname as table,
           (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %s', c.oid::regclass), false, true, '')))[1]::text::int as n
    from pg_class c where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r'`);
  return Object.fromEntries(rows.map((r) => [r.table, r.n]));
}

test("the development family fills every table (but GDPR requests: this family stays), covers every quest status, and re-seeding changes nothing", async () => {
  await seedFamily(ownerUrl, masterKeys(testConfig()));
  const first = await counts();
  expect(Object.entries(first).filter(([, n]) => n === 0)).toEqual([["data_deletion_requests", 0]]);

  const { rows } = await poolFor(rootUrl).query(
    "select array_agg(distinct status::text order by status::text) as statuses from app_public.quests where author_id = $1",
    [FAMILY.parent],
  );
  expect(rows[0].statuses).toEqual(["archived", "deleted", "deployed", "draft"]);

  await seedFamily(ownerUrl, masterKeys(testConfig()));
  expect(await counts()).toEqual(first);
});
