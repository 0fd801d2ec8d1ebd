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

-- Erasure requests are made and confirmed through two functions (the code must
-- be checked); a user reads their own (the code's hash included: an HMAC under a
-- key in app_private, which no app role reads, tells nothing; cleared once confirmed).
create policy own_rows on app_public.data_deletion_requests
  for select to pas_bot_user, inner_edu_user
  using (user_id = (select app_public.current_user_id()));
grant select on app_public.data_deletion_requests to pas_bot_user, inner_edu_user;
grant execute on function app_public.request_data_deletion(text), app_public.confirm_data_deletion(uuid, text)
  to pas_bot_user, inner_edu_user;

-- The right of access: anyone signed in exports their own data.
grant execute on function app_public.export_my_data() to pas_bot_user, inner_edu_user;
