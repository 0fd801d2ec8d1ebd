-- Our side of the audit log: app_private.audit (in the caller's transaction) and audit_read (committed
-- on its own), and the trigger that records writes to privacy-relevant tables. The log itself, and
-- the app_audit functions these call, belong to app_audit_owner: their home is src/db/auditLog.sql.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_private.audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  perform app_audit.append(app_private.acting_role(), app_public.current_user_id(),
                           action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$function$;
comment on function app_private.audit(text,text,uuid,uuid,text,text,jsonb) is 'Appends an audit row (acting role and app.user_id filled in) in the caller''s transaction, through app_audit.append: for writes, which a rollback undoes. Consent-gated reads use app_private.audit_read. Errors: app_audit.append''s (decision must be allowed, denied or null).';

CREATE OR REPLACE FUNCTION app_private.tg__audit_write()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();
CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.family_links FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();
CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();
CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();
CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();
CREATE OR REPLACE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE OF id, kind, display_name, created_at, updated_at, version, telegram_id, email, parent_name, child_name, child_age, learning_profile, mode, recovery_tracks, primary_track, recovery_week, recovery_day, data_consent, data_retention_days ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

CREATE OR REPLACE FUNCTION app_private.audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  perform app_audit.append_durable(app_private.acting_role(), app_public.current_user_id(),
                                   action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$function$;
comment on function app_private.audit_read(text,text,uuid,uuid,text,text,jsonb) is 'Appends the audit row of a consent-gated read (app_private.audit''s arguments), committed at once on the session''s own connection (app_audit.append_durable), so the caller''s transaction cannot undo it. Every function that releases a child''s data to someone else calls it before returning. Errors: SQLSTATE AUDIT when the row could not be written (the read must fail with it).';
