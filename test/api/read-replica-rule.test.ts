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

/**
 * A pool whose only query answers `lsn`, as pg_current_wal_lsn() or pg_last_wal_replay_lsn() would, and
 * `standby` as pg_is_in_recovery() would; `asked` counts the queries.
 */
function fakePool(lsn: () => string, standby: () => boolean = () => true): pg.Pool & { asked: number } {
  const pool = { asked: 0, query: async () => (pool.asked++, { rows: [{ lsn: lsn(), standby: standby() }] }) };
  return pool as unknown as pg.Pool & { asked: number };
}

const silent = createLogger({ level: "silent" });
const primaryClient = (async (_settings: unknown, callback: (client: unknown) => unknown) => callback({})) as never;
const READ = parse("{ quests { nodes { id } } }");
const MUTATION = parse("mutation { createQuest(input: {}) { clientMutationId } }");
const routedFor = (router: ReadReplicaRouter) => (userId: string) => router.contextFor({ document: READ }, primaryClient, userId).withPgClient !== undefined;
/** Waits for `polls` more polls of the replica. */
const pollsOf = async (pool: { asked: number }, polls: number) => {
  const from = pool.asked;
  await until(`${polls} more polls`, async () => pool.asked >= from + polls);
};

test("a replica that stops replaying while the primary moves on serves no more reads, whoever asks (break-this, issue 19)", async () => {
  let primaryLsn = "0/100";
  let replayed = "0/100";
  const replicaPool = fakePool(() => replayed);
  const router = new ReadReplicaRouter({ primaryPool: fakePool(() => primaryLsn), replicaPool, logger: silent, pollMs: 20 });
  const routed = routedFor(router);
  try {
    await until("the replica fresh", async () => routed("anyone"));
    // Others write on the primary (a family link withdrawn, an erasure); the standby's replay is paused.
    primaryLsn = "0/500";
    await pollsOf(replicaPool, 3);
    expect(routed("anyone")).toBe(false);
    // It catches up: reads go back to it.
    replayed = "0/500";
    await until("the replica fresh again", async () => routed("anyone"));
  } finally {
    router.stop();
  }
});

test("a server that is not a standby (promoted, a restored copy) serves no reads (break-this, issue 19)", async () => {
  const replicaPool = fakePool(() => "0/100", () => false);
  const router = new ReadReplicaRouter({ primaryPool: fakePool(() => "0/100"), replicaPool, logger: silent, pollMs: 20 });
  try {
    await pollsOf(replicaPool, 4);
    expect(routedFor(router)("anyone")).toBe(false);
  } finally {
    router.stop();
  }
});

test("an older write's position arriving after a newer write began never lets the user's reads leave the primary early (break-this, issue 19)", async () => {
  let primaryLsn = "0/100";
  let replayed = "0/100";
  // While `holding`, the primary's answers are held until released, in the order the test chooses.
  let holding = false;
  const held: Array<(lsn: string) => void> = [];
  const primaryPool = {
    query: () =>
      holding ? new Promise((resolve) => held.push((lsn) => resolve({ rows: [{ lsn }] }))) : Promise.resolve({ rows: [{ lsn: primaryLsn }] }),
  } as unknown as pg.Pool;
  // No timer: the test polls itself.
  const router = new ReadReplicaRouter({ primaryPool, replicaPool: fakePool(() => replayed), logger: silent, pollMs: 1e9 });
  const routed = routedFor(router);
  const pollTwice = async () => {
    await router.poll();
    await router.poll();
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  try {
    await pollTwice();
    expect(routed("writer")).toBe(true);
    holding = true;
    await router.contextFor({ document: MUTATION }, primaryClient, "writer").withPgClient!(null, async () => "A committed");
    // B begins while A's position is still being read; then A's arrives.
    const b = router.contextFor({ document: MUTATION }, primaryClient, "writer").withPgClient!;
    held[0]!("0/200");
    holding = false;
    primaryLsn = "0/200";
    replayed = "0/200";
    await tick();
    await pollTwice();
    expect(routed("writer")).toBe(false); // B has not even run
    holding = true;
    await b(null, async () => "B committed");
    holding = false;
    expect(routed("writer")).toBe(false); // B's position not known yet
    held[1]!("0/300");
    primaryLsn = "0/300";
    await tick();
    await pollTwice();
    expect(routed("writer")).toBe(false); // the replica has 0/200 of 0/300
    replayed = "0/300";
    await pollTwice();
    expect(routed("writer")).toBe(true);
  } finally {
    router.stop();
  }
});

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
