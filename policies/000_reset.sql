-- Start from nothing, so these files are the whole truth: a policy or grant
-- removed from a file disappears from the database on the next migrate.
-- (All of policies/ runs in one transaction: nobody sees the empty state.)
do $$
declare
  p record;
begin
  for p in
    select schemaname, tablename, policyname from pg_policies
    where schemaname in ('app_public', 'app_private')
  loop
    execute format('drop policy %I on %I.%I', p.policyname, p.schemaname, p.tablename);
  end loop;
end;
$$;

revoke all on all tables in schema app_public, app_private
  from public, app_authenticator, pas_bot_user, inner_edu_user, app_worker;
revoke all on all sequences in schema app_public, app_private
  from public, app_authenticator, pas_bot_user, inner_edu_user, app_worker;
revoke all on all functions in schema app_public, app_private, app_hidden, app_jobs, app_ops
  from public, app_authenticator, pas_bot_user, inner_edu_user, app_worker;
revoke all on schema app_public, app_private, app_hidden, app_jobs, app_ops
  from public, app_authenticator, pas_bot_user, inner_edu_user, app_worker;
