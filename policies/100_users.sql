-- app_public.users: each app sees and renames only the acting user's own row.
-- A parent sees linked children only through app_public.my_children() (id and name).
create policy select_own on app_public.users
  for select to pas_bot_user, inner_edu_user
  using (id = (select app_public.current_user_id()));

create policy update_own on app_public.users
  for update to pas_bot_user, inner_edu_user
  using (id = (select app_public.current_user_id()))
  with check (id = (select app_public.current_user_id()));

grant select on app_public.users to pas_bot_user, inner_edu_user;
-- `version` is writable so a client can name the version it read (optimistic locking).
grant update (display_name, version) on app_public.users to pas_bot_user, inner_edu_user;

grant execute on function app_public.my_children() to pas_bot_user;
