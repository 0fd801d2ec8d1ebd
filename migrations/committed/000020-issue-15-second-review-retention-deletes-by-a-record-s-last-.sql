--! Previous: sha1:43db9b7d11e5835e8cd76aa84a4549d2a2e05957
--! Hash: sha1:e620f9b54c86cc6d674a29752fe99f64bd9d9947
--! Message: Issue 15, second review: retention deletes by a record's last touch, an erasure's lock waits end after 5 s, a review completes only on the quest it started on

--! split: 100-review-findings.sql
-- Issue 15, three faults a review found after migration 000019.

-- 1. Retention deleted "records older than the period" by their creation time, so an old row the
-- user touched today (a builder session edited, a notification read, a therapy session ended) —
-- the very trace that shows them active (app_private.last_activity) — was deleted just before the
-- review read it, and the user was notified. A record's age is now its last touch, as
-- last_activity reads it: the deletion never removes a trace newer than the period.
create or replace function app_jobs.enforce_retention() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_jobs.enforce_retention() is
  'The enforce_retention job''s first part: deletes each user''s activity records whose last touch (creation, update, read, end) is older than their data_retention_days, so that no trace the retention review counts as activity is removed before it; returns the counts by table. Issue 15, section 3.';

-- 2. An erasure waited on any row lock any user held (a parent keeping a rating of the quest's
-- author locked in an open transaction), and the requests behind it with it. A lock wait now ends
-- after 5 seconds (SQLSTATE 55P03): the request is recorded as failing and retried later, the next
-- one goes on.
alter function app_jobs.erase_next_verified_user() set lock_timeout = '5s';

-- 3. A review approved whatever the quest held when it was completed, also text the author changed
-- after the psychologist started reading. Completing a review now needs the quest unchanged since the
-- review's recorded start (set before the completing update, so it cannot be moved in the same one).
create or replace function app_private.tg_psychologist_reviews__quest_unchanged_since_start() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.status = 'completed' and old.status is distinct from 'completed'
     and exists (select 1 from app_public.quests q
                 where q.id = new.quest_id and q.updated_at > coalesce(old.started_at, old.created_at)) then
    raise exception 'The quest changed after this review started: read it again (set started_at) before completing the review.'
      using errcode = 'STALE', table = 'psychologist_reviews';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_psychologist_reviews__quest_unchanged_since_start() from public;
comment on function app_private.tg_psychologist_reviews__quest_unchanged_since_start() is
  'BEFORE UPDATE OF status on psychologist_reviews: refuses (SQLSTATE STALE) to complete a review whose quest was edited after the review''s start as recorded before this update (started_at, else the request''s created_at), so a review approves only what the psychologist could have read. Issue 15, section 1.';
drop trigger if exists _120_quest_unchanged_since_start on app_public.psychologist_reviews;
create trigger _120_quest_unchanged_since_start before update of status on app_public.psychologist_reviews
  for each row execute function app_private.tg_psychologist_reviews__quest_unchanged_since_start();
