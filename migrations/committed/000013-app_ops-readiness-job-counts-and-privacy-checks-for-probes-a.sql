--! Previous: sha1:02b29908ce3e0c135df14eb7ad839360fcc44e04
--! Hash: sha1:c0fc02f92c28b4d4ceae5c5437b75a60e7827974
--! Message: app_ops: readiness, job counts and privacy checks for probes and metrics

-- app_ops: what the API's probes and /metrics read, as functions only. The API
-- connects as app_authenticator, which may read no app table and no internal
-- schema; each function here (security definer) returns a few numbers, nothing
-- about any user but ids, and only app_authenticator may run them (policies/).
create schema if not exists app_ops;
comment on schema app_ops is 'Read-only figures for health probes and metrics: functions only, for app_authenticator.';

-- Readiness: the newest migration applied, and how many worker processes are alive.
-- A worker process holds session advisory locks of class 0x70617331 (1885434673,
-- src/worker/deadWorkers.ts) for as long as it lives: one process, one backend pid.
create or replace function app_ops.readiness(out latest_migration text, out live_workers integer)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select
    (select filename from graphile_migrate.migrations order by date desc, filename desc limit 1),
    (select count(distinct pid)::int from pg_locks
     where locktype = 'advisory' and classid = 1885434673 and objsubid = 2 and granted
       and database = (select oid from pg_database where datname = current_database()));
$$;
comment on function app_ops.readiness() is 'The newest applied migration''s file name and the number of live worker processes.';

-- The job queue now: runnable (due and free), waiting (due later), running
-- (locked by a worker) and failed for good (attempts exhausted). PL/pgSQL, whose
-- body is checked when it runs: graphile-worker installs its schema after the
-- migrations.
create or replace function app_ops.job_counts(out runnable integer, out waiting integer, out running integer, out failed integer)
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  select
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()))::int,
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()))::int,
    (count(*) filter (where j.locked_at is not null))::int,
    (count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts))::int
  into runnable, waiting, running, failed
  from graphile_worker._private_jobs j;
end;
$$;
comment on function app_ops.job_counts() is 'graphile-worker''s queue by state: runnable, waiting, running, failed for good.';

-- Privacy checks (audit-log rows with a decision) after a given audit id, for a
-- counter that follows every client (GraphQL, direct SQL, psql, jobs): the API
-- polls with the last id it saw. With no id, it starts from the newest row.
-- Denied checks come back one by one (at most 100 per call) to be logged as
-- warnings: ids, role, action and kind of data, never a name or content.
-- Ids are taken at insert, so a row whose transaction commits after a newer
-- row was polled is not counted; audited transactions are short, so the counter
-- can miss a few checks of the same instant (the audit log itself misses none).
create or replace function app_ops.privacy_checks_after(after_id bigint)
  returns table (last_id bigint, allowed integer, denied integer, denials jsonb)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  with since as (
    select a.* from app_private.audit_log a
    where after_id is not null and a.id > after_id and a.decision is not null
  )
  select
    coalesce((select max(id) from app_private.audit_log where after_id is null or id > after_id), after_id, 0),
    (select count(*)::int from since where decision = 'allowed'),
    (select count(*)::int from since where decision = 'denied'),
    coalesce((select jsonb_agg(jsonb_build_object('audit_id', d.id, 'at', d.at, 'db_role', d.db_role,
                                                  'acting_user_id', d.acting_user_id, 'action', d.action,
                                                  'data_type', d.data_type, 'subject_id', d.subject_id) order by d.id)
              from (select * from since where decision = 'denied' order by id limit 100) d), '[]');
$$;
comment on function app_ops.privacy_checks_after(bigint) is
  'Counts of allowed and denied privacy checks in the audit log after the given id (none: from now), the newest id, and up to 100 denials.';
