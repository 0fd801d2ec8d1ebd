import { FAMILY, seedFamily } from "../../src/tools/seed/family.ts";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { masterKeys, useMasterKeys } from "../../src/privacy/masterKeys.ts";
import { ownerUrl, poolFor, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";

async function counts(): Promise<Record<string, number>> {
  const { rows } = await poolFor(rootUrl).query<{ table: string; n: number }>(`
    select c.relname as table,
           (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %s', c.oid::regclass), false, true, '')))[1]::text::int as n
    from pg_class c where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r'`);
  return Object.fromEntries(rows.map((r) => [r.table, r.n]));
}

// The family a test seeded (committed: seedFamily loads it as the owner would) is erased after it, by its users
// and the foreign keys' cascades, so that every test starts from the empty database whatever the order.
afterEach(async () => {
  await withOwnerDb((owner) => owner.query("delete from app_public.users where id = any ($1)", [Object.values(FAMILY)]));
});

// The class of a seed statement that silently does nothing (an `on conflict do nothing` insert of a row a
// trigger already made, an update whose guard never matches): on an empty database every statement must
// change at least one row. Run statement by statement in one transaction, rolled back.
test("on an empty database every statement of the development family's seed changes rows", async () => {
  const sql = await readFile(new URL("../../src/tools/seed/family.sql", import.meta.url), "utf8");
  const statements = sql
    .split(/;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("begin");
    await useMasterKeys(client, masterKeys(testConfig()));
    const idle: string[] = [];
    for (const statement of statements) {
      const result = await client.query(statement);
      if (!result.rowCount) idle.push(statement.split("\n")[0]!);
    }
    expect(idle).toEqual([]);
  } finally {
    await client.query("rollback");
    await client.end();
  }
});

test("the development family fills every table (but GDPR requests: this family stays), covers every quest status, and re-seeding changes nothing", async () => {
  await seedFamily(ownerUrl, masterKeys(testConfig()));
  const first = await counts();
  expect(Object.entries(first).filter(([, n]) => n === 0)).toEqual([["data_deletion_requests", 0]]);

  const { rows } = await poolFor(rootUrl).query(
    "select array_agg(distinct status::text order by status::text) as statuses from app_public.quests where author_id = $1",
    [FAMILY.parent],
  );
  expect(rows[0].statuses).toEqual(["archived", "deleted", "deployed", "draft"]);

  // FAMILY names one user of every kind (the docs' moderation examples act as its admin), each seeded as that kind.
  const users = await poolFor(rootUrl).query<{ id: string; kind: string }>("select id, kind::text from app_public.users where id = any($1)", [
    Object.values(FAMILY),
  ]);
  expect(Object.fromEntries(users.rows.map((u) => [u.kind, u.id]))).toEqual(FAMILY);
  const kinds = await poolFor(rootUrl).query<{ kinds: string[] }>("select enum_range(null::app_public.user_kind)::text[] as kinds");
  expect(Object.keys(FAMILY).sort()).toEqual(kinds.rows[0]!.kinds.sort());

  await seedFamily(ownerUrl, masterKeys(testConfig()));
  expect(await counts()).toEqual(first);
});

