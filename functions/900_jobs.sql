-- What the worker's tasks do (src/worker/tasks/): app_jobs functions, security definer, idempotent,
-- executable by app_worker only.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  perform app_private.release_quest_figures(quest_id, now());
  update app_public.quests t set rating = s.rating, rating_count = s.rating_count
  from (select coalesce(round(avg(r.rating)::numeric, 2)::float8, 0) as rating, count(r.id)::int as rating_count
        from app_public.quest_ratings r where r.quest_id = refresh_quest_analytics.quest_id) as s
  where t.id = refresh_quest_analytics.quest_id and (t.rating, t.rating_count) is distinct from (s.rating, s.rating_count);
end;
$function$;
comment on function app_jobs.refresh_quest_analytics(uuid) is 'The refresh_quest_analytics job: the quest''s release of cross-child figures for today''s window (app_private.release_quest_figures: once per UTC day, then frozen) and its rating from quest_ratings. Idempotent; nothing for a quest that is gone. Raises nothing.';

CREATE OR REPLACE FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  quest uuid;
  last_id uuid;
begin
  for quest in
    select q.id from app_public.quests q where after_id is null or q.id > after_id order by q.id limit batch_size
  loop
    -- Never wait for a quest while holding the batch's earlier ones: an erasure or a consent change holds some
    -- quests and locks every quest a child played (withhold_figures_counting), which would deadlock with this
    -- batch. A quest somebody holds is refreshed by a job of its own instead, in a transaction of its own.
    perform 1 from app_public.quests q where q.id = quest for no key update skip locked;
    if found then
      perform app_jobs.refresh_quest_analytics(quest);
    else
      perform graphile_worker.add_job('refresh_quest_analytics', json_build_object('quest_id', quest), max_attempts => 10);
    end if;
    last_id := quest;
  end loop;
  return last_id;
end;
$function$;
comment on function app_jobs.refresh_quest_analytics_batch(uuid,integer) is 'Refreshes up to batch_size quests after after_id (id order), in the caller''s transaction; a quest whose row another transaction holds is not waited for (that could deadlock with an erasure or a consent change) but queued as a refresh_quest_analytics job of its own. Returns the last id handled, null when none were left.';

CREATE OR REPLACE FUNCTION app_jobs.notify_consent_changes(event_ids uuid[])
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_jobs.notify_consent_changes(uuid[]) is 'The notify_consent_changes job: tells the linked parents that a child started or stopped sharing something (once per event).';

CREATE OR REPLACE FUNCTION app_jobs.detect_milestones()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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

  -- The child_completed milestones this transaction added (xmin: rows it wrote).
  perform app_private.audit('milestone_child_completed', 'milestones', m.id, null, 'progress', 'allowed',
                            jsonb_build_object('parent_id', m.user_id))
  from app_public.milestones m
  where m.milestone_type = 'child_completed' and m.xmin = pg_current_xact_id()::xid;
  return written;
end;
$function$;
comment on function app_jobs.detect_milestones() is 'The detect_milestones job: records streak_7 and child_completed milestones not yet reached (once per track), each child_completed one with an audit row (a release of a child''s progress); returns the tracks that gained one.';

CREATE OR REPLACE FUNCTION app_jobs.expire_sessions()
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_jobs.expire_sessions() is 'The expire_sessions job: expires unattended therapy sessions and removes abandoned quest-builder sessions; returns the counts.';

CREATE OR REPLACE FUNCTION app_jobs.enforce_retention()
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  counts jsonb := '{}';
  n integer;
begin
  -- Messages and play events are appended, never edited: their creation is their last touch.
  delete from app_public.messages m using app_public.users u
  where u.id = m.user_id and m.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('messages', n);

  delete from app_public.therapy_sessions s using app_public.users u
  where u.id = s.user_id and s.status <> 'active'
    and greatest(s.started_at, s.created_at, s.updated_at, s.ended_at) < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('therapy_sessions', n);

  delete from app_public.quest_builder_sessions b using app_public.users u
  where u.id = b.user_id and greatest(b.created_at, b.updated_at) < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('quest_builder_sessions', n);

  delete from app_public.notifications x using app_public.users u
  where u.id = x.user_id and greatest(x.created_at, x.read_at) < now() - make_interval(days => u.data_retention_days);
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
$function$;
comment on function app_jobs.enforce_retention() is 'The enforce_retention job''s first part: deletes each user''s activity records whose last touch (creation, update, read, end) is older than their data_retention_days, so that no trace the retention review counts as activity is removed before it; returns the counts by table. Issue 15, section 3.';

CREATE OR REPLACE FUNCTION app_jobs.snapshot_metrics(day date)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_jobs.snapshot_metrics(date) is 'The snapshot_metrics job: each parent''s figures for one UTC day (mood, sessions, messages, letters, goals completed, quests created); returns rows written.';

CREATE OR REPLACE FUNCTION app_jobs.rewrap_data_keys(batch_size integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  target record;
  stored app_private.user_data_keys;
  rewrapped integer := 0;
begin
  select * into target from app_private.current_master_key();
  for stored in
    select * from app_private.user_data_keys
    where master_key_id <> target.key_id
    order by user_id limit batch_size
    for update skip locked
  loop
    update app_private.user_data_keys
      set wrapped_key = pgp_sym_encrypt_bytea(decode(app_private.unwrapped(stored), 'hex'), target.master_key,
                                              'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256'),
          master_key_id = target.key_id,
          rewrapped_at = now()
      where user_id = stored.user_id;
    rewrapped := rewrapped + 1;
  end loop;
  return rewrapped;
end;
$function$;
comment on function app_jobs.rewrap_data_keys(integer) is 'Re-wraps up to batch_size data keys with the current master key; returns how many (0: none left that this worker can take).';

CREATE OR REPLACE FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET lock_timeout TO '5s'
AS $function$
declare
  request record;
  erased text;
begin
  select r.id, r.user_id, r.reason = 'retention' as retention, r.attempts, r.verified_at into request
  from app_public.data_deletion_requests r
  where r.status = 'verified' and (r.next_attempt_at is null or r.next_attempt_at <= now())
  order by r.verified_at, r.id limit 1
  for update skip locked;
  if not found then
    return;
  end if;
  request_id := request.id;
  attempts := request.attempts;
  -- Retention never erases an active user (issue 15, section 3): a request it made while the user was idle,
  -- which may have waited here (a backoff), is withdrawn when they were active since.
  withdrawn := request.retention and exists (select 1 from app_private.last_activity(array[request.user_id]) l
                                             where l.active_at > request.verified_at);
  if withdrawn then
    update app_public.data_deletion_requests r set status = 'rejected', next_attempt_at = null
    where r.id = request.id;
    perform app_private.audit('retention_withdrawn', 'data_deletion_requests', request.id, null, null, null, '{}');
    completed := false;
    return;
  end if;
  begin
    erased := request.user_id::text;
    -- Other users' rows about them: their parents' notifications name the child.
    delete from app_public.notifications n where n.data ? 'child_id' and n.data ->> 'child_id' = erased;
    -- Their own rows, by the foreign keys (the audit triggers log these deletions with the ids, blanked below).
    delete from app_public.users where id = request.user_id;
    update app_public.data_deletion_requests r
      set status = 'completed', processed_at = now(), reason = null, verification_token_hash = null, next_attempt_at = null
    where r.id = request.id;
    -- The audit log keeps what happened, not to whom.
    perform app_audit.anonymise_erased_user(request.user_id);
    perform app_private.audit('erasure', 'data_deletion_requests', request.id, null, null, null,
                              jsonb_build_object('cause', case when request.retention then 'retention' else 'request' end));
    completed := true;
  exception when others then
    completed := false;
    error_kind := sqlstate;
  end;
  if not completed then
    -- 10 minutes (the job's period), doubling, at most a day apart.
    attempts := request.attempts + 1;
    next_attempt_at := now() + least(interval '10 minutes' * power(2, least(attempts - 1, 8)), interval '1 day');
    update app_public.data_deletion_requests r
      set attempts = erase_next_verified_user.attempts, last_error_kind = error_kind,
          next_attempt_at = erase_next_verified_user.next_attempt_at
    where r.id = request.id;
  end if;
end;
$function$;
comment on function app_jobs.erase_next_verified_user() is 'The process_deletion_requests job, one request per call (one transaction): takes the oldest verified request that is due (next_attempt_at passed or null) and erases every row naming its user (their rows, notifications about them, their ids in the audit log through app_audit.anonymise_erased_user), records the erasure and its cause (request or retention), completes the request. When the erasure fails, none of it stays: the request records attempts + 1, the SQLSTATE (last_error_kind) and the next try (10 minutes after the first failure, doubling, at most 1 day), and the call still returns, so the next request is not held back. A retention request whose user was active since it was made (app_private.last_activity) is withdrawn instead (status rejected, audited as retention_withdrawn). Returns request_id (null when none is due), completed, attempts (failed so far), error_kind (SQLSTATE, when this attempt failed), next_attempt_at, withdrawn. Rule: issue 15, sections 2 and 3.';

CREATE OR REPLACE FUNCTION app_jobs.request_erasure_of_inactive_users()
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  review record;
  counts jsonb := '{"kept": 0, "notified": 0, "waiting": 0, "cancelled": 0, "requested": 0}';
  counter text;
begin
  for review in select * from app_private.retention_review() loop
    -- The traces become the stored mark: tomorrow's review reads only who is still idle.
    update app_public.users u set last_active_at = review.active_at
    where u.id = review.user_id and u.last_active_at < review.active_at;
    counter := case review.action when 'keep' then 'kept' when 'notify' then 'notified' when 'wait' then 'waiting'
                                  when 'cancel' then 'cancelled' when 'erase' then 'requested' end;
    counts := jsonb_set(counts, array[counter], to_jsonb((counts ->> counter)::integer + 1));
    case review.action
      when 'notify' then
        insert into app_private.retention_notices (user_id) values (review.user_id);
        insert into app_public.notifications (user_id, kind, title, body, data)
        values (review.user_id, 'retention_notice',
                format('Your account will be erased after %s', to_char(review.erase_after at time zone 'UTC', 'YYYY-MM-DD')),
                format('You have not used the app for more than %s days, the time you chose to keep your data. '
                       'Use either app before then to keep your account.', review.data_retention_days),
                jsonb_build_object('erase_after', review.erase_after, 'data_retention_days', review.data_retention_days));
      when 'cancel' then
        delete from app_private.retention_notices n where n.user_id = review.user_id;
      when 'erase' then
        insert into app_public.data_deletion_requests (user_id, status, verified_at, reason)
        values (review.user_id, 'verified', now(), 'retention');
      else
        null;
    end case;
  end loop;
  return counts;
end;
$function$;
comment on function app_jobs.request_erasure_of_inactive_users() is 'The enforce_retention job''s second part, the retention review (app_private.retention_review) carried out: brings last_active_at forward to the newest trace found; notifies a user inactive past their data_retention_days (a retention_notice notification and a row in app_private.retention_notices); withdraws the notice when they were active since; requests their erasure (verified, reason retention; process_deletion_requests carries it out) when the notice is 30 days old and they were not. Returns the counts as {"kept", "notified", "waiting", "cancelled", "requested"} (integers); idempotent within a day. Rule: issue 15 section 3, seed 004. Executable by app_worker.';
