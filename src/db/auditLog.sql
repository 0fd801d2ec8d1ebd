-- The audit log's home (issue 14, items 4 and 5), set up by a superuser after the migrations
-- (src/db/roles.ts, installAuditLog); idempotent. A migration cannot do this: it runs as the
-- owner, and the point is that the owner does not own the log.
--
-- app_audit_owner (NOLOGIN, nobody is a member) owns the schema app_audit, the table and the
-- functions below, so only a superuser can change or remove a row. The database owner may read
-- the log and may only append (app_audit.append), expire rows older than a year and blank an
-- erased user's ids, each through one function that records what it did. Consent-gated reads are
-- recorded through app_audit.append_durable, which commits on its own connection (dblink, as
-- app_audit_writer, who may only execute app_audit.append), so the caller's rollback keeps it.
--
-- Every function here is owned by app_audit_owner and calls only built-ins and its own schema:
-- code the database owner can change (app_private, app_public, its tables' policies) would run
-- with app_audit_owner's rights.

create schema if not exists app_audit authorization app_audit_owner;
alter schema app_audit owner to app_audit_owner;
revoke all on schema app_audit from public;
comment on schema app_audit is
  'The audit log, owned by app_audit_owner (no login, no members): only a superuser can change or remove a row. Set up by src/db/auditLog.sql, not by migrations.';

-- dblink is not a trusted extension: a superuser installs it, here, where only app_audit_owner may use it.
create extension if not exists dblink with schema app_audit;

-- The table migration 000003 made in app_private, moved here with its rows: from now on its owner is
-- app_audit_owner, and the append-only trigger (with its escape hatches any role could set) goes —
-- privileges are the rule now, and a trigger function the database owner owns would be a way back in.
do $$
begin
  if exists (select from pg_class where oid = to_regclass('app_private.audit_log') and relkind = 'r') then
    alter table app_private.audit_log owner to app_audit_owner;
    drop trigger if exists _100_append_only on app_private.audit_log;
    drop trigger if exists _100_no_truncate on app_private.audit_log;
    alter table app_private.audit_log set schema app_audit;
  end if;
end;
$$;
comment on table app_audit.audit_log is
  'Who did what to privacy-relevant data, as which role, and whether a consent check allowed it. Owned by app_audit_owner: rows are appended through app_audit.append (or append_durable), never changed or removed but by app_audit.delete_expired_rows and app_audit.anonymise_erased_user.';

-- app_audit_writer's password, for append_durable's connection: readable by app_audit_owner only
-- (installAuditLog writes it from AUDIT_WRITER_DB_PASSWORD).
create table if not exists app_audit.writer_login (
  only_row boolean primary key default true constraint writer_login_one_row check (only_row),
  password text not null
);
alter table app_audit.writer_login owner to app_audit_owner;
comment on table app_audit.writer_login is 'The password app_audit.append_durable logs in with as app_audit_writer. Readable by app_audit_owner (and superusers) only.';

set role app_audit_owner;

-- The one way a row is written.
create or replace function app_audit.append(
  db_role text, acting_user_id uuid, action text, subject_table text, subject_id uuid, child_id uuid,
  data_type text, decision text, details jsonb
) returns void
  language sql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
  insert into app_audit.audit_log (db_role, acting_user_id, action, subject_table, subject_id, child_id, data_type, decision, details)
  values (db_role, acting_user_id, action, subject_table, subject_id, child_id, data_type, decision, coalesce(details, '{}'))
$$;
comment on function app_audit.append(text, uuid, text, text, uuid, uuid, text, text, jsonb) is
  'Appends one audit row (the columns of app_audit.audit_log; at and id are the server''s) in the caller''s transaction. Executable by the database owner (app_private.audit: writes, rolled back with them) and app_audit_writer (append_durable''s connection). Errors: the table''s checks (decision is allowed, denied or null).';

-- `key = value` of a libpq connection string, the value quoted.
create or replace function app_audit.connection_setting(key text, value text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
  set standard_conforming_strings = on
  as $$ select key || '=''' || replace(replace(value, '\', '\\'), '''', '\''') || '''' $$;
comment on function app_audit.connection_setting(text, text) is
  'One "key=''value''" pair of a libpq connection string, the value quoted (backslash and quote escaped).';

-- The session's connection as app_audit_writer, opened once per backend: TCP to this server
-- (localhost, this port, this database) with a password, as dblink requires for a non-superuser.
create or replace function app_audit.writer_connection() returns text
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if 'app_audit_writer' = any (coalesce(app_audit.dblink_get_connections(), '{}')) then
    return 'app_audit_writer';
  end if;
  perform app_audit.dblink_connect('app_audit_writer', concat_ws(' ',
    app_audit.connection_setting('host', 'localhost'),
    app_audit.connection_setting('port', current_setting('port')),
    app_audit.connection_setting('dbname', current_database()),
    app_audit.connection_setting('user', 'app_audit_writer'),
    app_audit.connection_setting('password', (select password from app_audit.writer_login)),
    app_audit.connection_setting('application_name', 'app_audit_writer')));
  return 'app_audit_writer';
end;
$$;
comment on function app_audit.writer_connection() is
  'The name of this session''s dblink connection as app_audit_writer (host localhost, this server''s port and database, password from app_audit.writer_login), opened on first use and kept for the session. Errors: dblink''s, when the login fails (pg_hba must ask localhost TCP for a password).';

create or replace function app_audit.append_durable(
  db_role text, acting_user_id uuid, action text, subject_table text, subject_id uuid, child_id uuid,
  data_type text, decision text, details jsonb
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  statement text := format('select app_audit.append(%L, %L, %L, %L, %L, %L, %L, %L, %L)',
    db_role, acting_user_id, action, subject_table, subject_id, child_id, data_type, decision, details);
  why text;
begin
  begin
    perform from app_audit.dblink(app_audit.writer_connection(), statement) as appended(nothing text);
  exception when others then
    -- Once more on a fresh connection: the session's may be gone (terminated, server restarted).
    begin
      if 'app_audit_writer' = any (coalesce(app_audit.dblink_get_connections(), '{}')) then
        perform app_audit.dblink_disconnect('app_audit_writer');
      end if;
      perform from app_audit.dblink(app_audit.writer_connection(), statement) as appended(nothing text);
    exception when others then
      get stacked diagnostics why = pg_exception_detail;
      raise exception 'The audit record could not be written, so nothing is released: %', sqlerrm
        using errcode = 'AUDIT', detail = why;
    end;
  end;
end;
$$;
comment on function app_audit.append_durable(text, uuid, text, text, uuid, uuid, text, text, jsonb) is
  'Appends one audit row (app_audit.append''s arguments) committed at once on the session''s own connection as app_audit_writer, so the caller''s rollback, savepoint rollback, error or lost connection cannot undo it; retried once on a fresh connection. For consent-gated reads (app_private.audit_read). Errors: SQLSTATE AUDIT when the row could not be written — the read must then fail.';

create or replace function app_audit.delete_expired_rows() returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  deleted integer;
begin
  delete from app_audit.audit_log where at < now() - interval '1 year';
  get diagnostics deleted = row_count;
  perform app_audit.append(coalesce(nullif(current_setting('role', true), 'none'), session_user::text),
                           nullif(current_setting('app.user_id', true), '')::uuid,
                           'audit_retention', 'audit_log', null, null, null, null, jsonb_build_object('deleted', deleted));
  return deleted;
end;
$$;
comment on function app_audit.delete_expired_rows() is
  'Retention of the audit log: deletes the rows older than one year (by their server-set at) and appends one row saying how many (action audit_retention); returns that count. The only way a row is deleted. Executable by the database owner.';

create or replace function app_audit.anonymise_erased_user(user_id uuid) returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  blanked integer;
  total integer := 0;
begin
  update app_audit.audit_log a set acting_user_id = null where a.acting_user_id = anonymise_erased_user.user_id;
  get diagnostics blanked = row_count;
  total := total + blanked;
  update app_audit.audit_log a set child_id = null where a.child_id = anonymise_erased_user.user_id;
  get diagnostics blanked = row_count;
  total := total + blanked;
  update app_audit.audit_log a set subject_id = null
  where a.subject_table in ('users', 'child_privacy') and a.subject_id = anonymise_erased_user.user_id;
  get diagnostics blanked = row_count;
  total := total + blanked;
  perform app_audit.append(coalesce(nullif(current_setting('role', true), 'none'), session_user::text),
                           nullif(current_setting('app.user_id', true), '')::uuid,
                           'audit_anonymise', 'audit_log', null, null, null, null, jsonb_build_object('blanked', total));
  return total;
end;
$$;
comment on function app_audit.anonymise_erased_user(uuid) is
  'Erasure''s part of the audit log: blanks the user''s id where it is acting_user_id, child_id, or subject_id of a users/child_privacy row, changes nothing else, and appends one row saying how many ids it blanked (action audit_anonymise, without the id); returns that count. The only way a row is changed. Executable by the database owner; which users are erased is the owner''s decision (app_jobs.erase_next_verified_user), this function cannot check it without running the owner''s code.';

reset role;

-- Nobody executes anything here unless named below (functions come with execute for PUBLIC).
revoke all on all functions in schema app_audit from public;
grant execute on function app_audit.dblink_connect(text, text), app_audit.dblink_disconnect(text),
  app_audit.dblink(text, text), app_audit.dblink_get_connections() to app_audit_owner;

-- The owner reads the log where it always has; it may append, expire and anonymise, nothing else.
do $$
declare
  owner text := (select pg_get_userbyid(datdba) from pg_database where datname = current_database());
begin
  create or replace view app_private.audit_log with (security_invoker = true) as select * from app_audit.audit_log;
  execute format('alter view app_private.audit_log owner to %I', owner);
  execute format('grant usage on schema app_audit to %I, app_audit_writer', owner);
  -- (the sequence's value too: pg_dump reads it to back the log up)
  execute format('grant select on app_audit.audit_log, app_audit.audit_log_id_seq to %I', owner);
  execute format('grant execute on function app_audit.append(text, uuid, text, text, uuid, uuid, text, text, jsonb) to %I, app_audit_writer', owner);
  execute format('grant execute on function app_audit.append_durable(text, uuid, text, text, uuid, uuid, text, text, jsonb), '
                 'app_audit.delete_expired_rows(), app_audit.anonymise_erased_user(uuid) to %I', owner);
end;
$$;
comment on view app_private.audit_log is 'app_audit.audit_log, for reading (owner only): the log itself belongs to app_audit_owner.';
