--! Previous: sha1:06987412e0517e23ce8caffff91d5ce5830a8271
--! Hash: sha1:590126445d93fa7e6a8c58b3a38a28b915252ad5
--! Message: Worker jobs: consent-change notifications, milestones, session clean-up, retention, erasure, daily metrics snapshots

-- The other worker jobs (issue 6): notifications of consent changes, milestone
-- detection, session clean-up, retention, erasure of verified deletion
-- requests, and the PAS dashboard's daily metrics snapshots. Each is an
-- app_jobs function (security definer, executable by app_worker only) that is
-- idempotent: a rerun changes nothing.

drop function if exists app_private.tg_consent_events__notify_parents() cascade;
drop function if exists app_jobs.notify_consent_changes(uuid[]) cascade;
drop function if exists app_jobs.detect_milestones() cascade;
drop function if exists app_private.milestones_reached() cascade;
drop function if exists app_jobs.expire_sessions() cascade;
drop function if exists app_jobs.enforce_retention() cascade;
drop function if exists app_jobs.erase_next_verified_user() cascade;
drop function if exists app_jobs.snapshot_metrics(date) cascade;

-- A job's notification is written once, however often the job runs.
alter table app_public.notifications drop column if exists source_key;
alter table app_public.notifications add column source_key text
  constraint notifications_source_key_length check (length(source_key) between 1 and 200);
alter table app_public.notifications add constraint notifications_once_per_source unique (user_id, source_key);
comment on column app_public.notifications.source_key is 'What a job wrote the notification for (e.g. consent_event:<id>), so a rerun does not repeat it; null for others.';

-- The scheduled jobs select by time.
drop index if exists app_public.therapy_sessions_active_expires_at_idx;
create index therapy_sessions_active_expires_at_idx on app_public.therapy_sessions (expires_at) where status = 'active';
drop index if exists app_public.quest_builder_sessions_expires_at_idx;
create index quest_builder_sessions_expires_at_idx on app_public.quest_builder_sessions (expires_at);
drop index if exists app_public.therapy_sessions_started_at_idx;
create index therapy_sessions_started_at_idx on app_public.therapy_sessions (started_at);
drop index if exists app_public.messages_created_at_idx;
create index messages_created_at_idx on app_public.messages (created_at);
drop index if exists app_public.letters_created_at_idx;
create index letters_created_at_idx on app_public.letters (created_at);
drop index if exists app_public.goals_completed_at_idx;
create index goals_completed_at_idx on app_public.goals (completed_at) where completed_at is not null;
drop index if exists app_public.child_progress_created_at_idx;
create index child_progress_created_at_idx on app_public.child_progress (created_at);
drop index if exists app_public.notifications_created_at_idx;
create index notifications_created_at_idx on app_public.notifications (created_at);

------------------------------------------------------------------------------
-- Consent changes reach the child's linked parents (what changed, never why).
------------------------------------------------------------------------------
create function app_private.tg_consent_events__notify_parents() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  changed uuid[] := array(select id from new_events where old_value is not null and old_value <> new_value order by id);
begin
  -- A child's first settings (old_value null) are the defaults, not a decision to announce.
  if cardinality(changed) > 0 then
    perform graphile_worker.add_job('notify_consent_changes', json_build_object('event_ids', changed), max_attempts => 10);
  end if;
  return null;
end;
$$;
create trigger _900_notify_parents after insert on app_public.consent_events
  referencing new table as new_events for each statement execute function app_private.tg_consent_events__notify_parents();

create function app_jobs.notify_consent_changes(event_ids uuid[]) returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  written integer;
begin
  insert into app_public.notifications (user_id, kind, title, data, source_key)
  select fl.parent_id, 'consent_changed',
         format('%s %s sharing %s%s', c.display_name, case when e.new_value then 'started' else 'stopped' end,
                replace(replace(e.flag, 'share_', ''), '_', ' '),
                case when q.title is not null then format(' for "%s"', q.title) else '' end),
         jsonb_build_object('child_id', e.child_id, 'quest_id', e.quest_id, 'flag', e.flag, 'shared', e.new_value),
         'consent_event:' || e.id
  from app_public.consent_events e
  join app_public.users c on c.id = e.child_id
  join app_public.family_links fl on fl.child_id = e.child_id
  left join app_public.quests q on q.id = e.quest_id
  where e.id = any (event_ids)
  on conflict on constraint notifications_once_per_source do nothing;
  get diagnostics written = row_count;
  return written;
end;
$$;
comment on function app_jobs.notify_consent_changes(uuid[]) is
  'The notify_consent_changes job: tells the linked parents that a child started or stopped sharing something (once per event).';

------------------------------------------------------------------------------
-- Milestones the recovery tracks celebrate beyond the ones create_quest records:
-- a seven-day streak, and a child completing the parent's quest (only when the
-- child shares progress for it).
------------------------------------------------------------------------------
create function app_private.milestones_reached()
  returns table (user_id uuid, track app_public.track_type, kind text, title text, xp integer)
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
  -- Active on each of the seven days up to today, or up to yesterday (today is not over).
  select days.user_id, coalesce(u.primary_track, 'self_work'), 'streak_7', 'Seven days in a row', 100
  from (
    select a.user_id,
           count(distinct a.day) filter (where a.day between current_date - 6 and current_date) as to_today,
           count(distinct a.day) filter (where a.day between current_date - 7 and current_date - 1) as to_yesterday
    from (
      select author_id as user_id, created_at::date as day from app_public.quests where created_at >= current_date - 7
      union all select user_id, created_at::date from app_public.letters where created_at >= current_date - 7
      union all select user_id, created_at::date from app_public.messages where created_at >= current_date - 7 and role = 'user'
      union all select user_id, started_at::date from app_public.therapy_sessions where started_at >= current_date - 7
    ) as a
    group by a.user_id
  ) as days
  join app_public.users u on u.id = days.user_id and u.kind = 'parent'
  where days.to_today = 7 or days.to_yesterday = 7
  union
  select q.author_id, 'child_connection', 'child_completed', 'Your child finished one of your quests', 150
  from app_public.quest_progress p
  join app_public.quests q on q.id = p.quest_id and q.child_id = p.child_id
  join app_public.family_links fl on fl.parent_id = q.author_id and fl.child_id = p.child_id
  where p.completed and app_private.consent_flag(p.child_id, 'share_progress', q.id)
$$;
comment on function app_private.milestones_reached() is
  'Milestones parents have reached by now: streak_7 (active seven days running) and child_completed (with the child''s consent).';

create function app_jobs.detect_milestones() returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  written integer;
begin
  insert into app_public.user_tracks (user_id, track_type)
  select distinct r.user_id, r.track from app_private.milestones_reached() r
  on conflict on constraint user_tracks_one_per_user_and_type do nothing;

  with added as (
    insert into app_public.milestones (user_id, track_id, milestone_type, title, xp_reward)
    select r.user_id, t.id, r.kind, r.title, r.xp
    from app_private.milestones_reached() r
    join app_public.user_tracks t on t.user_id = r.user_id and t.track_type = r.track
    on conflict on constraint milestones_once_per_track do nothing
    returning track_id, milestone_type
  )
  -- (The statement cannot see its own inserts in milestones: append what it added.)
  update app_public.user_tracks t
    set milestones_completed = t.milestones_completed || array(select a.milestone_type from added a where a.track_id = t.id)
  where t.id in (select track_id from added);
  get diagnostics written = row_count;
  return written;
end;
$$;
comment on function app_jobs.detect_milestones() is
  'The detect_milestones job: records streak_7 and child_completed milestones not yet reached (once per track); returns the tracks that gained one.';

------------------------------------------------------------------------------
-- Clean-up (seed 004's cleanup_expired_sessions): unattended therapy sessions
-- expire; abandoned quest-builder sessions (never saved as a quest) go.
------------------------------------------------------------------------------
create function app_jobs.expire_sessions() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  expired integer;
  removed integer;
begin
  update app_public.therapy_sessions
    set status = 'expired', ended_at = greatest(expires_at, started_at)
  where status = 'active' and expires_at < now();
  get diagnostics expired = row_count;
  delete from app_public.quest_builder_sessions where expires_at < now() and quest_id is null;
  get diagnostics removed = row_count;
  return jsonb_build_object('therapy_sessions_expired', expired, 'builder_sessions_removed', removed);
end;
$$;
comment on function app_jobs.expire_sessions() is
  'The expire_sessions job: expires unattended therapy sessions and removes abandoned quest-builder sessions; returns the counts.';

------------------------------------------------------------------------------
-- Retention (users.data_retention_days): a user's activity records older than
-- their retention period are deleted. What they made and keep on purpose
-- (quests, letters, goals, profile, consent history) stays until they delete
-- it or ask for erasure.
------------------------------------------------------------------------------
create function app_jobs.enforce_retention() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  counts jsonb := '{}';
  n integer;
begin
  delete from app_public.messages m using app_public.users u
  where u.id = m.user_id and m.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('messages', n);

  delete from app_public.therapy_sessions s using app_public.users u
  where u.id = s.user_id and s.status <> 'active' and s.started_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('therapy_sessions', n);

  delete from app_public.quest_builder_sessions b using app_public.users u
  where u.id = b.user_id and b.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('quest_builder_sessions', n);

  delete from app_public.notifications x using app_public.users u
  where u.id = x.user_id and x.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('notifications', n);

  delete from app_public.metrics_snapshots x using app_public.users u
  where u.id = x.user_id and x.snapshot_date < current_date - u.data_retention_days;
  get diagnostics n = row_count; counts := counts || jsonb_build_object('metrics_snapshots', n);

  -- The child's play events; their progress row and the quest's aggregates stay.
  delete from app_public.child_progress e using app_public.users u
  where u.id = e.child_id and e.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('child_progress', n);

  return counts;
end;
$$;
comment on function app_jobs.enforce_retention() is
  'The enforce_retention job: deletes each user''s activity records older than their data_retention_days; returns the counts by table.';

------------------------------------------------------------------------------
-- Erasure: one verified deletion request per call, in its own transaction. The
-- user row goes and with it, by the foreign keys, every row that belongs to
-- them; the request stays (its user link cleared) as the record that it was done.
------------------------------------------------------------------------------
create function app_jobs.erase_next_verified_user() returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  request record;
begin
  select id, user_id into request from app_public.data_deletion_requests
  where status = 'verified' order by verified_at, id limit 1
  for update skip locked;
  if not found then
    return null;
  end if;
  delete from app_public.users where id = request.user_id;
  update app_public.data_deletion_requests set status = 'completed', processed_at = now() where id = request.id;
  return request.id;
end;
$$;
comment on function app_jobs.erase_next_verified_user() is
  'The process_deletion_requests job, one request per call: erases the user of the oldest verified request and completes it; null when none is left.';

------------------------------------------------------------------------------
-- The PAS dashboard's daily figures: one snapshot per parent active that day.
------------------------------------------------------------------------------
create function app_jobs.snapshot_metrics(day date) returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  day_start timestamptz := day::timestamp at time zone 'UTC';
  day_end timestamptz := (day + 1)::timestamp at time zone 'UTC';
  written integer;
begin
  insert into app_public.metrics_snapshots as m (user_id, snapshot_date, mood_average, sessions_count, messages_count,
                                                 letters_written, goals_completed, quests_created)
  select a.user_id, day,
         avg(a.mood) filter (where a.kind = 'session'),
         count(*) filter (where a.kind = 'session'),
         count(*) filter (where a.kind = 'message'),
         count(*) filter (where a.kind = 'letter'),
         count(*) filter (where a.kind = 'goal'),
         count(*) filter (where a.kind = 'quest')
  from (
    select user_id, 'session' as kind, coalesce(mood_after, mood_before)::float8 as mood from app_public.therapy_sessions
      where started_at >= day_start and started_at < day_end
    union all select user_id, 'message', null from app_public.messages where created_at >= day_start and created_at < day_end and role = 'user'
    union all select user_id, 'letter', null from app_public.letters where created_at >= day_start and created_at < day_end
    union all select user_id, 'goal', null from app_public.goals where completed_at >= day_start and completed_at < day_end
    union all select author_id, 'quest', null from app_public.quests where created_at >= day_start and created_at < day_end
  ) as a
  join app_public.users u on u.id = a.user_id and u.kind = 'parent'
  group by a.user_id
  on conflict on constraint metrics_snapshots_one_per_user_and_day do update set
    mood_average = excluded.mood_average, sessions_count = excluded.sessions_count, messages_count = excluded.messages_count,
    letters_written = excluded.letters_written, goals_completed = excluded.goals_completed, quests_created = excluded.quests_created
  where (m.mood_average, m.sessions_count, m.messages_count, m.letters_written, m.goals_completed, m.quests_created)
        is distinct from (excluded.mood_average, excluded.sessions_count, excluded.messages_count,
                          excluded.letters_written, excluded.goals_completed, excluded.quests_created);
  get diagnostics written = row_count;
  return written;
end;
$$;
comment on function app_jobs.snapshot_metrics(date) is
  'The snapshot_metrics job: each parent''s figures for one UTC day (mood, sessions, messages, letters, goals completed, quests created); returns rows written.';
