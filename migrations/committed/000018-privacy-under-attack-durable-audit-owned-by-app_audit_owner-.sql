--! Previous: sha1:90155d9ce206fa9c671fa7f9c27d23111374173a
--! Hash: sha1:0145410f9ba8502ba26050711903f233d25e90ac
--! Message: Privacy under attack: durable audit owned by app_audit_owner, acting kind per role, flow rules for plain writes, P2 readers under RLS, quiet server log, closed statistics views, per-figure consent and differentially private releases, audited notifications

--! split: 100-audit.sql
-- Issue 14, items 4 and 5: durable audit of consent-gated reads, audit rows no role but a superuser can change.
-- The log itself now belongs to app_audit_owner in schema app_audit, set up by a superuser after the
-- migrations (src/db/auditLog.sql): this migration only points our functions at it. They are plpgsql,
-- so they name app_audit's functions without needing them yet (a fresh database gets them right after).

-- The append-only trigger and its `set local` escape hatches (any role could set them) go with the table's
-- move; here, while the owner still owns the table, the trigger function and its triggers are dropped.
drop function if exists app_private.tg_audit_log__append_only() cascade;

-- Writes (triggers), exports and erasures: recorded in the caller's transaction, so a write that is
-- rolled back leaves no record — it did not happen.
create or replace function app_private.audit(
  action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb default '{}'
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform app_audit.append(app_private.acting_role(), app_public.current_user_id(),
                           action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$$;
revoke all on function app_private.audit(text, text, uuid, uuid, text, text, jsonb) from public;
comment on function app_private.audit(text, text, uuid, uuid, text, text, jsonb) is
  'Appends an audit row (acting role and app.user_id filled in) in the caller''s transaction, through app_audit.append: for writes, which a rollback undoes. Consent-gated reads use app_private.audit_read. Errors: app_audit.append''s (decision must be allowed, denied or null).';

-- Consent-gated reads: the record is committed on its own connection before anything is released,
-- so no rollback, error or lost connection of the caller's undoes it.
create or replace function app_private.audit_read(
  action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb default '{}'
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform app_audit.append_durable(app_private.acting_role(), app_public.current_user_id(),
                                   action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$$;
revoke all on function app_private.audit_read(text, text, uuid, uuid, text, text, jsonb) from public;
comment on function app_private.audit_read(text, text, uuid, uuid, text, text, jsonb) is
  'Appends the audit row of a consent-gated read (app_private.audit''s arguments), committed at once on the session''s own connection (app_audit.append_durable), so the caller''s transaction cannot undo it. Every function that releases a child''s data to someone else calls it before returning. Errors: SQLSTATE AUDIT when the row could not be written (the read must fail with it).';

-- can_share_with_parent (migration 000003), its audit row now durable.
create or replace function app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid default null) returns boolean
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
  perform app_private.audit_read('can_share_with_parent', 'quests', quest_id, child_id, data_type,
                                 case when allowed then 'allowed' else 'denied' end);
  return allowed;
end;
$$;
comment on function app_public.can_share_with_parent(uuid, text, uuid) is
  'Whether the child consented to share this kind of data (progress, educational_progress, play_frequency, quest_details, emotional_state, analytics) with their parents, for a quest (its override wins) or by default. False for anyone but the child and their linked parents. Every call is audited durably: the record survives the caller''s rollback. Errors: 22023 for an unknown data type; AUDIT when the record could not be written.';

-- The erasure job (migration 000016) blanks the user's ids in the audit log through the one function
-- app_audit_owner allows for it, which records the anonymisation itself.
create or replace function app_jobs.erase_next_verified_user() returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  request record;
  erased text;
begin
  select r.id, r.user_id, r.reason = 'retention' as retention into request from app_public.data_deletion_requests r
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
  perform app_audit.anonymise_erased_user(request.user_id);
  perform app_private.audit('erasure', 'data_deletion_requests', request.id, null, null, null,
                            jsonb_build_object('cause', case when request.retention then 'retention' else 'request' end));
  return request.id;
end;
$$;
comment on function app_jobs.erase_next_verified_user() is
  'The process_deletion_requests job, one request per call: erases every row naming the user of the oldest verified request (their rows, notifications about them, their ids in the audit log through app_audit.anonymise_erased_user), records the erasure and its cause (request or retention), completes the request; null when none is left.';

--! split: 200-acting-kind-and-flow-rules.sql
-- Issue 14, items 7 and 8: the acting user's kind matches the app role, and the
-- rules the flow functions keep hold for a plain insert or update too
-- (docs/privacy.md, "Who is who" and "Flow rules hold for plain writes").

------------------------------------------------------------------------------
-- Item 7: pas_bot_user acts only as a parent, a psychologist or an admin;
-- inner_edu_user only as a child (CONTRACT, "Rules made explicit").
------------------------------------------------------------------------------
-- No `set search_path` (it names nothing unqualified) so that it is inlined where it is called.
create or replace function app_private.acting_kind_problem(acting_role text, kind app_public.user_kind) returns text
  language sql immutable parallel safe
  as $$
  select case
    when acting_role = 'pas_bot_user' and kind = 'child' then
      'pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child: a child acts through inner_edu_user (the inner_edu app).'
    when acting_role = 'inner_edu_user' and kind <> 'child' then
      format('inner_edu_user acts only as a child, and this user is %s %s: parents, psychologists and admins act through pas_bot_user (the PAS bot).',
             case when kind = 'admin' then 'an' else 'a' end, kind)
  end
$$;
revoke all on function app_private.acting_kind_problem(text, app_public.user_kind) from public;
comment on function app_private.acting_kind_problem(text, app_public.user_kind) is
  'Why the role (an app role: pas_bot_user, inner_edu_user) may not act as a user of this kind, in words; null when it may, for any other role (owner, worker, superuser) and for no user (kind null). The rule of CONTRACT "Rules made explicit (2026-11-29)".';

/*
 * Every policy and function reads the acting user here, so the kind check holds
 * for GraphQL and direct SQL alike. Security definer: it reads the user's kind
 * whatever RLS shows (the users policy itself calls this function). The acting
 * role is the caller's even here (app_private.acting_role: the `role` setting,
 * else the login role), so the owner, the worker and a superuser are not checked.
 */
create or replace function app_public.current_user_id() returns uuid
  language plpgsql stable security definer parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
declare
  acting uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  problem text;
begin
  if acting is not null then
    problem := app_private.acting_kind_problem(app_private.acting_role(),
                                               (select u.kind from app_public.users u where u.id = acting));
    if problem is not null then
      raise exception '%', problem
        using errcode = 'ACTOR', detail = format('app.user_id is %s.', acting),
              hint = 'Act as this user through the other app''s role, or set app.user_id to a user of a kind this role serves.';
    end if;
  end if;
  return acting;
end;
$$;
revoke all on function app_public.current_user_id() from public;
comment on function app_public.current_user_id() is
  'The acting user''s id (the transaction-local setting app.user_id), or null when nobody acts. Raises SQLSTATE ACTOR when the app role may not act as that user''s kind (the contract''s rule): pas_bot_user acts only as a parent, psychologist or admin, inner_edu_user only as a child; an unknown id acts as nobody.';

/* The API's early answer (HTTP 403 before the operation runs); the database enforces the rule anyway. */
create or replace function app_ops.acting_kind_problem(acting_role text, user_id uuid) returns text
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select app_private.acting_kind_problem(acting_role, (select u.kind from app_public.users u where u.id = user_id))
$$;
revoke all on function app_ops.acting_kind_problem(text, uuid) from public;
comment on function app_ops.acting_kind_problem(text, uuid) is
  'For the API, before a request runs: why the app role (pas_bot_user or inner_edu_user) may not act as this user (a sentence for the client), or null when it may or the user is unknown. Same rule as app_public.current_user_id() (SQLSTATE ACTOR there); CONTRACT "Rules made explicit".';

------------------------------------------------------------------------------
-- Item 8: what update_quest_progress and update_project_progress enforce holds
-- for the child's and the parent's plain writes too. (Policies carry the rest:
-- policies/130_quests.sql, 140_play.sql, 160_parent_own_rows.sql.)
------------------------------------------------------------------------------
/*
 * The child's app writes progress a play could produce: no more nodes than the
 * quest has, and a completion is final (completed stays true, completed_at keeps
 * the first time: the parents' notification is sent once). Only inner_edu_user's
 * writes are held to it: the owner's jobs, seeds and tests write figures directly.
 * Security definer: the quest's graph is read whatever the child may see.
 */
create or replace function app_private.tg_quest_progress__as_played() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  quest_nodes integer;
begin
  if app_private.acting_role() <> 'inner_edu_user' then
    return new;
  end if;
  select jsonb_array_length(q.graph_structure -> 'nodes') into quest_nodes from app_public.quests q where q.id = new.quest_id;
  if new.nodes_completed > quest_nodes then
    raise exception 'nodes_completed must be between 0 and % (the quest''s nodes), got %.', quest_nodes, new.nodes_completed
      using errcode = '23514', constraint = 'quest_progress_nodes_within_quest';
  end if;
  if tg_op = 'UPDATE' and old.completed and (not new.completed or new.completed_at is distinct from old.completed_at) then
    raise exception 'This quest was completed at %: a completion is final (completed and completed_at stay as they are).', old.completed_at
      using errcode = '23514', constraint = 'quest_progress_completion_is_final';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg_quest_progress__as_played() from public;
comment on function app_private.tg_quest_progress__as_played() is
  'BEFORE INSERT/UPDATE trigger of quest_progress, for inner_edu_user''s writes: nodes_completed at most the quest''s nodes, and a completed row stays completed with its completed_at (SQLSTATE 23514, constraint names quest_progress_nodes_within_quest, quest_progress_completion_is_final). The rules of update_quest_progress (migration 000004), issue 14 item 8.';
drop trigger if exists _200_as_played on app_public.quest_progress;
create trigger _200_as_played before insert or update of nodes_completed, completed, completed_at, quest_id on app_public.quest_progress
  for each row execute function app_private.tg_quest_progress__as_played();

-- update_project_progress: 100% completes a project, and only 100% does.
alter table app_public.creative_projects drop constraint if exists creative_projects_completed_exactly_at_100;
alter table app_public.creative_projects add constraint creative_projects_completed_exactly_at_100
  check ((status = 'completed') = (progress = 100));

--! split: 300-p2-logs-side-channels.sql
-- Issue 14, items 6 and 11: P2 reading functions that answer only for rows the
-- caller may see, and no oracle about other users' ids. (Item 10, the server
-- log, and the statistics views of item 11 are settings of the superuser
-- step: src/db/roles.ts.)

drop function if exists app_private.create_p2_reader(app_private.encrypted_columns) cascade;
drop function if exists app_private.caller_reads_past_rls() cascade;
drop function if exists app_private.tg__assign_only_psychologists() cascade;
-- Answered "is this uuid a psychologist?" for any uuid, to any parent: replaced by a trigger.
drop function if exists app_hidden.is_psychologist(uuid) cascade;

/*
 * Whether the session reads past row-level security: a superuser or the owner
 * (operators, backups, migrations) as opposed to an app role or the worker.
 * Decided on the role the session runs as (SET ROLE, else the login role),
 * which a security-definer function does not change and an app role cannot
 * set to anything but an app role.
 */
create function app_private.caller_reads_past_rls() returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
  select coalesce((select r.rolsuper or r.rolbypassrls from pg_roles r
                   where r.rolname = coalesce(nullif(current_setting('role'), 'none'), session_user)), false)
$$;
comment on function app_private.caller_reads_past_rls() is
  'True when the session''s role (SET ROLE, else the login) is a superuser or bypasses RLS (the owner); false for the app roles and the worker. Used by the P2 decrypting helpers (issue 14, item 6).';

/*
 * The functions that read a P2 column (issue 14, item 6):
 * - app_public.<table>_<column>(row), what GraphQL serves under the column's
 *   name: security invoker. It uses only the key of the row it is given and
 *   answers null unless the caller may select the row with that key now; a row
 *   value built by the caller (another user's id, a ciphertext from a backup)
 *   decrypts nothing.
 * - app_hidden.may_select_<table>(key): security invoker, the primary-key probe
 *   under the caller's policies.
 * - app_hidden.decrypt_<table>_<column>(key): security definer, the only way to
 *   the data key, granted to the roles that may run the reading function. Since
 *   they may call it directly, it decrypts only the stored value of an existing
 *   row owned by the acting user (or for a session that reads past RLS), and
 *   answers null otherwise, before touching any key: no KEY03/KEY04 about
 *   anyone else.
 * Both helpers are volatile PL/pgSQL: they see a row made earlier in the
 * calling statement (get_or_create_profile() read in one select, a GraphQL
 * mutation's payload), and keep their plans for the session.
 */
create function app_private.create_p2_reader(c app_private.encrypted_columns) returns void
  language plpgsql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
declare
  tbl regclass := format('app_public.%I', c.table_name)::regclass;
  reader text := c.table_name || '_' || c.column_name;
  probe text := 'may_select_' || c.table_name;
  helper text := 'decrypt_' || c.table_name || '_' || c.column_name;
  value_type text;
  key_column text;
begin
  select format_type(a.atttypid, null) into value_type
    from pg_attribute a where a.attrelid = tbl and a.attname = c.column_name;
  select a.attname into key_column
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = tbl and i.indisprimary and i.indnkeyatts = 1 and a.atttypid = 'uuid'::regtype;
  if key_column is null then
    raise exception 'app_private.create_p2_reader: % needs a one-column uuid primary key', tbl;
  end if;

  execute format(
    'create or replace function app_hidden.%I(row_key uuid) returns boolean
       language plpgsql volatile security invoker
       set search_path = pg_catalog, public, pg_temp
       as $f$ begin return exists (select 1 from app_public.%I t where t.%I = row_key); end $f$',
    probe, c.table_name, key_column);
  execute format('revoke all on function app_hidden.%I(uuid) from public', probe);
  execute format('comment on function app_hidden.%I(uuid) is %L', probe,
    format('Whether the caller may select the %s row with this %s now (its own policies: security invoker). '
           'Used by the P2 reading functions of %s; issue 14, item 6.', c.table_name, key_column, c.table_name));

  execute format(
    'create or replace function app_hidden.%I(row_key uuid) returns %s
       language plpgsql volatile security definer
       set search_path = pg_catalog, public, pg_temp
       as $f$ begin
         return (select app_private.decrypt_p2(t.%I, t.%I)::%s from app_public.%I t
                 where t.%I = row_key and (t.%I = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $f$',
    helper, value_type, c.owner_column, c.column_name || '_encrypted', value_type, c.table_name,
    key_column, c.owner_column);
  execute format('revoke all on function app_hidden.%I(uuid) from public', helper);
  execute format('comment on function app_hidden.%I(uuid) is %L', helper,
    format('The stored %s.%s of the row with this %s, decrypted (%s), when the row exists and its %s is the acting user '
           '(or the session reads past RLS: owner, superuser); null otherwise, before any key is used. '
           'Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.%s(row); issue 14, item 6.',
           c.table_name, c.column_name, key_column, value_type, c.owner_column, reader));

  execute format(
    'create or replace function app_public.%I(r app_public.%I) returns %s
       language sql stable security invoker
       set search_path = pg_catalog, public, pg_temp
       as $f$ select case when app_hidden.%I(r.%I) then app_hidden.%I(r.%I) end $f$',
    reader, c.table_name, value_type, probe, key_column, helper, key_column);
  execute format('revoke all on function app_public.%I(app_public.%I) from public', reader, c.table_name);
end;
$$;
comment on function app_private.create_p2_reader(app_private.encrypted_columns) is
  'Makes (or remakes) the functions that read a P2 column: app_public.<table>_<column>(row), invoker, which answers only for a row the caller may select now (app_hidden.may_select_<table>(key), invoker), decrypted by app_hidden.decrypt_<table>_<column>(key), definer, for the row''s owner only. Issue 14, item 6.';

-- As in migration 000017, with the reading functions made by create_p2_reader.
create or replace function app_private.store_encrypted(c app_private.encrypted_columns) returns void
  language plpgsql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
declare
  encrypted text;
  reader text;
  description text;
begin
  encrypted := c.column_name || '_encrypted';
  reader := c.table_name || '_' || c.column_name;
  description := regexp_replace(
    coalesce(col_description(format('app_public.%I', c.table_name)::regclass,
      (select attnum from pg_attribute where attrelid = format('app_public.%I', c.table_name)::regclass and attname = c.column_name)), ''),
    '^(@[^\n]*\n)*|\s*\(Stored encrypted.*\)$', '', 'g');

  execute format('alter table app_public.%I add column if not exists %I bytea', c.table_name, encrypted);
  execute format('alter table app_public.%I alter column %I drop not null', c.table_name, c.column_name);
  -- Existing values: a storage change, not an edit (no version bump, no trigger).
  execute format('alter table app_public.%I disable trigger user', c.table_name);
  execute format('update app_public.%I set %I = app_private.encrypt_p2(%I, %I::text), %I = null where %I is not null',
    c.table_name, encrypted, c.owner_column, c.column_name, c.column_name, c.column_name);
  execute format('alter table app_public.%I enable trigger user', c.table_name);

  execute format('alter table app_public.%I drop constraint if exists %I', c.table_name, reader || '_stored_encrypted');
  execute format('alter table app_public.%I add constraint %I check (%I is null)', c.table_name, reader || '_stored_encrypted', c.column_name);
  if c.required then
    execute format('alter table app_public.%I alter column %I set not null', c.table_name, encrypted);
  end if;

  execute format('drop trigger if exists %I on app_public.%I', '_900_encrypt_' || c.column_name, c.table_name);
  execute format(
    'create trigger %I before insert or update of %I on app_public.%I for each row execute function app_private.tg__encrypt_p2(%L, %L, %L, %L)',
    '_900_encrypt_' || c.column_name, c.column_name, c.table_name,
    c.owner_column, c.column_name, c.shape, case when c.required then 'required' else 'optional' end);

  perform app_private.create_p2_reader(c);
  execute format('comment on function app_public.%I(app_public.%I) is %L', reader, c.table_name,
    case when c.required then E'@notNull\n' else '' end || description || ' (Stored encrypted.)');
  execute format('comment on column app_public.%I.%I is %L', c.table_name, c.column_name,
    E'@behavior -select -orderBy -filterBy\n' || case when c.required then E'@notNull\n' else '' end
    || description || format(' (Stored encrypted in %s: read it with app_public.%s(row).)', encrypted, reader));
  execute format('comment on column app_public.%I.%I is %L', c.table_name, encrypted,
    E'@behavior -select -insert -update -orderBy -filterBy\n'
    || format('Ciphertext of %s, with the data key of the row''s %s (app_private.encrypt_p2).', c.column_name, c.owner_column));
end;
$$;
comment on function app_private.store_encrypted(app_private.encrypted_columns) is
  'Makes a P2 column of app_private.encrypted_columns stored encrypted (columns, existing values, trigger, reading functions of app_private.create_p2_reader, tags).';

-- The columns already encrypted keep their data, triggers and comments; only their readers change.
select app_private.create_p2_reader(c) from app_private.encrypted_columns c order by c.table_name, c.column_name;

/*
 * A review is assigned only to a psychologist (item 11): a trigger rather than
 * a policy calling a function the parents could run on any uuid. No app role
 * may execute it; a parent learns only that the id they chose is refused, and
 * a user who does not exist is refused with the same error.
 */
create function app_private.tg__assign_only_psychologists() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if not exists (select 1 from app_public.users u where u.id = new.psychologist_id and u.kind = 'psychologist') then
    raise exception 'psychologist_id must name a psychologist: a review is assigned only to one.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_assign_only_psychologists',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$$;
revoke all on function app_private.tg__assign_only_psychologists() from public;
comment on function app_private.tg__assign_only_psychologists() is
  'BEFORE INSERT OR UPDATE OF psychologist_id on psychologist_reviews: refuses (23514, constraint psychologist_reviews_assign_only_psychologists) an id that is not a psychologist''s, an unknown id alike. Replaces the policy that called app_hidden.is_psychologist (issue 14, item 11).';
drop trigger if exists _100_assign_only_psychologists on app_public.psychologist_reviews;
create trigger _100_assign_only_psychologists before insert or update of psychologist_id on app_public.psychologist_reviews
  for each row when (new.psychologist_id is not null) execute function app_private.tg__assign_only_psychologists();

--! split: 400-analytics-release.sql
-- Issue 14, items 1, 2, 3 and 9: the release of a child's play figures.
--
-- Figures about several children are released once per window (one UTC day) by the
-- refresh job, with calibrated noise (differential privacy), per kind of consent:
-- each figure counts only children who consented to its kind, who have a real
-- family (a linked parent who is not the quest's author), and appears only when
-- at least 5 of them are in its group. The release is stored
-- (app_private.quest_releases) and projected into quest_analytics and the quests'
-- public statistics; readers only read it. A child who stops counting (a revoke,
-- a family link removed, an erasure) takes every stored figure that counted them
-- away in the same transaction. A single child's figures reach only the parents
-- linked to that child now.

------------------------------------------------------------------------------
-- quest_analytics becomes the projection of the current release: a figure not
-- released is null (not 0), so the figure columns lose their NOT NULL and defaults.
------------------------------------------------------------------------------
do $$
declare
  c text;
begin
  foreach c in array array['total_starts', 'total_completions', 'completion_rate', 'avg_xp_earned', 'avg_badges_earned',
                           'reveal_view_rate', 'nodes_completed', 'completion_percentage', 'play_count', 'distinct_children'] loop
    execute format('alter table app_public.quest_analytics alter column %I drop not null, alter column %I drop default', c, c);
  end loop;
end;
$$;
alter table app_public.quest_analytics add column if not exists total_time_minutes double precision
  constraint quest_analytics_total_time_minutes_non_negative check (total_time_minutes >= 0);
alter table app_public.quest_analytics add column if not exists window_start timestamptz;

comment on table app_public.quest_analytics is
  'The current release of one quest''s cross-child figures (docs/privacy.md, "Aggregates for parents"): computed once per UTC day by the refresh job, with differential-privacy noise, each figure over the children who consented to its kind and have a real family, null when fewer than 5 of them (or withheld after one of them stopped counting). Never an individual child''s data.';
comment on column app_public.quest_analytics.total_starts is 'Children who started (progress consent), noisy; null when not released.';
comment on column app_public.quest_analytics.total_completions is 'Children who completed (progress consent), noisy; null when not released.';
comment on column app_public.quest_analytics.completion_rate is 'total_completions / total_starts (0 to 1; progress consent); null when not released.';
comment on column app_public.quest_analytics.avg_completion_time is 'Average seconds to complete (progress consent; each child''s time capped at 4 hours), from a noisy sum over noisy completions; null when not released.';
comment on column app_public.quest_analytics.median_completion_time is 'Not released: a median is one child''s value. Always null.';
comment on column app_public.quest_analytics.avg_xp_earned is 'Average XP per child (analytics consent; each child capped at 1000), noisy; null when not released.';
comment on column app_public.quest_analytics.avg_badges_earned is 'Not released (no privacy budget is spent on it). Always null.';
comment on column app_public.quest_analytics.reveal_view_rate is 'Share of children who reached a reveal moment (0 to 1; analytics consent), noisy; null when not released.';
comment on column app_public.quest_analytics.node_completion_rates is 'Not released (per-node figures of small groups are single children''s). Always null.';
comment on column app_public.quest_analytics.node_average_times is 'Not released (per-node figures of small groups are single children''s). Always null.';
comment on column app_public.quest_analytics.nodes_completed is 'Average nodes completed per child (progress consent), noisy; null when not released.';
comment on column app_public.quest_analytics.completion_percentage is 'Average percent completed per child, 0-100 (progress consent), noisy; null when not released.';
comment on column app_public.quest_analytics.educational_progress is 'Not released across children (educational progress is shown for a single child only). Always null.';
comment on column app_public.quest_analytics.play_count is 'Play sessions of all counted children (play-frequency consent; each child capped at 50), noisy; null when not released.';
comment on column app_public.quest_analytics.total_time_minutes is 'Minutes played by all counted children (play-frequency consent; each child capped at 600), noisy; null when not released.';
comment on column app_public.quest_analytics.distinct_children is 'Children counted in at least one released figure, noisy; null when not released.';
comment on column app_public.quest_analytics.last_played is 'Not released across children (a latest time is one child''s). Always null.';
comment on column app_public.quest_analytics.window_start is 'The release window (a UTC day) these figures belong to; they stay frozen until the next one.';
comment on column app_public.quest_analytics.last_updated is 'When a job last wrote the row.';

------------------------------------------------------------------------------
-- The stored release, per quest and figure group: who was counted (so a revoke
-- can withhold what counted them), a digest of the exact inputs (unchanged
-- inputs keep their noise: a new window alone draws nothing new), the noisy figures.
------------------------------------------------------------------------------
create table if not exists app_private.quest_releases (
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  figure_group text not null constraint quest_releases_figure_group_known
    check (figure_group in ('progress', 'play_frequency', 'analytics', 'children')),
  window_start timestamptz not null,
  members uuid[] not null default '{}',
  inputs_digest bytea,
  figures jsonb not null default '{}' constraint quest_releases_figures_is_object check (jsonb_typeof(figures) = 'object'),
  constraint quest_releases_one_per_quest_and_group primary key (quest_id, figure_group)
);
create index if not exists quest_releases_members_idx on app_private.quest_releases using gin (members);
comment on table app_private.quest_releases is
  'The released cross-child figures of each quest, per figure group (progress, play_frequency, analytics, children): the window, the children counted (emptied when withheld), a digest of the exact inputs, and the noisy figures. Owner only.';

------------------------------------------------------------------------------
-- Noise from a CSPRNG (pgcrypto), never random().
------------------------------------------------------------------------------
create or replace function app_private.uniform_noise() returns double precision
  language sql volatile
  set search_path = pg_catalog, pg_temp
  as $$
  -- 56 random bits, centred in their cell: strictly between 0 and 1.
  select ((('x' || encode(public.gen_random_bytes(7), 'hex'))::bit(56)::bigint + 0.5) / 72057594037927936.0)::float8
$$;
comment on function app_private.uniform_noise() is
  'A uniform number strictly between 0 and 1 from 56 bits of pgcrypto''s gen_random_bytes (a CSPRNG). For the release''s noise.';

create or replace function app_private.laplace_noise(scale double precision) returns double precision
  language sql volatile
  set search_path = pg_catalog, pg_temp
  as $$
  select case when scale <= 0 then 0::float8
              else -scale * sign(u) * ln(1 - 2 * abs(u)) end
  from (select app_private.uniform_noise() - 0.5 as u) as draw
$$;
comment on function app_private.laplace_noise(double precision) is
  'A draw of Laplace noise with the given scale (sensitivity / epsilon); 0 for a scale of 0. Raises nothing.';

create or replace function app_private.geometric_noise(epsilon double precision) returns integer
  language sql volatile
  set search_path = pg_catalog, pg_temp
  as $$
  -- Two-sided geometric: the difference of two geometric draws, P(k) proportional to exp(-epsilon |k|).
  select (floor(ln(app_private.uniform_noise()) / -epsilon) - floor(ln(app_private.uniform_noise()) / -epsilon))::int
$$;
comment on function app_private.geometric_noise(double precision) is
  'A draw of two-sided geometric noise for a count of sensitivity 1 (P(k) proportional to exp(-epsilon |k|)), an integer. Raises nothing.';

------------------------------------------------------------------------------
-- Who counts in a figure group of a quest: a child who played it (one row per
-- child and quest), who has a real family (a linked parent who is not the
-- quest's author: fake accounts linked to the author, or to nobody, never
-- count), and who consented to the group's kind for that quest.
------------------------------------------------------------------------------
create or replace function app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text) returns boolean
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_private.counts_in_release(uuid, uuid, text) is
  'Whether a child counts in a figure group (progress, play_frequency, analytics, or children: any of the three) of a quest: played it, has a linked parent other than the quest''s author, and consents to the group''s kind for it.';

------------------------------------------------------------------------------
-- The projection: quest_analytics and the quest's public statistics follow the
-- stored release. Idempotent: writes only what differs.
------------------------------------------------------------------------------
create or replace function app_private.project_release(quest_id uuid) returns void
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_private.project_release(uuid) is
  'Writes a quest''s stored release (app_private.quest_releases) into its quest_analytics row and its public statistics (plays_count, completion_count, completion_rate, average_completion_time; zero while not released, always zero for a quest that is not public). Writes only what differs.';

------------------------------------------------------------------------------
-- The release (docs/privacy.md, "Aggregates for parents", has the guarantee).
------------------------------------------------------------------------------
drop function if exists app_private.release_quest_figures(uuid, timestamptz);
create function app_private.release_quest_figures(quest_id uuid, at timestamptz) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
revoke all on function app_private.release_quest_figures(uuid, timestamptz) from public;
comment on function app_private.release_quest_figures(uuid, timestamptz) is
  'Releases a quest''s cross-child figures for the window (UTC day) of `at`, once: a later call in the same or an earlier window changes nothing (returns false); a new window recomputes each group (progress, play_frequency, analytics, children) over the children who count in it (app_private.counts_in_release), withholds a group of fewer than 5, keeps the stored noise of a group whose exact inputs did not change, and otherwise draws fresh noise: two-sided geometric for counts, Laplace for sums, epsilon 0.1 per figure, each child capped at 1000 XP, 4 h to complete, 50 sessions, 600 minutes, the quest''s node count; averages and rates come from the noisy sums and counts. Then projects the release into quest_analytics and the public statistics. Owner only (its `at` must not be chosen by anyone else: docs/privacy.md). Source: issue 14 items 1 and 3.';

------------------------------------------------------------------------------
-- The refresh job: the day's release (once per window) and the ratings (parents' data, at once).
------------------------------------------------------------------------------
create or replace function app_jobs.refresh_quest_analytics(quest_id uuid) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  perform app_private.release_quest_figures(quest_id, now());
  update app_public.quests t set rating = s.rating, rating_count = s.rating_count
  from (select coalesce(round(avg(r.rating)::numeric, 2)::float8, 0) as rating, count(r.id)::int as rating_count
        from app_public.quest_ratings r where r.quest_id = refresh_quest_analytics.quest_id) as s
  where t.id = refresh_quest_analytics.quest_id and (t.rating, t.rating_count) is distinct from (s.rating, s.rating_count);
end;
$$;
comment on function app_jobs.refresh_quest_analytics(uuid) is
  'The refresh_quest_analytics job: the quest''s release of cross-child figures for today''s window (app_private.release_quest_figures: once per UTC day, then frozen) and its rating from quest_ratings. Idempotent; nothing for a quest that is gone. Raises nothing.';

------------------------------------------------------------------------------
-- Withholding (item 9): a child who stops counting in a group — a revoked flag,
-- a family link removed, an erasure — takes that group's stored figures away in
-- the same transaction; the next window's release recomputes without them.
------------------------------------------------------------------------------
create or replace function app_private.withhold_figures_counting(child_ids uuid[]) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  quests uuid[];
  quest uuid;
begin
  -- Wait for a release of these quests in progress (it holds the quest row), so that what it
  -- stores is withheld here rather than stored after this withholding.
  perform 1 from app_public.quests q
  where q.id in (select r.quest_id from app_private.quest_releases r where r.members && child_ids)
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
$$;
revoke all on function app_private.withhold_figures_counting(uuid[]) from public;
comment on function app_private.withhold_figures_counting(uuid[]) is
  'Withholds (empties) every stored figure group that counted one of these children who no longer counts in it, and re-projects the quests concerned (quest_analytics to null, public statistics to zero). Called by triggers in the transaction of the change; waits for a release of those quests in progress. Raises nothing. Source: issue 14 item 9.';

create or replace function app_private.tg__withhold_figures() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  -- users rows carry the child as id; the consent and link tables as child_id.
  perform app_private.withhold_figures_counting(array(
    select coalesce(to_jsonb(c) ->> 'child_id', to_jsonb(c) ->> 'id')::uuid from changed_rows c));
  return null;
end;
$$;
revoke all on function app_private.tg__withhold_figures() from public;
comment on function app_private.tg__withhold_figures() is
  'Statement trigger (transition table changed_rows) on child_privacy, quest_privacy, family_links and users: withholds the stored figures that counted the children of the changed rows who no longer count (app_private.withhold_figures_counting). Raises nothing. Source: issue 14 item 9.';

drop trigger if exists _905_withhold_figures on app_public.child_privacy;
create trigger _905_withhold_figures after update on app_public.child_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__withhold_figures();
drop trigger if exists _905_withhold_figures_on_insert on app_public.quest_privacy;
create trigger _905_withhold_figures_on_insert after insert on app_public.quest_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__withhold_figures();
drop trigger if exists _905_withhold_figures_on_update on app_public.quest_privacy;
create trigger _905_withhold_figures_on_update after update on app_public.quest_privacy
  referencing new table as changed_rows for each statement execute function app_private.tg__withhold_figures();
drop trigger if exists _905_withhold_figures_on_delete on app_public.quest_privacy;
create trigger _905_withhold_figures_on_delete after delete on app_public.quest_privacy
  referencing old table as changed_rows for each statement execute function app_private.tg__withhold_figures();
drop trigger if exists _905_withhold_figures on app_public.family_links;
create trigger _905_withhold_figures after delete on app_public.family_links
  referencing old table as changed_rows for each statement execute function app_private.tg__withhold_figures();
drop trigger if exists _905_withhold_figures on app_public.users;
create trigger _905_withhold_figures after delete on app_public.users
  referencing old table as changed_rows for each statement execute function app_private.tg__withhold_figures();

------------------------------------------------------------------------------
-- The parent's read: a single child's figures for a parent linked to that child
-- now (authorship alone grants nothing); a quest of many children shows only the
-- stored release, never anything computed at the moment of asking.
------------------------------------------------------------------------------
create or replace function app_public.get_quest_analytics(quest_id uuid) returns app_public.quest_analytics_result
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_public.get_quest_analytics(uuid) is
  'Figures of a quest''s play for its author. A personal quest: its child''s own figures, only while the caller is linked to that child, each kind only with the child''s consent (the rest null). A quest played by several children: the stored release of the current UTC day (differential-privacy noise, each figure over the children who consented to its kind and have a real family, shown only when at least 5 of them; never a single child''s value); educational progress and last_played are never released across children. consent_status says which. Audited durably (app_private.audit_read; data_type lists the kinds of data released, e.g. progress,play_frequency, or none); errors: only the audit''s (SQLSTATE AUDIT when the record cannot be written: nothing is released). Source: docs/privacy.md, CONTRACT.md (rules made explicit 2026-11-29), issue 14 items 1-3.';

comment on column app_public.quest_analytics_result.consent_status is
  'consented, partially_consented, not_consented (show "Child hasn''t consented"), too_few_children (no cross-child figure released: fewer than 5 children with a real family consented to any kind), or not_found (no such quest of yours, or your personal quest''s child is no longer linked to you).';
comment on column app_public.quest_analytics_result.children_count is
  'How many children the figures cover: 1 for a personal quest; across children, a noisy count of the children counted in at least one released figure (null unless at least one figure is shown).';
comment on column app_public.quest_analytics_result.total_starts is 'Plays started (completion consent); across children, noisy.';
comment on column app_public.quest_analytics_result.total_completions is 'Plays completed (completion consent); across children, noisy.';
comment on column app_public.quest_analytics_result.completion_rate is 'Completions / starts, 0-1 (completion consent); across children, from noisy counts.';
comment on column app_public.quest_analytics_result.avg_completion_time is 'Average seconds to complete (completion consent); across children, from a noisy sum (each child capped at 4 hours).';
comment on column app_public.quest_analytics_result.nodes_completed is 'Nodes completed (completion consent): the child''s; across children, the noisy average per child.';
comment on column app_public.quest_analytics_result.last_played is 'When the child last played (play-frequency consent); never released across children (null).';
comment on column app_public.quest_analytics_result.play_count is 'Play sessions (play-frequency consent); across children, a noisy sum (each child capped at 50).';
comment on column app_public.quest_analytics_result.total_time_minutes is 'Minutes played (play-frequency consent); across children, a noisy sum (each child capped at 600).';
comment on column app_public.quest_analytics_result.educational_progress is 'Educational progress by skill (educational consent); a single child''s only, never released across children.';
comment on column app_public.quest_analytics_result.avg_xp_earned is 'Average XP per play (analytics consent); across children, from a noisy sum (each child capped at 1000).';
comment on column app_public.quest_analytics_result.reveal_view_rate is 'Share of plays that reached a reveal moment (analytics consent); across children, from noisy counts.';

--! split: 500-audit-released-notifications.sql
-- Issue 14: a child's play released to a parent by a notification is audited like any consent-gated release
-- (the reviewer found the completion notification unrecorded). update_quest_progress as in migration 000004,
-- with its notification recorded.
create or replace function app_public.update_quest_progress(
  quest_id uuid,
  nodes_completed integer,
  current_node_id text default null,
  completed boolean default false,
  xp_earned integer default null,
  badges_earned text[] default null,
  reveal_moments_viewed integer default null,
  educational_progress jsonb default null,
  minutes_played double precision default 0
) returns app_public.quest_progress
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_private.acting_user('child');
  quest record;
  progress app_public.quest_progress;
  was_completed boolean;
  total integer;
  told integer;
begin
  select q.id, q.title, q.author_id, jsonb_array_length(q.graph_structure -> 'nodes') as nodes into quest
  from app_public.quests q
  where q.id = update_quest_progress.quest_id
    and ((q.child_id = me and q.status = 'deployed') or (q.is_public and q.moderation_status = 'approved' and q.status <> 'deleted'));
  if not found then
    raise exception 'No quest % for you to play.', quest_id using errcode = 'P0002';
  end if;
  if nodes_completed < 0 or nodes_completed > quest.nodes then
    raise exception 'nodes_completed must be between 0 and % (the quest''s nodes), got %.', quest.nodes, nodes_completed
      using errcode = '22023';
  end if;
  total := greatest(quest.nodes, 0);
  select p.completed into was_completed from app_public.quest_progress p where p.child_id = me and p.quest_id = quest.id for update;

  insert into app_public.quest_progress as p (child_id, quest_id, current_node_id, current_step, nodes_completed, total_nodes,
      completion_percentage, completed, completed_at, xp_earned, badges_earned, reveal_moments_viewed, educational_progress,
      session_count, total_time_minutes, last_played_at)
  values (me, quest.id, current_node_id, nodes_completed, nodes_completed, total,
      case when total = 0 then 0 else nodes_completed * 100 / total end, completed, case when completed then now() end,
      coalesce(xp_earned, 0), coalesce(badges_earned, '{}'), coalesce(reveal_moments_viewed, 0), educational_progress,
      1, greatest(minutes_played, 0), now())
  on conflict on constraint quest_progress_one_per_child_and_quest do update set
      current_node_id = coalesce(excluded.current_node_id, p.current_node_id),
      current_step = excluded.current_step,
      nodes_completed = excluded.nodes_completed,
      total_nodes = excluded.total_nodes,
      completion_percentage = excluded.completion_percentage,
      completed = p.completed or excluded.completed,
      completed_at = coalesce(p.completed_at, excluded.completed_at),
      xp_earned = coalesce(update_quest_progress.xp_earned, p.xp_earned),
      badges_earned = coalesce(update_quest_progress.badges_earned, p.badges_earned),
      reveal_moments_viewed = coalesce(update_quest_progress.reveal_moments_viewed, p.reveal_moments_viewed),
      educational_progress = coalesce(excluded.educational_progress, p.educational_progress),
      session_count = p.session_count + 1,
      total_time_minutes = p.total_time_minutes + excluded.total_time_minutes,
      last_played_at = now()
  returning * into progress;

  -- Seed 000: "if sharing enabled → notifications sent". Only the fact, to linked parents, once.
  if progress.completed and not coalesce(was_completed, false)
     and app_private.consent_flag(me, 'share_progress', quest.id) then
    insert into app_public.notifications (user_id, kind, title, data)
    select fl.parent_id, 'quest_completed', format('Your child finished "%s"', quest.title),
           jsonb_build_object('quest_id', quest.id, 'child_id', me)
    from app_public.family_links fl where fl.child_id = me;
    get diagnostics told = row_count;
    -- A release of the child's progress to their parents: recorded like every consent-gated release
    -- (in this transaction: no notification, no record).
    if told > 0 then
      perform app_private.audit('notify_quest_completed', 'quests', quest.id, me, 'progress', 'allowed',
                                jsonb_build_object('parents', told));
    end if;
  end if;
  return progress;
end;
$$;

-- The detect_milestones job (migration 000009): a child_completed milestone tells a parent that their
-- child finished one of their quests (with the child's consent to share progress), so each one it adds
-- is recorded too.
create or replace function app_jobs.detect_milestones() returns integer
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

  -- The child_completed milestones this transaction added (xmin: rows it wrote).
  perform app_private.audit('milestone_child_completed', 'milestones', m.id, null, 'progress', 'allowed',
                            jsonb_build_object('parent_id', m.user_id))
  from app_public.milestones m
  where m.milestone_type = 'child_completed' and m.xmin = pg_current_xact_id()::xid;
  return written;
end;
$$;
comment on function app_jobs.detect_milestones() is
  'The detect_milestones job: records streak_7 and child_completed milestones not yet reached (once per track), each child_completed one with an audit row (a release of a child''s progress); returns the tracks that gained one.';
