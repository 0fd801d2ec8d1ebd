-- quests and quest_nodes.
-- pas_bot_user: the parent's own quests, public approved ones, (for a
-- psychologist) the quests assigned for review, and (for an admin) the quests pending moderation. inner_edu_user: the quests
-- deployed for the child (deployment needs moderation approval) and public approved ones.
create policy select_as_parent on app_public.quests
  for select to pas_bot_user
  using (author_id = (select app_public.current_user_id())
         or (is_public and moderation_status = 'approved' and status <> 'deleted')
         or id in (select app_hidden.my_review_quest_ids())
         -- The moderation queue: an admin reads what they are asked to decide (issue 15).
         or (moderation_status = 'pending' and status <> 'deleted' and (select app_hidden.current_user_kind()) = 'admin'));
create policy select_as_child on app_public.quests
  for select to inner_edu_user
  using ((child_id = (select app_public.current_user_id()) and status = 'deployed')
         or (is_public and moderation_status = 'approved' and status <> 'deleted'));
create policy insert_own on app_public.quests
  for insert to pas_bot_user
  with check (author_id = (select app_public.current_user_id())
              -- create_quest's rule, for plain inserts too: only parents create quests.
              and (select app_hidden.current_user_kind()) = 'parent'
              and (child_id is null or child_id in (select app_hidden.my_child_ids())));
create policy update_own on app_public.quests
  for update to pas_bot_user
  using (author_id = (select app_public.current_user_id()))
  with check (author_id = (select app_public.current_user_id())
              and (child_id is null or child_id in (select app_hidden.my_child_ids())));

grant select on app_public.quests to pas_bot_user, inner_edu_user;
-- Moderation, review and statistics columns are not the author's to write.
grant insert (child_id, title, description, graph_structure, psychological_module, location, difficulty,
              age_range, estimated_duration, tags, is_public)
  on app_public.quests to pas_bot_user;
grant update (child_id, title, description, graph_structure, psychological_module, location, difficulty,
              age_range, estimated_duration, tags, is_public, status, version)
  on app_public.quests to pas_bot_user;

-- quest_nodes follow the quest's visibility (the subquery runs under the quests policies).
-- A correlated exists, not `quest_id in (select id from quests)`: that one is planned as a
-- scan of every visible quest (db:explain found it); this one is a primary-key probe per row.
create policy select_visible on app_public.quest_nodes
  for select to pas_bot_user, inner_edu_user
  using (exists (select 1 from app_public.quests q where q.id = quest_nodes.quest_id));
grant select on app_public.quest_nodes to pas_bot_user, inner_edu_user;
