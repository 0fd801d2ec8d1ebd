// The index proof (`npm run db:explain`): every hot query of both apps runs as
// the role that runs it, with app.user_id set, so the plans include the RLS
// policy predicates and every statement nested in functions and triggers
// (auto_explain, sent back as notices). A sequential scan of a big table is a
// finding. Writes run inside a transaction that is rolled back.
import pg from "pg";

export interface HotQuery {
  name: string;
  role: "pas_bot_user" | "inner_edu_user";
  /** Who acts, and the parameters, picked from the seeded data. */
  actor: "parent" | "child";
  sql: string;
  params: (family: Family) => unknown[];
}

/** A parent, their child, and a deployed personal quest of the parent for the child. */
export interface Family {
  parent: string;
  child: string;
  quest: string;
}

const GRAPH = JSON.stringify({ nodes: [{ id: "a", type: "story" }, { id: "b", type: "reveal" }], edges: [{ source: "a", target: "b" }] });

export const HOT_QUERIES: HotQuery[] = [
  {
    name: "parent: my quests page",
    role: "pas_bot_user",
    actor: "parent",
    sql: "select id, title, status, moderation_status from app_public.quests where author_id = $1 order by created_at desc limit 20",
    params: (f) => [f.parent],
  },
  {
    name: "parent: a quest with its nodes",
    role: "pas_bot_user",
    actor: "parent",
    sql: `select q.id, q.title, q.graph_structure,
                 (select json_agg(n order by n.position) from app_public.quest_nodes n where n.quest_id = q.id) as nodes
          from app_public.quests q where q.id = $1`,
    params: (f) => [f.quest],
  },
  {
    name: "parent: get_quest_analytics",
    role: "pas_bot_user",
    actor: "parent",
    sql: "select * from app_public.get_quest_analytics($1)",
    params: (f) => [f.quest],
  },
  {
    name: "parent: create_quest",
    role: "pas_bot_user",
    actor: "parent",
    sql: "select id from app_public.create_quest('Bench quest', $1::jsonb, child_id => $2)",
    params: (f) => [GRAPH, f.child],
  },
  {
    name: "child: my deployed quests",
    role: "inner_edu_user",
    actor: "child",
    sql: "select id, title from app_public.quests where child_id = $1 and status = 'deployed' order by id limit 50",
    params: (f) => [f.child],
  },
  {
    name: "child: update_quest_progress",
    role: "inner_edu_user",
    actor: "child",
    sql: "select id from app_public.update_quest_progress($1, 1, minutes_played => 1)",
    params: (f) => [f.quest],
  },
  {
    name: "child: record_achievement",
    role: "inner_edu_user",
    actor: "child",
    sql: "select id from app_public.record_achievement($1, 'bench', 'Bench')",
    params: (f) => [f.quest],
  },
  {
    name: "marketplace: browse by rating",
    role: "pas_bot_user",
    actor: "parent",
    sql: "select id, title, rating, plays_count from app_public.marketplace_quests() order by rating desc, plays_count desc limit 20",
    params: () => [],
  },
];

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Schema?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

export interface Finding {
  query: string;
  relation: string;
  rows: number;
}

export interface ExplainReport {
  /** Per query: each statement's plan, as indented lines. */
  plans: Array<{ query: string; statements: string[][] }>;
  findings: Finding[];
}

/** Up to `count` families with a deployed personal quest, one per parent: who the hot queries act as. */
export async function pickFamilies(client: pg.ClientBase | pg.Pool, count: number): Promise<Family[]> {
  const { rows } = await client.query<Family>(
    `select distinct on (q.author_id) q.author_id as parent, q.child_id as child, q.id as quest
     from app_public.quests q
     where q.status = 'deployed' and q.child_id is not null
     order by q.author_id, q.id
     limit $1`,
    [count],
  );
  if (rows.length === 0) throw new Error("No deployed personal quest to act on: seed the database first (npm run db:seed).");
  return rows;
}

function describe(node: PlanNode, depth: number, lines: string[]): void {
  const on = node["Relation Name"] ? ` on ${node.Schema ? `${node.Schema}.` : ""}${node["Relation Name"]}` : "";
  const using = node["Index Name"] ? ` using ${node["Index Name"]}` : "";
  lines.push(`${"  ".repeat(depth)}${node["Node Type"]}${on}${using}`);
  for (const child of node.Plans ?? []) describe(child, depth + 1, lines);
}

function seqScans(node: PlanNode, out: PlanNode[]): PlanNode[] {
  if (node["Node Type"] === "Seq Scan") out.push(node);
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

/**
 * Runs every hot query as its role and reports sequential scans of app_public
 * tables holding more than `maxSeqScanRows` rows. `strict` turns enable_seqscan
 * off, so any sequential scan left means no usable index exists (for CI at a
 * small scale, where scanning would otherwise be the cheaper plan).
 */
export async function explainHotQueries(
  superuserUrl: string,
  options: { maxSeqScanRows: number; strict: boolean },
): Promise<ExplainReport> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  const notices: string[] = [];
  client.on("notice", (msg) => notices.push(msg.message ?? ""));
  try {
    const [family] = await pickFamilies(client, 1);
    const { rows: sizes } = await client.query<{ relname: string; rows: number }>(
      "select relname, greatest(reltuples, 0)::bigint::int as rows from pg_class where relnamespace = 'app_public'::regnamespace and relkind = 'r'",
    );
    const rowsOf = new Map(sizes.map((s) => [s.relname, s.rows]));
    await client.query("load 'auto_explain'");
    const report: ExplainReport = { plans: [], findings: [] };
    for (const query of HOT_QUERIES) {
      await client.query("begin");
      try {
        await client.query(
          `select set_config('auto_explain.log_min_duration', '0', true), set_config('auto_explain.log_nested_statements', 'on', true),
                  set_config('auto_explain.log_format', 'json', true), set_config('auto_explain.log_level', 'notice', true),
                  set_config('auto_explain.log_verbose', 'on', true),
                  set_config('client_min_messages', 'notice', true), set_config('enable_seqscan', $1, true),
                  set_config('app.user_id', $2, true), set_config('role', $3, true)`,
          [options.strict ? "off" : "on", family![query.actor], query.role],
        );
        notices.length = 0;
        await client.query(query.sql, query.params(family!));
      } finally {
        // (A statement's own plan is reported when its portal closes, i.e. with the next command.)
        await client.query("rollback");
      }
      const statements: string[][] = [];
      for (const notice of notices.filter((n) => n.includes("{"))) {
        const plan = (JSON.parse(notice.slice(notice.indexOf("{"))) as { Plan: PlanNode }).Plan;
        const lines: string[] = [];
        describe(plan, 1, lines);
        statements.push(lines);
        for (const scan of seqScans(plan, [])) {
          const relation = scan["Relation Name"]!;
          const rows = rowsOf.get(relation);
          if (scan.Schema === "app_public" && rows !== undefined && (options.strict || rows > options.maxSeqScanRows)) {
            report.findings.push({ query: query.name, relation, rows });
          }
        }
      }
      report.plans.push({ query: `${query.name} (as ${query.role})`, statements });
    }
    return report;
  } finally {
    await client.end();
  }
}
