--! Previous: sha1:0145410f9ba8502ba26050711903f233d25e90ac
--! Hash: sha1:43db9b7d11e5835e8cd76aa84a4549d2a2e05957
--! Message: What reaches a child is exactly what was approved, and every account ends as promised: moderation of every child-visible column, audience and version; nobody judges their own work; erasure requests independent and consent history kept; retention by every path, with notice and dry run

--! split: 1-current.sql
-- Enter migration here: idempotent (it is re-run on every change in watch mode).

--! split: 100-moderation.sql
-- Issue 15, section 1: moderation covers everything a child is shown, for the
-- audience and the version the moderator saw, and nobody judges their own work.

------------------------------------------------------------------------------
-- What the child's app can read, from the grants themselves: a column granted
-- tomorrow is covered without anyone listing it.
------------------------------------------------------------------------------
create or replace function app_private.child_visible_columns(tbl regclass) returns text[]
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
  select coalesce(array_agg(a.attname::text order by a.attnum), '{}')
  from pg_attribute a
  where a.attrelid = tbl and a.attnum > 0 and not a.attisdropped
    -- Before the roles exist (a bare migrate), every column counts: the safe side.
    and (not exists (select 1 from pg_roles where rolname = 'inner_edu_user')
         or has_column_privilege('inner_edu_user', tbl, a.attnum, 'select'))
$$;
revoke all on function app_private.child_visible_columns(regclass) from public;
comment on function app_private.child_visible_columns(regclass) is
  'The columns of a table that inner_edu_user may select (every column while that role does not exist), in column order. '
  'Raises nothing. Used by the moderation triggers (issue 15, section 1).';

------------------------------------------------------------------------------
-- Any change to what the child can read sends an approved (or reviewed) quest
-- back to moderation and out of the child's app and the marketplace. Only the
-- columns that moderation, the lifecycle and the jobs keep are not content; every
-- other child-visible column, the audience (child_id, is_public) included, is.
------------------------------------------------------------------------------
create or replace function app_private.tg_quests__content_edit_needs_moderation() returns trigger
  -- Definer: it reads the grants through app_private, which the app roles cannot use.
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  -- Written by moderation, reviews, the status flow, the jobs and the row triggers,
  -- or derived from graph_structure (yaml_content): none of it is the author's content.
  not_content constant text[] := array[
    'status', 'moderation_status', 'moderation_reason', 'moderation_issues', 'moderated_at',
    'psychologist_reviewed', 'psychologist_review_id', 'reviewed_at', 'yaml_content',
    'reveal_count', 'last_reveal_at', 'family_photos_count', 'family_memories_count',
    'rating', 'rating_count', 'plays_count', 'completion_count', 'completion_rate', 'average_completion_time',
    'deployed_to_inner_edu', 'inner_edu_quest_id', 'deployed_at', 'published_at', 'deleted_at',
    'created_at', 'updated_at', 'version'];
  old_row constant jsonb := to_jsonb(old);
  new_row constant jsonb := to_jsonb(new);
begin
  if (old.moderation_status <> 'pending' or old.psychologist_reviewed)
     and exists (select 1 from unnest(app_private.child_visible_columns(tg_relid)) c
                 where c <> all (not_content) and new_row -> c is distinct from old_row -> c) then
    new.moderation_status := 'pending';
    new.moderated_at := null;
    new.psychologist_reviewed := false;
    if new.status = 'deployed' then
      new.status := 'draft';
    end if;
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_quests__content_edit_needs_moderation() from public;
comment on function app_private.tg_quests__content_edit_needs_moderation() is
  'BEFORE UPDATE of quests: when a column inner_edu_user may read changes (app_private.child_visible_columns; all but the '
  'moderation, lifecycle, job and derived columns it names), including the audience child_id / is_public, an approved or '
  'reviewed quest goes back to pending, loses its psychologist approval, and a deployed one goes back to draft. Raises nothing. '
  'Issue 15, section 1 (replaces the title/description/graph rule of migration 000007).';
drop trigger if exists _120_content_edit_needs_moderation on app_public.quests;
create trigger _120_content_edit_needs_moderation before update on app_public.quests
  for each row execute function app_private.tg_quests__content_edit_needs_moderation();

-- quest_nodes are what the child's app reads of the graph: a change to them that
-- did not come through graph_structure (whose edit already reset the quest) resets it too.
create or replace function app_private.tg_quest_nodes__change_needs_moderation() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  old_row constant jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_row constant jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
begin
  -- Written by a trigger: the sync from graph_structure (whose change the quests trigger judged) or a cascade.
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  if tg_op <> 'UPDATE'
     or exists (select 1 from unnest(app_private.child_visible_columns(tg_relid)) c
                where c not in ('created_at', 'updated_at') and new_row -> c is distinct from old_row -> c) then
    update app_public.quests q
      set moderation_status = 'pending', moderated_at = null, psychologist_reviewed = false,
          status = case when q.status = 'deployed' then 'draft' else q.status end
    where q.id in ((coalesce(new_row, old_row) ->> 'quest_id')::uuid, (old_row ->> 'quest_id')::uuid)
      and (q.moderation_status <> 'pending' or q.psychologist_reviewed);
  end if;
  return null;
end;
$$;
revoke all on function app_private.tg_quest_nodes__change_needs_moderation() from public;
comment on function app_private.tg_quest_nodes__change_needs_moderation() is
  'AFTER INSERT, UPDATE or DELETE of quest_nodes written directly (not by a trigger): a node added, removed or changed in a column inner_edu_user may read '
  '(timestamps aside) sends its quest (and, when re-pointed, the old one) back to pending, unreviewed, and a deployed one '
  'to draft. Raises nothing. Issue 15, section 1.';
drop trigger if exists _800_change_needs_moderation on app_public.quest_nodes;
create trigger _800_change_needs_moderation after insert or update or delete on app_public.quest_nodes
  for each row execute function app_private.tg_quest_nodes__change_needs_moderation();

------------------------------------------------------------------------------
-- Nobody moderates their own quest, whatever the path (moderate_quest, or an
-- update by whoever may write the moderation columns while acting as the author).
------------------------------------------------------------------------------
create or replace function app_private.tg_quests__no_self_moderation() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.author_id = app_public.current_user_id() then
    raise exception 'Nobody moderates their own quest: another admin decides.'
      using errcode = '42501', table = 'quests', column = 'moderation_status';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_quests__no_self_moderation() from public;
comment on function app_private.tg_quests__no_self_moderation() is
  'BEFORE INSERT or UPDATE OF moderation_status of quests, for a decision (not pending): refuses (42501) when the acting '
  'user (app.user_id) is the quest''s author. Issue 15, section 1 ("nobody moderates their own work", CONTRACT.md).';
drop trigger if exists _110_no_self_moderation on app_public.quests;
create trigger _110_no_self_moderation before insert or update of moderation_status on app_public.quests
  for each row when (new.moderation_status <> 'pending') execute function app_private.tg_quests__no_self_moderation();

------------------------------------------------------------------------------
-- A decision is about the version the moderator read.
------------------------------------------------------------------------------
drop function if exists app_public.moderate_quest(uuid, app_public.moderation_status, text, jsonb);
create or replace function app_public.moderate_quest(
  quest_id uuid, version integer, decision app_public.moderation_status, reason text default null, issues jsonb default null)
  returns app_public.quests
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  quest app_public.quests;
begin
  perform app_private.acting_user('admin');
  if decision = 'pending' then
    raise exception 'A moderation decision is approved, rejected or flagged.' using errcode = '22023';
  end if;
  if moderate_quest.version is null then
    raise exception 'Send the version of the quest you read.' using errcode = '22004';
  end if;
  -- Naming the version lets the row trigger refuse a stale one (STALE), as every optimistic lock does.
  update app_public.quests q
    set version = moderate_quest.version,
        moderation_status = decision, moderation_reason = reason, moderation_issues = issues, moderated_at = now(),
        -- A quest that fails moderation leaves the child's app.
        status = case when decision <> 'approved' and q.status = 'deployed' then 'draft' else q.status end
  where q.id = moderate_quest.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest %.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$$;
revoke all on function app_public.moderate_quest(uuid, integer, app_public.moderation_status, text, jsonb) from public;
comment on function app_public.moderate_quest(uuid, integer, app_public.moderation_status, text, jsonb) is
  E'@arg quest_id The quest.\n@arg version The version of the quest you read; the decision is about that version.\n@arg decision approved, rejected or flagged.\n@arg reason Why, for the author.\n@arg issues Findings: [{"category", "severity", "message"}].\n'
  'An admin approves, rejects or flags the version of a quest they read, with a reason and issues ([{"category", "severity", "message"}]); '
  'a deployed quest that is not approved goes back to draft. Errors: 42501 when the caller is not an admin or is the quest''s author; '
  '22023 for a pending decision; 22004 without a version; STALE when the quest changed since that version; P0002 for an unknown quest. '
  'Issue 15, section 1.';

------------------------------------------------------------------------------
-- Nobody reviews their own quest: a psychologist is neither assigned to nor
-- completes a review of a quest they wrote, whatever the path.
------------------------------------------------------------------------------
create or replace function app_private.tg_psychologist_reviews__not_by_the_author() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.psychologist_id) then
    raise exception 'Nobody reviews their own quest: assign another psychologist.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_not_by_the_author',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_psychologist_reviews__not_by_the_author() from public;
comment on function app_private.tg_psychologist_reviews__not_by_the_author() is
  'BEFORE INSERT or UPDATE of psychologist_reviews (assignment, status, approval): refuses (23514, constraint '
  'psychologist_reviews_not_by_the_author) a review whose psychologist wrote the quest. Issue 15, section 1.';
drop trigger if exists _110_not_by_the_author on app_public.psychologist_reviews;
create trigger _110_not_by_the_author before insert or update of quest_id, psychologist_id, status, is_approved
  on app_public.psychologist_reviews
  for each row when (new.psychologist_id is not null) execute function app_private.tg_psychologist_reviews__not_by_the_author();

------------------------------------------------------------------------------
-- A review approves the quest as it is when the review is completed: re-saving a
-- review completed before the quest changed does not approve the new content (the
-- change cleared psychologist_reviewed); withdrawing an approval always counts.
------------------------------------------------------------------------------
create or replace function app_private.tg_psychologist_reviews__show_on_quest() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status is distinct from 'completed') then
    update app_public.quests
      set psychologist_reviewed = new.is_approved, psychologist_review_id = new.id, reviewed_at = new.completed_at
    where id = new.quest_id;
  elsif tg_op = 'UPDATE' and old.status = 'completed' and (new.status <> 'completed' or new.is_approved is not true) then
    update app_public.quests set psychologist_reviewed = false
    where id = new.quest_id and psychologist_review_id = new.id;
  end if;
  return null;
end;
$$;
revoke all on function app_private.tg_psychologist_reviews__show_on_quest() from public;
comment on function app_private.tg_psychologist_reviews__show_on_quest() is
  'AFTER INSERT or UPDATE OF status, is_approved of psychologist_reviews: a review becoming completed sets its quest''s '
  'psychologist_reviewed (to is_approved), psychologist_review_id and reviewed_at; a completed review re-saved approves '
  'nothing new (a quest changed since needs a new completion), and a completed review reopened or no longer approving '
  'clears psychologist_reviewed when it was the deciding one. Raises nothing. Issue 15, section 1 (migration 000005''s rule, bound to the review''s completion).';

------------------------------------------------------------------------------
-- Nobody rates their own quest.
------------------------------------------------------------------------------
create or replace function app_private.tg_quest_ratings__not_by_the_author() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.user_id) then
    raise exception 'Nobody rates their own quest.'
      using errcode = 'check_violation', constraint = 'quest_ratings_not_by_the_author',
            table = 'quest_ratings', column = 'quest_id';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_quest_ratings__not_by_the_author() from public;
comment on function app_private.tg_quest_ratings__not_by_the_author() is
  'BEFORE INSERT or UPDATE OF quest_id, user_id of quest_ratings while a user acts (app.user_id set: GraphQL, direct SQL, functions): refuses '
  '(23514, constraint quest_ratings_not_by_the_author) a rating by the quest''s author. Seeds and fixtures, run with nobody '
  'acting, are not checked. Issue 15, section 1.';
drop trigger if exists _110_not_by_the_author on app_public.quest_ratings;
create trigger _110_not_by_the_author before insert or update of quest_id, user_id on app_public.quest_ratings
  for each row when (app_public.current_user_id() is not null)
  execute function app_private.tg_quest_ratings__not_by_the_author();

--! split: 200-erasure.sql
-- Issue 15, section 2: erasure always completes (docs/privacy.md "Your data", docs/operations.md
-- "The erasure queue").

------------------------------------------------------------------------------
-- A child's consent history is the child's: deleting a quest (its author is erased, or deletes it)
-- keeps the child's events about it and removes only the quest reference. Before, the cascade from
-- the quest deleted them, the append-only trigger refused, and the author could not be erased.
------------------------------------------------------------------------------
alter table app_public.consent_events drop constraint if exists consent_events_quest_id_fkey;
alter table app_public.consent_events
  add constraint consent_events_quest_id_fkey foreign key (quest_id) references app_public.quests (id) on delete set null;
comment on column app_public.consent_events.quest_id is
  'The quest, when a per-quest override changed; null for the child''s defaults, and once the quest is deleted (the event stays the child''s; an audit row says when).';

/*
 * Two changes get through, each only as a foreign key's action: a child's rows leave with the
 * child (erasure), and a deleted quest's reference becomes null, nothing else of the row changing
 * (audited). Security definer: "the child / the quest is gone" must not depend on what RLS shows.
 */
create or replace function app_private.tg_consent_events__append_only() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_private.tg_consent_events__append_only() from public;
comment on function app_private.tg_consent_events__append_only() is
  'consent_events is append-only (trigger): refuses UPDATE and DELETE (SQLSTATE 42501) except a DELETE of a row whose child no longer exists (erasure of the child, by the foreign key) and an UPDATE that only sets quest_id to null once that quest no longer exists (its deletion, by the foreign key; audited as unlink_deleted_quest with the child''s id). The rule of issue 15, section 2: the consent history is the child''s.';

------------------------------------------------------------------------------
-- Each request on its own: a failing one is recorded and retried later with backoff, and the run
-- goes on to the next one.
------------------------------------------------------------------------------
alter table app_public.data_deletion_requests
  add column if not exists attempts integer not null default 0,
  add column if not exists last_error_kind text,
  add column if not exists next_attempt_at timestamptz;
alter table app_public.data_deletion_requests drop constraint if exists data_deletion_requests_attempts_not_negative;
alter table app_public.data_deletion_requests
  add constraint data_deletion_requests_attempts_not_negative check (attempts >= 0);
comment on column app_public.data_deletion_requests.attempts is 'Erasure attempts that failed (0 until one does); the erasure is retried until it completes.';
comment on column app_public.data_deletion_requests.last_error_kind is 'SQLSTATE of the last failed attempt (never the message: it can quote data); null until one fails.';
comment on column app_public.data_deletion_requests.next_attempt_at is 'No attempt before then (backoff after a failure); null: at the next run.';
create index if not exists data_deletion_requests_due_idx on app_public.data_deletion_requests (verified_at, id) where status = 'verified';

drop function if exists app_jobs.erase_next_verified_user();
/*
 * The erasure of migration 000018 inside a block of its own (a subtransaction): when it fails,
 * nothing of it stays, the request records the failure and waits, and the function returns
 * normally, so the job's loop goes on to the next request (each call is one transaction).
 */
create function app_jobs.erase_next_verified_user(
  out request_id uuid, out completed boolean, out attempts integer, out error_kind text, out next_attempt_at timestamptz,
  out withdrawn boolean
)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_jobs.erase_next_verified_user() from public;
comment on function app_jobs.erase_next_verified_user() is
  'The process_deletion_requests job, one request per call (one transaction): takes the oldest verified request that is due (next_attempt_at passed or null) and erases every row naming its user (their rows, notifications about them, their ids in the audit log through app_audit.anonymise_erased_user), records the erasure and its cause (request or retention), completes the request. When the erasure fails, none of it stays: the request records attempts + 1, the SQLSTATE (last_error_kind) and the next try (10 minutes after the first failure, doubling, at most 1 day), and the call still returns, so the next request is not held back. A retention request whose user was active since it was made (app_private.last_activity) is withdrawn instead (status rejected, audited as retention_withdrawn). Returns request_id (null when none is due), completed, attempts (failed so far), error_kind (SQLSTATE, when this attempt failed), next_attempt_at, withdrawn. Rule: issue 15, sections 2 and 3.';

/* For /metrics (the erasure_requests gauge): the queue of verified requests, counts only. */
create or replace function app_ops.erasure_queue(out queued integer, out failing integer)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select (count(*) filter (where r.attempts = 0))::int, (count(*) filter (where r.attempts > 0))::int
  from app_public.data_deletion_requests r where r.status = 'verified';
$$;
revoke all on function app_ops.erasure_queue() from public;
comment on function app_ops.erasure_queue() is
  'Verified erasure requests not yet completed: queued (never failed) and failing (failed at least once, retried with backoff). Counts only. For the erasure_requests gauge and its alert rules (docs/operations.md).';

--! split: 300-retention.sql
-- Issue 15, section 3: retention never erases an active user.
--
-- last_active_at was marked by the API only, so a user of the apps' trusted
-- services (direct SQL) looked idle while writing every day. Recording activity
-- on every request would cost a write per request; instead the daily review
-- reads the traces a user's own actions leave anyway, for the few users whose
-- stored mark is past their period: the newest created_at/updated_at of the rows
-- they own (app_private.personal_data_owners, so a new table is covered without
-- anyone remembering) and the newest audit row they acted in (every path: GraphQL
-- and direct SQL alike set app.user_id). What it finds is folded back into
-- last_active_at, so the next day reads only who is still idle.
-- A user found idle is told (seed 004: "marked for retention review") and erased
-- only if still idle 30 days after the notice; any activity since cancels it.

drop function if exists app_jobs.request_erasure_of_inactive_users() cascade;
drop function if exists app_private.retention_review() cascade;
drop function if exists app_private.last_activity(uuid[]) cascade;

create table if not exists app_private.retention_notices (
  user_id uuid primary key references app_public.users (id) on delete cascade,
  notified_at timestamptz not null default now()
);
comment on table app_private.retention_notices is
  'Users told that their account will be erased for inactivity (one row each, while the notice stands): written and removed by app_jobs.request_erasure_of_inactive_users only.';
comment on column app_private.retention_notices.user_id is 'The user who was told.';
comment on column app_private.retention_notices.notified_at is 'When the notice was given; erasure comes 30 days later if no activity follows.';

comment on column app_public.users.last_active_at is
  'When the user was last seen active: marked hourly by the API, and brought forward by the daily retention review from the traces of their own writes (any path). Since account creation or the start of tracking.';

/*
 * Per user, the newest trace of their own acting, and where it was found:
 * `api` (last_active_at), `audit_log` (a row they acted in), or the table of a
 * row they own. Tables whose rows the jobs write for the user do not count by
 * their timestamps: a notification counts when its recipient read it; metrics
 * snapshots, milestones and tracks are the jobs' work. A row someone else edits
 * for the user (a moderator's decision on their quest) does count: retention
 * errs towards keeping.
 */
create function app_private.last_activity(user_ids uuid[])
  returns table (user_id uuid, active_at timestamptz, trace text)
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_private.last_activity(uuid[]) from public;
comment on function app_private.last_activity(uuid[]) is
  'For each given user id (uuid[]): the newest trace of the user''s own acting (active_at, timestamptz) and where it was found (trace: api = last_active_at, audit_log = a row they acted in, else the app_public table of a row they own, by its created_at/updated_at; notifications by read_at; metrics_snapshots, milestones and user_tracks not at all, the jobs write them). One row per existing user; raises nothing. Rule: issue 15 section 3, retention never erases a user active through any path. Owner only.';

/*
 * Who the retention review concerns today, and what it will do, with the reason:
 *   keep   — the stored mark is past the period, but their traces are not (the job folds them in);
 *   notify — inactive past data_retention_days: told now, erased 30 days later if still inactive;
 *   wait   — told, no activity since, the 30 days not over;
 *   cancel — told, then active: the notice is withdrawn;
 *   erase  — told 30 days ago or more and not active since: a verified erasure request (reason retention).
 * Users with a verified or processing erasure request are not reviewed. The dry run is this function.
 */
create function app_private.retention_review()
  returns table (user_id uuid, kind app_public.user_kind, data_retention_days integer, active_at timestamptz, trace text,
                 notified_at timestamptz, erase_after timestamptz, action text, reason text)
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_private.retention_review() from public;
comment on function app_private.retention_review() is
  'The retention dry run: one row per user the daily review concerns (stored mark past data_retention_days, or a notice standing; none with a verified or processing erasure request): user_id, kind, data_retention_days, active_at and trace (app_private.last_activity), notified_at, erase_after (notice + 30 days), action (keep, notify, wait, cancel, erase) and a reason in words (dates in UTC). Changes nothing; raises nothing. Rule: issue 15 section 3 and seed 004 (retention review before erasure). Owner only (npm run retention:dry-run).';

create function app_jobs.request_erasure_of_inactive_users() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_jobs.request_erasure_of_inactive_users() from public;
comment on function app_jobs.request_erasure_of_inactive_users() is
  'The enforce_retention job''s second part, the retention review (app_private.retention_review) carried out: brings last_active_at forward to the newest trace found; notifies a user inactive past their data_retention_days (a retention_notice notification and a row in app_private.retention_notices); withdraws the notice when they were active since; requests their erasure (verified, reason retention; process_deletion_requests carries it out) when the notice is 30 days old and they were not. Returns the counts as {"kept", "notified", "waiting", "cancelled", "requested"} (integers); idempotent within a day. Rule: issue 15 section 3, seed 004. Executable by app_worker.';
