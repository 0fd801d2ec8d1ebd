-- A child's raw play: the child's own rows only. pas_bot_user has no privilege
-- at all here (a parent sees play only through app_public.get_quest_analytics).
-- "A quest they can see" is a correlated exists under the quests policies: a
-- primary-key probe, where `in (select id from quests)` would scan them all.
create policy select_own on app_public.quest_progress
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
create policy insert_own on app_public.quest_progress
  for insert to inner_edu_user
  with check (child_id = (select app_public.current_user_id())
              and exists (select 1 from app_public.quests q where q.id = quest_progress.quest_id));
-- update_quest_progress's rule, for plain updates too: only while the quest is still one they can play.
create policy update_own on app_public.quest_progress
  for update to inner_edu_user
  using (child_id = (select app_public.current_user_id()))
  with check (child_id = (select app_public.current_user_id())
              and exists (select 1 from app_public.quests q where q.id = quest_progress.quest_id));
grant select on app_public.quest_progress to inner_edu_user;
grant insert (quest_id, current_node_id, current_step, nodes_completed, total_nodes, completion_percentage,
              completed, completed_at, session_data, educational_progress, xp_earned, badges_earned,
              reveal_moments_viewed, session_count, total_time_minutes, last_played_at)
  on app_public.quest_progress to inner_edu_user;
grant update (current_node_id, current_step, nodes_completed, total_nodes, completion_percentage,
              completed, completed_at, session_data, educational_progress, xp_earned, badges_earned,
              reveal_moments_viewed, session_count, total_time_minutes, last_played_at, version)
  on app_public.quest_progress to inner_edu_user;

-- Play events are appended, never edited.
create policy select_own on app_public.child_progress
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
create policy insert_own on app_public.child_progress
  for insert to inner_edu_user
  with check (child_id = (select app_public.current_user_id())
              and exists (select 1 from app_public.quests q where q.id = child_progress.quest_id));
grant select on app_public.child_progress to inner_edu_user;
grant insert (quest_id, node_key, event_type, duration_seconds, xp_earned, payload, occurred_at)
  on app_public.child_progress to inner_edu_user;

create policy select_own on app_public.achievements
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
create policy insert_own on app_public.achievements
  for insert to inner_edu_user
  with check (child_id = (select app_public.current_user_id())
              and (quest_id is null or exists (select 1 from app_public.quests q where q.id = achievements.quest_id)));
grant select on app_public.achievements to inner_edu_user;
grant insert (quest_id, achievement_type, title, description, badge, xp_reward, unlocked_at)
  on app_public.achievements to inner_edu_user;

-- quest_analytics: no app privilege; jobs write it, parents read through get_quest_analytics.
grant execute on function app_public.get_quest_analytics(uuid) to pas_bot_user;
