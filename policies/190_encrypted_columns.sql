-- P2 columns are stored encrypted (migration 000017): each is read through
-- app_public.<table>_<column>(row), which looks the row up by its key under
-- the caller's policies and decrypts what is stored with the owner's data key.
-- A function may be run by exactly the role that may select the table.
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

-- Each reading function runs as its caller: app_hidden.may_select_<table>(key)
-- probes the row under the caller's policies, app_hidden.decrypt_<table>_<column>(key)
-- decrypts (migration 000018). Both go to exactly the roles that may run the
-- reading function.
do $$
declare
  c record;
  app_role text;
begin
  for c in
    select format('app_public.%I(app_public.%I)', e.table_name || '_' || e.column_name, e.table_name)::regprocedure as reader,
           format('app_hidden.%I(uuid)', 'may_select_' || e.table_name)::regprocedure as probe,
           format('app_hidden.%I(uuid)', 'decrypt_' || e.table_name || '_' || e.column_name)::regprocedure as helper
    from app_private.encrypted_columns e
  loop
    foreach app_role in array array['pas_bot_user', 'inner_edu_user'] loop
      if has_function_privilege(app_role, c.reader, 'execute') then
        execute format('grant execute on function %s, %s to %I', c.probe, c.helper, app_role);
      end if;
    end loop;
  end loop;
end;
$$;
