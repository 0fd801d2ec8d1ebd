-- The worker's own role runs the job queue. graphile-worker installs its schema
-- (as the owner, who owns everything) with RLS on its private tables and no
-- policy, meaning "owner only"; app_worker gets a policy and grants on exactly
-- that schema, and otherwise only the job functions below (security definer:
-- each does one job's work as the owner; the role itself reads no app table).
revoke all on schema graphile_worker from public;
grant usage on schema graphile_worker to app_worker;
grant select, insert, update, delete on all tables in schema graphile_worker to app_worker;
grant usage, select on all sequences in schema graphile_worker to app_worker;
grant execute on all functions in schema graphile_worker to app_worker;

do $$
declare
  t record;
begin
  for t in
    select c.relname from pg_class c
    where c.relnamespace = 'graphile_worker'::regnamespace and c.relkind = 'r' and c.relrowsecurity
  loop
    execute format('drop policy if exists worker_runs_queue on graphile_worker.%I', t.relname);
    execute format(
      'create policy worker_runs_queue on graphile_worker.%I for all to app_worker using (true) with check (true)',
      t.relname
    );
  end loop;
end;
$$;

grant usage on schema app_jobs to app_worker;
grant execute on function
  app_jobs.refresh_quest_analytics(uuid),
  app_jobs.refresh_quest_analytics_batch(uuid, integer),
  app_jobs.notify_consent_changes(uuid[]),
  app_jobs.detect_milestones(),
  app_jobs.expire_sessions(),
  app_jobs.enforce_retention(),
  app_jobs.request_erasure_of_inactive_users(),
  app_jobs.erase_next_verified_user(),
  app_jobs.snapshot_metrics(date),
  app_jobs.rewrap_data_keys(integer),
  -- Keyed jobs: every run takes its requests first; the worker queues key rotation through request_job.
  app_jobs.take_job_requests(text),
  app_jobs.request_job(text, json, text, timestamptz, text, integer)
  to app_worker;
