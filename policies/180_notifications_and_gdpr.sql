-- Both apps: a user's own notifications (mark as read) and erasure requests.
create policy own_rows on app_public.notifications
  for select to pas_bot_user, inner_edu_user
  using (user_id = (select app_public.current_user_id()));
create policy mark_own_read on app_public.notifications
  for update to pas_bot_user, inner_edu_user
  using (user_id = (select app_public.current_user_id()))
  with check (user_id = (select app_public.current_user_id()));
grant select on app_public.notifications to pas_bot_user, inner_edu_user;
grant update (read_at) on app_public.notifications to pas_bot_user, inner_edu_user;

create policy own_rows on app_public.data_deletion_requests
  for select to pas_bot_user, inner_edu_user
  using (user_id = (select app_public.current_user_id()));
create policy request_own on app_public.data_deletion_requests
  for insert to pas_bot_user, inner_edu_user
  with check (user_id = (select app_public.current_user_id()));
grant select on app_public.data_deletion_requests to pas_bot_user, inner_edu_user;
grant insert (reason) on app_public.data_deletion_requests to pas_bot_user, inner_edu_user;
