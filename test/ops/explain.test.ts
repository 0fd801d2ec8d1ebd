// The index proof in CI: at scale 1 scanning would often be the cheaper plan, so
// db:explain's strict mode turns sequential scans off; any left means a hot
// query (policies and nested statements included) has no index to use.
import { explainHotQueries, HOT_QUERIES } from "../../src/tools/explain.ts";
import { rootUrl, withOwnerDb } from "../helpers/db.ts";
import { seedQuietly } from "../helpers/seed.ts";

const SLOW = 120_000;

beforeAll(async () => {
  await seedQuietly(1);
}, SLOW);

test("every hot query of both apps finds an index, as the role that runs it", async () => {
  const report = await explainHotQueries(rootUrl, { maxSeqScanRows: 0, strict: true });
  expect(report.findings).toEqual([]);
  // Each query was planned, nested statements included (create_quest runs many).
  expect(report.plans.map((p) => p.query)).toEqual(HOT_QUERIES.map((q) => `${q.name} (as ${q.role})`));
  expect(report.plans.every((p) => p.statements.length > 0)).toBe(true);
  expect(report.plans.find((p) => p.query.startsWith("parent: create_quest"))!.statements.length).toBeGreaterThan(5);
}, SLOW);

test("a missing index is reported, with the query and the table", async () => {
  await withOwnerDb((owner) => owner.query("drop index app_public.quests_author_id_created_at_idx"));
  try {
    const report = await explainHotQueries(rootUrl, { maxSeqScanRows: 0, strict: true });
    // create_quest counts the parent's quests (for the ten-quests milestone) by author_id.
    expect(report.findings).toContainEqual({ query: "parent: create_quest", relation: "quests", rows: 10000 });
  } finally {
    await withOwnerDb((owner) =>
      owner.query("create index quests_author_id_created_at_idx on app_public.quests (author_id, created_at desc)"));
  }
}, SLOW);
