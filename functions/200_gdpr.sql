-- GDPR: erasure requests and their confirmation codes, the data export, and what the retention of
-- inactive accounts reads.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_public.request_data_deletion(reason text DEFAULT NULL::text)
 RETURNS app_public.data_deletion_ticket
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.request_data_deletion(text) is '@arg reason Why (optional; erased with the rest).
Ask for all your data to be erased: returns the request and a one-time code (XXXXX-XXXXX) to confirm it with (confirmDataDeletion) within 24 hours.';

CREATE OR REPLACE FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text)
 RETURNS app_public.data_deletion_requests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.confirm_data_deletion(uuid,text) is '@arg request_id The request from requestDataDeletion.
@arg verification_code The code it returned, as the user typed it (any case; spaces and hyphens ignored).
Confirm an erasure request with its one-time code; the worker then erases every row about you. Errors (INVALID_PARAMETER): a wrong code (with the tries left), a code typed wrong 5 times, an expired code or someone else''s request — ask again for a new code.';

CREATE OR REPLACE FUNCTION app_public.export_my_data()
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_public.current_user_id();
  owners record;
  row_json text;
  rows jsonb;
  tables jsonb := '{}';
begin
  if me is null then
    raise exception 'Sign in to export your data.' using errcode = '42501';
  end if;
  for owners in
    select o.table_name, array_agg(o.owner_column order by o.owner_column) as columns
    from app_private.personal_data_owners o group by o.table_name order by o.table_name
  loop
    select case when count(*) = 0 then 'to_jsonb(t)'
                else format('(to_jsonb(t) - %L::text[]) || jsonb_build_object(%s)',
                  array_agg(e.column_name || '_encrypted' order by e.column_name),
                  string_agg(format('%L, app_public.%I(t)', e.column_name, e.table_name || '_' || e.column_name), ', ' order by e.column_name)) end
      into row_json
      from app_private.encrypted_columns e where e.table_name = owners.table_name;
    execute format(
      'select coalesce(jsonb_agg(%s order by t.created_at, t::text), ''[]'') from app_public.%I t where %s',
      row_json, owners.table_name,
      (select string_agg(format('t.%I = $1', c), ' or ') from unnest(owners.columns) c))
    into rows using me;
    tables := tables || jsonb_build_object(owners.table_name, rows);
  end loop;
  perform app_private.audit('export_my_data', 'users', me, null, 'personal_data', null, '{}');
  return jsonb_build_object('format', 'pas-export/1', 'exported_at', now(), 'user_id', me, 'tables', tables);
end;
$function$;
comment on function app_public.export_my_data() is 'Everything stored about you, as one JSON document: {format, exported_at, user_id, tables: {table: [rows]}} (docs/privacy.md). Audited.';

CREATE OR REPLACE FUNCTION app_private.last_activity(user_ids uuid[])
 RETURNS TABLE(user_id uuid, active_at timestamp with time zone, trace text)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  traces text;
begin
  select string_agg(format('select t.%I, greatest(%s), %L from app_public.%I t where t.%I = any ($1)',
                           o.owner_column, columns.list, o.table_name, o.table_name, o.owner_column), ' union all ')
  into traces
  from app_private.personal_data_owners o
  cross join lateral (
    select string_agg(format('t.%I', a.attname), ', ') as list
    from pg_attribute a
    where a.attrelid = format('app_public.%I', o.table_name)::regclass and a.attnum > 0 and not a.attisdropped
      and a.attname = any (case o.table_name
                             when 'notifications' then array['read_at']::text[]
                             when 'metrics_snapshots' then array[]::text[]
                             when 'milestones' then array[]::text[]
                             when 'user_tracks' then array[]::text[]
                             else array['created_at', 'updated_at']::text[] end)
  ) columns
  where columns.list is not null;

  return query execute format($q$
    select distinct on (t.user_id) t.user_id, t.at, t.trace
    from (
      select u.id, u.last_active_at, 'api' from app_public.users u where u.id = any ($1)
      union all
      select a.acting_user_id, max(a.at), 'audit_log' from app_private.audit_log a where a.acting_user_id = any ($1) group by 1
      union all
      %s
    ) as t (user_id, at, trace)
    where t.at is not null
    order by t.user_id, t.at desc, t.trace
  $q$, traces) using user_ids;
end;
$function$;
comment on function app_private.last_activity(uuid[]) is 'For each given user id (uuid[]): the newest trace of the user''s own acting (active_at, timestamptz) and where it was found (trace: api = last_active_at, audit_log = a row they acted in, else the app_public table of a row they own, by its created_at/updated_at; notifications by read_at; metrics_snapshots, milestones and user_tracks not at all, the jobs write them). One row per existing user; raises nothing. Rule: issue 15 section 3, retention never erases a user active through any path. Owner only.';

CREATE OR REPLACE FUNCTION app_private.retention_review()
 RETURNS TABLE(user_id uuid, kind app_public.user_kind, data_retention_days integer, active_at timestamp with time zone, trace text, notified_at timestamp with time zone, erase_after timestamp with time zone, action text, reason text)
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  with considered as (
    -- Only these need their traces read: past the period by the stored mark, or already told.
    select u.id, u.kind, u.data_retention_days, n.notified_at
    from app_public.users u left join app_private.retention_notices n on n.user_id = u.id
    where (u.last_active_at < now() - make_interval(days => u.data_retention_days) or n.user_id is not null)
      and not exists (select from app_public.data_deletion_requests r where r.user_id = u.id and r.status in ('verified', 'processing'))
  ),
  decided as (
    select c.id, c.kind, c.data_retention_days, l.active_at, l.trace, c.notified_at,
           coalesce(c.notified_at, now()) + interval '30 days' as erase_after,
           case
             when c.notified_at is not null and l.active_at > c.notified_at then 'cancel'
             when c.notified_at is not null and c.notified_at <= now() - interval '30 days' then 'erase'
             when c.notified_at is not null then 'wait'
             when l.active_at < now() - make_interval(days => c.data_retention_days) then 'notify'
             else 'keep'
           end as action
    from considered c join app_private.last_activity(array(select id from considered)) l on l.user_id = c.id
  )
  select d.id, d.kind, d.data_retention_days, d.active_at, d.trace, d.notified_at, d.erase_after, d.action,
         format('last active %s (%s); ', to_char(d.active_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), d.trace) ||
         case d.action
           when 'keep' then format('within data_retention_days %s', d.data_retention_days)
           when 'notify' then format('inactive past data_retention_days %s: notify, erase after %s if still inactive',
                                     d.data_retention_days, to_char(d.erase_after at time zone 'UTC', 'YYYY-MM-DD'))
           when 'wait' then format('notified %s, not active since: erase after %s',
                                   to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'), to_char(d.erase_after at time zone 'UTC', 'YYYY-MM-DD'))
           when 'cancel' then format('active after the notice of %s: notice withdrawn', to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'))
           when 'erase' then format('notified %s, not active since, notice period of 30 days over: erase',
                                    to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'))
         end
  from decided d
  order by d.action, d.id
$function$;
comment on function app_private.retention_review() is 'The retention dry run: one row per user the daily review concerns (stored mark past data_retention_days, or a notice standing; none with a verified or processing erasure request): user_id, kind, data_retention_days, active_at and trace (app_private.last_activity), notified_at, erase_after (notice + 30 days), action (keep, notify, wait, cancel, erase) and a reason in words (dates in UTC). Changes nothing; raises nothing. Rule: issue 15 section 3 and seed 004 (retention review before erasure). Owner only (npm run retention:dry-run).';

CREATE OR REPLACE FUNCTION app_private.erasure_code_canonical(code text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    select upper(regexp_replace(normalize(coalesce(code, ''), NFKC),
                                '[[:space:]' || U&'\200B\200C\200D\2060\FEFF' || '\-' || U&'\2010\2011\2012\2013\2014\2015\2212' || ']',
                                '', 'g'))
  $function$;
comment on function app_private.erasure_code_canonical(text) is 'A typed erasure code as it is compared: NFKC-folded, upper case, whitespace, zero-width spaces, dashes (hyphen-minus, U+2010-2015) and the minus sign (U+2212) removed.';

CREATE OR REPLACE FUNCTION app_private.erasure_code_hash(code text)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select encode(public.hmac(convert_to(app_private.erasure_code_canonical(code), 'UTF8'), k.key, 'sha256'), 'hex')
  from app_private.erasure_code_key k
$function$;
comment on function app_private.erasure_code_hash(text) is 'HMAC-SHA-256 (hex) of an erasure code''s canonical form under app_private.erasure_code_key: what data_deletion_requests.verification_token_hash holds.';

CREATE OR REPLACE FUNCTION app_private.new_erasure_code()
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_private.new_erasure_code() is 'A new erasure confirmation code: 10 random characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (49.5 bits), as XXXXX-XXXXX.';
