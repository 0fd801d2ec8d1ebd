--! Previous: sha1:e9c5de0d0f220a9dd1da24c1505f1e7ed38ca8c7
--! Hash: sha1:06987412e0517e23ce8caffff91d5ce5830a8271
--! Message: Aggregation jobs: debounced per-quest refresh of quest_analytics and quest statistics, nightly recompute

-- Aggregation by graphile-worker jobs (issue 6): a change to a quest's play or
-- ratings, or to a child's consent, queues one debounced refresh of that quest;
-- the job recomputes quest_analytics and the quest's statistics from that
-- quest's rows only, over the children who share analytics.

drop function if exists app_private.enqueue_quest_refresh(uuid[]) cascade;
drop function if exists app_private.tg__enqueue_quest_refresh() cascade;
drop function if exists app_private.tg__enqueue_refresh_for_consent() cascade;
drop schema if exists app_jobs cascade;

-- What the worker role may call, and nothing else: each function does one job's
-- work with the owner's rights (app_private stays the owner's alone).
create schema app_jobs;
revoke all on schema app_jobs from public;
comment on schema app_jobs is 'The worker''s entry points: security-definer job functions, executable by app_worker only.';

------------------------------------------------------------------------------
-- Queueing: one job per quest, keyed, so a burst of writes costs one run.
------------------------------------------------------------------------------
create function app_private.enqueue_quest_refresh(quest_ids uuid[]) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- preserve_run_at: later writes join the queued job without pushing it back,
  -- so a steady stream of play still refreshes about once a second.
  perform graphile_worker.add_job('refresh_quest_analytics', json_build_object('quest_id', id),
                                  run_at => now() + interval '1 second',
                                  job_key => 'refresh_quest_analytics:' || id,
                                  job_key_mode => 'preserve_run_at',
                                  max_attempts => 10)
  -- In id order, so two statements queueing the same quests cannot deadlock on their job rows.
  from (select distinct unnest(quest_ids) as id order by id) as ids
  where id is not null;
end;
$$;
comment on function app_private.enqueue_quest_refresh(uuid[]) is
  'Queues one refresh_quest_analytics job per quest (job key per quest: a burst of writes costs one run).';

-- Statement-level, over the rows the statement changed (one call per statement, not per row).
create function app_private.tg__enqueue_quest_refresh() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform app_private.enqueue_quest_refresh(array(select quest_id from changed_rows));
  return null;
end;
$$;

-- A child's default consent changed: every quest they have played may change.
create function app_private.tg__enqueue_refresh_for_consent() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform app_private.enqueue_quest_refresh(array(
    select p.quest_id from app_public.quest_progress p where p.child_id in (select child_id from changed_rows)));
  return null;
end;
$$;

-- (A trigger with transition tables handles one event, hence one trigger per event.)
create trigger _910_refresh_analytics_on_insert after insert on app_public.quest_progress
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_update after update on app_public.quest_progress
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_insert after insert on app_public.child_progress
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_insert after insert on app_public.achievements
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_insert after insert on app_public.quest_ratings
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_update after update on app_public.quest_ratings
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_delete after delete on app_public.quest_ratings
  referencing old table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_insert after insert on app_public.quest_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_update after update on app_public.quest_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_quest_refresh();
create trigger _910_refresh_analytics_on_update after update on app_public.child_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__enqueue_refresh_for_consent();

------------------------------------------------------------------------------
-- The quest's statistics are the job's, not an edit: writing only them does not
-- bump the version (a parent's edit in flight is not made stale by a child's play).
------------------------------------------------------------------------------
do $$
begin
  drop trigger if exists _100_row_metadata on app_public.quests;
  execute (
    select format('create trigger _100_row_metadata before update of %s on app_public.quests '
                  'for each row execute function app_private.tg__row_metadata()',
                  string_agg(quote_ident(attname), ', ' order by attnum))
    from pg_attribute
    where attrelid = 'app_public.quests'::regclass and attnum > 0 and not attisdropped
      and attname not in ('plays_count', 'completion_count', 'completion_rate', 'average_completion_time', 'rating', 'rating_count'));
end;
$$;

------------------------------------------------------------------------------
-- The job: recompute one quest from its own rows. Idempotent (a rerun writes
-- nothing when nothing changed), safe when the quest is gone.
------------------------------------------------------------------------------
create function app_jobs.refresh_quest_analytics(quest_id uuid) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  q record;
  players uuid[];
  figures app_public.quest_analytics;
  -- As in get_quest_analytics: figures across children need five of them.
  min_group constant integer := 5;
begin
  select id, is_public, coalesce(jsonb_array_length(graph_structure -> 'nodes'), 0) as node_count into q
  from app_public.quests where id = refresh_quest_analytics.quest_id;
  if not found then
    return;
  end if;

  -- Only the play of children who share analytics for this quest is aggregated.
  select coalesce(array_agg(p.child_id), '{}') into players
  from app_public.quest_progress p
  where p.quest_id = q.id and app_private.consent_flag(p.child_id, 'share_analytics', q.id);

  select count(*)::int,
         (count(*) filter (where p.completed))::int,
         coalesce((count(*) filter (where p.completed))::float8 / nullif(count(*), 0), 0),
         round(avg(extract(epoch from p.completed_at - p.started_at)) filter (where p.completed))::int,
         round(percentile_cont(0.5) within group (order by extract(epoch from p.completed_at - p.started_at))
               filter (where p.completed))::int,
         coalesce(avg(p.xp_earned), 0),
         coalesce(avg(cardinality(p.badges_earned)), 0),
         coalesce((count(*) filter (where p.reveal_moments_viewed > 0))::float8 / nullif(count(*), 0), 0),
         coalesce(round(avg(p.nodes_completed))::int, 0),
         coalesce(round(avg(p.completion_percentage))::int, 0),
         coalesce(sum(p.session_count)::int, 0),
         max(p.last_played_at)
    into figures.total_starts, figures.total_completions, figures.completion_rate, figures.avg_completion_time,
         figures.median_completion_time, figures.avg_xp_earned, figures.avg_badges_earned, figures.reveal_view_rate,
         figures.nodes_completed, figures.completion_percentage, figures.play_count, figures.last_played
  from app_public.quest_progress p
  where p.quest_id = q.id and p.child_id = any (players);

  -- Per node: the share of players who completed it, and the average seconds spent in it.
  select jsonb_object_agg(node_key, round(completed_by::numeric / figures.total_starts, 4)) filter (where completed_by > 0),
         jsonb_object_agg(node_key, round(avg_seconds)) filter (where avg_seconds is not null)
    into figures.node_completion_rates, figures.node_average_times
  from (
    select e.node_key,
           count(distinct e.child_id) filter (where e.event_type = 'node_completed') as completed_by,
           avg(e.duration_seconds) as avg_seconds
    from app_public.child_progress e
    where e.quest_id = q.id and e.child_id = any (players)
    group by e.node_key
  ) as nodes;

  -- Educational progress: the average of each numeric skill.
  select jsonb_object_agg(skill, round(average, 2)) into figures.educational_progress
  from (
    select s.key as skill, avg(s.value::text::numeric) as average
    from app_public.quest_progress p, jsonb_each(p.educational_progress) as s
    where p.quest_id = q.id and p.child_id = any (players) and jsonb_typeof(s.value) = 'number'
    group by s.key
  ) as skills;

  insert into app_public.quest_analytics as qa (
      quest_id, total_starts, total_completions, completion_rate, avg_completion_time, median_completion_time,
      avg_xp_earned, avg_badges_earned, reveal_view_rate, node_completion_rates, node_average_times,
      nodes_completed, total_nodes, completion_percentage, educational_progress, play_count, distinct_children,
      last_played, last_updated)
  values (
      q.id, figures.total_starts, figures.total_completions, figures.completion_rate, figures.avg_completion_time,
      figures.median_completion_time, figures.avg_xp_earned, figures.avg_badges_earned, figures.reveal_view_rate,
      coalesce(figures.node_completion_rates, '{}'), coalesce(figures.node_average_times, '{}'),
      figures.nodes_completed, q.node_count, figures.completion_percentage, coalesce(figures.educational_progress, '{}'),
      figures.play_count, cardinality(players), figures.last_played, now())
  on conflict on constraint quest_analytics_one_per_quest do update set
      total_starts = excluded.total_starts, total_completions = excluded.total_completions,
      completion_rate = excluded.completion_rate, avg_completion_time = excluded.avg_completion_time,
      median_completion_time = excluded.median_completion_time, avg_xp_earned = excluded.avg_xp_earned,
      avg_badges_earned = excluded.avg_badges_earned, reveal_view_rate = excluded.reveal_view_rate,
      node_completion_rates = excluded.node_completion_rates, node_average_times = excluded.node_average_times,
      nodes_completed = excluded.nodes_completed, total_nodes = excluded.total_nodes,
      completion_percentage = excluded.completion_percentage, educational_progress = excluded.educational_progress,
      play_count = excluded.play_count, distinct_children = excluded.distinct_children,
      last_played = excluded.last_played, last_updated = excluded.last_updated
  -- A rerun over unchanged rows writes nothing, so running a job twice leaves the same row.
  where (to_jsonb(qa.*) - '{id,quest_id,created_at,last_updated}'::text[])
        is distinct from (to_jsonb(excluded.*) - '{id,quest_id,created_at,last_updated}'::text[]);

  -- The quest's own statistics are public on a marketplace quest: play figures only
  -- when five or more children share them (a personal quest's play reaches its parent
  -- only through get_quest_analytics, by the child's consent); ratings are parents'.
  update app_public.quests t set
      plays_count = s.plays, completion_count = s.completions, completion_rate = s.rate,
      average_completion_time = s.average_time, rating = s.rating, rating_count = s.rating_count
  from (
    select case when shown then figures.total_starts else 0 end as plays,
           case when shown then figures.total_completions else 0 end as completions,
           case when shown then figures.completion_rate else 0 end as rate,
           case when shown then figures.avg_completion_time end as average_time,
           coalesce(round(avg(r.rating)::numeric, 2)::float8, 0) as rating,
           count(r.id)::int as rating_count
    from (select q.is_public and cardinality(players) >= min_group as shown) as visibility
    left join app_public.quest_ratings r on r.quest_id = q.id
    group by shown
  ) as s
  where t.id = q.id
    and (t.plays_count, t.completion_count, t.completion_rate, t.average_completion_time, t.rating, t.rating_count)
        is distinct from (s.plays, s.completions, s.rate, s.average_time, s.rating, s.rating_count);
end;
$$;
comment on function app_jobs.refresh_quest_analytics(uuid) is
  'The refresh_quest_analytics job: recomputes one quest''s quest_analytics row and statistics from its own rows, over the children who share analytics.';

-- The nightly safety net, in batches the worker commits one by one: refreshes the
-- quests after `after_id` (in id order) and returns the last id done, or null at the end.
create function app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  id uuid;
  last_id uuid;
begin
  for id in
    select q.id from app_public.quests q where after_id is null or q.id > after_id order by q.id limit batch_size
  loop
    perform app_jobs.refresh_quest_analytics(id);
    last_id := id;
  end loop;
  return last_id;
end;
$$;
comment on function app_jobs.refresh_quest_analytics_batch(uuid, integer) is
  'Refreshes up to batch_size quests after after_id (id order); returns the last id refreshed, null when none were left.';
