-- Issue 14, items 4 and 5: durable audit of consent-gated reads, audit rows no role but a superuser can change.
-- app_private.audit_read has app_private.audit's signature: every consent-gated read writes its audit row through it.
create or replace function app_private.audit_read(
  action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb default '{}'
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  select app_private.audit(action, subject_table, subject_id, child_id, data_type, decision, details)
$$;
revoke all on function app_private.audit_read(text, text, uuid, uuid, text, text, jsonb) from public;
