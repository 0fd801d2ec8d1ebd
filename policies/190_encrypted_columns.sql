-- P2 columns are stored encrypted (migration 000017): each is read through
-- app_public.<table>_<column>(row), which decrypts with the row owner's data
-- key. A function may be run by exactly the role that may select the table:
-- a row it cannot see never reaches it, so the rows' policies decide as before.
grant execute on function app_public.child_progress_payload(app_public.child_progress) to inner_edu_user;
grant execute on function
  app_public.letters_content(app_public.letters),
  app_public.messages_content(app_public.messages),
  app_public.psychological_profiles_emotional_trends(app_public.psychological_profiles),
  app_public.psychological_profiles_crisis_history(app_public.psychological_profiles),
  app_public.psychological_profiles_triggers(app_public.psychological_profiles),
  app_public.psychological_profiles_toxic_patterns(app_public.psychological_profiles),
  app_public.quest_builder_sessions_conversation_history(app_public.quest_builder_sessions),
  app_public.quest_builder_sessions_quest_context(app_public.quest_builder_sessions),
  app_public.therapy_sessions_state(app_public.therapy_sessions),
  app_public.therapy_sessions_summary(app_public.therapy_sessions)
  to pas_bot_user;
