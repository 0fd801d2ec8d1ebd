// The mixed write load of the fault run: both apps' writes over HTTP with real tokens (parents on pas_bot:
// createQuest, createGoal, createLetter; children on inner_edu: recordAchievement), each request recorded
// (acknowledged with its returned id, or its error's kind), and the check afterwards that every acknowledged
// write is in the database, looked up as the owner.
import type pg from "pg";
import type { SecretName } from "../../src/config.ts";
import { signAppToken } from "../../src/http/auth.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

export interface Family {
  parent: string;
  child: string;
  /** A deployed, approved quest of the child's, for recordAchievement. */
  quest: string;
  parentToken: string;
  childToken: string;
}

/** `count` families (parent, child, the child's deployed quest), inserted as the owner, with their tokens. */
export async function seedFamilies(owner: pg.Pool, secrets: Record<SecretName, string>, count: number): Promise<Family[]> {
  const appSecrets = { pas_bot: secrets.PAS_BOT_JWT_SECRET, inner_edu: secrets.INNER_EDU_JWT_SECRET };
  const client = await owner.connect();
  try {
    const families: Family[] = [];
    for (let i = 0; i < count; i++) {
      const parent = await createUser(client, "parent", `Fault parent ${i}`);
      const child = await createUser(client, "child", `Fault child ${i}`);
      await linkFamily(client, parent, child);
      const quest = (await createQuest(client, parent, { child_id: child.id, status: "deployed", moderation_status: "approved" })).id;
      families.push({
        parent: parent.id,
        child: child.id,
        quest,
        parentToken: signAppToken("pas_bot", parent.id, appSecrets),
        childToken: signAppToken("inner_edu", child.id, appSecrets),
      });
    }
    return families;
  } finally {
    client.release();
  }
}

export type Table = "quests" | "goals" | "letters" | "achievements";

/** A quest graph as sent: its node keys and its edge count. */
export interface SentGraph {
  nodes: string[];
  edges: number;
}

/** One HTTP request of the load and what came of it. */
export interface Sent {
  op: string;
  table: Table;
  /** ms since the run's clock started (see `now`). */
  sentAt: number;
  ms: number;
  /** The returned id when acknowledged (HTTP 200, no errors, an id). */
  id?: string;
  /** Undefined when acknowledged; else `503 CODE`, `503 CODE (no Retry-After)`, `ECONNREFUSED`, `timeout`, … */
  error?: string;
  /** The id the API logged a masked error under (explainMasked names its SQLSTATE from the API's log). */
  errorId?: string;
  /** For createQuest: the unique title sent and the graph (checked whole-or-absent afterwards). */
  title?: string;
  graph?: SentGraph;
}

const started = performance.now();
/** The run's clock, in ms. */
export const now = () => Math.round(performance.now() - started);

/** How long one request may take before it counts as a `timeout` (the statement timeout is 10 s). */
export const REQUEST_TIMEOUT_MS = 20_000;

let serial = 0;

function questGraph(tag: string): { graph: object; sent: SentGraph } {
  const size = 2 + (serial % 5);
  const nodes = Array.from({ length: size }, (_, i) => ({ id: `${tag}-n${i}`, type: i === 0 ? "story" : "question", data: { text: `Step ${i}` } }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `${tag}-e${i}`, source: nodes[i]!.id, target: node.id }));
  return { graph: { nodes, edges }, sent: { nodes: nodes.map((n) => n.id), edges: edges.length } };
}

export type Op = "createQuest" | "createGoal" | "createLetter" | "recordAchievement";
export const MIXED: Op[] = ["createQuest", "createGoal", "recordAchievement", "createLetter", "recordAchievement"];

/** Sends one write and records it. `scenario` tags what it creates (quest titles, goal titles). */
export async function send(base: string, family: Family, op: Op, scenario: string): Promise<Sent> {
  const tag = `${scenario}-${++serial}`;
  let token = family.parentToken;
  let query: string;
  let variables: Record<string, unknown>;
  let table: Table;
  let pick: (data: Record<string, unknown>) => unknown;
  let graph: SentGraph | undefined;
  let title: string | undefined;
  switch (op) {
    case "createQuest": {
      const made = questGraph(tag);
      graph = made.sent;
      title = `Fault quest ${tag}`;
      query = `mutation ($title: String!, $graph: JSON!, $child: UUID!) {
        createQuest(input: { title: $title, graphStructure: $graph, childId: $child }) { result { id } } }`;
      variables = { title, graph: made.graph, child: family.child };
      table = "quests";
      pick = (d) => (d.createQuest as { result?: { id?: string } } | null)?.result?.id;
      break;
    }
    case "createGoal":
      query = `mutation ($title: String!) { createGoal(input: { goal: { title: $title } }) { goal { id } } }`;
      variables = { title: `Fault goal ${tag}` };
      table = "goals";
      pick = (d) => (d.createGoal as { goal?: { id?: string } } | null)?.goal?.id;
      break;
    case "createLetter":
      query = `mutation ($title: String!, $child: UUID!) {
        createLetter(input: { letter: { title: $title, content: "Written under load", childId: $child } }) { letter { id } } }`;
      variables = { title: `Fault letter ${tag}`, child: family.child };
      table = "letters";
      pick = (d) => (d.createLetter as { letter?: { id?: string } } | null)?.letter?.id;
      break;
    case "recordAchievement":
      token = family.childToken;
      query = `mutation ($quest: UUID!, $type: String!) {
        recordAchievement(input: { questId: $quest, achievementType: $type, title: "Under load" }) { result { id } } }`;
      variables = { quest: family.quest, type: tag };
      table = "achievements";
      pick = (d) => (d.recordAchievement as { result?: { id?: string } } | null)?.result?.id;
      break;
  }
  const sentAt = now();
  const record = (fields: Partial<Sent>): Sent => ({ op, table, sentAt, ms: now() - sentAt, title, graph, ...fields });
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (e) {
    return record({ error: networkErrorKind(e) });
  }
  let body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: string } }[] } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  // An error without a code is named by its message's start (the API owes it a code: docs/errors.md).
  const first = body?.errors?.[0];
  const errorId = first?.message?.match(/\(logged with id: '([^']*)'\)/)?.[1];
  const message = (first?.message ?? "").replace(/ \(logged with id: '[^']*'\)/, "").slice(0, 60);
  const code = first?.extensions?.code ?? (first ? `"${message}"` : body ? "" : "non-JSON body");
  if (response.status !== 200 || !body || body.errors?.length) {
    const retry = response.status === 503 && response.headers.get("retry-after") === null ? " (no Retry-After)" : "";
    return record({ error: `${response.status}${code ? ` ${code}` : ""}${retry}`, errorId });
  }
  const id = body.data ? pick(body.data) : undefined;
  return typeof id === "string" ? record({ id }) : record({ error: "200 without an id" });
}

/** The kind of a fetch that got no HTTP response: the socket error's code, or `timeout`. */
function networkErrorKind(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; name?: string } };
  if (error.name === "TimeoutError") return `timeout (${REQUEST_TIMEOUT_MS / 1000} s)`;
  return error.cause?.code ?? error.cause?.name ?? error.name ?? "unknown";
}

export interface Load {
  /** Every request so far (finished ones). */
  sent: Sent[];
  /** Stops sending; resolves when the requests in flight have finished. */
  stop(): Promise<Sent[]>;
}

/**
 * `concurrency` loops, each sending the next op of `ops` for its next family to `base()` (read per request: the
 * API may be restarted on another port) until stopped. After an error a loop waits 100 ms (a refused connection
 * fails at once: without the pause it would count thousands).
 */
export function startLoad(base: () => string, families: Family[], ops: Op[], scenario: string, concurrency = 8): Load {
  const sent: Sent[] = [];
  let running = true;
  let turn = 0;
  const loop = async () => {
    while (running) {
      const i = turn++;
      const result = await send(base(), families[i % families.length]!, ops[i % ops.length]!, scenario);
      sent.push(result);
      if (result.error) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    sent,
    async stop() {
      running = false;
      await Promise.all(loops);
      return sent;
    },
  };
}

/**
 * Names the cause of masked errors ("An error occurred (logged with id: …)") from the API's log, where the
 * line with that errorId carries the database error's SQLSTATE: the kind becomes `200 masked, SQLSTATE 42P01`.
 */
export function explainMasked(sent: Sent[], apiOutput: string): void {
  for (const s of sent) {
    if (!s.errorId || !s.error?.includes('"An error occurred"')) continue;
    const line = apiOutput.split("\n").find((l) => l.includes(`"errorId":"${s.errorId}"`));
    const sqlstate = line?.match(/"code":"([0-9A-Z]{5})"/)?.[1];
    if (sqlstate) s.error = s.error.replace('"An error occurred"', `masked, SQLSTATE ${sqlstate}`);
  }
}

/** Errors by kind. */
export function errorKinds(sent: Sent[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const s of sent) if (s.error) kinds[s.error] = (kinds[s.error] ?? 0) + 1;
  return kinds;
}

/** Looks up every acknowledged write by its id, as the owner: how many were checked, and the ones not found. */
export async function checkAcknowledged(owner: pg.Pool, sent: Sent[]): Promise<{ checked: number; missing: Sent[] }> {
  const acked = sent.filter((s) => s.id);
  const missing: Sent[] = [];
  for (const table of ["quests", "goals", "letters", "achievements"] as const) {
    const ours = acked.filter((s) => s.table === table);
    if (ours.length === 0) continue;
    const { rows } = await owner.query<{ id: string }>(`select id from app_public.${table} where id = any($1::uuid[])`, [ours.map((s) => s.id)]);
    const found = new Set(rows.map((r) => r.id));
    missing.push(...ours.filter((s) => !found.has(s.id!)));
  }
  return { checked: acked.length, missing };
}

/**
 * "Nothing half-written" for createQuest: every quest sent (acknowledged or not) either does not exist, or exists
 * once with the graph as sent (its node keys and edge count) and one quest_nodes row per node. Returns the
 * problems found (empty: whole or absent, every one) and how many sent quests exist.
 */
export async function checkQuestGraphs(owner: pg.Pool, sent: Sent[]): Promise<{ existing: number; problems: string[] }> {
  const quests = sent.filter((s) => s.op === "createQuest");
  const { rows } = await owner.query<{ title: string; id: string; json_nodes: string[]; json_edges: number; row_nodes: string[] }>(
    `select q.title, q.id,
            array(select n ->> 'id' from jsonb_array_elements(q.graph_structure -> 'nodes') n order by 1) as json_nodes,
            jsonb_array_length(q.graph_structure -> 'edges') as json_edges,
            array(select qn.node_key from app_public.quest_nodes qn where qn.quest_id = q.id order by 1) as row_nodes
     from app_public.quests q where q.title = any($1::text[])`,
    [quests.map((q) => q.title)],
  );
  const problems: string[] = [];
  const byTitle = new Map<string, typeof rows>();
  for (const row of rows) byTitle.set(row.title, [...(byTitle.get(row.title) ?? []), row]);
  for (const quest of quests) {
    const found = byTitle.get(quest.title!) ?? [];
    if (found.length > 1) problems.push(`${quest.title}: ${found.length} rows`);
    const row = found[0];
    if (!row) continue;
    const expected = [...quest.graph!.nodes].sort();
    const same = (a: string[]) => a.length === expected.length && [...a].sort().every((key, i) => key === expected[i]);
    if (!same(row.json_nodes) || row.json_edges !== quest.graph!.edges) problems.push(`${quest.title}: graph_structure differs from what was sent`);
    if (!same(row.row_nodes)) problems.push(`${quest.title}: quest_nodes has ${row.row_nodes.length} of ${expected.length} nodes`);
  }
  return { existing: rows.length, problems };
}
