// The read replica's routing rule and read-your-writes bookkeeping (src/graphql/readReplica.ts), without a
// replica: which operations may leave the primary, and when a user's reads must stay on it. The
// routing proven on real servers is test/replica/ (npm run test:replica).
import type pg from "pg";
import { parse } from "postgraphile/graphql";
import { PRIMARY_ROOT_FIELDS, ReadReplicaRouter, REPLICA_ROOT_FIELDS, parseLsn, runsOnReplica } from "../../src/graphql/readReplica.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startTestServer } from "../helpers/http.ts";
import { until } from "../helpers/process.ts";

const onReplica = (query: string, operationName?: string) => runsOnReplica(parse(query), operationName);

test("only queries made of listed read-only root fields may run on the replica", () => {
  expect(onReplica("{ marketplaceQuests(first: 20) { nodes { id } } }")).toBe(true);
  expect(onReplica("query Q($me: UUID!) { quests(condition: { childId: $me }) { nodes { id } } myChildren { nodes { id } } }")).toBe(true);
  // Audited reads, the `query` field that re-exposes them, unknown fields, mutations: the primary.
  expect(onReplica("{ getQuestAnalytics(questId: \"x\") { consentStatus } }")).toBe(false);
  expect(onReplica("{ quests { nodes { id } } canShareWithParent(childId: \"x\", dataType: \"progress\") }")).toBe(false);
  expect(onReplica("{ query { getQuestAnalytics(questId: \"x\") { consentStatus } } }")).toBe(false);
  expect(onReplica("{ somethingAddedLater }")).toBe(false);
  expect(onReplica("mutation { createQuest(input: {}) { clientMutationId } }")).toBe(false);
  // Fragments are followed: an audited field inside one keeps the operation on the primary.
  expect(onReplica("query { ...F } fragment F on Query { getQuestAnalytics(questId: \"x\") { consentStatus } }")).toBe(false);
  expect(onReplica("query { ... on Query { quests { nodes { id } } } ...G } fragment G on Query { myChildren { nodes { id } } }")).toBe(true);
  expect(onReplica("query { ...Missing }")).toBe(false);
  // The operation that runs is the one named, whatever else the document holds.
  const document = "query A { quests { nodes { id } } } mutation B { createQuest(input: {}) { clientMutationId } }";
  expect(onReplica(document, "A")).toBe(true);
  expect(onReplica(document, "B")).toBe(false);
  expect(onReplica(document)).toBe(false);
});

test("every root field of Query is either reviewed as read-only or kept on the primary", async () => {
  const server = await startTestServer();
  try {
    const fields = Object.keys((await server.service.pgl.getSchema()).getQueryType()!.getFields());
    const unreviewed = fields.filter((f) => !REPLICA_ROOT_FIELDS.has(f) && !(f in PRIMARY_ROOT_FIELDS));
    expect(unreviewed).toEqual([]);
    expect(fields.filter((f) => REPLICA_ROOT_FIELDS.has(f) && f in PRIMARY_ROOT_FIELDS)).toEqual([]);
  } finally {
    await server.close();
  }
});

test("WAL positions order as numbers", () => {
  expect(parseLsn("0/16B3748")).toBe(0x16b3748n);
  expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
});

/** A pool whose only query answers `lsn`, as pg_current_wal_lsn() or pg_last_wal_replay_lsn() would; `asked` counts the queries. */
function fakePool(lsn: () => string): pg.Pool & { asked: number } {
  const pool = { asked: 0, query: async () => (pool.asked++, { rows: [{ lsn: lsn() }] }) };
  return pool as unknown as pg.Pool & { asked: number };
}

test("after a user's mutation, that user's reads stay on the primary until the replica has replayed it; others' do not", async () => {
  let primaryLsn = "0/100";
  let replayed = "0/100";
  const replicaPool = fakePool(() => replayed);
  const router = new ReadReplicaRouter({
    primaryPool: fakePool(() => primaryLsn),
    replicaPool,
    logger: createLogger({ level: "silent" }),
    pollMs: 20,
  });
  try {
    const primary = (async (_settings: unknown, callback: (client: unknown) => unknown) => callback({})) as never;
    const read = parse("{ quests { nodes { id } } }");
    const routed = (userId: string) => router.contextFor({ document: read }, primary, userId).withPgClient !== undefined;
    await until("the first poll", async () => routed("writer"));

    const write = router.contextFor({ document: parse("mutation { createQuest(input: {}) { clientMutationId } }") }, primary, "writer");
    expect(write.withPgClient).toBeDefined();
    expect(routed("writer")).toBe(false); // marked before the write even ran
    primaryLsn = "0/200";
    await write.withPgClient!(null, async () => "done");
    expect(routed("writer")).toBe(false);
    expect(routed("someone else")).toBe(true);
    // The replica replays part of the way: still the primary; all of it: the replica again.
    replayed = "0/1FF";
    const polls = replicaPool.asked;
    await until("two more polls of the replica", async () => replicaPool.asked >= polls + 2);
    expect(routed("writer")).toBe(false);
    replayed = "0/200";
    await until("the writer's reads back on the replica", async () => routed("writer"));
  } finally {
    router.stop();
  }
});
