-- Who is acting and what every row carries: the acting user (app.user_id) and their kind, the
-- app role behind them, a parent's children, and the triggers every table shares (version and
-- updated_at, the kinds a family link joins, the child_privacy row a new child gets). Everything
-- else builds on these, hence first.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_public.current_user_id()
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.current_user_id() is 'The acting user''s id (the transaction-local setting app.user_id), or null when nobody acts. Raises SQLSTATE ACTOR when the app role may not act as that user''s kind (the contract''s rule): pas_bot_user acts only as a parent, psychologist or admin, inner_edu_user only as a child; an unknown id acts as nobody.';

CREATE OR REPLACE FUNCTION app_private.tg__row_metadata()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  if new.version is distinct from old.version then
    raise exception 'This row of % was changed by someone else (you sent version %, the current version is %): reload it and try again.',
      tg_table_name, new.version, old.version
      using errcode = 'STALE', hint = 'Read the row again and retry with its current version.';
  end if;
  new.version := old.version + 1;
  new.updated_at := greatest(now(), old.updated_at + interval '1 microsecond');
  return new;
end;
$function$;
comment on function app_private.tg__row_metadata() is 'BEFORE UPDATE trigger of mutable tables: rejects a stale version, bumps version, sets updated_at.';

CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.creative_projects FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.data_deletion_requests FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.goals FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.letters FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_ratings FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE OF id, author_id, child_id, title, description, graph_structure, yaml_content, psychological_module, location, difficulty, age_range, estimated_duration, tags, status, is_public, moderation_status, moderation_reason, moderation_issues, moderated_at, psychologist_reviewed, psychologist_review_id, reviewed_at, reveal_count, last_reveal_at, family_photos_count, family_memories_count, deployed_to_inner_edu, inner_edu_quest_id, deployed_at, published_at, deleted_at, created_at, updated_at, version ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.user_tracks FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();
CREATE OR REPLACE TRIGGER _100_row_metadata BEFORE UPDATE OF id, kind, display_name, created_at, updated_at, version, telegram_id, email, parent_name, child_name, child_age, learning_profile, mode, recovery_tracks, primary_track, recovery_week, recovery_day, data_consent, data_retention_days ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

CREATE OR REPLACE FUNCTION app_private.tg_family_links__check_kinds()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  parent_kind app_public.user_kind;
  child_kind app_public.user_kind;
begin
  select kind into parent_kind from app_public.users where id = new.parent_id;
  select kind into child_kind from app_public.users where id = new.child_id;
  if parent_kind is distinct from 'parent' or child_kind is distinct from 'child' then
    raise exception 'A family link joins a parent to a child (got % and %).',
      coalesce(parent_kind::text, 'no user'), coalesce(child_kind::text, 'no user')
      using errcode = '23514';
  end if;
  return new;
end;
$function$;

CREATE OR REPLACE TRIGGER _100_check_kinds BEFORE INSERT OR UPDATE ON app_public.family_links FOR EACH ROW EXECUTE FUNCTION app_private.tg_family_links__check_kinds();

CREATE OR REPLACE FUNCTION app_hidden.my_child_ids()
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select child_id from app_public.family_links where parent_id = app_public.current_user_id()
$function$;
comment on function app_hidden.my_child_ids() is 'The children linked to the acting parent (security definer: policies on other tables use it).';

CREATE OR REPLACE FUNCTION app_hidden.current_user_kind()
 RETURNS app_public.user_kind
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select kind from app_public.users where id = app_public.current_user_id()
$function$;
comment on function app_hidden.current_user_kind() is 'The kind (parent, child, psychologist, admin) of the acting user.';

CREATE OR REPLACE FUNCTION app_private.acting_role()
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$ select coalesce(nullif(current_setting('role', true), 'none'), session_user::text) $function$;

CREATE OR REPLACE FUNCTION app_private.tg_users__create_child_privacy()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if new.kind = 'child' then
    insert into app_public.child_privacy (child_id) values (new.id) on conflict do nothing;
  end if;
  return null;
end;
$function$;

CREATE OR REPLACE TRIGGER _500_create_child_privacy AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__create_child_privacy();

CREATE OR REPLACE FUNCTION app_public.my_children()
 RETURNS SETOF app_public.child_summary
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select u.id, u.display_name from app_public.users u
  where u.id in (select app_hidden.my_child_ids()) order by u.display_name, u.id
$function$;
comment on function app_public.my_children() is 'The acting parent''s linked children: id and display name only.';

CREATE OR REPLACE FUNCTION app_private.acting_user(expected app_public.user_kind)
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_public.current_user_id();
  actual app_public.user_kind;
begin
  select kind into actual from app_public.users where id = me;
  if actual is distinct from expected then
    raise exception 'Only a % can do this (you are %).', expected, coalesce(actual::text, 'nobody')
      using errcode = '42501';
  end if;
  return me;
end;
$function$;

CREATE OR REPLACE FUNCTION app_private.acting_kind_problem(acting_role text, kind app_public.user_kind)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case
    when acting_role = 'pas_bot_user' and kind = 'child' then
      'pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child: a child acts through inner_edu_user (the inner_edu app).'
    when acting_role = 'inner_edu_user' and kind <> 'child' then
      format('inner_edu_user acts only as a child, and this user is %s %s: parents, psychologists and admins act through pas_bot_user (the PAS bot).',
             case when kind = 'admin' then 'an' else 'a' end, kind)
  end
$function$;
comment on function app_private.acting_kind_problem(text,app_public.user_kind) is 'Why the role (an app role: pas_bot_user, inner_edu_user) may not act as a user of this kind, in words; null when it may, for any other role (owner, worker, superuser) and for no user (kind null). The rule of CONTRACT "Rules made explicit (2026-11-29)".';

CREATE OR REPLACE FUNCTION app_private.caller_reads_past_rls()
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce((select r.rolsuper or r.rolbypassrls from pg_roles r
                   where r.rolname = coalesce(nullif(current_setting('role'), 'none'), session_user)), false)
$function$;
comment on function app_private.caller_reads_past_rls() is 'True when the session''s role (SET ROLE, else the login) is a superuser or bypasses RLS (the owner); false for the app roles and the worker. Used by the P2 decrypting helpers (issue 14, item 6).';
