--! Previous: sha1:e620f9b54c86cc6d674a29752fe99f64bd9d9947
--! Hash: sha1:7dc8c36c780ae3481b84a0ea30d590350dd61ba0
--! Message: Issue 16: an erasure confirmation code a person can type, with an attempt limit counted durably

--! split: 1-current.sql
-- Enter migration here: idempotent (it is re-run on every change in watch mode).

--! split: 2-erasure-code.sql
-- Issue 16, section 4: the erasure confirmation code is something a person can type.
--
-- The code: 10 characters from a 31-character alphabet without 0/O, 1/I/L (digits 2-9 and the
-- letters but I, L, O), shown as XXXXX-XXXXX; typed back in any case, spaces and hyphens (any
-- dash) ignored. 10 × log2(31) = 49.5 bits. It works for 24 hours and for at most 5 wrong tries
-- (then it is void and the user asks for a new one), so one guess in 31^10 / 5 ≈ 1.6e14 succeeds
-- per code; an attacker holding the user's session who asks for a new code each time still
-- needs ~1e14 requests for an even chance, as the code itself goes only to the user's chat/screen.
-- The wrong tries are counted from durable audit rows (app_private.audit_read commits on its own
-- connection): the refusal's error rolls the caller's transaction back, a counter in the request
-- row would go with it.
-- The stored hash is an HMAC under a key only the owner reads: the user may read their own
-- request row, and a plain SHA-256 of 49.5 bits could be searched offline in hours.

create table if not exists app_private.erasure_code_key (
  only_row boolean primary key default true constraint erasure_code_key_one_row check (only_row),
  key bytea not null default public.gen_random_bytes(32) constraint erasure_code_key_length check (length(key) = 32),
  created_at timestamptz not null default now()
);
revoke all on app_private.erasure_code_key from public;
comment on table app_private.erasure_code_key is
  'The HMAC key of erasure confirmation codes (data_deletion_requests.verification_token_hash), random, one row; read by the owner''s functions only.';
comment on column app_private.erasure_code_key.only_row is 'Always true: the table has one row.';
comment on column app_private.erasure_code_key.key is '32 random bytes.';
comment on column app_private.erasure_code_key.created_at is 'When the key was made.';
insert into app_private.erasure_code_key default values on conflict do nothing;

/* What a typed code is compared as: upper case, without whitespace and dashes. */
create or replace function app_private.erasure_code_canonical(code text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $$ select upper(regexp_replace(coalesce(code, ''), '[[:space:]\-‐‑‒–—]', '', 'g')) $$;
revoke all on function app_private.erasure_code_canonical(text) from public;
comment on function app_private.erasure_code_canonical(text) is
  'A typed erasure code as it is compared: upper case, whitespace and dashes (hyphen-minus, U+2010-2014) removed.';

/* The stored form of a code: HMAC-SHA-256 (hex) of its canonical form. */
create or replace function app_private.erasure_code_hash(code text) returns text
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select encode(public.hmac(convert_to(app_private.erasure_code_canonical(code), 'UTF8'), k.key, 'sha256'), 'hex')
  from app_private.erasure_code_key k
$$;
revoke all on function app_private.erasure_code_hash(text) from public;
comment on function app_private.erasure_code_hash(text) is
  'HMAC-SHA-256 (hex) of an erasure code''s canonical form under app_private.erasure_code_key: what data_deletion_requests.verification_token_hash holds.';

/* A new code: 10 characters drawn uniformly (rejection sampling of random bytes) from the alphabet, as XXXXX-XXXXX. */
create or replace function app_private.new_erasure_code() returns text
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
  as $$
declare
  alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  code text := '';
  pick integer;
begin
  while length(code) < 10 loop
    pick := get_byte(public.gen_random_bytes(1), 0) & 31;
    -- 0..30 index the 31 characters; 31 is drawn again, so every character is equally likely.
    if pick < 31 then
      code := code || substr(alphabet, pick + 1, 1);
    end if;
  end loop;
  return substr(code, 1, 5) || '-' || substr(code, 6);
end;
$$;
revoke all on function app_private.new_erasure_code() from public;
comment on function app_private.new_erasure_code() is
  'A new erasure confirmation code: 10 random characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (49.5 bits), as XXXXX-XXXXX.';

comment on column app_public.data_deletion_ticket.verification_code is
  'Give it to the user only (their Telegram chat, the child''s app screen); it is not stored. 10 characters without 0, O, 1, I or L, as XXXXX-XXXXX; typed back in any case, spaces and hyphens ignored.';
comment on column app_public.data_deletion_requests.verification_token_hash is
  'HMAC-SHA-256 (hex) of the confirmation code, under a key only the database owner reads; the code itself is never stored. Cleared once confirmed.';

/*
 * Step 1, as the user (migration 000014's, with the new code): a pending request and its code.
 * Asking again while a request is pending gives a new code for the same request (the old one
 * stops working, and the new one has its own 5 tries); once a request is confirmed there is
 * nothing more to ask.
 */
create or replace function app_public.request_data_deletion(reason text default null) returns app_public.data_deletion_ticket
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_public.current_user_id();
  code text := app_private.new_erasure_code();
  request_id uuid;
begin
  if me is null then
    raise exception 'Sign in to ask for your data to be erased.' using errcode = '42501';
  end if;
  if exists (select from app_public.data_deletion_requests r where r.user_id = me and r.status in ('verified', 'processing')) then
    raise exception 'Your erasure is confirmed and will be carried out shortly.' using errcode = '22023';
  end if;
  update app_public.data_deletion_requests r
    set verification_token_hash = app_private.erasure_code_hash(code), requested_at = now(),
        reason = coalesce(request_data_deletion.reason, r.reason)
  where r.user_id = me and r.status = 'pending'
  returning r.id into request_id;
  if request_id is null then
    insert into app_public.data_deletion_requests (user_id, reason, verification_token_hash)
    values (me, request_data_deletion.reason, app_private.erasure_code_hash(code))
    returning id into request_id;
  end if;
  return (request_id, code, now() + interval '24 hours')::app_public.data_deletion_ticket;
end;
$$;
comment on function app_public.request_data_deletion(text) is
  E'@arg reason Why (optional; erased with the rest).\nAsk for all your data to be erased: returns the request and a one-time code (XXXXX-XXXXX) to confirm it with (confirmDataDeletion) within 24 hours.';

/*
 * Step 2, as the user: the code confirms the request; the worker erases within minutes. The
 * request row is locked first, so concurrent guesses at one code queue and each counts the
 * wrong tries committed before it (each statement reads what is committed: READ COMMITTED,
 * as GraphQL and the apps run).
 */
create or replace function app_public.confirm_data_deletion(request_id uuid, verification_code text) returns app_public.data_deletion_requests
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  max_wrong constant integer := 5;
  me uuid := app_public.current_user_id();
  request app_public.data_deletion_requests;
  wrong integer;
begin
  select r.* into request from app_public.data_deletion_requests r
  where r.id = confirm_data_deletion.request_id and r.user_id = me and r.status = 'pending'
    and r.verification_token_hash is not null and r.requested_at > now() - interval '24 hours'
  for update;
  if request.id is null then
    raise exception 'The code is wrong or has expired: ask again for a new one.' using errcode = '22023';
  end if;
  -- This code's wrong tries: those since it was issued (asking again issues a new one).
  select count(*) into wrong from app_private.audit_log a
  where a.acting_user_id = me and a.at >= request.requested_at and a.action = 'confirm_data_deletion'
    and a.subject_id = request.id and a.decision = 'denied';
  if wrong >= max_wrong then
    raise exception 'This code was typed wrong % times and no longer works: ask again for a new one.', max_wrong using errcode = '22023';
  end if;
  if request.verification_token_hash is distinct from app_private.erasure_code_hash(verification_code) then
    perform app_private.audit_read('confirm_data_deletion', 'data_deletion_requests', request.id, null, null, 'denied',
                                   jsonb_build_object('wrong_tries', wrong + 1));
    if wrong + 1 < max_wrong then
      raise exception 'The code is wrong (% of % tries left): check it, or ask again for a new one.', max_wrong - wrong - 1, max_wrong
        using errcode = '22023';
    end if;
    raise exception 'The code is wrong and, typed wrong % times, no longer works: ask again for a new one.', max_wrong using errcode = '22023';
  end if;
  update app_public.data_deletion_requests r
    set status = 'verified', verified_at = now(), verification_token_hash = null
  where r.id = request.id
  returning r.* into request;
  return request;
end;
$$;
comment on function app_public.confirm_data_deletion(uuid, text) is
  E'@arg request_id The request from requestDataDeletion.\n@arg verification_code The code it returned, as the user typed it (any case; spaces and hyphens ignored).\nConfirm an erasure request with its one-time code; the worker then erases every row about you. Errors (INVALID_PARAMETER): a wrong code (with the tries left), a code typed wrong 5 times, an expired code or someone else''s request — ask again for a new code.';
