// Every column of app_public in one of seed 003's classes — the one place the
// code (log redaction), the docs (docs/schema.md, by `npm run docs:schema`) and
// the tests (every column classified, nothing stale) read:
// - P0: technical — ids, statuses, counts, scores, timestamps, settings, aggregates;
// - P1: personal — names, contact, what a user wrote about ordinary things;
// - P2: sensitive content — letters, therapy conversations, psychological
//   readings, a child's own answers: to be stored only encrypted (issue 8).
export type DataClass = "P0" | "P1" | "P2";

type Classes = Record<DataClass, string[]>;
const words = (list: string) => list.split(/\s+/).filter(Boolean);
const table = (p0: string, p1 = "", p2 = ""): Classes => ({ P0: words(p0), P1: words(p1), P2: words(p2) });

export const DATA_CLASSES: Record<string, Classes> = {
  achievements: table("id child_id quest_id achievement_type badge xp_reward unlocked_at created_at", "title description"),
  child_privacy: table(`child_id share_progress share_educational_progress share_play_frequency share_quest_details
    share_emotional_state share_analytics consent_given_by_child consent_version consent_timestamp created_at updated_at version`),
  child_progress: table("id child_id quest_id node_key event_type duration_seconds xp_earned occurred_at created_at", "", "payload"),
  consent_events: table("id child_id quest_id flag old_value new_value consent_version created_at"),
  creative_projects: table("id user_id project_type quest_id letter_id goal_id status progress completed_at created_at updated_at version"),
  data_deletion_requests: table(
    `id user_id status verification_token_hash requested_at verified_at processed_at created_at updated_at version
    attempts last_error_kind next_attempt_at`,
    "reason",
  ),
  family_links: table("id parent_id child_id created_at"),
  goals: table(
    "id user_id track_type time_bound status progress completed_at created_at updated_at version",
    "title specific measurable achievable relevant",
  ),
  letters: table("id user_id child_id status sent_at created_at updated_at version", "title", "content"),
  messages: table("id user_id session_id role created_at", "", "content"),
  metrics_snapshots: table(
    "id user_id snapshot_date sessions_count messages_count letters_written goals_completed quests_created created_at",
    "mood_average metrics",
  ),
  milestones: table("id user_id track_id milestone_type title description xp_reward badge achieved_at acknowledged created_at"),
  notifications: table("id user_id kind read_at created_at source_key", "title body data"),
  psychological_profiles: table(
    "user_id quests_created child_engagement created_at updated_at version",
    "primary_coping_strategies communication_style growth_areas recommended_techniques",
    "emotional_trends crisis_history triggers toxic_patterns",
  ),
  psychologist_reviews: table(
    `id quest_id psychologist_id parent_id status emotional_safety_score therapeutic_correctness_score age_appropriateness_score
    reveal_timing_score overall_rating is_approved playthrough_duration_minutes requested_at started_at completed_at created_at
    updated_at version`,
    "feedback_text strengths improvements red_flags notes_for_parent notes_for_community",
  ),
  quest_analytics: table(`id quest_id total_starts total_completions completion_rate avg_completion_time median_completion_time
    avg_xp_earned avg_badges_earned reveal_view_rate node_completion_rates node_average_times nodes_completed total_nodes
    completion_percentage educational_progress play_count total_time_minutes distinct_children last_played window_start last_updated
    created_at`),
  quest_builder_sessions: table(
    "id user_id quest_id current_stage moderation_checked moderation_passed moderation_issues expires_at created_at updated_at version",
    "current_graph",
    "conversation_history quest_context",
  ),
  quest_nodes: table("id quest_id node_key node_type position created_at updated_at", "data"),
  quest_privacy: table(`id child_id quest_id share_progress share_educational_progress share_play_frequency share_quest_details
    share_emotional_state share_analytics consent_version consent_timestamp created_at updated_at version`),
  quest_progress: table(
    `id child_id quest_id current_node_id current_step nodes_completed total_nodes completion_percentage completed xp_earned
    badges_earned reveal_moments_viewed session_count total_time_minutes started_at completed_at last_played_at created_at
    updated_at version`,
    "session_data educational_progress",
  ),
  quest_ratings: table("id user_id quest_id rating created_at updated_at version", "review_text"),
  quests: table(
    `id author_id child_id psychological_module difficulty age_range estimated_duration status is_public moderation_status
    moderated_at psychologist_reviewed psychologist_review_id reviewed_at reveal_count last_reveal_at family_photos_count
    family_memories_count rating rating_count plays_count completion_count completion_rate average_completion_time
    deployed_to_inner_edu inner_edu_quest_id deployed_at published_at deleted_at created_at updated_at version`,
    "title description graph_structure yaml_content location tags moderation_reason moderation_issues",
  ),
  therapy_sessions: table(
    "id user_id status started_at ended_at expires_at created_at updated_at version",
    "topic mood_before mood_after",
    "state summary",
  ),
  user_quest_library: table("id user_id quest_id created_at", "folder notes"),
  user_tracks: table(`id user_id track_type current_phase completion_percentage total_actions total_activities completed_activities
    milestones_completed next_action last_activity_at phase_started_at created_at updated_at version`),
  users: table(
    `id kind created_at updated_at version mode primary_track recovery_week recovery_day data_consent data_retention_days
    last_active_at`,
    "display_name telegram_id email parent_name child_name child_age learning_profile recovery_tracks",
  ),
};

/** Columns of a class, as "table.column". */
export function columnsOfClass(dataClass: DataClass): string[] {
  return Object.entries(DATA_CLASSES).flatMap(([t, classes]) => classes[dataClass].map((c) => `${t}.${c}`));
}

/** Field names a log must never carry (P1 and P2 columns, as in SQL and as in GraphQL). */
export function personalFieldNames(): string[] {
  const names = new Set<string>();
  for (const column of [...columnsOfClass("P1"), ...columnsOfClass("P2")]) {
    const name = column.split(".")[1]!;
    names.add(name);
    names.add(name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));
  }
  return [...names].sort();
}
