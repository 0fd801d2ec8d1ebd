-- app_public.family_links: a parent sees their links to children, a child their
-- links to parents. Links are made and removed by trusted flows, not the apps.
create policy select_as_parent on app_public.family_links
  for select to pas_bot_user
  using (parent_id = (select app_public.current_user_id()));

create policy select_as_child on app_public.family_links
  for select to inner_edu_user
  using (child_id = (select app_public.current_user_id()));

grant select on app_public.family_links to pas_bot_user, inner_edu_user;
