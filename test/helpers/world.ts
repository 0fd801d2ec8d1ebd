// Two families and a psychologist, with a row of theirs in every table: the
// ground the privacy tests stand on. Inserted as the superuser.
import type pg from "pg";

export const W = {
  parentA: "a1000000-0000-4000-8000-000000000001",
  childA: "c1000000-0000-4000-8000-000000000001",
  parentB: "a2000000-0000-4000-8000-000000000002",
  childB: "c2000000-0000-4000-8000-000000000002",
  psychologist: "b1000000-0000-4000-8000-000000000001",
  questA: "d1000000-0000-4000-8000-000000000001", // personal, for childA, deployed
  draftA: "d1000000-0000-4000-8000-000000000002", // personal, for childA, draft
  questB: "d2000000-0000-4000-8000-000000000001", // personal, for childB, deployed
  publicB: "d2000000-0000-4000-8000-000000000002", // public, approved, by parentB
  sessionA: "e1000000-0000-4000-8000-000000000001",
  sessionB: "e2000000-0000-4000-8000-000000000002",
} as const;

const GRAPH = '{"nodes": [{"id": "n1", "type": "story"}, {"id": "n2", "type": "reveal"}], "edges": [{"source": "n1", "target": "n2"}]}';

export async function buildWorld(client: pg.ClientBase): Promise<void> {
  await client.query(`
    insert into app_public.users (id, kind, display_name) values
      ('${W.parentA}', 'parent', 'Parent A'), ('${W.childA}', 'child', 'Child A'),
      ('${W.parentB}', 'parent', 'Parent B'), ('${W.childB}', 'child', 'Child B'),
      ('${W.psychologist}', 'psychologist', 'Psychologist');
    insert into app_public.family_links (parent_id, child_id) values ('${W.parentA}', '${W.childA}'), ('${W.parentB}', '${W.childB}');
    insert into app_public.quests (id, author_id, child_id, title, graph_structure, status, moderation_status, is_public) values
      ('${W.questA}', '${W.parentA}', '${W.childA}', 'A', '${GRAPH}', 'deployed', 'approved', false),
      ('${W.draftA}', '${W.parentA}', '${W.childA}', 'A draft', '${GRAPH}', 'draft', 'pending', false),
      ('${W.questB}', '${W.parentB}', '${W.childB}', 'B', '${GRAPH}', 'deployed', 'approved', false),
      ('${W.publicB}', '${W.parentB}', null, 'Public', '${GRAPH}', 'draft', 'approved', true);
    insert into app_public.quest_privacy (child_id, quest_id) values ('${W.childA}', '${W.questA}'), ('${W.childB}', '${W.questB}');
  `);
  for (const [parent, child, quest, session] of [
    [W.parentA, W.childA, W.questA, W.sessionA],
    [W.parentB, W.childB, W.questB, W.sessionB],
  ] as const) {
    await client.query(
      `
      insert into app_public.quest_progress (child_id, quest_id, current_step) values ($2, $3, 1);
      insert into app_public.child_progress (child_id, quest_id, node_key, event_type, payload) values ($2, $3, 'n1', 'choice_made', '{"answer": "secret"}');
      insert into app_public.achievements (child_id, quest_id, achievement_type, title) values ($2, $3, 'first', 'First');
      insert into app_public.quest_analytics (quest_id) values ($3);
      insert into app_public.therapy_sessions (id, user_id) values ($4, $1);
      insert into app_public.messages (user_id, session_id, role, content) values ($1, $4, 'user', 'private words');
      insert into app_public.letters (user_id, child_id, content) values ($1, $2, 'Dear child');
      insert into app_public.goals (user_id, title) values ($1, 'Goal');
      insert into app_public.metrics_snapshots (user_id, snapshot_date) values ($1, current_date);
      insert into app_public.psychological_profiles (user_id) values ($1);
      with g as (select id from app_public.goals where user_id = $1)
        insert into app_public.creative_projects (user_id, project_type, goal_id) select $1, 'goal', id from g;
      insert into app_public.user_tracks (user_id, track_type) values ($1, 'self_work');
      with t as (select id from app_public.user_tracks where user_id = $1)
        insert into app_public.milestones (user_id, track_id, milestone_type, title) select $1, id, 'first_quest', 'First' from t;
      insert into app_public.quest_builder_sessions (user_id) values ($1);
      insert into app_public.user_quest_library (user_id, quest_id) values ($1, '${W.publicB}');
      insert into app_public.quest_ratings (user_id, quest_id, rating) values ($1, '${W.publicB}', 4);
      insert into app_public.notifications (user_id, kind, title) values ($1, 'k', 'for parent'), ($2, 'k', 'for child');
      insert into app_public.data_deletion_requests (user_id) values ($1), ($2);
      `.replaceAll("$1", `'${parent}'`).replaceAll("$2", `'${child}'`).replaceAll("$3", `'${quest}'`)
        .replaceAll("$4", `'${session}'`),
    );
  }
  await client.query(
    `insert into app_public.psychologist_reviews (quest_id, parent_id, psychologist_id) values ('${W.questA}', '${W.parentA}', '${W.psychologist}')`,
  );
}
