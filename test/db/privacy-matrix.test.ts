// The privacy rules (docs/privacy.md, "The matrix"), attacked cell by cell.
//
// Actors (test/helpers/actors.ts): two families (a parent and two children each),
// two psychologists (each reviewing one family's quest), an admin, a child acting
// through pas_bot_user and a parent acting through inner_edu_user. The world gives
// both families rows in every table, so every actor has rows in front of them that
// they must not see.
//
// MATRIX states, for every table of app_public and both app roles, what each
// command does; every actor of the role is checked against it, with `:me` their id:
//   "—"                  no privilege at all: every command is `permission denied`;
//   select: rule         exactly the rows of the rule are visible;
//   insert / update      the granted columns (checked with has_column_privilege); an
//                        insert of the actor's own, which goes in (or is refused for the
//                        kinds `refusedFor` names); the rows an update reaches; and
//                        `repoint`: each writable foreign key set to the other family's
//                        row, which must be refused (by a policy, or the named check);
//   delete: rule         exactly the rows of the rule are deleted;
//   a command left out   no privilege: `permission denied`.
// Rows outside the rule are neither returned nor changed (checked afterwards as
// root). The consent-gated functions too: my_children, can_share_with_parent and
// get_quest_analytics answer each actor about every child as the rules say. SEES says which kinds of actor see some rows of a table (the others none);
// nobody sees all of them. An actor through the wrong app gets an error or nothing,
// never a row. A table, column or writable foreign key missing here fails the suite.
import type pg from "pg";
import { becomeRoot, becomeUser, expectError, poolFor, rootUrl, withRootDb } from "../helpers/db.ts";
import { ACTORS, type Actor, type ActorKind, buildAdversarialWorld, CONSENT_FLAGS, X } from "../helpers/actors.ts";
import { W } from "../helpers/world.ts";

type Role = "pas_bot_user" | "inner_edu_user";
/** A condition on the table's rows, as SQL; `:me` is the acting user. */
type Rule = string;
/** Column values: a literal, or `:name` for one of the actor's values (actors.ts). */
type Values = Record<string, string>;

interface Insert {
  columns: string;
  /** An insert every actor of the role may make as their own, unless `refusedFor` names their kind. */
  own: Values;
  /** SQL after `values (…)`. */
  suffix?: string;
  /** Kinds whose own insert is refused (by a policy, or by the check `refusedForBy` names). */
  refusedFor?: ActorKind[];
  refusedForBy?: string;
  repoint?: Values;
  /** A re-pointed column refused by this check or trigger (SQLSTATE 23514 naming it) rather than by a policy. */
  refusedBy?: Record<string, string>;
}
interface Update {
  columns: string;
  /** A granted column rewritten in place (`set x = x`) to see which rows an update reaches. */
  set: string;
  rows: Rule;
  /** Each set on the reachable rows that already point somewhere (`where column is not null`). */
  repoint?: Values;
}
interface Access {
  select: Rule;
  insert?: Insert;
  update?: Update;
  delete?: Rule;
}
type Cell = Access | "—";

const own = (column = "user_id"): Rule => `${column} = :me`;
const MY_CHILDREN = "(select child_id from app_public.family_links where parent_id = :me)";
// An admin also reads the moderation queue (issue 15).
const PARENT_QUESTS = `(author_id = :me or (is_public and moderation_status = 'approved' and status <> 'deleted')
                        or id in (select quest_id from app_public.psychologist_reviews where psychologist_id = :me)
                        or (moderation_status = 'pending' and status <> 'deleted'
                            and :me in (select id from app_public.users where kind = 'admin')))`;
const CHILD_QUESTS = `((child_id = :me and status = 'deployed') or (is_public and moderation_status = 'approved' and status <> 'deleted'))`;
const FLAGS = CONSENT_FLAGS.join(", ");
const PLAY = "current_node_id, current_step, nodes_completed, total_nodes, completion_percentage, completed, session_data, educational_progress, xp_earned, badges_earned, reveal_moments_viewed, session_count, total_time_minutes, completed_at, last_played_at";
const QUEST_CONTENT = "child_id, title, description, graph_structure, psychological_module, location, difficulty, age_range, estimated_duration, tags";
const REVIEW = "status, emotional_safety_score, therapeutic_correctness_score, age_appropriateness_score, reveal_timing_score, overall_rating, is_approved, feedback_text, strengths, improvements, red_flags, notes_for_parent, notes_for_community, playthrough_duration_minutes, started_at, completed_at";
const EMPTY_GRAPH = '{"nodes": [], "edges": []}';

/** The parent's own work: pas_bot_user, own rows only; inner_edu_user nothing. */
const parentOwned = (access: Omit<Access, "select">): Record<Role, Cell> => ({
  pas_bot_user: { select: own(), ...access },
  inner_edu_user: "—",
});

const MATRIX: Record<string, Record<Role, Cell>> = {
  users: {
    pas_bot_user: { select: own("id"), update: { columns: "display_name, version", set: "display_name", rows: own("id") } },
    inner_edu_user: { select: own("id"), update: { columns: "display_name, version", set: "display_name", rows: own("id") } },
  },
  family_links: { pas_bot_user: { select: own("parent_id") }, inner_edu_user: { select: own("child_id") } },
  child_privacy: {
    pas_bot_user: { select: `child_id in ${MY_CHILDREN}` },
    inner_edu_user: {
      select: own("child_id"),
      update: { columns: `${FLAGS}, consent_given_by_child, consent_version, version`, set: "share_progress", rows: own("child_id") },
    },
  },
  quest_privacy: {
    pas_bot_user: { select: `child_id in ${MY_CHILDREN}` },
    inner_edu_user: {
      select: own("child_id"),
      insert: {
        columns: `quest_id, ${FLAGS}, consent_version`,
        own: { quest_id: ":publicQuest", share_progress: "true" },
        repoint: { quest_id: ":otherQuest" },
      },
      update: { columns: `${FLAGS}, consent_version, version`, set: "share_analytics", rows: own("child_id") },
    },
  },
  consent_events: { pas_bot_user: "—", inner_edu_user: { select: own("child_id") } },
  quests: {
    pas_bot_user: {
      select: PARENT_QUESTS,
      insert: {
        columns: `${QUEST_CONTENT}, is_public`,
        own: { title: "Mine", graph_structure: EMPTY_GRAPH, child_id: ":myChild" },
        // Only parents create quests (create_quest's rule, for plain inserts too).
        refusedFor: ["psychologist", "admin"],
        repoint: { child_id: ":otherChild" },
      },
      update: { columns: `${QUEST_CONTENT}, status, is_public, version`, set: "title", rows: own("author_id"), repoint: { child_id: ":otherChild" } },
    },
    inner_edu_user: { select: CHILD_QUESTS },
  },
  quest_nodes: {
    pas_bot_user: { select: `quest_id in (select id from app_public.quests where ${PARENT_QUESTS})` },
    inner_edu_user: { select: `quest_id in (select id from app_public.quests where ${CHILD_QUESTS})` },
  },
  quest_progress: {
    pas_bot_user: "—",
    inner_edu_user: {
      select: own("child_id"),
      insert: { columns: `quest_id, ${PLAY}`, own: { quest_id: ":publicQuest" }, repoint: { quest_id: ":otherQuest" } },
      update: { columns: `${PLAY}, version`, set: "current_step", rows: own("child_id") },
    },
  },
  child_progress: {
    pas_bot_user: "—",
    inner_edu_user: {
      select: own("child_id"),
      insert: {
        columns: "quest_id, node_key, event_type, duration_seconds, xp_earned, payload, occurred_at",
        own: { quest_id: ":myQuest", node_key: "n2", event_type: "node_entered" },
        repoint: { quest_id: ":otherQuest" },
      },
    },
  },
  achievements: {
    pas_bot_user: "—",
    inner_edu_user: {
      select: own("child_id"),
      insert: {
        columns: "quest_id, achievement_type, title, description, badge, xp_reward, unlocked_at",
        own: { quest_id: ":myQuest", achievement_type: "second", title: "Second" },
        repoint: { quest_id: ":otherQuest" },
      },
    },
  },
  quest_analytics: { pas_bot_user: "—", inner_edu_user: "—" },
  therapy_sessions: parentOwned({
    insert: { columns: "status, topic, state, mood_before, mood_after, summary, ended_at", own: { topic: "tonight" } },
    update: { columns: "status, topic, state, mood_before, mood_after, summary, ended_at, version", set: "topic", rows: own() },
    delete: own(),
  }),
  messages: parentOwned({
    // Appended, never edited.
    insert: { columns: "session_id, role, content", own: { session_id: ":mySession", role: "user", content: "hello" }, repoint: { session_id: ":otherSession" } },
    delete: own(),
  }),
  letters: parentOwned({
    insert: { columns: "child_id, title, content, status, sent_at", own: { child_id: ":myChild", content: "Dear" }, repoint: { child_id: ":otherChild" } },
    // (Not content: a P2 column reads null, so `set content = content` would clear it.)
    update: { columns: "child_id, title, content, status, sent_at, version", set: "status", rows: own(), repoint: { child_id: ":otherChild" } },
    delete: own(),
  }),
  goals: parentOwned({
    insert: { columns: "track_type, title, specific, measurable, achievable, relevant, time_bound, status, progress, completed_at", own: { title: "Call" } },
    update: { columns: "track_type, title, specific, measurable, achievable, relevant, time_bound, status, progress, completed_at, version", set: "title", rows: own() },
    delete: own(),
  }),
  // Computed by a job.
  metrics_snapshots: parentOwned({}),
  psychological_profiles: parentOwned({
    insert: {
      columns: "communication_style",
      own: { communication_style: "calm" },
      // One per user: the world's parents have theirs already.
      suffix: "on conflict (user_id) do nothing",
      // Only parents have a psychological profile (get_or_create_profile's rule, for plain inserts too).
      refusedFor: ["psychologist", "admin"],
    },
    update: { columns: "communication_style, version", set: "communication_style", rows: own() },
  }),
  // Created by create_creative_project.
  creative_projects: parentOwned({ update: { columns: "status, progress, completed_at, version", set: "progress", rows: own() } }),
  user_tracks: parentOwned({}),
  milestones: parentOwned({ update: { columns: "acknowledged", set: "acknowledged", rows: own() } }),
  quest_builder_sessions: parentOwned({
    insert: { columns: "current_stage, conversation_history, current_graph, quest_context", own: { current_stage: "greeting" } },
    update: {
      columns: "quest_id, current_stage, conversation_history, current_graph, quest_context, version",
      set: "current_stage",
      rows: own(),
      repoint: { quest_id: ":otherQuest" },
    },
    delete: own(),
  }),
  user_quest_library: parentOwned({
    insert: { columns: "quest_id, folder, notes", own: { quest_id: ":myQuest" }, repoint: { quest_id: ":otherQuest" } },
    update: { columns: "folder, notes", set: "folder", rows: own() },
    delete: own(),
  }),
  quest_ratings: parentOwned({
    insert: {
      columns: "quest_id, rating, review_text",
      own: { quest_id: ":myQuest", rating: "5" },
      // A parent's :myQuest is their own work, which nobody rates (issue 15, test/db/moderation.test.ts).
      refusedFor: ["parent"],
      refusedForBy: "quest_ratings_not_by_the_author",
      repoint: { quest_id: ":otherQuest" },
    },
    update: { columns: "rating, review_text, version", set: "rating", rows: own() },
    delete: own(),
  }),
  psychologist_reviews: {
    pas_bot_user: {
      select: "(parent_id = :me or psychologist_id = :me)",
      // The parent requests a review of their own quest, from a psychologist.
      insert: {
        columns: "quest_id, psychologist_id",
        own: { quest_id: ":myDraft" },
        // Psychologists and admins author no quest (a review is requested by the quest's parent).
        refusedFor: ["psychologist", "admin"],
        repoint: { quest_id: ":otherQuest", psychologist_id: ":otherParent" },
        refusedBy: { psychologist_id: "psychologist_reviews_assign_only_psychologists" },
      },
      // The assigned psychologist writes the review.
      update: { columns: `${REVIEW}, version`, set: "feedback_text", rows: own("psychologist_id") },
    },
    inner_edu_user: "—",
  },
  notifications: {
    pas_bot_user: { select: own(), update: { columns: "read_at", set: "read_at", rows: own() } },
    inner_edu_user: { select: own(), update: { columns: "read_at", set: "read_at", rows: own() } },
  },
  // Requests are made through request_data_deletion (test/db/gdpr.test.ts).
  data_deletion_requests: { pas_bot_user: { select: own() }, inner_edu_user: { select: own() } },
};

const EVERYONE: ActorKind[] = ["parent", "child", "psychologist", "admin"];
const PARENT_WORK: ActorKind[] = ["parent"];
/** Who sees some rows of each table (the world gives them some); the other actors see none. */
const SEES: Record<string, ActorKind[]> = {
  users: EVERYONE,
  family_links: ["parent", "child"],
  child_privacy: ["parent", "child"],
  quest_privacy: ["parent", "child"],
  consent_events: ["child"],
  quests: EVERYONE,
  quest_nodes: EVERYONE,
  quest_progress: ["child"],
  child_progress: ["child"],
  achievements: ["child"],
  quest_analytics: [],
  therapy_sessions: PARENT_WORK,
  messages: PARENT_WORK,
  letters: PARENT_WORK,
  goals: PARENT_WORK,
  metrics_snapshots: PARENT_WORK,
  psychological_profiles: PARENT_WORK,
  creative_projects: PARENT_WORK,
  user_tracks: PARENT_WORK,
  milestones: PARENT_WORK,
  quest_builder_sessions: PARENT_WORK,
  user_quest_library: PARENT_WORK,
  quest_ratings: PARENT_WORK,
  psychologist_reviews: ["parent", "psychologist"],
  notifications: EVERYONE,
  data_deletion_requests: EVERYONE,
};

/** The kind of actor each role mainly serves: the world gives them rows to re-point. */
const USUAL_KIND: Record<Role, ActorKind> = { pas_bot_user: "parent", inner_edu_user: "child" };

const columnList = (columns: string) => columns.split(",").map((c) => c.trim()).sort();

function fill(rule: Rule, actor: Actor): string {
  return rule.replaceAll(":me", `'${actor.id}'`);
}

function resolve(values: Values, actor: Actor): Record<string, string | null> {
  const valueOf = (value: string) => {
    if (!value.startsWith(":")) return value;
    if (!(value.slice(1) in actor.values)) throw new Error(`The matrix names ${value}, which no actor has (test/helpers/actors.ts).`);
    return actor.values[value.slice(1)];
  };
  return Object.fromEntries(Object.entries(values).map(([column, value]) => [column, valueOf(value)]));
}

function insertStatement(table: string, row: Record<string, string | null>, suffix = ""): [string, unknown[]] {
  const columns = Object.keys(row);
  return [
    `insert into app_public.${table} (${columns.join(", ")}) values (${columns.map((_, i) => `$${i + 1}`).join(", ")}) ${suffix}`,
    Object.values(row),
  ];
}

async function hashes(client: pg.ClientBase, table: string, where: string): Promise<string[]> {
  const { rows } = await client.query(`select md5(t::text) as h from app_public.${table} t where ${where} order by 1`);
  return rows.map((r) => r.h);
}

/** Runs a statement as the actor in a savepoint: its result, or the error it raised (the transaction survives either way). */
async function attempt(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<pg.QueryResult | pg.DatabaseError> {
  await client.query("savepoint attempt");
  try {
    const result = await client.query(sql, params);
    await client.query("release savepoint attempt");
    return result;
  } catch (e) {
    await client.query("rollback to savepoint attempt");
    return e as pg.DatabaseError;
  }
}

const REFUSED = /^new row violates row-level security policy (".+" )?for table "\w+"$/;
/** Refused by a policy (`new row violates row-level security policy …`), or by the named check or trigger (23514). */
async function expectRefused(client: pg.ClientBase, [sql, params]: [string, unknown[]], constraint?: string): Promise<void> {
  const error = await expectError(client, sql, params);
  if (constraint) expect([error.code, error.constraint]).toEqual(["23514", constraint]);
  else expect(error.message).toMatch(REFUSED);
}

async function expectDenied(client: pg.ClientBase, table: string, sql: string): Promise<void> {
  expect((await expectError(client, sql)).message).toBe(`permission denied for table ${table}`);
}

async function firstColumn(client: pg.ClientBase, table: string): Promise<string> {
  const { rows } = await client.query(
    "select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum limit 1",
    [`app_public.${table}`],
  );
  return rows[0].attname;
}

// The world is committed once into this file's database; every test runs in a rolled-back transaction.
beforeAll(async () => {
  const client = await poolFor(rootUrl).connect();
  try {
    await client.query("begin");
    await buildAdversarialWorld(client);
    await client.query("commit");
  } finally {
    client.release();
  }
});

test("the matrix names every table (and view) of app_public", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      "select relname from pg_class where relnamespace = 'app_public'::regnamespace and relkind in ('r', 'p', 'v', 'm', 'f') order by 1",
    );
    expect(rows.map((r) => r.relname)).toEqual(Object.keys(MATRIX).sort());
    expect(Object.keys(SEES).sort()).toEqual(Object.keys(MATRIX).sort());
  });
});

test("column privileges of both app roles are exactly the matrix's, column by column (has_column_privilege)", async () => {
  const stated = (cell: Cell, privilege: string, column: string, allColumns: string[]): boolean => {
    if (cell === "—") return false;
    if (privilege === "select") return true;
    if (privilege === "references") return false;
    const write = privilege === "insert" ? cell.insert : cell.update;
    return write ? columnList(write.columns).includes(column) && allColumns.includes(column) : false;
  };
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.relname as table, a.attname as column, r.role, p.privilege,
             has_column_privilege(r.role, c.oid, a.attnum, p.privilege) as granted
      from pg_class c
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      cross join (values ('pas_bot_user'), ('inner_edu_user')) r(role)
      cross join (values ('select'), ('insert'), ('update'), ('references')) p(privilege)
      where c.relnamespace = 'app_public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')`);
    const columnsOf = new Map<string, string[]>();
    for (const row of rows) columnsOf.set(row.table, [...new Set([...(columnsOf.get(row.table) ?? []), row.column])]);
    const wrong = rows
      .filter((row) => MATRIX[row.table])
      .filter((row) => row.granted !== stated(MATRIX[row.table]![row.role as Role], row.privilege, row.column, columnsOf.get(row.table)!))
      .map((row) => `${row.role} ${row.granted ? "has" : "lacks"} ${row.privilege} on ${row.table}.${row.column}`);
    // A column the matrix grants that the table does not have is a stale matrix.
    for (const [table, cells] of Object.entries(MATRIX)) {
      for (const [role, cell] of Object.entries(cells)) {
        if (cell === "—") continue;
        for (const write of [cell.insert, cell.update]) {
          for (const column of write ? columnList(write.columns) : []) {
            if (!columnsOf.get(table)?.includes(column)) wrong.push(`the matrix grants ${role} ${table}.${column}, which does not exist`);
          }
        }
      }
    }
    expect(wrong.sort()).toEqual([]);

    const tables = await client.query(`
      select c.relname as table, r.role, p.privilege, has_table_privilege(r.role, c.oid, p.privilege) as granted
      from pg_class c
      cross join (values ('pas_bot_user'), ('inner_edu_user')) r(role)
      cross join (values ('delete'), ('truncate'), ('references'), ('trigger')) p(privilege)
      where c.relnamespace = 'app_public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')`);
    const wrongTables = tables.rows
      .filter((row) => MATRIX[row.table])
      .filter((row) => {
        const cell = MATRIX[row.table]![row.role as Role];
        return row.granted !== (row.privilege === "delete" && cell !== "—" && cell.delete !== undefined);
      })
      .map((row) => `${row.role} ${row.granted ? "has" : "lacks"} ${row.privilege} on ${row.table}`);
    expect(wrongTables.sort()).toEqual([]);
  });
});

test("every foreign key an app role may write is re-pointed at the other family's rows in the matrix", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select c.conrelid::regclass::text as table, a.attname as column, r.role, p.privilege
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      cross join (values ('pas_bot_user'), ('inner_edu_user')) r(role)
      cross join (values ('insert'), ('update')) p(privilege)
      where c.contype = 'f' and c.connamespace = 'app_public'::regnamespace
        and has_column_privilege(r.role, c.conrelid, a.attnum, p.privilege)
      order by 1, 2, 3, 4`);
    const missing = rows
      .map((row) => ({ ...row, table: row.table.replace(/^app_public\./, "") }))
      .filter((row) => {
        const cell = MATRIX[row.table]?.[row.role as Role];
        const write = cell === "—" || !cell ? undefined : row.privilege === "insert" ? cell.insert : cell.update;
        return !write?.repoint || !(row.column in write.repoint);
      })
      .map((row) => `${row.role} may ${row.privilege} ${row.table}.${row.column}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});

describe("consent-gated functions", () => {
  const CHILDREN = [W.childA, X.childA2, W.childB, X.childB2];
  const PERSONAL_QUESTS: Record<string, string> = { [W.childA]: W.questA, [X.childA2]: X.questA2, [W.childB]: W.questB, [X.childB2]: X.questB2 };
  /** A quest parent A wrote for child B1, to whom they are not linked (any more). */
  const FORMER_CHILDS_QUEST = "d1000000-0000-4000-8000-0000000000ff";
  /** Each personal quest, its child and its author. */
  const QUESTS: Array<[string, string, string]> = [
    [W.questA, W.childA, W.parentA], [X.questA2, X.childA2, W.parentA], [W.questB, W.childB, W.parentB], [X.questB2, X.childB2, W.parentB],
    [FORMER_CHILDS_QUEST, W.childB, W.parentA],
  ];

  /** The consent in force, computed here without the functions under test: the quest's override, else the child's default, else no. */
  async function consentInForce(client: pg.ClientBase, child: string, flag: string, quest: string | null): Promise<boolean> {
    const { rows } = await client.query(
      `select coalesce((select ${flag} from app_public.quest_privacy where child_id = $1 and quest_id = $2),
                       (select ${flag} from app_public.child_privacy where child_id = $1), false) as flag`,
      [child, quest],
    );
    return rows[0].flag;
  }

  async function linkedChildren(client: pg.ClientBase, actor: Actor): Promise<string[]> {
    const { rows } = await client.query("select child_id from app_public.family_links where parent_id = $1 order by 1", [actor.id]);
    return rows.map((r) => r.child_id);
  }

  test.each(ACTORS.map((actor) => [actor.name, actor] as const))("%s", async (_name, actor) => {
    await withRootDb(async (client) => {
      await client.query(
        `insert into app_public.quests (id, author_id, child_id, title, graph_structure) values ($1, $2, $3, 'For a child no longer linked', '${EMPTY_GRAPH}')`,
        [FORMER_CHILDS_QUEST, W.parentA, W.childB],
      );
      const linked = await linkedChildren(client, actor);
      const expectedConsent: Array<[string, string, string | null, boolean]> = [];
      for (const child of CHILDREN) {
        for (const quest of [null, PERSONAL_QUESTS[child]!]) {
          // (Each child's flags are all true or all false: two kinds suffice, each call is an audited read.)
          for (const flag of ["share_progress", "share_analytics"]) {
            const mayAsk = actor.kind !== "wrong app" && (child === actor.id || linked.includes(child));
            expectedConsent.push([child, flag, quest, mayAsk && (await consentInForce(client, child, flag, quest))]);
          }
        }
      }
      await becomeUser(client, actor.role, actor.id);

      // my_children: a parent's linked children (id and name), nobody else's; the child's app may not ask.
      const children = await attempt(client, "select id from app_public.my_children() order by 1");
      if (actor.role === "inner_edu_user") expect(children).toBeInstanceOf(Error);
      else if (!(children instanceof Error)) expect(children.rows.map((r) => r.id)).toEqual(actor.kind === "wrong app" ? [] : linked);
      else expect(actor.kind).toBe("wrong app");

      // can_share_with_parent: the consent in force, for the child and their linked parents only.
      for (const [child, flag, quest, allowed] of expectedConsent) {
        const answer = await attempt(client, "select app_public.can_share_with_parent($1, $2, $3) as allowed", [child, flag.replace(/^share_/, ""), quest]);
        if (answer instanceof Error) expect(actor.kind).toBe("wrong app");
        else expect([child, flag, quest, answer.rows[0].allowed]).toEqual([child, flag, quest, allowed]);
      }

      // get_quest_analytics: pas_bot_user only; a personal quest's figures for its author while linked to its child, else nothing.
      for (const [quest, child, author] of QUESTS) {
        const result = await attempt(client, "select * from app_public.get_quest_analytics($1)", [quest]);
        if (actor.role === "inner_edu_user" || result instanceof Error) {
          expect(result).toBeInstanceOf(Error);
          expect(actor.role === "inner_edu_user" || actor.kind === "wrong app").toBe(true);
          continue;
        }
        const { consent_status: status, quest_id: _quest, total_nodes: _nodes, ...figures } = result.rows[0];
        if (author !== actor.id || !linked.includes(child) || actor.kind === "wrong app") {
          expect([quest, status]).toEqual([quest, "not_found"]);
          expect(Object.values(figures).filter((v) => v !== null)).toEqual([]);
        } else {
          expect([quest, status]).not.toEqual([quest, "not_found"]);
        }
      }
    });
  });
});

describe.each(Object.keys(MATRIX))("%s", (table) => {
  test.each(ACTORS.map((actor) => [actor.name, actor] as const))("%s", async (_name, actor) => {
    const cell = MATRIX[table]![actor.role as Role];
    await withRootDb(async (client) => {
      if (actor.kind === "wrong app") return wrongApp(client, table, actor);
      if (cell === "—") {
        await becomeUser(client, actor.role, actor.id);
        const column = await firstColumn(client, table);
        await expectDenied(client, table, `select 1 from app_public.${table}`);
        await expectDenied(client, table, `insert into app_public.${table} default values`);
        await expectDenied(client, table, `update app_public.${table} set ${column} = ${column}`);
        await expectDenied(client, table, `delete from app_public.${table}`);
        return;
      }

      // select: exactly the rule's rows; some of them for the kinds SEES names, none for the others; never all.
      const everyRow = await hashes(client, table, "true");
      const expected = await hashes(client, table, fill(cell.select, actor));
      await becomeUser(client, actor.role, actor.id);
      expect(await hashes(client, table, "true")).toEqual(expected);
      expect(expected.length > 0).toBe(SEES[table]!.includes(actor.kind));
      expect(expected.length).toBeLessThan(everyRow.length);
      await becomeRoot(client);

      await checkUpdate(client, table, cell, actor);
      await checkDelete(client, table, cell, actor);
      await checkInsert(client, table, cell, actor);
    });
  });
});

/** The update reaches exactly the rule's rows and changes no other; re-pointing a foreign key of a reachable row is refused. */
async function checkUpdate(client: pg.ClientBase, table: string, cell: Access, actor: Actor): Promise<void> {
  if (!cell.update) {
    const column = await firstColumn(client, table);
    await becomeUser(client, actor.role, actor.id);
    await expectDenied(client, table, `update app_public.${table} set ${column} = ${column}`);
    await becomeRoot(client);
    return;
  }
  const { set, rows, repoint = {} } = cell.update;
  const reachable = (await hashes(client, table, fill(rows, actor))).length;
  const others = `(${fill(rows, actor)}) is not true`;
  const untouched = await hashes(client, table, others);
  await becomeUser(client, actor.role, actor.id);
  const { rowCount } = await client.query(`update app_public.${table} set ${set} = ${set}`);
  expect(rowCount).toBe(reachable);
  await becomeRoot(client);
  expect(await hashes(client, table, others)).toEqual(untouched);
  for (const [column, value] of Object.entries(resolve(repoint, actor))) {
    const pointing = (await hashes(client, table, `(${fill(rows, actor)}) and ${column} is not null`)).length;
    // (The world gives the role's usual kind of actor such a row: the re-pointing is never vacuous.)
    if (actor.kind === USUAL_KIND[actor.role as Role]) expect(pointing).toBeGreaterThan(0);
    await becomeUser(client, actor.role, actor.id);
    const sql = `update app_public.${table} set ${column} = $1 where ${column} is not null`;
    if (pointing > 0) await expectRefused(client, [sql, [value]]);
    else expect((await client.query(sql, [value])).rowCount).toBe(0);
    await becomeRoot(client);
  }
}

/** The delete removes exactly the rule's rows (undone afterwards). */
async function checkDelete(client: pg.ClientBase, table: string, cell: Access, actor: Actor): Promise<void> {
  await becomeUser(client, actor.role, actor.id);
  if (!cell.delete) {
    await expectDenied(client, table, `delete from app_public.${table}`);
    await becomeRoot(client);
    return;
  }
  await becomeRoot(client);
  const deletable = (await hashes(client, table, fill(cell.delete, actor))).length;
  const others = `(${fill(cell.delete, actor)}) is not true`;
  const untouched = await hashes(client, table, others);
  await client.query("savepoint del");
  await becomeUser(client, actor.role, actor.id);
  expect((await client.query(`delete from app_public.${table}`)).rowCount).toBe(deletable);
  await becomeRoot(client);
  expect(await hashes(client, table, others)).toEqual(untouched);
  await client.query("rollback to savepoint del");
}

/** The actor's own row goes in, or is refused for the kinds the matrix names; each re-pointed foreign key is refused. */
async function checkInsert(client: pg.ClientBase, table: string, cell: Access, actor: Actor): Promise<void> {
  await becomeUser(client, actor.role, actor.id);
  if (!cell.insert) {
    await expectDenied(client, table, `insert into app_public.${table} default values`);
    await becomeRoot(client);
    return;
  }
  const { own: ownValues, suffix, refusedFor = [], refusedForBy, repoint = {}, refusedBy = {} } = cell.insert;
  const row = resolve(ownValues, actor);
  if (refusedFor.includes(actor.kind)) {
    // (Their own row is refused already: re-pointing it would prove nothing.)
    await expectRefused(client, insertStatement(table, row, suffix), refusedForBy);
  } else {
    await client.query("savepoint ins");
    await client.query(...insertStatement(table, row, suffix));
    await client.query("rollback to savepoint ins");
    for (const [column, value] of Object.entries(resolve(repoint, actor))) {
      await expectRefused(client, insertStatement(table, { ...row, [column]: value }, suffix), refusedBy[column]);
    }
  }
  await becomeRoot(client);
}

/** Through the wrong app every command errors or returns and changes nothing: never a row. */
async function wrongApp(client: pg.ClientBase, table: string, actor: Actor): Promise<void> {
  const cell = MATRIX[table]![actor.role as Role]!;
  const everyRow = await hashes(client, table, "true");
  const column = await firstColumn(client, table);
  await becomeUser(client, actor.role, actor.id);

  const read = await attempt(client, `select * from app_public.${table}`);
  if (!(read instanceof Error)) expect(read.rows).toEqual([]);
  for (const sql of [`update app_public.${table} set ${column} = ${column}`, `delete from app_public.${table}`]) {
    const result = await attempt(client, sql);
    if (!(result instanceof Error)) expect(result.rowCount).toBe(0);
  }
  const statements: Array<[string, unknown[]]> = [[`insert into app_public.${table} default values`, []]];
  if (cell !== "—" && cell.insert) statements.push(insertStatement(table, resolve(cell.insert.own, actor), cell.insert.suffix));
  for (const [sql, params] of statements) {
    const result = await attempt(client, sql, params);
    expect(result instanceof Error ? "an error" : `${result.rowCount} row(s) inserted by ${sql}`).toBe("an error");
  }
  await becomeRoot(client);
  expect(await hashes(client, table, "true")).toEqual(everyRow);
}
