-- The parent's own work (pas_in_peace): PAS tables, profile, projects, tracks,
-- milestones, builder sessions. One rule for all of them: pas_bot_user acting
-- as the owner of the rows, nothing for anyone else; inner_edu_user has no
-- privilege at all on any of them. What each may write is in the grants below.
do $$
declare
  t text;
begin
  foreach t in array array[
    'therapy_sessions', 'messages', 'letters', 'goals', 'metrics_snapshots', 'psychological_profiles',
    'creative_projects', 'user_tracks', 'milestones', 'quest_builder_sessions'
  ] loop
    execute format(
      'create policy own_rows on app_public.%I for all to pas_bot_user
         using (user_id = (select app_public.current_user_id()))
         with check (user_id = (select app_public.current_user_id()))', t);
  end loop;
end;
$$;

-- get_or_create_profile's rule, for plain inserts too: only parents have a psychological profile.
create policy only_parents on app_public.psychological_profiles as restrictive
  for insert to pas_bot_user
  with check ((select app_hidden.current_user_kind()) = 'parent');

-- What a row points at must be the parent's own too (restrictive: ANDed with own_rows).
create policy session_is_mine on app_public.messages as restrictive
  for insert to pas_bot_user
  with check (session_id is null or exists (select 1 from app_public.therapy_sessions s where s.id = messages.session_id));
create policy child_is_mine on app_public.letters as restrictive
  for all to pas_bot_user
  using (true)
  with check (child_id is null or child_id in (select app_hidden.my_child_ids()));
create policy quest_is_mine on app_public.quest_builder_sessions as restrictive
  for all to pas_bot_user
  using (true)
  with check (quest_id is null or quest_id in (select id from app_public.quests where author_id = (select app_public.current_user_id())));

grant select, delete on app_public.therapy_sessions to pas_bot_user;
grant insert (topic, state, mood_before, mood_after, summary, status, ended_at) on app_public.therapy_sessions to pas_bot_user;
grant update (topic, state, mood_before, mood_after, summary, status, ended_at, version) on app_public.therapy_sessions to pas_bot_user;

-- Chat history is appended; a message may be deleted, not edited.
grant select, delete on app_public.messages to pas_bot_user;
grant insert (session_id, role, content) on app_public.messages to pas_bot_user;

grant select, delete on app_public.letters to pas_bot_user;
grant insert (child_id, title, content, status, sent_at) on app_public.letters to pas_bot_user;
grant update (child_id, title, content, status, sent_at, version) on app_public.letters to pas_bot_user;

grant select, delete on app_public.goals to pas_bot_user;
grant insert (track_type, title, specific, measurable, achievable, relevant, time_bound, status, progress, completed_at)
  on app_public.goals to pas_bot_user;
grant update (track_type, title, specific, measurable, achievable, relevant, time_bound, status, progress, completed_at, version)
  on app_public.goals to pas_bot_user;

-- Computed by a scheduled job.
grant select on app_public.metrics_snapshots to pas_bot_user;

grant select on app_public.psychological_profiles to pas_bot_user;
grant insert (communication_style) on app_public.psychological_profiles to pas_bot_user;
grant update (communication_style, version) on app_public.psychological_profiles to pas_bot_user;

grant select on app_public.creative_projects to pas_bot_user;
grant update (status, progress, completed_at, version) on app_public.creative_projects to pas_bot_user;

-- Tracks and milestones advance through functions and jobs; the parent reads them and acknowledges milestones.
grant select on app_public.user_tracks to pas_bot_user;
grant select on app_public.milestones to pas_bot_user;
grant update (acknowledged) on app_public.milestones to pas_bot_user;

grant select, delete on app_public.quest_builder_sessions to pas_bot_user;
grant insert (current_stage, conversation_history, current_graph, quest_context) on app_public.quest_builder_sessions to pas_bot_user;
grant update (current_stage, conversation_history, current_graph, quest_context, quest_id, version)
  on app_public.quest_builder_sessions to pas_bot_user;
