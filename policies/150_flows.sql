-- Seed 000's flows (migrations 000004, 000007). Each function checks who acts; execute
-- goes only to the app whose users run the flow.
grant execute on function
  app_public.create_quest(text, jsonb, uuid, text, text, text, app_public.quest_difficulty, text, integer, text[], boolean),
  app_public.set_quest_status(uuid, app_public.quest_status, integer),
  app_public.save_quest_yaml(uuid, text, integer),
  app_public.moderate_quest(uuid, integer, app_public.moderation_status, text, jsonb)
  to pas_bot_user;

grant execute on function
  app_public.update_quest_progress(uuid, integer, text, boolean, integer, text[], integer, jsonb, double precision),
  app_public.record_achievement(uuid, text, text, text, text, integer)
  to inner_edu_user;

-- Creative projects and the psychological profile (migration 000006): the parent's own.
grant execute on function
  app_public.create_creative_project(app_public.creative_project_type, uuid, uuid, uuid),
  app_public.update_project_progress(uuid, integer),
  app_public.get_or_create_profile(),
  app_public.update_profile_emotions(jsonb),
  app_public.add_coping_strategy(text),
  app_public.get_recommendations()
  to pas_bot_user;
