-- Consent and what it releases: the consent flags and their history (stamp, events, append-only,
-- parents notified), the only path from a child's play to a parent (get_quest_analytics and the
-- release rules: noise, minimum counts, withheld figures), and the triggers that queue an analytics
-- refresh when play or consent changes.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_private.tg_consent__stamp()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if tg_op = 'INSERT' or (to_jsonb(new) - 'consent_timestamp' - 'updated_at' - 'version')
                         is distinct from (to_jsonb(old) - 'consent_timestamp' - 'updated_at' - 'version') then
    new.consent_timestamp := now();
  end if;
  return new;
end;
$function$;

CREATE OR REPLACE TRIGGER _200_stamp BEFORE INSERT OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__stamp();
CREATE OR REPLACE TRIGGER _200_stamp BEFORE INSERT OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__stamp();

CREATE OR REPLACE FUNCTION app_private.tg_consent__record_events()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

CREATE OR REPLACE TRIGGER _800_record_events AFTER INSERT OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__record_events();
CREATE OR REPLACE TRIGGER _800_record_events AFTER INSERT OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__record_events();

CREATE OR REPLACE FUNCTION app_private.tg_consent_events__append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if tg_op = 'DELETE' and not exists (select 1 from app_public.users where id = old.child_id) then
    return old;
  end if;
  if tg_op = 'UPDATE' and old.quest_id is not null and new.quest_id is null
     and to_jsonb(new) - 'quest_id' = to_jsonb(old) - 'quest_id'
     and not exists (select 1 from app_public.quests where id = old.quest_id) then
    perform app_private.audit('unlink_deleted_quest', 'consent_events', old.id, old.child_id, null, null, '{}');
    return new;
  end if;
  raise exception 'consent_events is append-only: % is not allowed.', tg_op using errcode = '42501';
end;
$function$;
comment on function app_private.tg_consent_events__append_only() is 'consent_events is append-only (trigger): refuses UPDATE and DELETE (SQLSTATE 42501) except a DELETE of a row whose child no longer exists (erasure of the child, by the foreign key) and an UPDATE that only sets quest_id to null once that quest no longer exists (its deletion, by the foreign key; audited as unlink_deleted_quest with the child''s id). The rule of issue 15, section 2: the consent history is the child''s.';

CREATE OR REPLACE TRIGGER _100_append_only BEFORE DELETE OR UPDATE ON app_public.consent_events FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent_events__append_only();

CREATE OR REPLACE FUNCTION app_private.consent_flag(child_id uuid, flag text, quest_id uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  override app_public.quest_privacy;
  defaults app_public.child_privacy;
begin
  if flag not in ('share_progress', 'share_educational_progress', 'share_play_frequency', 'share_quest_details',
                  'share_emotional_state', 'share_analytics') then
    raise exception 'Unknown consent flag "%".', flag using errcode = '22023';
  end if;
  if quest_id is not null then
    select * into override from app_public.quest_privacy p where p.child_id = consent_flag.child_id and p.quest_id = consent_flag.quest_id;
    if found then
      return (to_jsonb(override) ->> flag)::boolean;
    end if;
  end if;
  select * into defaults from app_public.child_privacy p where p.child_id = consent_flag.child_id;
  return coalesce((to_jsonb(defaults) ->> flag)::boolean, false);
end;
$function$;

CREATE OR REPLACE FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid DEFAULT NULL::uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
  perform app_private.audit_read('can_share_with_parent', 'quests', quest_id, child_id, data_type,
                                 case when allowed then 'allowed' else 'denied' end);
  return allowed;
end;
$function$;
comment on function app_public.can_share_with_parent(uuid,text,uuid) is 'Whether the child consented to share this kind of data (progress, educational_progress, play_frequency, quest_details, emotional_state, analytics) with their parents, for a quest (its override wins) or by default. False for anyone but the child and their linked parents. Every call is audited durably: the record survives the caller''s rollback. Errors: 22023 for an unknown data type; AUDIT when the record could not be written.';

CREATE OR REPLACE FUNCTION app_public.get_quest_analytics(quest_id uuid)
 RETURNS app_public.quest_analytics_result
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  q record;
  r app_public.quest_analytics_result;
  released app_public.quest_analytics;
  share_progress boolean;
  share_frequency boolean;
  share_educational boolean;
  share_analytics boolean;
  released_kinds text[];
begin
  r.quest_id := get_quest_analytics.quest_id;
  select id, author_id, child_id, jsonb_array_length(graph_structure -> 'nodes') as node_count into q
  from app_public.quests where id = get_quest_analytics.quest_id and author_id = app_public.current_user_id();
  if not found then
    r.consent_status := 'not_found';
    perform app_private.audit_read('get_quest_analytics', 'quests', get_quest_analytics.quest_id, null, 'analytics', 'denied',
                                   '{"reason": "not the author"}');
    return r;
  end if;

  if q.child_id is not null then
    -- A personal quest: one child's figures, for a parent linked to that child now.
    if not exists (select 1 from app_public.family_links fl
                   where fl.parent_id = app_public.current_user_id() and fl.child_id = q.child_id) then
      r.consent_status := 'not_found';
      perform app_private.audit_read('get_quest_analytics', 'quests', q.id, q.child_id, 'analytics', 'denied',
                                     '{"reason": "not linked to the child"}');
      return r;
    end if;
    r.total_nodes := q.node_count;
    share_progress := app_private.consent_flag(q.child_id, 'share_progress', q.id);
    share_frequency := app_private.consent_flag(q.child_id, 'share_play_frequency', q.id);
    share_educational := app_private.consent_flag(q.child_id, 'share_educational_progress', q.id);
    share_analytics := app_private.consent_flag(q.child_id, 'share_analytics', q.id);
    r.consent_status := case
      when share_progress and share_frequency and share_educational and share_analytics then 'consented'
      when share_progress or share_frequency or share_educational or share_analytics then 'partially_consented'
      else 'not_consented' end;
    if r.consent_status <> 'not_consented' then
      r.children_count := 1;
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
        case when share_educational then max(p.educational_progress::text)::jsonb end,
        case when share_analytics then avg(p.xp_earned)::float8 end,
        case when share_analytics then coalesce((count(*) filter (where p.reveal_moments_viewed > 0))::float8 / nullif(count(*), 0), 0) end
      into r.total_starts, r.total_completions, r.completion_rate, r.avg_completion_time, r.nodes_completed,
           r.completion_percentage, r.last_played, r.play_count, r.total_time_minutes, r.educational_progress,
           r.avg_xp_earned, r.reveal_view_rate
      from app_public.quest_progress p
      where p.quest_id = q.id and p.child_id = q.child_id;
    end if;
  else
    -- Played by many: the stored release of this window, each group only when released.
    r.total_nodes := q.node_count;
    select * into released from app_public.quest_analytics a where a.quest_id = q.id;
    share_progress := released.total_starts is not null;
    share_frequency := released.play_count is not null;
    share_analytics := released.avg_xp_earned is not null;
    r.consent_status := case
      when share_progress and share_frequency and share_analytics then 'consented'
      when share_progress or share_frequency or share_analytics then 'partially_consented'
      else 'too_few_children' end;
    r.children_count := case when r.consent_status <> 'too_few_children' then released.distinct_children end;
    r.total_starts := released.total_starts;
    r.total_completions := released.total_completions;
    r.completion_rate := released.completion_rate;
    r.avg_completion_time := released.avg_completion_time;
    r.nodes_completed := released.nodes_completed;
    r.completion_percentage := released.completion_percentage;
    r.play_count := released.play_count;
    r.total_time_minutes := released.total_time_minutes;
    r.avg_xp_earned := released.avg_xp_earned;
    r.reveal_view_rate := released.reveal_view_rate;
  end if;

  -- The record names the kinds of data released (data_type: e.g. 'progress,play_frequency'), not the function's.
  released_kinds := array_remove(array[
    case when share_progress then 'progress' end,
    case when share_frequency then 'play_frequency' end,
    case when share_educational then 'educational_progress' end,
    case when share_analytics then 'analytics' end], null);
  perform app_private.audit_read('get_quest_analytics', 'quests', q.id, q.child_id,
                                 coalesce(nullif(array_to_string(released_kinds, ','), ''), 'none'),
                                 case when cardinality(released_kinds) = 0 then 'denied' else 'allowed' end,
                                 jsonb_build_object('consent_status', r.consent_status, 'released', to_jsonb(released_kinds)));
  return r;
end;
$function$;
comment on function app_public.get_quest_analytics(uuid) is 'Figures of a quest''s play for its author. A personal quest: its child''s own figures, only while the caller is linked to that child, each kind only with the child''s consent (the rest null). A quest played by several children: the stored release of the current UTC day (differential-privacy noise, each figure over the children who consented to its kind and have a real family, shown only when at least 5 of them; never a single child''s value); educational progress and last_played are never released across children. consent_status says which. Audited durably (app_private.audit_read; data_type lists the kinds of data released, e.g. progress,play_frequency, or none); errors: only the audit''s (SQLSTATE AUDIT when the record cannot be written: nothing is released). Source: docs/privacy.md, CONTRACT.md (rules made explicit 2026-11-29), issue 14 items 1-3.';

CREATE OR REPLACE FUNCTION app_private.enqueue_quest_refresh(quest_ids uuid[])
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  -- preserve_run_at: later writes join the queued job without pushing it back,
  -- so a steady stream of play still refreshes about once a second. Through request_job, so that a run
  -- starting at this moment waits for this transaction instead of missing its write (functions/890_job_requests.sql).
  perform app_jobs.request_job('refresh_quest_analytics', json_build_object('quest_id', id),
                               'refresh_quest_analytics:' || id,
                               run_at => now() + interval '1 second',
                               job_key_mode => 'preserve_run_at',
                               max_attempts => 10)
  -- In id order, so two statements queueing the same quests cannot deadlock on their job rows.
  from (select distinct unnest(quest_ids) as id order by id) as ids
  where id is not null;
end;
$function$;
comment on function app_private.enqueue_quest_refresh(uuid[]) is 'Queues one refresh_quest_analytics job per quest (job key per quest: a burst of writes costs one run) through app_jobs.request_job, so no write is left unrefreshed by a run that was starting (issue 18 item 1).';

CREATE OR REPLACE FUNCTION app_private.tg__enqueue_quest_refresh()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  perform app_private.enqueue_quest_refresh(array(select quest_id from changed_rows));
  return null;
end;
$function$;

CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.achievements REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.child_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_delete AFTER DELETE ON app_public.quest_ratings REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_ratings REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();
CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_ratings REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

CREATE OR REPLACE FUNCTION app_private.tg__enqueue_refresh_for_consent()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  perform app_private.enqueue_quest_refresh(array(
    select p.quest_id from app_public.quest_progress p where p.child_id in (select child_id from changed_rows)));
  return null;
end;
$function$;

CREATE OR REPLACE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.child_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_refresh_for_consent();

CREATE OR REPLACE FUNCTION app_private.tg_consent_events__notify_parents()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  changed uuid[] := array(select id from new_events where old_value is not null and old_value <> new_value order by id);
begin
  -- A child's first settings (old_value null) are the defaults, not a decision to announce.
  if cardinality(changed) > 0 then
    perform graphile_worker.add_job('notify_consent_changes', json_build_object('event_ids', changed), max_attempts => 10);
  end if;
  return null;
end;
$function$;

CREATE OR REPLACE TRIGGER _900_notify_parents AFTER INSERT ON app_public.consent_events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg_consent_events__notify_parents();

CREATE OR REPLACE FUNCTION app_private.uniform_noise()
 RETURNS double precision
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  -- 56 random bits, centred in their cell: strictly between 0 and 1.
  select ((('x' || encode(public.gen_random_bytes(7), 'hex'))::bit(56)::bigint + 0.5) / 72057594037927936.0)::float8
$function$;
comment on function app_private.uniform_noise() is 'A uniform number strictly between 0 and 1 from 56 bits of pgcrypto''s gen_random_bytes (a CSPRNG). For the release''s noise.';

CREATE OR REPLACE FUNCTION app_private.laplace_noise(scale double precision)
 RETURNS double precision
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select case when scale <= 0 then 0::float8
              else -scale * sign(u) * ln(1 - 2 * abs(u)) end
  from (select app_private.uniform_noise() - 0.5 as u) as draw
$function$;
comment on function app_private.laplace_noise(double precision) is 'A draw of Laplace noise with the given scale (sensitivity / epsilon); 0 for a scale of 0. Raises nothing.';

CREATE OR REPLACE FUNCTION app_private.geometric_noise(epsilon double precision)
 RETURNS integer
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  -- Two-sided geometric: the difference of two geometric draws, P(k) proportional to exp(-epsilon |k|).
  select (floor(ln(app_private.uniform_noise()) / -epsilon) - floor(ln(app_private.uniform_noise()) / -epsilon))::int
$function$;
comment on function app_private.geometric_noise(double precision) is 'A draw of two-sided geometric noise for a count of sensitivity 1 (P(k) proportional to exp(-epsilon |k|)), an integer. Raises nothing.';

CREATE OR REPLACE FUNCTION app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select exists (select 1 from app_public.quest_progress p
                 where p.child_id = counts_in_release.child_id and p.quest_id = counts_in_release.quest_id)
     and exists (select 1 from app_public.family_links fl join app_public.quests q on q.id = counts_in_release.quest_id
                 where fl.child_id = counts_in_release.child_id and fl.parent_id <> q.author_id)
     and case figure_group
           when 'progress' then app_private.consent_flag(child_id, 'share_progress', quest_id)
           when 'play_frequency' then app_private.consent_flag(child_id, 'share_play_frequency', quest_id)
           when 'analytics' then app_private.consent_flag(child_id, 'share_analytics', quest_id)
           when 'children' then app_private.consent_flag(child_id, 'share_progress', quest_id)
                             or app_private.consent_flag(child_id, 'share_play_frequency', quest_id)
                             or app_private.consent_flag(child_id, 'share_analytics', quest_id)
         end
$function$;
comment on function app_private.counts_in_release(uuid,uuid,text) is 'Whether a child counts in a figure group (progress, play_frequency, analytics, or children: any of the three) of a quest: played it, has a linked parent other than the quest''s author, and consents to the group''s kind for it.';

CREATE OR REPLACE FUNCTION app_private.project_release(quest_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  q record;
  f app_public.quest_analytics;
begin
  select id, is_public, coalesce(jsonb_array_length(graph_structure -> 'nodes'), 0) as node_count,
         (select max(r.window_start) from app_private.quest_releases r where r.quest_id = quests.id) as window_start into q
  from app_public.quests where id = project_release.quest_id;
  if not found then
    return;
  end if;
  select * into f from jsonb_populate_record(null::app_public.quest_analytics,
    (select coalesce(jsonb_object_agg(e.key, e.value), '{}') from app_private.quest_releases r, jsonb_each(r.figures) e
     where r.quest_id = q.id));

  insert into app_public.quest_analytics as qa (
      quest_id, total_starts, total_completions, completion_rate, avg_completion_time, nodes_completed, total_nodes,
      completion_percentage, play_count, total_time_minutes, avg_xp_earned, reveal_view_rate, distinct_children,
      window_start, last_updated)
  values (
      q.id, f.total_starts, f.total_completions, f.completion_rate, f.avg_completion_time, f.nodes_completed, q.node_count,
      f.completion_percentage, f.play_count, f.total_time_minutes, f.avg_xp_earned, f.reveal_view_rate, f.distinct_children,
      q.window_start, now())
  on conflict on constraint quest_analytics_one_per_quest do update set
      total_starts = excluded.total_starts, total_completions = excluded.total_completions,
      completion_rate = excluded.completion_rate, avg_completion_time = excluded.avg_completion_time,
      median_completion_time = null, avg_xp_earned = excluded.avg_xp_earned, avg_badges_earned = null,
      reveal_view_rate = excluded.reveal_view_rate, node_completion_rates = null, node_average_times = null,
      nodes_completed = excluded.nodes_completed, total_nodes = excluded.total_nodes,
      completion_percentage = excluded.completion_percentage, educational_progress = null,
      play_count = excluded.play_count, total_time_minutes = excluded.total_time_minutes,
      distinct_children = excluded.distinct_children, last_played = null,
      window_start = excluded.window_start, last_updated = excluded.last_updated
  where (to_jsonb(qa.*) - '{id,quest_id,created_at,last_updated}'::text[])
        is distinct from (to_jsonb(excluded.*) - '{id,quest_id,created_at,last_updated}'::text[]);

  -- Public on a marketplace quest: the released progress figures, zero while not
  -- released. A personal quest's stay zero (its parent reads get_quest_analytics).
  update app_public.quests t set
      plays_count = s.plays, completion_count = s.completions, completion_rate = s.rate, average_completion_time = s.average_time
  from (select case when q.is_public then coalesce(f.total_starts, 0) else 0 end as plays,
               case when q.is_public then coalesce(f.total_completions, 0) else 0 end as completions,
               case when q.is_public then coalesce(f.completion_rate, 0) else 0 end as rate,
               case when q.is_public then f.avg_completion_time end as average_time) as s
  where t.id = q.id
    and (t.plays_count, t.completion_count, t.completion_rate, t.average_completion_time)
        is distinct from (s.plays, s.completions, s.rate, s.average_time);
end;
$function$;
comment on function app_private.project_release(uuid) is 'Writes a quest''s stored release (app_private.quest_releases) into its quest_analytics row and its public statistics (plays_count, completion_count, completion_rate, average_completion_time; zero while not released, always zero for a quest that is not public). Writes only what differs.';

CREATE OR REPLACE FUNCTION app_private.release_quest_figures(quest_id uuid, at timestamp with time zone)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  -- Privacy parameters: epsilon per figure and per fresh release, and the caps that bound
  -- one child's contribution (its sensitivity). A window is one UTC day.
  epsilon constant float8 := 0.1;
  min_group constant integer := 5;
  max_xp constant integer := 1000;
  max_completion_seconds constant integer := 14400;
  max_sessions constant integer := 50;
  max_minutes constant float8 := 600;
  this_window timestamptz := date_trunc('day', at, 'UTC');
  q record;
  released timestamptz;
  g text;
  members uuid[];
  inputs record;
  digest bytea;
  n integer;
  k integer;
  figures jsonb;
begin
  -- One release at a time per quest (the quest row is the lock).
  select id, coalesce(jsonb_array_length(graph_structure -> 'nodes'), 0) as node_count into q
  from app_public.quests where id = release_quest_figures.quest_id for no key update;
  if not found then
    return false;
  end if;
  select max(r.window_start) into released from app_private.quest_releases r where r.quest_id = q.id;
  if released is not null and released >= this_window then
    -- Frozen until the next window: asking again, or after one more child played, changes nothing.
    perform app_private.project_release(q.id);
    return false;
  end if;

  foreach g in array array['progress', 'play_frequency', 'analytics', 'children'] loop
    members := array(select p.child_id from app_public.quest_progress p
                     where p.quest_id = q.id and app_private.counts_in_release(p.child_id, q.id, g)
                     order by p.child_id);
    -- The exact inputs, each child's contribution capped (one row per child and quest).
    select count(*)::int as children,
           (count(*) filter (where p.completed))::int as completions,
           coalesce(sum(least(greatest(extract(epoch from p.completed_at - p.started_at), 0), max_completion_seconds))
                    filter (where p.completed), 0)::float8 as completion_seconds,
           coalesce(sum(least(p.nodes_completed, q.node_count)), 0)::float8 as nodes,
           coalesce(sum(p.completion_percentage), 0)::float8 as percentage,
           coalesce(sum(least(p.session_count, max_sessions)), 0)::float8 as sessions,
           coalesce(sum(least(p.total_time_minutes, max_minutes)), 0)::float8 as minutes,
           coalesce(sum(least(p.xp_earned, max_xp)), 0)::float8 as xp,
           (count(*) filter (where p.reveal_moments_viewed > 0))::int as reveals
      into inputs
    from app_public.quest_progress p
    where p.quest_id = q.id and p.child_id = any (members);
    digest := sha256(convert_to(g || q.node_count || members::text || row_to_json(inputs)::text, 'UTF8'));

    if inputs.children < min_group then
      -- Too few children: nothing of the group is released.
      members := '{}'; digest := null; figures := '{}';
    elsif digest = (select r.inputs_digest from app_private.quest_releases r where r.quest_id = q.id and r.figure_group = g) then
      -- The same inputs as the stored release: keep its noise (no fresh draw, no budget spent).
      update app_private.quest_releases r set window_start = this_window where r.quest_id = q.id and r.figure_group = g;
      continue;
    elsif g = 'progress' then
      n := greatest(inputs.children + app_private.geometric_noise(epsilon), min_group);
      k := least(greatest(inputs.completions + app_private.geometric_noise(epsilon), 0), n);
      figures := jsonb_build_object(
        'total_starts', n,
        'total_completions', k,
        'completion_rate', k::float8 / n,
        'avg_completion_time', round(least(greatest(
           (inputs.completion_seconds + app_private.laplace_noise(max_completion_seconds / epsilon)) / greatest(k, 1), 0),
           max_completion_seconds)),
        'nodes_completed', round(least(greatest(
           (inputs.nodes + app_private.laplace_noise(q.node_count / epsilon)) / n, 0), q.node_count)),
        'completion_percentage', round(least(greatest(
           (inputs.percentage + app_private.laplace_noise(100 / epsilon)) / n, 0), 100)));
    elsif g = 'play_frequency' then
      figures := jsonb_build_object(
        'play_count', greatest(round(inputs.sessions + app_private.laplace_noise(max_sessions / epsilon)), 0),
        'total_time_minutes', greatest(round((inputs.minutes + app_private.laplace_noise(max_minutes / epsilon))::numeric, 2), 0));
    elsif g = 'analytics' then
      n := greatest(inputs.children + app_private.geometric_noise(epsilon), min_group);
      figures := jsonb_build_object(
        'avg_xp_earned', round(least(greatest((inputs.xp + app_private.laplace_noise(max_xp / epsilon)) / n, 0), max_xp)::numeric, 2),
        'reveal_view_rate', least(greatest(inputs.reveals + app_private.geometric_noise(epsilon), 0), n)::float8 / n);
    else
      figures := jsonb_build_object('distinct_children', greatest(inputs.children + app_private.geometric_noise(epsilon), min_group));
    end if;

    insert into app_private.quest_releases as r (quest_id, figure_group, window_start, members, inputs_digest, figures)
    values (q.id, g, this_window, members, digest, figures)
    on conflict on constraint quest_releases_one_per_quest_and_group do update set
      window_start = excluded.window_start, members = excluded.members, inputs_digest = excluded.inputs_digest,
      figures = excluded.figures;
  end loop;

  perform app_private.project_release(q.id);
  return true;
end;
$function$;
comment on function app_private.release_quest_figures(uuid,timestamp with time zone) is 'Releases a quest''s cross-child figures for the window (UTC day) of `at`, once: a later call in the same or an earlier window changes nothing (returns false); a new window recomputes each group (progress, play_frequency, analytics, children) over the children who count in it (app_private.counts_in_release), withholds a group of fewer than 5, keeps the stored noise of a group whose exact inputs did not change, and otherwise draws fresh noise: two-sided geometric for counts, Laplace for sums, epsilon 0.1 per figure, each child capped at 1000 XP, 4 h to complete, 50 sessions, 600 minutes, the quest''s node count; averages and rates come from the noisy sums and counts. Then projects the release into quest_analytics and the public statistics. Owner only (its `at` must not be chosen by anyone else: docs/privacy.md). Source: issue 14 items 1 and 3.';

CREATE OR REPLACE FUNCTION app_private.withhold_figures_counting(child_ids uuid[])
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  quests uuid[];
  quest uuid;
begin
  -- Wait for a release in progress of any quest these children played (it holds the quest row), so that
  -- what it stores is withheld here rather than stored after this withholding: its new members are not
  -- visible yet, hence every quest they played, not only those whose stored releases count them. A release
  -- that starts after this waits for this transaction, and then sees the change.
  perform 1 from app_public.quests q
  where q.id in (select r.quest_id from app_private.quest_releases r where r.members && child_ids)
     or q.id in (select p.quest_id from app_public.quest_progress p where p.child_id = any (child_ids))
  order by q.id for no key update;
  with withheld as (
    update app_private.quest_releases r set members = '{}', inputs_digest = null, figures = '{}'
    where r.members && child_ids
      and exists (select 1 from unnest(r.members) m
                  where m = any (child_ids) and not app_private.counts_in_release(m, r.quest_id, r.figure_group))
    returning r.quest_id
  )
  select array_agg(distinct w.quest_id) into quests from withheld w;
  foreach quest in array coalesce(quests, '{}') loop
    perform app_private.project_release(quest);
  end loop;
end;
$function$;
comment on function app_private.withhold_figures_counting(uuid[]) is 'Withholds (empties) every stored figure group that counted one of these children who no longer counts in it, and re-projects the quests concerned (quest_analytics to null, public statistics to zero). Called by triggers in the transaction of the change; waits for a release in progress of any quest these children played (and holds those quests'' rows until the change commits, so a release starting meanwhile sees it). Raises nothing. Source: issue 14 item 9; the race with a release in progress: issue 18''s review.';

CREATE OR REPLACE FUNCTION app_private.tg__withhold_figures()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  -- users rows carry the child as id; the consent and link tables as child_id.
  perform app_private.withhold_figures_counting(array(
    select coalesce(to_jsonb(c) ->> 'child_id', to_jsonb(c) ->> 'id')::uuid from changed_rows c));
  return null;
end;
$function$;
comment on function app_private.tg__withhold_figures() is 'Statement trigger (transition table changed_rows) on child_privacy, quest_privacy, family_links and users: withholds the stored figures that counted the children of the changed rows who no longer count (app_private.withhold_figures_counting). Raises nothing. Source: issue 14 item 9.';

CREATE OR REPLACE TRIGGER _905_withhold_figures AFTER UPDATE ON app_public.child_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();
CREATE OR REPLACE TRIGGER _905_withhold_figures AFTER DELETE ON app_public.family_links REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();
CREATE OR REPLACE TRIGGER _905_withhold_figures_on_delete AFTER DELETE ON app_public.quest_privacy REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();
CREATE OR REPLACE TRIGGER _905_withhold_figures_on_insert AFTER INSERT ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();
CREATE OR REPLACE TRIGGER _905_withhold_figures_on_update AFTER UPDATE ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();
CREATE OR REPLACE TRIGGER _905_withhold_figures AFTER DELETE ON app_public.users REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

CREATE OR REPLACE FUNCTION app_private.child_visible_columns(tbl regclass)
 RETURNS text[]
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce(array_agg(a.attname::text order by a.attnum), '{}')
  from pg_attribute a
  where a.attrelid = tbl and a.attnum > 0 and not a.attisdropped
    -- Before the roles exist (a bare migrate), every column counts: the safe side.
    and (not exists (select 1 from pg_roles where rolname = 'inner_edu_user')
         or has_column_privilege('inner_edu_user', tbl, a.attnum, 'select'))
$function$;
comment on function app_private.child_visible_columns(regclass) is 'The columns of a table that inner_edu_user may select (every column while that role does not exist), in column order. Raises nothing. Used by the moderation triggers (issue 15, section 1).';
