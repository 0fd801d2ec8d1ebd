// The adversarial world of test/db/privacy-matrix.test.ts: two families (a parent
// and two children each), two psychologists (each reviewing one family's quest),
// an admin, and two users acting through the wrong app. Every table holds rows of
// both families, so each actor has rows in front of them that they must not see.
// Built on test/helpers/world.ts (family A's first child is W.childA, and so on).
import type pg from "pg";
import type { RoleName } from "../../src/config.ts";
import { buildWorld, W } from "./world.ts";

/** The ids the second children, the second psychologist, the admin and the extra quests add to W. */
export const X = {
  childA2: "c1000000-0000-4000-8000-000000000002",
  childB2: "c2000000-0000-4000-8000-000000000003",
  psychologist2: "b2000000-0000-4000-8000-000000000002",
  admin: "f1000000-0000-4000-8000-000000000001",
  questA2: "d1000000-0000-4000-8000-000000000003", // personal, for childA2, deployed
  questB2: "d2000000-0000-4000-8000-000000000003", // personal, for childB2, deployed
  draftB: "d2000000-0000-4000-8000-000000000004", // personal, for childB, draft
  pendingPublicA: "d1000000-0000-4000-8000-000000000004", // public, by parentA, awaiting moderation
} as const;

export type ActorKind = "parent" | "child" | "psychologist" | "admin" | "wrong app";

/**
 * One actor: the role it logs in as, the user it acts as, and the ids a statement
 * of theirs names (`:me`, `:myChild`, `:otherQuest`, …; see `values`).
 */
export interface Actor {
  name: string;
  kind: ActorKind;
  role: RoleName;
  id: string;
  values: Record<string, string | null>;
}

/** A family's ids: `quests[i]` is `children[i]`'s personal quest; the draft and the session are the parent's. */
interface Family {
  parent: string;
  children: string[];
  quests: string[];
  draft: string;
  session: string;
}
const FAMILY_A: Family = { parent: W.parentA, children: [W.childA, X.childA2], quests: [W.questA, X.questA2], draft: W.draftA, session: W.sessionA };
const FAMILY_B: Family = { parent: W.parentB, children: [W.childB, X.childB2], quests: [W.questB, X.questB2], draft: X.draftB, session: W.sessionB };

/** What an actor of `mine` (or of no family) may name as theirs, and the other family's rows to re-point at. */
function values(me: string, mine: Family | null, other: Family, ownQuest: string | null): Record<string, string | null> {
  return {
    me,
    myChild: mine && mine.parent === me ? mine.children[0]! : null,
    myQuest: ownQuest,
    myDraft: mine && mine.parent === me ? mine.draft : null,
    mySession: mine && mine.parent === me ? mine.session : null,
    publicQuest: W.publicB,
    otherChild: other.children[0]!,
    otherParent: other.parent,
    otherQuest: other.quests[0]!,
    otherSession: other.session,
  };
}

function parent(name: string, mine: Family, other: Family): Actor {
  return { name, kind: "parent", role: "pas_bot_user", id: mine.parent, values: values(mine.parent, mine, other, mine.quests[0]!) };
}

function child(name: string, mine: Family, other: Family, index: number): Actor {
  const id = mine.children[index]!;
  return { name, kind: "child", role: "inner_edu_user", id, values: values(id, mine, other, mine.quests[index]!) };
}

/**
 * Someone of no family; `other`: a family whose quest they do not review. Having no
 * quest of their own, they name the public quest where a parent would name theirs.
 */
function outsider(name: string, kind: ActorKind, id: string, other: Family): Actor {
  return { name, kind, role: "pas_bot_user", id, values: { ...values(id, null, other, W.publicB), myDraft: W.publicB } };
}

export const ACTORS: Actor[] = [
  parent("parent A", FAMILY_A, FAMILY_B),
  parent("parent B", FAMILY_B, FAMILY_A),
  child("child A1", FAMILY_A, FAMILY_B, 0),
  child("child A2", FAMILY_A, FAMILY_B, 1),
  child("child B1", FAMILY_B, FAMILY_A, 0),
  child("child B2", FAMILY_B, FAMILY_A, 1),
  outsider("psychologist 1 (reviews family A)", "psychologist", W.psychologist, FAMILY_B),
  outsider("psychologist 2 (reviews family B)", "psychologist", X.psychologist2, FAMILY_A),
  outsider("the admin", "admin", X.admin, FAMILY_B),
  // The wrong app: a child's id through the parents' app, a parent's through the child's.
  { ...child("child A1", FAMILY_A, FAMILY_B, 0), name: "child A1 through pas_bot_user", kind: "wrong app", role: "pas_bot_user" },
  { ...parent("parent A", FAMILY_A, FAMILY_B), name: "parent A through inner_edu_user", kind: "wrong app", role: "inner_edu_user" },
];

/** Every consent flag, in the order of child_privacy's columns. */
export const CONSENT_FLAGS = [
  "share_progress", "share_educational_progress", "share_play_frequency",
  "share_quest_details", "share_emotional_state", "share_analytics",
] as const;

/**
 * W's world plus: each family's second child with a personal quest and play of
 * their own, family B's draft, a public quest of family A not yet moderated, the
 * parents' builder sessions pointing at their own quest, the second psychologist
 * reviewing family B's quest, an admin; notifications and erasure requests for
 * everyone. Consent, so that both the defaults and the per-quest overrides decide
 * something: each family's first child shares everything by default but nothing
 * for their personal quest (W's override row); the second child shares nothing
 * by default but everything for their personal quest.
 */
export async function buildAdversarialWorld(client: pg.ClientBase): Promise<void> {
  await buildWorld(client);
  const graph = '{"nodes": [{"id": "n1", "type": "story"}, {"id": "n2", "type": "reveal"}], "edges": [{"source": "n1", "target": "n2"}]}';
  await client.query(`
    insert into app_public.users (id, kind, display_name) values
      ('${X.childA2}', 'child', 'Child A2'), ('${X.childB2}', 'child', 'Child B2'),
      ('${X.psychologist2}', 'psychologist', 'Psychologist 2'), ('${X.admin}', 'admin', 'Admin');
    insert into app_public.family_links (parent_id, child_id) values ('${W.parentA}', '${X.childA2}'), ('${W.parentB}', '${X.childB2}');
    insert into app_public.quests (id, author_id, child_id, title, graph_structure, status, moderation_status, is_public) values
      ('${X.questA2}', '${W.parentA}', '${X.childA2}', 'A2', '${graph}', 'deployed', 'approved', false),
      ('${X.questB2}', '${W.parentB}', '${X.childB2}', 'B2', '${graph}', 'deployed', 'approved', false),
      ('${X.draftB}', '${W.parentB}', '${W.childB}', 'B draft', '${graph}', 'draft', 'pending', false),
      ('${X.pendingPublicA}', '${W.parentA}', null, 'A public, pending', '${graph}', 'draft', 'pending', true);
    insert into app_public.quest_privacy (child_id, quest_id, ${CONSENT_FLAGS.join(", ")}) values
      ('${X.childA2}', '${X.questA2}', ${CONSENT_FLAGS.map(() => "true").join(", ")}),
      ('${X.childB2}', '${X.questB2}', ${CONSENT_FLAGS.map(() => "true").join(", ")});
    insert into app_public.psychologist_reviews (quest_id, parent_id, psychologist_id) values ('${W.questB}', '${W.parentB}', '${X.psychologist2}');
    insert into app_public.notifications (user_id, kind, title)
      select id, 'k', 'for ' || display_name from app_public.users
      where id in ('${X.childA2}', '${X.childB2}', '${W.psychologist}', '${X.psychologist2}', '${X.admin}');
    insert into app_public.data_deletion_requests (user_id) values
      ('${X.childA2}'), ('${X.childB2}'), ('${W.psychologist}'), ('${X.psychologist2}'), ('${X.admin}');
    update app_public.child_privacy set ${CONSENT_FLAGS.map((flag) => `${flag} = true`).join(", ")}
      where child_id in ('${W.childA}', '${W.childB}');
    update app_public.quest_builder_sessions s set quest_id = q.id
      from app_public.quests q where q.id in ('${W.questA}', '${W.questB}') and q.author_id = s.user_id;
  `);
  for (const [child, quest] of [[X.childA2, X.questA2], [X.childB2, X.questB2]] as const) {
    await client.query(
      `insert into app_public.quest_progress (child_id, quest_id, current_step) values ($1, $2, 1);
       insert into app_public.child_progress (child_id, quest_id, node_key, event_type, payload) values ($1, $2, 'n1', 'choice_made', '{"answer": "secret"}');
       insert into app_public.achievements (child_id, quest_id, achievement_type, title) values ($1, $2, 'first', 'First');
       insert into app_public.quest_analytics (quest_id) values ($2);`
        .replaceAll("$1", `'${child}'`).replaceAll("$2", `'${quest}'`),
    );
  }
}
