// The read replica on real servers (npm run test:replica: a primary and its streaming hot standby).
// Which server executed a statement is read from the servers themselves: per-function call counters
// (track_functions = all, set on this file's database, replicated to the standby), which each server
// keeps for the statements it ran and which the API cannot write.
import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import pg from "pg";
import {
  getNamedType,
  GraphQLEnumType,
  type GraphQLInputType,
  GraphQLObjectType,
  type GraphQLSchema,
  isLeafType,
  isNonNullType,
} from "postgraphile/graphql";
import { REPLICA_ROOT_FIELDS } from "../../src/graphql/readReplica.ts";
import { appSecretsFrom, signAppToken } from "../../src/http/auth.ts";
import type { Logger } from "../../src/observability/logger.ts";
import { roleUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { asRoot, onStandby, primaryRoot, standbyRoot, testDatabase } from "../helpers/standby.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { until } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";


type Calls = Record<string, number>;
const SERVERS = { primary: primaryRoot, replica: standbyRoot };

/**
 * Calls of app_public's functions counted by each server (and its rolled-back transactions, as `xact_rollback`), once the API's connections are gone (a
 * backend reports its counts when it exits).
 */
async function callsByServer(): Promise<{ primary: Calls; replica: Calls }> {
  const result = { primary: {} as Calls, replica: {} as Calls };
  for (const [name, serverRoot] of Object.entries(SERVERS)) {
    result[name as keyof typeof SERVERS] = await asRoot(serverRoot, async (client) => {
      await until(`no API connection left on the ${name}`, async () => {
        const { rows } = await client.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and usename = 'app_authenticator'",
        );
        return rows[0].n === 0;
      });
      await client.query("select pg_stat_clear_snapshot()");
      const { rows } = await client.query(`select funcname, calls::int from pg_stat_user_functions where schemaname = 'app_public'
        union all select 'xact_rollback', xact_rollback::int from pg_stat_database where datname = current_database()`);
      return Object.fromEntries(rows.map((r) => [r.funcname, r.calls]));
    });
  }
  return result;
}

const delta = (after: Calls, before: Calls, fn: string) => (after[fn] ?? 0) - (before[fn] ?? 0);

/** Runs `requests` against a fresh API (READ_REPLICA_URL = `replicaUrl`), and returns the calls each server counted meanwhile. */
async function counted(replicaUrl: string, requests: (server: TestServer) => Promise<void>, logger?: Logger) {
  const before = await callsByServer();
  const server = await startTestServer({ readReplicaUrl: replicaUrl, logger });
  try {
    await requests(server);
  } finally {
    await server.close();
  }
  const after = await callsByServer();
  return (fn: string) => ({ primary: delta(after.primary, before.primary, fn), replica: delta(after.replica, before.replica, fn) });
}

const replicaUrl = () => onStandby(roleUrl("app_authenticator"));
let parent: TestUser, child: TestUser, otherParent: TestUser;
const tokens = {} as Record<"parent" | "child" | "otherParent", string>;

beforeAll(async () => {
  await asRoot(primaryRoot, (c) => c.query(`alter database ${testDatabase} set track_functions = 'all'`));
  ({ parent, child, otherParent } = await withOwnerDb(async (client) => {
    const [p, c, o] = [await createUser(client, "parent"), await createUser(client, "child"), await createUser(client, "parent")];
    await linkFamily(client, p, c);
    return { parent: p, child: c, otherParent: o };
  }));
  // The standby has the database, the setting and the rows.
  await until("the standby to replay this file's database", () =>
    asRoot(standbyRoot, async (c) => {
      const sql = "select current_setting('track_functions') = 'all' and exists (select from app_public.users where id = $1) as ok";
      return (await c.query(sql, [otherParent.id])).rows[0].ok;
    }),
  );
  const secrets = appSecretsFrom(testConfig().secret);
  tokens.parent = signAppToken("pas_bot", parent.id, secrets);
  tokens.child = signAppToken("inner_edu", child.id, secrets);
  tokens.otherParent = signAppToken("pas_bot", otherParent.id, secrets);
}, 120_000);

async function ok(server: TestServer, token: string, query: string, variables?: Record<string, unknown>) {
  const { status, body } = await graphql(server, query, { token, variables });
  expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
  return body.data;
}

const GRAPH = { nodes: [{ id: "a", type: "story" }, { id: "b", type: "reveal" }], edges: [{ source: "a", target: "b" }] };
const CREATE_QUEST = `mutation ($child: UUID!, $graph: JSON!) { createQuest(input: { title: "Replica quest", graphStructure: $graph, childId: $child }) { result { id } } }`;

test("the hot reads run on the replica, not on the primary", async () => {
  const calls = await counted(replicaUrl(), async (server) => {
    for (let i = 0; i < 3; i++) {
      await ok(server, tokens.parent, "{ myChildren { nodes { id displayName } } }");
      await ok(server, tokens.parent, "{ getRecommendations { nodes { code } } }");
      await ok(server, tokens.parent, "{ marketplaceQuests(orderBy: [RATING_DESC], first: 20) { nodes { id title } } }");
      await ok(server, tokens.child, "query ($me: UUID!) { quests(condition: { childId: $me, status: deployed }, first: 50) { nodes { id title } } }", { me: child.id });
    }
  });
  expect(calls("my_children")).toEqual({ primary: 0, replica: 3 });
  expect(calls("get_recommendations")).toEqual({ primary: 0, replica: 3 });
  // RLS's current_user_id() ran there for the child's quest list too.
  expect(calls("current_user_id").replica).toBeGreaterThanOrEqual(3);
}, 120_000);

test("getQuestAnalytics (audited) and mutations run on the primary; the audit rows are there", async () => {
  let questId = "";
  const writes = await counted(replicaUrl(), async (server) => {
    questId = (await ok(server, tokens.parent, CREATE_QUEST, { child: child.id, graph: GRAPH })).createQuest.result.id;
  });
  expect(writes("create_quest")).toEqual({ primary: 1, replica: 0 });
  await until("the quest on the standby", () => asRoot(standbyRoot, async (c) => (await c.query("select exists (select from app_public.quests where id = $1) as ok", [questId])).rows[0].ok));
  // A fresh API process: the parent's reads are not held on the primary by their write above.
  const calls = await counted(replicaUrl(), async (server) => {
    for (let i = 0; i < 2; i++) {
      await ok(server, tokens.parent, "query ($q: UUID!) { getQuestAnalytics(questId: $q) { consentStatus } }", { q: questId });
    }
  });
  expect(calls("get_quest_analytics")).toEqual({ primary: 2, replica: 0 });
  // Not even tried there (a call that failed on the replica, its audit write refused, counts no call but a rollback).
  expect(calls("xact_rollback").replica).toBe(0);
  const audited = await asRoot(primaryRoot, async (c) =>
    (await c.query("select count(*)::int as n from app_private.audit_log where action = 'get_quest_analytics' and subject_id = $1", [questId])).rows[0].n);
  expect(audited).toBe(2);
}, 120_000);

test("a user's read right after their own write sees it, even while the replica lags", async () => {
  // The standby stops replaying (it keeps receiving): it lags behind every write from now on.
  await asRoot(standbyRoot, (c) => c.query("select pg_wal_replay_pause()"));
  const server = await startTestServer({ readReplicaUrl: replicaUrl() });
  try {
    for (let i = 0; i < 5; i++) {
      const id = (await ok(server, tokens.parent, CREATE_QUEST, { child: child.id, graph: GRAPH })).createQuest.result.id;
      const data = await ok(server, tokens.parent, "query ($me: UUID!) { quests(condition: { authorId: $me }, orderBy: CREATED_AT_DESC, first: 1) { nodes { id } } }", { me: parent.id });
      expect(data.quests.nodes).toEqual([{ id }]);
    }
  } finally {
    await server.close();
    await asRoot(standbyRoot, (c) => c.query("select pg_wal_replay_resume()"));
  }
}, 120_000);

test("roles and RLS hold on the replica, and it refuses writes", async () => {
  const server = await startTestServer({ readReplicaUrl: replicaUrl() });
  let questId = "";
  try {
    questId = (await ok(server, tokens.parent, CREATE_QUEST, { child: child.id, graph: GRAPH })).createQuest.result.id;
  } finally {
    await server.close();
  }
  await until("the quest on the standby", () => asRoot(standbyRoot, async (c) => (await c.query("select exists (select from app_public.quests where id = $1) as ok", [questId])).rows[0].ok));
  // Direct SQL on the standby as the app role: the author sees the quest, another parent does not.
  const client = new pg.Client({ connectionString: onStandby(roleUrl("pas_bot_user")) });
  await client.connect();
  try {
    const sees = async (userId: string) => {
      await client.query("begin");
      await client.query("select set_config('app.user_id', $1, true)", [userId]);
      const { rows } = await client.query("select count(*)::int as n from app_public.quests where id = $1", [questId]);
      await client.query("rollback");
      return rows[0].n;
    };
    expect(await sees(parent.id)).toBe(1);
    expect(await sees(otherParent.id)).toBe(0);
    await client.query("begin");
    await client.query("select set_config('app.user_id', $1, true)", [parent.id]);
    await expect(client.query("update app_public.quests set title = 'x' where id = $1", [questId])).rejects.toMatchObject({ code: "25006" });
    await client.query("rollback");
  } finally {
    await client.end();
  }
  // Through the API, served by the replica: the other parent's read of it finds nothing.
  const calls = await counted(replicaUrl(), async (s) => {
    const data = await ok(s, tokens.otherParent, "query ($q: UUID!) { quest(id: $q) { id } myChildren { nodes { id } } }", { q: questId });
    expect(data.quest).toBeNull();
  });
  expect(calls("my_children")).toEqual({ primary: 0, replica: 1 });
}, 120_000);

/**
 * A query of one root field: its required arguments given a value of their type (a fresh uuid, "x", 1, a date,
 * an email address, the first enum value), and a selection that makes the server read rows (a scalar field, or the nodes' one).
 */
function queryOf(schema: GraphQLSchema, name: string): string {
  const field = schema.getQueryType()!.getFields()[name]!;
  const valueOf = (name: string, type: GraphQLInputType): string => {
    const named = getNamedType(type);
    if (name === "email") return JSON.stringify("nobody@example.com");
    if (named.name === "UUID") return JSON.stringify(randomUUID());
    if (named instanceof GraphQLEnumType) return named.getValues()[0]!.name;
    if (named.name === "Int" || named.name === "Float") return "1";
    if (named.name === "Date") return JSON.stringify("2026-01-01");
    return JSON.stringify("x");
  };
  const args = field.args.filter((a) => isNonNullType(a.type)).map((a) => `${a.name}: ${valueOf(a.name, a.type)}`);
  const scalarOf = (type: GraphQLObjectType) => Object.values(type.getFields()).find((f) => isLeafType(getNamedType(f.type)))!.name;
  const type = getNamedType(field.type);
  let selection = "";
  if (type instanceof GraphQLObjectType) {
    const nodes = type.getFields().nodes;
    selection = nodes ? `{ nodes { ${scalarOf(getNamedType(nodes.type) as GraphQLObjectType)} } }` : `{ ${scalarOf(type)} }`;
  }
  return `{ ${name}${args.length ? `(${args.join(", ")})` : ""} ${selection} }`;
}

test("every root field listed for the replica answers there as on the primary, without writing (no read retried on the primary)", async () => {
  const { logger, lines } = capturingLogger();
  const viaReplica = await startTestServer({ readReplicaUrl: replicaUrl(), logger });
  const primaryOnly = await startTestServer();
  try {
    const schema = await viaReplica.service.pgl.getSchema();
    // An error id differs from one answer to the next; the rest must not.
    const comparable = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/logged with id: '[^']*'/g, "logged"));
    for (const name of [...REPLICA_ROOT_FIELDS].filter((f) => f !== "__typename")) {
      const query = queryOf(schema, name);
      for (const token of [tokens.parent, tokens.child]) {
        const [replica, primary] = [await graphql(viaReplica, query, { token }), await graphql(primaryOnly, query, { token })];
        expect({ name, status: replica.status, body: comparable(replica.body) }).toEqual({ name, status: primary.status, body: comparable(primary.body) });
      }
    }
  } finally {
    await viaReplica.close();
    await primaryOnly.close();
  }
  expect(lines.filter((line) => line.event === "replica_read_retried")).toEqual([]);
}, 120_000);

/** A TCP proxy to the standby, which the test can cut (every connection reset, the port closed) and open again. */
async function proxyToStandby(): Promise<{ port: number; cut(): Promise<void>; open(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const target = new URL(standbyRoot!);
  const port = await freePort();
  let proxy: Server;
  const open = () => new Promise<void>((resolve) => {
    proxy = createServer((inbound) => {
    const outbound = connect(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
    });
    proxy.listen(port, "127.0.0.1", resolve);
  });
  await open();
  return {
    port,
    open,
    async cut() {
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const s of sockets) s.resetAndDestroy();
      });
    },
  };
}

test("the replica's loss: reads fall back to the primary, no error", async () => {
  // A replica that was never there (nothing listens).
  const calls = await counted(onStandby(roleUrl("app_authenticator"), String(await freePort())), async (server) => {
    for (let i = 0; i < 3; i++) await ok(server, tokens.parent, "{ myChildren { nodes { id } } }");
  });
  expect(calls("my_children")).toEqual({ primary: 3, replica: 0 });

  // A replica lost while serving (its connections reset under the API), then back.
  const proxy = await proxyToStandby();
  const { logger, lines } = capturingLogger();
  const logged = (event: string) => lines.some((line) => line.event === event);
  const lost = await counted(onStandby(roleUrl("app_authenticator"), String(proxy.port)), async (server) => {
    await ok(server, tokens.parent, "{ myChildren { nodes { id } } }");
    await proxy.cut();
    for (let i = 0; i < 3; i++) await ok(server, tokens.parent, "{ myChildren { nodes { id } } }");
    expect(logged("replica_unavailable")).toBe(true);
    await proxy.open();
    await until("the API to see the replica again", async () => logged("replica_available"));
    for (let i = 0; i < 2; i++) await ok(server, tokens.parent, "{ myChildren { nodes { id } } }");
  }, logger);
  await proxy.cut();
  expect(lost("my_children")).toEqual({ primary: 3, replica: 3 });
}, 120_000);
