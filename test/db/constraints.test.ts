// Bad input is refused with a message that names the broken rule (seed 003's NS-1).
import type pg from "pg";
import { expectError, withRootDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

interface World {
  parent: TestUser;
  child: TestUser;
  psychologist: TestUser;
  quest: string;
}

async function world(client: pg.ClientBase): Promise<World> {
  const parent = await createUser(client, "parent");
  const child = await createUser(client, "child");
  const psychologist = await createUser(client, "psychologist");
  const { id: quest } = await createQuest(client, parent, { child_id: child.id });
  return { parent, child, psychologist, quest };
}

type Case = [label: string, sql: (w: World) => string, code: string, message: RegExp];

const uuid = "00000000-0000-4000-8000-000000000000";
const cases: Case[] = [
  ["a child's age outside 3-18", (w) => `update app_public.users set child_age = 2 where id = '${w.child.id}'`, "23514", /users_child_age_range/],
  ["a child's age on a parent", (w) => `update app_public.users set child_age = 9 where id = '${w.parent.id}'`, "23514", /users_child_fields_only_for_children/],
  ["an email without @", (w) => `update app_public.users set email = 'nope' where id = '${w.parent.id}'`, "23514", /users_email_shape/],
  ["a retention of 0 days", (w) => `update app_public.users set data_retention_days = 0 where id = '${w.parent.id}'`, "23514", /users_data_retention_days_range/],
  ["a quest by a user who does not exist", () => `insert into app_public.quests (author_id, title, graph_structure) values ('${uuid}', 't', '{"nodes":[],"edges":[]}')`, "23503", /quests_author_id_fkey/],
  ["a graph without edges", (w) => `update app_public.quests set graph_structure = '{"nodes":[]}' where id = '${w.quest}'`, "23514", /Invalid quest graph: graph_structure must have a "nodes" array and an "edges" array\./],
  ["an edge to a missing node", (w) => `update app_public.quests set graph_structure = '{"nodes":[{"id":"a"}],"edges":[{"source":"a","target":"b"}]}' where id = '${w.quest}'`, "23514", /an edge points at node "b", which does not exist/],
  ["a node id twice", (w) => `update app_public.quests set graph_structure = '{"nodes":[{"id":"a"},{"id":"a"}],"edges":[]}' where id = '${w.quest}'`, "23514", /node id "a" appears twice/],
  ["deploying before moderation approved", (w) => `update app_public.quests set status = 'deployed', deployed_at = now() where id = '${w.quest}'`, "23514", /quests_deployed_only_when_approved/],
  ["a public quest for one child", (w) => `update app_public.quests set is_public = true where id = '${w.quest}'`, "23514", /quests_public_quest_has_no_child/],
  ["an age range upside down", (w) => `update app_public.quests set age_range = '12-7' where id = '${w.quest}'`, "23514", /quests_age_range_shape/],
  ["a deleted_at on a quest that is not deleted", (w) => `alter table app_public.quests disable trigger _150_lifecycle_timestamps; update app_public.quests set deleted_at = now() where id = '${w.quest}'`, "23514", /quests_deleted_at_iff_deleted/],
  ["more completions than plays", (w) => `update app_public.quests set plays_count = 1, completion_count = 2 where id = '${w.quest}'`, "23514", /quests_completion_count_within_plays/],
  ["a completion rate above 1", (w) => `update app_public.quests set completion_rate = 1.5 where id = '${w.quest}'`, "23514", /quests_completion_rate_range/],
  ["a rating of 6 stars", (w) => `insert into app_public.quest_ratings (user_id, quest_id, rating) values ('${w.parent.id}', '${w.quest}', 6)`, "23514", /quest_ratings_rating_range/],
  ["a second rating of the same quest", (w) => `insert into app_public.quest_ratings (user_id, quest_id, rating) values ('${w.parent.id}', '${w.quest}', 4), ('${w.parent.id}', '${w.quest}', 5)`, "23505", /quest_ratings_one_per_user_and_quest/],
  ["a second library entry", (w) => `insert into app_public.user_quest_library (user_id, quest_id) values ('${w.parent.id}', '${w.quest}'), ('${w.parent.id}', '${w.quest}')`, "23505", /user_quest_library_one_per_user_and_quest/],
  ["a second progress row", (w) => `insert into app_public.quest_progress (child_id, quest_id) values ('${w.child.id}', '${w.quest}'), ('${w.child.id}', '${w.quest}')`, "23505", /quest_progress_one_per_child_and_quest/],
  ["progress above 100%", (w) => `insert into app_public.quest_progress (child_id, quest_id, completion_percentage) values ('${w.child.id}', '${w.quest}', 101)`, "23514", /quest_progress_completion_percentage_range/],
  ["completed without completed_at", (w) => `insert into app_public.quest_progress (child_id, quest_id, completed) values ('${w.child.id}', '${w.quest}', true)`, "23514", /quest_progress_completed_at_iff_completed/],
  ["a second track of one type", (w) => `insert into app_public.user_tracks (user_id, track_type) values ('${w.parent.id}', 'community'), ('${w.parent.id}', 'community')`, "23505", /user_tracks_one_per_user_and_type/],
  ["a milestone on someone else's track", (w) => `with t as (insert into app_public.user_tracks (user_id, track_type) values ('${w.parent.id}', 'self_work') returning id) insert into app_public.milestones (user_id, track_id, milestone_type, title) select '${w.psychologist.id}', id, 'first_quest', 'First quest' from t`, "23503", /milestones_track_is_the_users/],
  ["a second privacy row for a child", (w) => `insert into app_public.child_privacy (child_id) values ('${w.child.id}'), ('${w.child.id}')`, "23505", /child_privacy_pkey/],
  ["a second analytics row for a quest", (w) => `insert into app_public.quest_analytics (quest_id) values ('${w.quest}'), ('${w.quest}')`, "23505", /quest_analytics_one_per_quest/],
  ["a reveal view rate above 1", (w) => `insert into app_public.quest_analytics (quest_id, reveal_view_rate) values ('${w.quest}', 2)`, "23514", /quest_analytics_reveal_view_rate_range/],
  ["a review score of 0", (w) => `insert into app_public.psychologist_reviews (quest_id, parent_id, emotional_safety_score) values ('${w.quest}', '${w.parent.id}', 0)`, "23514", /psychologist_reviews_emotional_safety_score_range/],
  ["approval without all four scores", (w) => `insert into app_public.psychologist_reviews (quest_id, parent_id, status, completed_at, is_approved, emotional_safety_score) values ('${w.quest}', '${w.parent.id}', 'completed', now(), true, 5)`, "23514", /psychologist_reviews_approval_needs_all_scores/],
  ["a quest project linked to a letter", (w) => `with l as (insert into app_public.letters (user_id) values ('${w.parent.id}') returning id) insert into app_public.creative_projects (user_id, project_type, letter_id) select '${w.parent.id}', 'quest', id from l`, "23514", /creative_projects_links_exactly_its_type/],
  ["a project linked to two objects", (w) => `with l as (insert into app_public.letters (user_id) values ('${w.parent.id}') returning id) insert into app_public.creative_projects (user_id, project_type, quest_id, letter_id) select '${w.parent.id}', 'quest', '${w.quest}', id from l`, "23514", /creative_projects_links_exactly_its_type/],
  ["an unknown consent flag", (w) => `insert into app_public.consent_events (child_id, flag, new_value) values ('${w.child.id}', 'share_everything', true)`, "23514", /consent_events_flag_known/],
  ["a goal over 100%", (w) => `insert into app_public.goals (user_id, title, progress) values ('${w.parent.id}', 'Call weekly', 120)`, "23514", /goals_progress_range/],
  ["a sent letter without sent_at", (w) => `insert into app_public.letters (user_id, status) values ('${w.parent.id}', 'sent')`, "23514", /letters_sent_at_iff_sent/],
  ["a mood of 11", (w) => `insert into app_public.therapy_sessions (user_id, mood_before) values ('${w.parent.id}', 11)`, "23514", /therapy_sessions_mood_before_range/],
  ["two snapshots for one day", (w) => `insert into app_public.metrics_snapshots (user_id, snapshot_date) values ('${w.parent.id}', current_date), ('${w.parent.id}', current_date)`, "23505", /metrics_snapshots_one_per_user_and_day/],
  ["processing an unverified erasure", (w) => `insert into app_public.data_deletion_requests (user_id, status) values ('${w.parent.id}', 'processing')`, "23514", /data_deletion_requests_verified_before_processing/],
  ["a builder session passed but never checked", (w) => `insert into app_public.quest_builder_sessions (user_id, moderation_passed) values ('${w.parent.id}', true)`, "23514", /quest_builder_sessions_passed_only_when_checked/],
  ["an achievement twice", (w) => `insert into app_public.achievements (child_id, achievement_type, title) values ('${w.child.id}', 'first_quest', 'First!'), ('${w.child.id}', 'first_quest', 'First!')`, "23505", /achievements_once_per_child_type_and_quest/],
];

test.each(cases)("refuses %s", async (_label, sql, code, message) => {
  await withRootDb(async (client) => {
    const error = await expectError(client, sql(await world(client)));
    expect({ code: error.code, message: `${error.message} (${error.constraint ?? ""})` }).toEqual({
      code,
      message: expect.stringMatching(message),
    });
  });
});

test("a stale version on a quest is refused clearly", async () => {
  await withRootDb(async (client) => {
    const { quest } = await world(client);
    await client.query("update app_public.quests set title = 'New', version = 1 where id = $1", [quest]);
    const error = await expectError(client, `update app_public.quests set title = 'Late', version = 1 where id = '${quest}'`);
    expect(error.code).toBe("STALE");
    expect(error.message).toMatch(/This row of quests was changed by someone else/);
  });
});
