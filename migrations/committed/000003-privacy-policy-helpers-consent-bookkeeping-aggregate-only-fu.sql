--! Previous: sha1:7855f7683aa4b530ffd89e413423869d9242c561
--! Hash: sha1:d7e7299ab126594beffa65c38784d587193d15f6
--! Message: Privacy: policy helpers, consent bookkeeping, aggregate-only functions, audit log

-- Privacy inside Postgres: helpers the policies use, consent bookkeeping,
-- aggregate-only functions for parents, and the append-only audit log.
-- Policies and grants themselves are in policies/.

-- (Re-runs: the graph functions live in app_hidden, move them back before dropping it.)
do $$
begin
  if exists (select 1 from pg_proc where proname = 'quest_graph_problem' and pronamespace = 'app_hidden'::regnamespace) then
    alter function app_hidden.quest_graph_problem(jsonb) set schema app_private;
    alter function app_hidden.yaml_scalar(jsonb) set schema app_private;
    alter function app_hidden.quest_yaml(text, jsonb) set schema app_private;
  end if;
exception when invalid_schema_name then null;
end;
$$;
drop schema if exists app_hidden cascade;
drop table if exists app_private.audit_log cascade;
drop function if exists app_private.audit(text, text, uuid, uuid, text, text, jsonb) cascade;
drop function if exists app_private.tg_audit_log__append_only() cascade;
drop function if exists app_private.tg__audit_write() cascade;
drop function if exists app_private.tg_users__create_child_privacy() cascade;
drop function if exists app_private.tg_consent__record_events() cascade;
drop function if exists app_private.tg_consent__stamp() cascade;
drop function if exists app_private.tg_consent_events__append_only() cascade;
drop function if exists app_private.acting_role() cascade;
drop function if exists app_private.tg_quests__lifecycle_timestamps() cascade;
drop function if exists app_public.can_share_with_parent(uuid, text, uuid) cascade;
drop function if exists app_public.get_quest_analytics(uuid) cascade;
drop function if exists app_public.my_children() cascade;
drop function if exists app_private.consent_flag(uuid, text, uuid) cascade;
drop type if exists app_public.quest_analytics_result cascade;
drop type if exists app_public.child_summary cascade;

/*
 * app_hidden: functions the app roles may execute (policies call them) but
 * that GraphQL does not serve. It holds no table.
 */
create schema app_hidden;
revoke all on schema app_hidden from public;
comment on schema app_hidden is 'Helpers the app roles may execute (from policies) but GraphQL does not expose; no tables.';

create function app_hidden.my_child_ids() returns setof uuid
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select child_id from app_public.family_links where parent_id = app_public.current_user_id()
$$;
comment on function app_hidden.my_child_ids() is 'The children linked to the acting parent (security definer: policies on other tables use it).';

create function app_hidden.current_user_kind() returns app_public.user_kind
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select kind from app_public.users where id = app_public.current_user_id()
$$;
comment on function app_hidden.current_user_kind() is 'The kind (parent, child, psychologist, admin) of the acting user.';

create function app_hidden.my_review_quest_ids() returns setof uuid
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select quest_id from app_public.psychologist_reviews where psychologist_id = app_public.current_user_id()
$$;
comment on function app_hidden.my_review_quest_ids() is 'Quests the acting psychologist is assigned to review.';

------------------------------------------------------------------------------
-- The audit log: append-only, for every role.
------------------------------------------------------------------------------
create table app_private.audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  db_role text not null,
  acting_user_id uuid,
  action text not null,
  subject_table text,
  subject_id uuid,
  child_id uuid,
  data_type text,
  decision text constraint audit_log_decision_known check (decision in ('allowed', 'denied')),
  details jsonb not null default '{}'
);
create index audit_log_child_id_at_idx on app_private.audit_log (child_id, at) where child_id is not null;
create index audit_log_acting_user_id_at_idx on app_private.audit_log (acting_user_id, at);
comment on table app_private.audit_log is 'Who did what to privacy-relevant data, as which role, and whether a consent check allowed it. Append-only.';

/* The role the client acts as: SET ROLE (GraphQL) or the login role (direct SQL). */
create function app_private.acting_role() returns text
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$ select coalesce(nullif(current_setting('role', true), 'none'), session_user::text) $$;

create function app_private.audit(
  action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb default '{}'
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  insert into app_private.audit_log (db_role, acting_user_id, action, subject_table, subject_id, child_id, data_type, decision, details)
  values (app_private.acting_role(), app_public.current_user_id(), action, subject_table, subject_id, child_id, data_type, decision, details)
$$;

-- Nobody edits history: not the apps, not the owner. The one exception is the
-- retention job, which must say so with `set local app.audit_retention = 'on'`
-- and may then only delete rows older than a year.
create function app_private.tg_audit_log__append_only() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'DELETE' and current_setting('app.audit_retention', true) = 'on' and old.at < now() - interval '1 year' then
    return old;
  end if;
  raise exception 'The audit log is append-only: % is not allowed.', tg_op using errcode = '42501';
end;
$$;
create trigger _100_append_only before update or delete on app_private.audit_log
  for each row execute function app_private.tg_audit_log__append_only();
create trigger _100_no_truncate before truncate on app_private.audit_log
  for each statement execute function app_private.tg_audit_log__append_only();

/*
 * Writes to privacy-relevant tables are logged: which row, which columns
 * changed. Never values: some columns are P2 (letters, messages, profiles).
 */
create function app_private.tg__audit_write() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  row_data jsonb := to_jsonb(coalesce(new, old));
  changed text[];
begin
  if tg_op = 'UPDATE' then
    select array_agg(n.key order by n.key) into changed
    from jsonb_each(to_jsonb(new)) n join jsonb_each(to_jsonb(old)) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'version');
  end if;
  perform app_private.audit(
    lower(tg_op), tg_table_name,
    coalesce(row_data ->> 'id', row_data ->> 'child_id', row_data ->> 'user_id')::uuid,
    case when tg_table_name in ('child_privacy', 'quest_privacy') then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'family_links' then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'quests' then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'users' and row_data ->> 'kind' = 'child' then (row_data ->> 'id')::uuid end,
    null, null,
    case when changed is null then '{}'::jsonb else jsonb_build_object('columns', changed) end);
  return null;
end;
$$;

do $$
declare
  t text;
begin
  foreach t in array array['users', 'family_links', 'child_privacy', 'quest_privacy', 'quests', 'psychologist_reviews'] loop
    execute format(
      'create trigger _900_audit after insert or update or delete on app_public.%I for each row execute function app_private.tg__audit_write()', t);
  end loop;
end;
$$;

------------------------------------------------------------------------------
-- Consent
------------------------------------------------------------------------------
-- Every child has privacy defaults from the start: all false.
create function app_private.tg_users__create_child_privacy() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.kind = 'child' then
    insert into app_public.child_privacy (child_id) values (new.id) on conflict do nothing;
  end if;
  return null;
end;
$$;
create trigger _500_create_child_privacy after insert on app_public.users
  for each row execute function app_private.tg_users__create_child_privacy();
insert into app_public.child_privacy (child_id)
select id from app_public.users where kind = 'child' on conflict do nothing;

-- consent_timestamp follows every change of a flag.
create function app_private.tg_consent__stamp() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'INSERT' or (to_jsonb(new) - 'consent_timestamp' - 'updated_at' - 'version')
                         is distinct from (to_jsonb(old) - 'consent_timestamp' - 'updated_at' - 'version') then
    new.consent_timestamp := now();
  end if;
  return new;
end;
$$;
create trigger _200_stamp before insert or update on app_public.child_privacy
  for each row execute function app_private.tg_consent__stamp();
create trigger _200_stamp before insert or update on app_public.quest_privacy
  for each row execute function app_private.tg_consent__stamp();

-- Each changed flag appends a consent_events row, in the same transaction.
create function app_private.tg_consent__record_events() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  insert into app_public.consent_events (child_id, quest_id, flag, old_value, new_value, consent_version)
  select new.child_id, case when tg_table_name = 'quest_privacy' then (to_jsonb(new) ->> 'quest_id')::uuid end,
         n.key, case when tg_op = 'UPDATE' then (to_jsonb(old) ->> n.key)::boolean end, n.value::boolean, new.consent_version
  from jsonb_each_text(to_jsonb(new)) n
  where (n.key like 'share\_%' or n.key = 'consent_given_by_child')
    and (tg_op = 'INSERT' and tg_table_name = 'quest_privacy' or tg_op = 'UPDATE')
    and (tg_op = 'INSERT' or n.value is distinct from to_jsonb(old) ->> n.key);
  return null;
end;
$$;
create trigger _800_record_events after insert or update on app_public.child_privacy
  for each row execute function app_private.tg_consent__record_events();
create trigger _800_record_events after insert or update on app_public.quest_privacy
  for each row execute function app_private.tg_consent__record_events();

-- consent_events is history: never edited; rows leave only with their child (erasure).
create function app_private.tg_consent_events__append_only() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from app_public.users where id = old.child_id) then
    return old;
  end if;
  raise exception 'consent_events is append-only: % is not allowed.', tg_op using errcode = '42501';
end;
$$;
create trigger _100_append_only before update or delete on app_public.consent_events
  for each row execute function app_private.tg_consent_events__append_only();

/*
 * The consent in force for one flag: a quest_privacy row for that quest wins
 * over the child's defaults; no row at all means no.
 */
create function app_private.consent_flag(child_id uuid, flag text, quest_id uuid) returns boolean
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
declare
  result boolean;
begin
  if quest_id is not null then
    -- (EXECUTE does not set FOUND; the flags are NOT NULL, so null means no override row.)
    execute format('select %I from app_public.quest_privacy where child_id = $1 and quest_id = $2', flag)
      into result using child_id, quest_id;
    if result is not null then
      return result;
    end if;
  end if;
  execute format('select %I from app_public.child_privacy where child_id = $1', flag) into result using child_id;
  return coalesce(result, false);
end;
$$;

-- Stable so GraphQL serves it as a query; the audit insert happens in the volatile app_private.audit().
create function app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid default null) returns boolean
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  allowed boolean;
begin
  if data_type not in ('progress', 'educational_progress', 'play_frequency', 'quest_details', 'emotional_state', 'analytics') then
    raise exception 'Unknown data type "%": use progress, educational_progress, play_frequency, quest_details, emotional_state or analytics.', data_type
      using errcode = '22023';
  end if;
  -- Only the child and the child's linked parents may ask; anyone else learns nothing.
  allowed := (child_id = app_public.current_user_id() or child_id in (select app_hidden.my_child_ids()))
             and app_private.consent_flag(child_id, 'share_' || data_type, quest_id);
  perform app_private.audit('can_share_with_parent', 'quests', quest_id, child_id, data_type,
                            case when allowed then 'allowed' else 'denied' end);
  return allowed;
end;
$$;
comment on function app_public.can_share_with_parent(uuid, text, uuid) is
  'Whether the child consented to share this kind of data (progress, educational_progress, play_frequency, quest_details, emotional_state, analytics) with their parents, for a quest (its override wins) or by default. False for anyone but the child and their linked parents. Every call is audited.';

------------------------------------------------------------------------------
-- Aggregate-only access for parents
------------------------------------------------------------------------------
create type app_public.quest_analytics_result as (
  quest_id uuid,
  consent_status text,
  children_count integer,
  total_starts integer,
  total_completions integer,
  completion_rate double precision,
  avg_completion_time integer,
  nodes_completed integer,
  total_nodes integer,
  completion_percentage integer,
  last_played timestamptz,
  play_count integer,
  total_time_minutes double precision,
  educational_progress jsonb,
  avg_xp_earned double precision,
  reveal_view_rate double precision
);
comment on type app_public.quest_analytics_result is 'Aggregates of a quest''s play as a parent may see them: a figure the child did not consent to share is null.';
comment on column app_public.quest_analytics_result.quest_id is 'The quest.';
comment on column app_public.quest_analytics_result.consent_status is 'consented, partially_consented, not_consented (show "Child hasn''t consented"), too_few_children (fewer than 5 children in a cross-child group), or not_found (no such quest of yours).';
comment on column app_public.quest_analytics_result.children_count is 'How many children the figures cover (null unless at least one figure is shown).';
comment on column app_public.quest_analytics_result.total_starts is 'Plays started (completion consent).';
comment on column app_public.quest_analytics_result.total_completions is 'Plays completed (completion consent).';
comment on column app_public.quest_analytics_result.completion_rate is 'Completions / starts, 0-1 (completion consent).';
comment on column app_public.quest_analytics_result.avg_completion_time is 'Average seconds to complete (completion consent).';
comment on column app_public.quest_analytics_result.nodes_completed is 'Nodes completed (completion consent).';
comment on column app_public.quest_analytics_result.total_nodes is 'Nodes in the quest.';
comment on column app_public.quest_analytics_result.completion_percentage is 'Percent complete, 0-100 (completion consent).';
comment on column app_public.quest_analytics_result.last_played is 'When it was last played (play-frequency consent).';
comment on column app_public.quest_analytics_result.play_count is 'Play sessions (play-frequency consent).';
comment on column app_public.quest_analytics_result.total_time_minutes is 'Minutes played (play-frequency consent).';
comment on column app_public.quest_analytics_result.educational_progress is 'Educational progress by skill (educational consent).';
comment on column app_public.quest_analytics_result.avg_xp_earned is 'Average XP per play (analytics consent).';
comment on column app_public.quest_analytics_result.reveal_view_rate is 'Share of plays that reached a reveal moment (analytics consent).';

/*
 * For the quest's author (a parent). A personal quest's figures are its
 * child's, each group of figures shown only with the matching consent. A quest
 * played by several children (public) shows cross-child figures over the
 * children who consented, and only when at least 5 of them did: there is no
 * filter argument, so the group cannot be narrowed. Every call is audited.
 */
create function app_public.get_quest_analytics(quest_id uuid) returns app_public.quest_analytics_result
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  q record;
  r app_public.quest_analytics_result;
  share_progress boolean;
  share_frequency boolean;
  share_educational boolean;
  share_analytics boolean;
  players uuid[];
  min_group constant integer := 5;
begin
  r.quest_id := get_quest_analytics.quest_id;
  select id, author_id, child_id, jsonb_array_length(graph_structure -> 'nodes') as node_count into q
  from app_public.quests where id = get_quest_analytics.quest_id and author_id = app_public.current_user_id();
  if not found then
    r.consent_status := 'not_found';
    perform app_private.audit('get_quest_analytics', 'quests', get_quest_analytics.quest_id, null, 'analytics', 'denied',
                              '{"reason": "not the author"}');
    return r;
  end if;
  r.total_nodes := q.node_count;

  if q.child_id is not null then
    -- A personal quest: one child, consent per kind of figure.
    share_progress := app_private.consent_flag(q.child_id, 'share_progress', q.id);
    share_frequency := app_private.consent_flag(q.child_id, 'share_play_frequency', q.id);
    share_educational := app_private.consent_flag(q.child_id, 'share_educational_progress', q.id);
    share_analytics := app_private.consent_flag(q.child_id, 'share_analytics', q.id);
    players := array[q.child_id];
  else
    -- Played by many: only children who consented to analytics count, and only 5 or more of them.
    select coalesce(array_agg(p.child_id), '{}') into players
    from app_public.quest_progress p
    where p.quest_id = q.id and app_private.consent_flag(p.child_id, 'share_analytics', q.id);
    if cardinality(players) < min_group then
      r.consent_status := 'too_few_children';
      perform app_private.audit('get_quest_analytics', 'quests', q.id, null, 'analytics', 'denied',
                                jsonb_build_object('reason', 'fewer than 5 consenting children'));
      return r;
    end if;
    share_progress := true; share_frequency := true; share_educational := true; share_analytics := true;
  end if;

  r.consent_status := case
    when share_progress and share_frequency and share_educational and share_analytics then 'consented'
    when share_progress or share_frequency or share_educational or share_analytics then 'partially_consented'
    else 'not_consented' end;

  if r.consent_status <> 'not_consented' then
    r.children_count := cardinality(players);
    select
      case when share_progress then count(*)::int end,
      case when share_progress then (count(*) filter (where p.completed))::int end,
      case when share_progress then coalesce((count(*) filter (where p.completed))::float8 / nullif(count(*), 0), 0) end,
      case when share_progress then (avg(extract(epoch from p.completed_at - p.started_at)) filter (where p.completed))::int end,
      case when share_progress then sum(p.nodes_completed)::int end,
      case when share_progress then round(avg(p.completion_percentage))::int end,
      case when share_frequency then max(p.last_played_at) end,
      case when share_frequency then sum(p.session_count)::int end,
      case when share_frequency then sum(p.total_time_minutes)::float8 end,
      case when share_educational and count(*) = 1 then max(p.educational_progress::text)::jsonb end,
      case when share_analytics then avg(p.xp_earned)::float8 end,
      case when share_analytics then coalesce((count(*) filter (where p.reveal_moments_viewed > 0))::float8 / nullif(count(*), 0), 0) end
    into r.total_starts, r.total_completions, r.completion_rate, r.avg_completion_time, r.nodes_completed,
         r.completion_percentage, r.last_played, r.play_count, r.total_time_minutes, r.educational_progress,
         r.avg_xp_earned, r.reveal_view_rate
    from app_public.quest_progress p
    where p.quest_id = q.id and p.child_id = any (players);
  end if;

  perform app_private.audit('get_quest_analytics', 'quests', q.id, q.child_id, 'analytics',
                            case when r.consent_status = 'not_consented' then 'denied' else 'allowed' end,
                            jsonb_build_object('consent_status', r.consent_status));
  return r;
end;
$$;
comment on function app_public.get_quest_analytics(uuid) is
  'Aggregates of a quest''s play for its author: only what the child consented to share (the rest null), with a consent_status; cross-child figures need at least 5 consenting children. Audited.';

/* A parent's linked children: their id and display name, nothing else. */
create type app_public.child_summary as (id uuid, display_name text);
comment on type app_public.child_summary is 'What a parent sees of a linked child''s user row.';
comment on column app_public.child_summary.id is 'The child''s user id.';
comment on column app_public.child_summary.display_name is 'The child''s display name.';

create function app_public.my_children() returns setof app_public.child_summary
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select u.id, u.display_name from app_public.users u
  where u.id in (select app_hidden.my_child_ids()) order by u.display_name, u.id
$$;
comment on function app_public.my_children() is 'The acting parent''s linked children: id and display name only.';

------------------------------------------------------------------------------
-- Quest lifecycle: the timestamps follow the status, so clients only set the status.
------------------------------------------------------------------------------
create function app_private.tg_quests__lifecycle_timestamps() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.status = 'deleted' and new.deleted_at is null then new.deleted_at := now(); end if;
  if new.status <> 'deleted' then new.deleted_at := null; end if;
  if new.status = 'deployed' and new.deployed_at is null then new.deployed_at := now(); end if;
  if new.is_public and new.published_at is null then new.published_at := now(); end if;
  if not new.is_public then new.published_at := null; end if;
  return new;
end;
$$;
create trigger _150_lifecycle_timestamps before insert or update on app_public.quests
  for each row execute function app_private.tg_quests__lifecycle_timestamps();

------------------------------------------------------------------------------
-- Rows the apps create belong to the acting user by default (policies check it).
------------------------------------------------------------------------------
do $$
declare
  t record;
begin
  for t in
    select c.relname, a.attname from pg_class c join pg_attribute a on a.attrelid = c.oid
    where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r' and not a.attisdropped
      and (a.attname = 'user_id'
        or (a.attname = 'child_id' and c.relname in ('quest_privacy', 'quest_progress', 'child_progress', 'achievements'))
        or (a.attname = 'author_id' and c.relname = 'quests')
        or (a.attname = 'parent_id' and c.relname = 'psychologist_reviews'))
  loop
    execute format('alter table app_public.%I alter column %I set default app_public.current_user_id()', t.relname, t.attname);
  end loop;
end;
$$;

------------------------------------------------------------------------------
-- The quest-graph functions run as the app roles too (a CHECK and a trigger
-- call them on their writes), so they live where those roles may execute them.
------------------------------------------------------------------------------
do $$
begin
  if exists (select 1 from pg_proc where proname = 'quest_graph_problem' and pronamespace = 'app_private'::regnamespace) then
    alter function app_private.quest_graph_problem(jsonb) set schema app_hidden;
    alter function app_private.yaml_scalar(jsonb) set schema app_hidden;
    alter function app_private.quest_yaml(text, jsonb) set schema app_hidden;
  end if;
end;
$$;
alter function app_hidden.quest_yaml(text, jsonb) set search_path = pg_catalog, app_hidden, pg_temp;
alter function app_private.tg_quests__derive_from_graph() set search_path = pg_catalog, app_hidden, pg_temp;
