// The contract's privacy table, cell by cell: for every table of app_public,
// each app role (acting as a parent, a psychologist or a child) either has no
// privilege at all ("permission denied"), or sees and changes exactly the rows
// the rule names; other rows are filtered out silently, and an insert for
// someone else is refused by the policy. A new table without a row here fails.
import type pg from "pg";
import { becomeRoot, becomeUser, expectError, withRootDb } from "./helpers/db.ts";
import { buildWorld, W } from "./helpers/world.ts";

type Role = "pas_bot_user" | "inner_edu_user";
/** A rule over the table's rows, as SQL; `:me` is the acting user. */
type Rule = string;
interface Access {
  select: Rule;
  /** A granted column to rewrite in place, and which rows the update reaches. */
  update?: { column: string; rows: Rule };
  delete?: Rule;
  /** An insert the acting user may make, and the same row claimed for someone else. */
  insert?: { own: string; foreign: string };
}
type Cell = Access | "none";

const PARENT_QUESTS = `(author_id = :me or (is_public and moderation_status = 'approved' and status <> 'deleted')
                        or id in (select quest_id from app_public.psychologist_reviews where psychologist_id = :me))`;
const CHILD_QUESTS = `((child_id = :me and status = 'deployed') or (is_public and moderation_status = 'approved' and status <> 'deleted'))`;
const MY_CHILDREN = "(select child_id from app_public.family_links where parent_id = :me)";
const own = (column = "user_id"): Rule => `${column} = :me`;

/** The parent's own work: pas_bot_user only, own rows; inner_edu_user nothing. */
const parentOwned = (access: Omit<Access, "select">): Record<Role, Cell> => ({
  pas_bot_user: { select: own(), ...access },
  inner_edu_user: "none",
});

const MATRIX: Record<string, Record<Role, Cell>> = {
  users: {
    pas_bot_user: { select: own("id"), update: { column: "display_name", rows: own("id") } },
    inner_edu_user: { select: own("id"), update: { column: "display_name", rows: own("id") } },
  },
  family_links: {
    pas_bot_user: { select: own("parent_id") },
    inner_edu_user: { select: own("child_id") },
  },
  child_privacy: {
    pas_bot_user: { select: `child_id in ${MY_CHILDREN}` },
    inner_edu_user: { select: own("child_id"), update: { column: "share_progress", rows: own("child_id") } },
  },
  quest_privacy: {
    pas_bot_user: { select: `child_id in ${MY_CHILDREN}` },
    inner_edu_user: {
      select: own("child_id"),
      update: { column: "share_analytics", rows: own("child_id") },
      insert: {
        own: `insert into app_public.quest_privacy (quest_id, share_progress) values ('${W.publicB}', true)`,
        foreign: `insert into app_public.quest_privacy (quest_id) values ('${W.draftA}')`,
      },
    },
  },
  consent_events: { pas_bot_user: "none", inner_edu_user: { select: own("child_id") } },
  quests: {
    pas_bot_user: {
      select: PARENT_QUESTS,
      update: { column: "title", rows: own("author_id") },
      insert: {
        own: `insert into app_public.quests (title, graph_structure) values ('Mine', '{"nodes": [], "edges": []}')`,
        foreign: `insert into app_public.quests (title, graph_structure, child_id) values ('For B', '{"nodes": [], "edges": []}', '${W.childB}')`,
      },
    },
    inner_edu_user: { select: CHILD_QUESTS },
  },
  quest_nodes: {
    pas_bot_user: { select: `quest_id in (select id from app_public.quests where ${PARENT_QUESTS})` },
    inner_edu_user: { select: `quest_id in (select id from app_public.quests where ${CHILD_QUESTS})` },
  },
  quest_progress: {
    pas_bot_user: "none",
    inner_edu_user: {
      select: own("child_id"),
      update: { column: "current_step", rows: own("child_id") },
      insert: {
        own: `insert into app_public.quest_progress (quest_id) values ('${W.publicB}')`,
        foreign: `insert into app_public.quest_progress (quest_id) values ('${W.questB}')`,
      },
    },
  },
  child_progress: {
    pas_bot_user: "none",
    inner_edu_user: {
      select: own("child_id"),
      insert: {
        own: `insert into app_public.child_progress (quest_id, node_key, event_type) values ('${W.questA}', 'n2', 'node_entered')`,
        foreign: `insert into app_public.child_progress (quest_id, node_key, event_type) values ('${W.questB}', 'n2', 'node_entered')`,
      },
    },
  },
  achievements: {
    pas_bot_user: "none",
    inner_edu_user: {
      select: own("child_id"),
      insert: {
        own: `insert into app_public.achievements (quest_id, achievement_type, title) values ('${W.questA}', 'second', 'Second')`,
        foreign: `insert into app_public.achievements (quest_id, achievement_type, title) values ('${W.questB}', 'second', 'Second')`,
      },
    },
  },
  quest_analytics: { pas_bot_user: "none", inner_edu_user: "none" },
  therapy_sessions: parentOwned({
    update: { column: "topic", rows: own() },
    delete: own(),
    insert: { own: "insert into app_public.therapy_sessions (topic) values ('tonight')", foreign: "" },
  }),
  messages: parentOwned({
    delete: own(),
    insert: {
      own: "insert into app_public.messages (role, content) values ('user', 'hello')",
      foreign: `insert into app_public.messages (session_id, role, content) values ('${W.sessionB}', 'user', 'x')`,
    },
  }),
  letters: parentOwned({
    // (Not content: a P2 column reads null, so `set content = content` would clear it.)
    update: { column: "status", rows: own() },
    delete: own(),
    insert: {
      own: "insert into app_public.letters (content) values ('Dear')",
      foreign: `insert into app_public.letters (child_id, content) values ('${W.childB}', 'Dear')`,
    },
  }),
  goals: parentOwned({
    update: { column: "title", rows: own() },
    delete: own(),
    insert: { own: "insert into app_public.goals (title) values ('Call')", foreign: "" },
  }),
  metrics_snapshots: parentOwned({}),
  psychological_profiles: parentOwned({
    update: { column: "communication_style", rows: own() },
    insert: {
      own: "insert into app_public.psychological_profiles (communication_style) values ('calm') on conflict (user_id) do nothing",
      foreign: "",
    },
  }),
  creative_projects: parentOwned({ update: { column: "progress", rows: own() } }),
  user_tracks: parentOwned({}),
  milestones: parentOwned({ update: { column: "acknowledged", rows: own() } }),
  quest_builder_sessions: parentOwned({
    update: { column: "current_stage", rows: own() },
    delete: own(),
    insert: { own: "insert into app_public.quest_builder_sessions (current_stage) values ('greeting')", foreign: "" },
  }),
  user_quest_library: parentOwned({
    update: { column: "folder", rows: own() },
    delete: own(),
    insert: {
      own: `insert into app_public.user_quest_library (quest_id) values ('${W.questA}')`,
      foreign: `insert into app_public.user_quest_library (quest_id) values ('${W.questB}')`,
    },
  }),
  quest_ratings: parentOwned({
    update: { column: "rating", rows: own() },
    delete: own(),
    insert: {
      own: `insert into app_public.quest_ratings (quest_id, rating) values ('${W.questA}', 5)`,
      foreign: `insert into app_public.quest_ratings (quest_id, rating) values ('${W.questB}', 5)`,
    },
  }),
  psychologist_reviews: {
    pas_bot_user: {
      select: "(parent_id = :me or psychologist_id = :me)",
      update: { column: "feedback_text", rows: own("psychologist_id") },
      insert: {
        own: `insert into app_public.psychologist_reviews (quest_id) values ('${W.draftA}')`,
        foreign: `insert into app_public.psychologist_reviews (quest_id) values ('${W.publicB}')`,
      },
    },
    inner_edu_user: "none",
  },
  notifications: {
    pas_bot_user: { select: own(), update: { column: "read_at", rows: own() } },
    inner_edu_user: { select: own(), update: { column: "read_at", rows: own() } },
  },
  data_deletion_requests: {
    // Requests are made through request_data_deletion (test/gdpr.test.ts).
    pas_bot_user: { select: own() },
    inner_edu_user: { select: own() },
  },
};

/** Who each role acts as: pas_bot_user as a parent and as a psychologist, inner_edu_user as a child. */
const ACTORS: Array<[Role, string, string]> = [
  ["pas_bot_user", "parent A", W.parentA],
  ["pas_bot_user", "the psychologist", W.psychologist],
  ["inner_edu_user", "child A", W.childA],
];

const fill = (rule: Rule, me: string) => rule.replaceAll(":me", `'${me}'`);

async function rowsWhere(client: pg.ClientBase, table: string, rule: Rule): Promise<string[]> {
  const { rows } = await client.query(`select md5(t::text) as h from app_public.${table} t where ${rule} order by 1`);
  return rows.map((r) => r.h);
}

test("the matrix names every table of app_public", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      "select relname from pg_class where relnamespace = 'app_public'::regnamespace and relkind = 'r' order by 1",
    );
    expect(rows.map((r) => r.relname)).toEqual(Object.keys(MATRIX).sort());
  });
});

describe.each(Object.keys(MATRIX))("%s", (table) => {
  test.each(ACTORS)("%s acting as %s", async (role, _who, me) => {
    const cell = MATRIX[table]![role];
    await withRootDb(async (client) => {
      await buildWorld(client);
      const everyRow = await rowsWhere(client, table, "true");
      expect(everyRow.length).toBeGreaterThan(0);

      if (cell === "none") {
        await becomeUser(client, role, me);
        for (const sql of [`select 1 from app_public.${table}`, `delete from app_public.${table}`]) {
          expect((await expectError(client, sql)).message).toBe(`permission denied for table ${table}`);
        }
        return;
      }

      // select: exactly the rows of the rule, and (for the rule to mean anything) not all of them.
      const expected = await rowsWhere(client, table, fill(cell.select, me));
      await becomeUser(client, role, me);
      expect(await rowsWhere(client, table, "true")).toEqual(expected);
      await becomeRoot(client);

      // update: reaches exactly the rule's rows; the others are filtered out silently.
      const updatable = cell.update ? (await rowsWhere(client, table, fill(cell.update.rows, me))).length : 0;
      await becomeUser(client, role, me);
      if (cell.update) {
        const { rowCount } = await client.query(`update app_public.${table} set ${cell.update.column} = ${cell.update.column}`);
        expect(rowCount).toBe(updatable);
      } else {
        const error = await expectError(client, `update app_public.${table} set created_at = created_at`);
        expect(error.message).toBe(`permission denied for table ${table}`);
      }

      // delete: the same, inside a savepoint so the world stays whole.
      if (cell.delete) {
        await becomeRoot(client);
        const deletable = (await rowsWhere(client, table, fill(cell.delete, me))).length;
        await becomeUser(client, role, me);
        await client.query("savepoint del");
        const { rowCount } = await client.query(`delete from app_public.${table}`);
        expect(rowCount).toBe(deletable);
        await client.query("rollback to savepoint del");
      } else {
        const error = await expectError(client, `delete from app_public.${table}`);
        expect(error.message).toBe(`permission denied for table ${table}`);
      }

      // insert: the actor's own row works; the same claim for someone else is refused.
      if (cell.insert && me !== W.psychologist) {
        await client.query("savepoint ins");
        await client.query(cell.insert.own);
        await client.query("rollback to savepoint ins");
        if (cell.insert.foreign) {
          const error = await expectError(client, cell.insert.foreign);
          // A restrictive policy names itself in the message.
          expect(error.message).toMatch(new RegExp(`^new row violates row-level security policy (".+" )?for table "${table}"$`));
        }
      } else if (!cell.insert) {
        const error = await expectError(client, `insert into app_public.${table} default values`);
        expect(error.message).toMatch(new RegExp(`^permission denied for table ${table}$`));
      }
    });
  });
});
