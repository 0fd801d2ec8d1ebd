--! Previous: sha1:c0fc02f92c28b4d4ceae5c5437b75a60e7827974
--! Hash: sha1:1bf99dad59aca2f5c4b0317a1c0e1f707c1e4fcc
--! Message: GDPR erasure: confirmed requests, other users' notifications and the audit log's ids

-- GDPR erasure, end to end (issue 8): a request the user confirms with a
-- one-time code, then the worker erases every row that names them — their own
-- rows by the foreign keys, other users' notifications about them, their ids
-- in the audit log — leaving in the audit log only that an erasure happened.

drop function if exists app_public.request_data_deletion(text) cascade;
drop function if exists app_public.confirm_data_deletion(uuid, text) cascade;
drop type if exists app_public.data_deletion_ticket cascade;

create type app_public.data_deletion_ticket as (request_id uuid, verification_code text, expires_at timestamptz);
comment on type app_public.data_deletion_ticket is 'A pending erasure request and the one-time code that confirms it.';
comment on column app_public.data_deletion_ticket.request_id is 'The request to confirm.';
comment on column app_public.data_deletion_ticket.verification_code is 'Give it to the user only (their Telegram chat, the child''s app screen); it is not stored.';
comment on column app_public.data_deletion_ticket.expires_at is 'The code works until then (24 hours).';

/*
 * Step 1, as the user: a pending request and its code. Asking again while a
 * request is pending gives a new code for the same request (the old one stops
 * working); once a request is confirmed there is nothing more to ask.
 */
create function app_public.request_data_deletion(reason text default null) returns app_public.data_deletion_ticket
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_public.current_user_id();
  code text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  request_id uuid;
begin
  if me is null then
    raise exception 'Sign in to ask for your data to be erased.' using errcode = '42501';
  end if;
  if exists (select from app_public.data_deletion_requests r where r.user_id = me and r.status in ('verified', 'processing')) then
    raise exception 'Your erasure is confirmed and will be carried out shortly.' using errcode = '22023';
  end if;
  update app_public.data_deletion_requests r
    set verification_token_hash = encode(sha256(convert_to(code, 'UTF8')), 'hex'), requested_at = now(),
        reason = coalesce(request_data_deletion.reason, r.reason)
  where r.user_id = me and r.status = 'pending'
  returning r.id into request_id;
  if request_id is null then
    insert into app_public.data_deletion_requests (user_id, reason, verification_token_hash)
    values (me, request_data_deletion.reason, encode(sha256(convert_to(code, 'UTF8')), 'hex'))
    returning id into request_id;
  end if;
  return (request_id, code, now() + interval '24 hours')::app_public.data_deletion_ticket;
end;
$$;
comment on function app_public.request_data_deletion(text) is
  E'@arg reason Why (optional; erased with the rest).\nAsk for all your data to be erased: returns the request and a one-time code to confirm it with (confirmDataDeletion) within 24 hours.';

/* Step 2, as the user: the code confirms the request; the worker erases within minutes. */
create function app_public.confirm_data_deletion(request_id uuid, verification_code text) returns app_public.data_deletion_requests
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  request app_public.data_deletion_requests;
begin
  update app_public.data_deletion_requests r
    set status = 'verified', verified_at = now(), verification_token_hash = null
  where r.id = confirm_data_deletion.request_id and r.user_id = app_public.current_user_id() and r.status = 'pending'
    and r.requested_at > now() - interval '24 hours'
    and r.verification_token_hash = encode(sha256(convert_to(coalesce(verification_code, ''), 'UTF8')), 'hex')
  returning r.* into request;
  if request.id is null then
    raise exception 'The code is wrong or has expired: ask again for a new one.' using errcode = '22023';
  end if;
  return request;
end;
$$;
comment on function app_public.confirm_data_deletion(uuid, text) is
  E'@arg request_id The request from requestDataDeletion.\n@arg verification_code The code it returned.\nConfirm an erasure request with its one-time code; the worker then erases every row about you.';

-- The audit log stays append-only; the erasure job alone may blank the erased
-- user's ids in it (nothing else in the row), after saying so with
-- `set local app.audit_erasure = 'on'`.
create or replace function app_private.tg_audit_log__append_only() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'DELETE' and current_setting('app.audit_retention', true) = 'on' and old.at < now() - interval '1 year' then
    return old;
  end if;
  if tg_op = 'UPDATE' and current_setting('app.audit_erasure', true) = 'on'
     and (new.id, new.at, new.db_role, new.action, new.subject_table, new.data_type, new.decision, new.details)
         is not distinct from (old.id, old.at, old.db_role, old.action, old.subject_table, old.data_type, old.decision, old.details)
     and (new.acting_user_id is null or new.acting_user_id = old.acting_user_id)
     and (new.child_id is null or new.child_id = old.child_id)
     and (new.subject_id is null or new.subject_id = old.subject_id) then
    return new;
  end if;
  raise exception 'The audit log is append-only: % is not allowed.', tg_op using errcode = '42501';
end;
$$;

-- What the erasure looks up. A user's id is the subject of audit rows about
-- the users and child_privacy tables only (others have an id of their own).
drop index if exists app_private.audit_log_user_subject_idx;
create index audit_log_user_subject_idx on app_private.audit_log (subject_id) where subject_table in ('users', 'child_privacy');
drop index if exists app_public.notifications_about_child_idx;
create index notifications_about_child_idx on app_public.notifications ((data ->> 'child_id')) where data ? 'child_id';

create or replace function app_jobs.erase_next_verified_user() returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  request record;
  erased text;
begin
  select r.id, r.user_id into request from app_public.data_deletion_requests r
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
  perform app_private.audit('erasure', 'data_deletion_requests', request.id, null, null, null, '{}');
  return request.id;
end;
$$;
comment on function app_jobs.erase_next_verified_user() is
  'The process_deletion_requests job, one request per call: erases every row naming the user of the oldest verified request (their rows, notifications about them, their ids in the audit log), records the erasure, completes the request; null when none is left.';
