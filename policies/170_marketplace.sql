-- The marketplace (library and ratings) is the parents'; psychologist reviews
-- are shared by the requesting parent and the assigned psychologist.
create policy own_rows on app_public.user_quest_library
  for all to pas_bot_user
  using (user_id = (select app_public.current_user_id()))
  with check (user_id = (select app_public.current_user_id()) and quest_id in (select id from app_public.quests));
grant select, delete on app_public.user_quest_library to pas_bot_user;
grant insert (quest_id, folder, notes) on app_public.user_quest_library to pas_bot_user;
grant update (folder, notes) on app_public.user_quest_library to pas_bot_user;

create policy own_rows on app_public.quest_ratings
  for all to pas_bot_user
  using (user_id = (select app_public.current_user_id()))
  with check (user_id = (select app_public.current_user_id()) and quest_id in (select id from app_public.quests));
grant select, delete on app_public.quest_ratings to pas_bot_user;
grant insert (quest_id, rating, review_text) on app_public.quest_ratings to pas_bot_user;
grant update (rating, review_text, version) on app_public.quest_ratings to pas_bot_user;

create policy select_as_parent_or_reviewer on app_public.psychologist_reviews
  for select to pas_bot_user
  using (parent_id = (select app_public.current_user_id()) or psychologist_id = (select app_public.current_user_id()));
create policy request_for_own_quest on app_public.psychologist_reviews
  for insert to pas_bot_user
  with check (parent_id = (select app_public.current_user_id())
              and quest_id in (select id from app_public.quests where author_id = (select app_public.current_user_id())));
-- Only a psychologist may be assigned: trigger _100_assign_only_psychologists (no function a parent could ask about any id).
create policy review_as_psychologist on app_public.psychologist_reviews
  for update to pas_bot_user
  using (psychologist_id = (select app_public.current_user_id()))
  with check (psychologist_id = (select app_public.current_user_id()));
grant select on app_public.psychologist_reviews to pas_bot_user;
grant insert (quest_id, psychologist_id) on app_public.psychologist_reviews to pas_bot_user;
grant update (status, emotional_safety_score, therapeutic_correctness_score, age_appropriateness_score,
              reveal_timing_score, overall_rating, is_approved, feedback_text, strengths, improvements, red_flags,
              notes_for_parent, notes_for_community, playthrough_duration_minutes, started_at, completed_at, version)
  on app_public.psychologist_reviews to pas_bot_user;

grant execute on function app_public.marketplace_quests() to pas_bot_user, inner_edu_user;
