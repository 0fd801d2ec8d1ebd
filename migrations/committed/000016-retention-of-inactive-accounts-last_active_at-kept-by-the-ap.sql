--! Previous: sha1:a7fe715b508931cd9c4fdb4392c0cb0c307d0072
--! Hash: sha1:94a9f3b80d3e8af2207374bb4bb57c6fcdbc47c3
--! Message: Retention of inactive accounts: last_active_at kept by the API, erasure requested past data_retention_days

-- Retention of whole accounts (seed 004, issue 8): a user who has not used
-- either app for their data_retention_days is erased, through the same path as
-- an erasure they asked for. For that, last_active_at is kept: the API marks it
-- (at most hourly, app_ops.record_activity); being active is not an edit, so
-- it neither bumps the row's version nor writes an audit row.

drop function if exists app_ops.record_activity(uuid) cascade;
drop function if exists app_jobs.request_erasure_of_inactive_users() cascade;

-- Version and audit follow every column but last_active_at.
do $$
declare
  columns text := (
    select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
    where attrelid = 'app_public.users'::regclass and attnum > 0 and not attisdropped and attname <> 'last_active_at');
begin
  drop trigger if exists _100_row_metadata on app_public.users;
  execute format('create trigger _100_row_metadata before update of %s on app_public.users '
                 'for each row execute function app_private.tg__row_metadata()', columns);
  drop trigger if exists _900_audit on app_public.users;
  execute format('create trigger _900_audit after insert or delete or update of %s on app_public.users '
                 'for each row execute function app_private.tg__audit_write()', columns);
end;
$$;

-- Activity was not recorded before: the clock starts now for everyone.
update app_public.users set last_active_at = now() where last_active_at is null;
alter table app_public.users alter column last_active_at set default now(), alter column last_active_at set not null;
comment on column app_public.users.last_active_at is 'When the user last used either app (kept hourly by the API; since account creation or the start of tracking).';

-- No index on last_active_at: the hourly mark stays a HOT update, and the daily
-- retention query reads every user anyway (each has their own period).

comment on schema app_ops is 'What the API itself runs as app_authenticator: health and metrics figures, and marking a signed-in user active. Functions only.';

create function app_ops.record_activity(user_id uuid) returns boolean
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  with marked as (
    update app_public.users u set last_active_at = now()
    where u.id = record_activity.user_id and u.last_active_at < now() - interval '1 hour'
    returning 1)
  select exists (select from marked);
$$;
comment on function app_ops.record_activity(uuid) is
  'The API marks a signed-in user active (at most once an hour takes a write); true when it wrote.';

/*
 * Part of the daily enforce_retention job: every user inactive for longer than
 * their data_retention_days gets a verified erasure request (reason
 * "retention"), which process_deletion_requests carries out like any other.
 */
create function app_jobs.request_erasure_of_inactive_users() returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  requested integer;
begin
  insert into app_public.data_deletion_requests (user_id, status, verified_at, reason)
  select u.id, 'verified', now(), 'retention'
  from app_public.users u
  where u.last_active_at < now() - make_interval(days => u.data_retention_days)
    and not exists (select from app_public.data_deletion_requests r where r.user_id = u.id and r.status in ('verified', 'processing'));
  get diagnostics requested = row_count;
  return requested;
end;
$$;
comment on function app_jobs.request_erasure_of_inactive_users() is
  'The enforce_retention job''s second part: a verified erasure request for every user inactive past their data_retention_days; returns how many.';

-- The erasure's audit row says why it happened (the request's reason is erased with the rest).
create or replace function app_jobs.erase_next_verified_user() returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  request record;
  erased text;
begin
  select r.id, r.user_id, r.reason = 'retention' as retention into request from app_public.data_deletion_requests r
  where r.status = 'verified' order by r.verified_at, r.id limit 1
  for update skip locked;
  if not found then
    return null;
  end if;
  erased := request.user_id::text;
  -- Other users' rows about them: their parents' notifications name the child.
  delete from app_public.notifications n where n.data ? 'child_id' and n.data ->> 'child_id' = erased;
  -- Their own rows, by the foreign keys (the audit triggers log these deletions with the ids, blanked below).
  delete from app_public.users where id = request.user_id;
  update app_public.data_deletion_requests
    set status = 'completed', processed_at = now(), reason = null, verification_token_hash = null
  where id = request.id;
  -- The audit log keeps what happened, not to whom.
  set local app.audit_erasure = 'on';
  update app_private.audit_log a set acting_user_id = null where a.acting_user_id = request.user_id;
  update app_private.audit_log a set child_id = null where a.child_id = request.user_id;
  update app_private.audit_log a set subject_id = null
  where a.subject_table in ('users', 'child_privacy') and a.subject_id = request.user_id;
  set local app.audit_erasure = 'off';
  perform app_private.audit('erasure', 'data_deletion_requests', request.id, null, null, null,
                            jsonb_build_object('cause', case when request.retention then 'retention' else 'request' end));
  return request.id;
end;
$$;
comment on function app_jobs.erase_next_verified_user() is
  'The process_deletion_requests job, one request per call: erases every row naming the user of the oldest verified request (their rows, notifications about them, their ids in the audit log), records the erasure and its cause (request or retention), completes the request; null when none is left.';
