-- Consent: only the child changes it; linked parents read the flags.
-- Every change appends consent_events and an audit row (triggers, migration 000003).

-- child_privacy: one row per child, created with the child (all false).
create policy select_own_as_child on app_public.child_privacy
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
create policy update_own_as_child on app_public.child_privacy
  for update to inner_edu_user
  using (child_id = (select app_public.current_user_id()))
  with check (child_id = (select app_public.current_user_id()));
create policy select_linked_as_parent on app_public.child_privacy
  for select to pas_bot_user
  using (child_id in (select app_hidden.my_child_ids()));

grant select on app_public.child_privacy to pas_bot_user, inner_edu_user;
grant update (share_progress, share_educational_progress, share_play_frequency, share_quest_details,
              share_emotional_state, share_analytics, consent_given_by_child, consent_version, version)
  on app_public.child_privacy to inner_edu_user;

-- quest_privacy: the child's override for one quest they can see.
create policy select_own_as_child on app_public.quest_privacy
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
create policy insert_own_as_child on app_public.quest_privacy
  for insert to inner_edu_user
  with check (child_id = (select app_public.current_user_id())
              and exists (select 1 from app_public.quests q where q.id = quest_privacy.quest_id));
create policy update_own_as_child on app_public.quest_privacy
  for update to inner_edu_user
  using (child_id = (select app_public.current_user_id()))
  with check (child_id = (select app_public.current_user_id()));
create policy select_linked_as_parent on app_public.quest_privacy
  for select to pas_bot_user
  using (child_id in (select app_hidden.my_child_ids()));

grant select on app_public.quest_privacy to pas_bot_user, inner_edu_user;
grant insert (quest_id, share_progress, share_educational_progress, share_play_frequency, share_quest_details,
              share_emotional_state, share_analytics, consent_version)
  on app_public.quest_privacy to inner_edu_user;
grant update (share_progress, share_educational_progress, share_play_frequency, share_quest_details,
              share_emotional_state, share_analytics, consent_version, version)
  on app_public.quest_privacy to inner_edu_user;

-- consent_events: the child's own history (written by trigger only).
create policy select_own_as_child on app_public.consent_events
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));
grant select on app_public.consent_events to inner_edu_user;

grant execute on function app_public.can_share_with_parent(uuid, text, uuid) to pas_bot_user, inner_edu_user;
