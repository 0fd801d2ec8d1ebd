-- What the API process and a standalone worker run as themselves (app_ops): readiness, the job queue,
-- privacy checks, activity; functions only, returning counts and ids.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select
    (select filename from graphile_migrate.migrations order by date desc, filename desc limit 1),
    (select count(distinct pid)::int from pg_locks
     where locktype = 'advisory' and classid = 1885434673 and objsubid = 2 and granted
       and database = (select oid from pg_database where datname = current_database()));
$function$;
comment on function app_ops.readiness() is 'The newest applied migration''s file name and the number of live worker processes.';

CREATE OR REPLACE FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer)
 RETURNS record
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  select
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()))::int,
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()))::int,
    (count(*) filter (where j.locked_at is not null))::int,
    (count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts))::int
  into runnable, waiting, running, failed
  from graphile_worker._private_jobs j;
end;
$function$;
comment on function app_ops.job_counts() is 'graphile-worker''s queue by state: runnable, waiting, running, failed for good.';

CREATE OR REPLACE FUNCTION app_ops.privacy_checks_after(after_id bigint)
 RETURNS TABLE(last_id bigint, allowed integer, denied integer, denials jsonb)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_ops.privacy_checks_after(bigint) is 'Counts of allowed and denied privacy checks in the audit log after the given id (none: from now), the newest id, and up to 100 denials.';

CREATE OR REPLACE FUNCTION app_ops.record_activity(user_id uuid)
 RETURNS boolean
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  with marked as (
    update app_public.users u set last_active_at = now()
    where u.id = record_activity.user_id and u.last_active_at < now() - interval '1 hour'
    returning 1)
  select exists (select from marked);
$function$;
comment on function app_ops.record_activity(uuid) is 'The API marks a signed-in user active (at most once an hour takes a write); true when it wrote.';

CREATE OR REPLACE FUNCTION app_ops.data_keys_by_master_key()
 RETURNS TABLE(master_key_id text, data_keys bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$ select k.master_key_id, count(*) from app_private.user_data_keys k group by k.master_key_id order by 1 $function$;
comment on function app_ops.data_keys_by_master_key() is 'How many data keys each master key (by id) wraps: during a rotation, the old id''s count falls to 0.';

CREATE OR REPLACE FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select app_private.acting_kind_problem(acting_role, (select u.kind from app_public.users u where u.id = user_id))
$function$;
comment on function app_ops.acting_kind_problem(text,uuid) is 'For the API, before a request runs: why the app role (pas_bot_user or inner_edu_user) may not act as this user (a sentence for the client), or null when it may or the user is unknown. Same rule as app_public.current_user_id() (SQLSTATE ACTOR there); CONTRACT "Rules made explicit".';

CREATE OR REPLACE FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select (count(*) filter (where r.attempts = 0))::int, (count(*) filter (where r.attempts > 0))::int
  from app_public.data_deletion_requests r where r.status = 'verified';
$function$;
comment on function app_ops.erasure_queue() is 'Verified erasure requests not yet completed: queued (never failed) and failing (failed at least once, retried with backoff). Counts only. For the erasure_requests gauge and its alert rules (docs/operations.md).';
