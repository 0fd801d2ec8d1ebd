-- P2 columns stored encrypted (migration 000017): data keys wrapped with the master key, encrypt and
-- decrypt, store_encrypted (which a migration calls for a new P2 column: it makes the column's trigger
-- and reading functions, whose definitions then live here too), the _900_encrypt_* triggers, and the
-- reading functions app_public.<table>_<column>(row) with their app_hidden helpers.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_private.master_key_id(master_key text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select left(encode(hmac('pas_in_peace master key id', master_key, 'sha256'), 'hex'), 16) $function$;
comment on function app_private.master_key_id(text) is 'Names a master key without revealing it (HMAC-SHA-256 keyed by it, 16 hex digits); the services compute the same.';

CREATE OR REPLACE FUNCTION app_private.session_master_keys()
 RETURNS TABLE(key_id text, master_key text, is_current boolean)
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
  select app_private.master_key_id(s.k), s.k, s.n = 1
  from (values (1, nullif(current_setting('app.data_encryption_key', true), '')),
               (2, nullif(current_setting('app.data_encryption_key_previous', true), ''))) as s(n, k)
  where s.k is not null
$function$;
comment on function app_private.session_master_keys() is 'The master keys this transaction holds: the current one, and the previous one during a rotation.';

CREATE OR REPLACE FUNCTION app_private.current_master_key()
 RETURNS TABLE(key_id text, master_key text)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  return query select k.key_id, k.master_key from app_private.session_master_keys() k where k.is_current;
  if not found then
    raise exception 'No master key in this transaction: services pass DATA_ENCRYPTION_KEY as app.data_encryption_key, as a connection option (-c app.data_encryption_key=..., docs/direct-sql.md), never in SQL text.'
      using errcode = 'KEY01';
  end if;
end;
$function$;
comment on function app_private.current_master_key() is 'The master key new data keys are wrapped with (DATA_ENCRYPTION_KEY); KEY01 when the transaction has none.';

CREATE OR REPLACE FUNCTION app_private.unwrapped(stored app_private.user_data_keys)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  master text;
  held text;
begin
  select k.master_key into master from app_private.session_master_keys() k where k.key_id = stored.master_key_id;
  if master is null then
    perform app_private.current_master_key();
    select string_agg(k.key_id, ' and ') into held from app_private.session_master_keys() k;
    raise exception 'The data key of user % is wrapped with master key %, and this transaction holds %: DATA_ENCRYPTION_KEY is not the key this database uses (while rotating, give the old one as DATA_ENCRYPTION_KEY_PREVIOUS).',
      stored.user_id, stored.master_key_id, held
      using errcode = 'KEY02';
  end if;
  return encode(pgp_sym_decrypt_bytea(stored.wrapped_key, master), 'hex');
end;
$function$;
comment on function app_private.unwrapped(app_private.user_data_keys) is 'A stored data key, unwrapped with whichever master key of the transaction wrapped it (hex).';

CREATE OR REPLACE FUNCTION app_private.unwrap_data_key(owner uuid)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  stored app_private.user_data_keys;
begin
  select * into stored from app_private.user_data_keys where user_id = owner;
  if not found then
    raise exception 'The data key of user % no longer exists (their data was erased): this ciphertext cannot be read.', owner
      using errcode = 'KEY03';
  end if;
  return app_private.unwrapped(stored);
end;
$function$;
comment on function app_private.unwrap_data_key(uuid) is 'The data key of a user, for reading; KEY03 when it was erased.';

CREATE OR REPLACE FUNCTION app_private.data_key_for_writing(owner uuid)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  stored app_private.user_data_keys;
  fresh bytea;
  master record;
begin
  select * into stored from app_private.user_data_keys where user_id = owner;
  if not found then
    -- A user's data key is made with their first P2 value.
    select * into master from app_private.current_master_key();
    if exists (select 1 from app_private.user_data_keys)
       and not exists (select 1 from app_private.user_data_keys k
                       where k.master_key_id in (select s.key_id from app_private.session_master_keys() s)) then
      raise exception 'The master key of this transaction (id %) wraps none of this database''s data keys: it is not the DATA_ENCRYPTION_KEY the other services use, so no data key was made.', master.key_id
        using errcode = 'KEY05',
              hint = 'Compare master key ids: app_ops.data_keys_by_master_key() lists the ids in use (docs/operations.md).';
    end if;
    fresh := gen_random_bytes(32);
    insert into app_private.user_data_keys (user_id, wrapped_key, master_key_id)
      values (owner, pgp_sym_encrypt_bytea(fresh, master.master_key, 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256'), master.key_id)
      on conflict (user_id) do nothing
      returning * into stored;
    if found then
      return encode(fresh, 'hex');
    end if;
    -- Another transaction made it first.
    select * into stored from app_private.user_data_keys where user_id = owner;
  end if;
  return app_private.unwrapped(stored);
end;
$function$;
comment on function app_private.data_key_for_writing(uuid) is 'The data key of a user (hex), made on first use and wrapped with the current master key. Raises KEY01 without a master key, KEY05 when the transaction holds no master key that wraps an existing data key (a mistyped DATA_ENCRYPTION_KEY; the first data key of an empty database is exempt), KEY02 when the stored key is wrapped with a key the transaction lacks.';

CREATE OR REPLACE FUNCTION app_private.encrypt_p2(owner uuid, plaintext text)
 RETURNS bytea
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
  select case when plaintext is not null
    then pgp_sym_encrypt(plaintext, app_private.data_key_for_writing(owner), 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256') end
$function$;
comment on function app_private.encrypt_p2(uuid,text) is 'Encrypts a P2 value with its owner''s data key (OpenPGP message, AES-256, with an integrity check); null stays null.';

CREATE OR REPLACE FUNCTION app_private.decrypt_p2(owner uuid, ciphertext bytea)
 RETURNS text
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  data_key text;
begin
  if ciphertext is null then
    return null;
  end if;
  data_key := app_private.unwrap_data_key(owner);
  begin
    return pgp_sym_decrypt(ciphertext, data_key);
  exception when external_routine_invocation_exception then
    raise exception 'A P2 value of user % does not decrypt with their data key: it was altered, or it is another user''s.', owner
      using errcode = 'KEY04';
  end;
end;
$function$;
comment on function app_private.decrypt_p2(uuid,bytea) is 'Decrypts a P2 value with its owner''s data key; fails (KEY01–KEY04) rather than returning anything else.';

CREATE OR REPLACE FUNCTION app_private.tg__encrypt_p2()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  owner_column text := tg_argv[0];
  p2_column text := tg_argv[1];
  shape text := tg_argv[2];
  row_data jsonb := to_jsonb(new);
  value jsonb := nullif(row_data -> p2_column, 'null'::jsonb);
  plaintext text;
begin
  if value is null then
    if tg_argv[3] = 'required' then
      raise exception 'null value in column "%" of relation "%" violates not-null constraint', p2_column, tg_table_name
        using errcode = 'not_null_violation', table = tg_table_name, column = p2_column;
    end if;
  elsif (shape in ('object', 'array') and jsonb_typeof(value) <> shape) or (shape = 'non-empty text' and value #>> '{}' = '') then
    raise exception '%.% must be %', tg_table_name, p2_column,
      case shape when 'object' then 'a JSON object' when 'array' then 'a JSON array' else 'a non-empty text' end
      using errcode = 'check_violation', constraint = format('%s_%s_shape', tg_table_name, p2_column),
            table = tg_table_name, column = p2_column;
  else
    plaintext := case when shape in ('object', 'array') then value::text else value #>> '{}' end;
  end if;
  new := jsonb_populate_record(new, jsonb_build_object(
    p2_column, null,
    p2_column || '_encrypted', app_private.encrypt_p2((row_data ->> owner_column)::uuid, plaintext)));
  return new;
end;
$function$;
comment on function app_private.tg__encrypt_p2() is 'BEFORE trigger of each P2 column: checks the value''s shape, encrypts it into <column>_encrypted, stores null in the column.';

CREATE OR REPLACE TRIGGER _900_encrypt_payload BEFORE INSERT OR UPDATE OF payload ON app_public.child_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('child_id', 'payload', 'object', 'optional');
CREATE OR REPLACE TRIGGER _900_encrypt_content BEFORE INSERT OR UPDATE OF content ON app_public.letters FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'content', 'text', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_content BEFORE INSERT OR UPDATE OF content ON app_public.messages FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'content', 'non-empty text', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_crisis_history BEFORE INSERT OR UPDATE OF crisis_history ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'crisis_history', 'array', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_emotional_trends BEFORE INSERT OR UPDATE OF emotional_trends ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'emotional_trends', 'array', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_toxic_patterns BEFORE INSERT OR UPDATE OF toxic_patterns ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'toxic_patterns', 'array', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_triggers BEFORE INSERT OR UPDATE OF triggers ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'triggers', 'array', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_conversation_history BEFORE INSERT OR UPDATE OF conversation_history ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'conversation_history', 'array', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_quest_context BEFORE INSERT OR UPDATE OF quest_context ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'quest_context', 'object', 'optional');
CREATE OR REPLACE TRIGGER _900_encrypt_state BEFORE INSERT OR UPDATE OF state ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'state', 'object', 'required');
CREATE OR REPLACE TRIGGER _900_encrypt_summary BEFORE INSERT OR UPDATE OF summary ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'summary', 'text', 'optional');

CREATE OR REPLACE FUNCTION app_private.store_encrypted(c app_private.encrypted_columns)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
$function$;
comment on function app_private.store_encrypted(app_private.encrypted_columns) is 'Makes a P2 column of app_private.encrypted_columns stored encrypted (columns, existing values, trigger, reading functions of app_private.create_p2_reader, tags).';

CREATE OR REPLACE FUNCTION app_public.child_progress_payload(r app_public.child_progress)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_child_progress(r.id) then app_hidden.decrypt_child_progress_payload(r.id) end $function$;
comment on function app_public.child_progress_payload(app_public.child_progress) is 'The child''s own input at the node (answers, choices): never shown to a parent. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.letters_content(r app_public.letters)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_letters(r.id) then app_hidden.decrypt_letters_content(r.id) end $function$;
comment on function app_public.letters_content(app_public.letters) is '@notNull
The letter''s text. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.messages_content(r app_public.messages)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_messages(r.id) then app_hidden.decrypt_messages_content(r.id) end $function$;
comment on function app_public.messages_content(app_public.messages) is '@notNull
The text. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_crisis_history(r.user_id) end $function$;
comment on function app_public.psychological_profiles_crisis_history(app_public.psychological_profiles) is '@notNull
Crises recorded. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_emotional_trends(r.user_id) end $function$;
comment on function app_public.psychological_profiles_emotional_trends(app_public.psychological_profiles) is '@notNull
Emotional readings over time. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_toxic_patterns(r.user_id) end $function$;
comment on function app_public.psychological_profiles_toxic_patterns(app_public.psychological_profiles) is '@notNull
Patterns to work on. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_triggers(r.user_id) end $function$;
comment on function app_public.psychological_profiles_triggers(app_public.psychological_profiles) is '@notNull
Known triggers. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_quest_builder_sessions(r.id) then app_hidden.decrypt_quest_builder_sessions_conversation_history(r.id) end $function$;
comment on function app_public.quest_builder_sessions_conversation_history(app_public.quest_builder_sessions) is '@notNull
The dialogue: [{"role", "content", "timestamp"}]. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_quest_builder_sessions(r.id) then app_hidden.decrypt_quest_builder_sessions_quest_context(r.id) end $function$;
comment on function app_public.quest_builder_sessions_quest_context(app_public.quest_builder_sessions) is 'What the builder knows: child''s name, age, interests, family photos, memories, jokes. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_therapy_sessions(r.id) then app_hidden.decrypt_therapy_sessions_state(r.id) end $function$;
comment on function app_public.therapy_sessions_state(app_public.therapy_sessions) is '@notNull
The bot''s conversation state. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ select case when app_hidden.may_select_therapy_sessions(r.id) then app_hidden.decrypt_therapy_sessions_summary(r.id) end $function$;
comment on function app_public.therapy_sessions_summary(app_public.therapy_sessions) is 'Summary of the session. (Stored encrypted.)';

CREATE OR REPLACE FUNCTION app_private.create_p2_reader(c app_private.encrypted_columns)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
$function$;
comment on function app_private.create_p2_reader(app_private.encrypted_columns) is 'Makes (or remakes) the functions that read a P2 column: app_public.<table>_<column>(row), invoker, which answers only for a row the caller may select now (app_hidden.may_select_<table>(key), invoker), decrypted by app_hidden.decrypt_<table>_<column>(key), definer, for the row''s owner only. Issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_child_progress(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.child_progress t where t.id = row_key); end $function$;
comment on function app_hidden.may_select_child_progress(uuid) is 'Whether the caller may select the child_progress row with this id now (its own policies: security invoker). Used by the P2 reading functions of child_progress; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.child_id, t.payload_encrypted)::jsonb from app_public.child_progress t
                 where t.id = row_key and (t.child_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_child_progress_payload(uuid) is 'The stored child_progress.payload of the row with this id, decrypted (jsonb), when the row exists and its child_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.child_progress_payload(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_letters(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.letters t where t.id = row_key); end $function$;
comment on function app_hidden.may_select_letters(uuid) is 'Whether the caller may select the letters row with this id now (its own policies: security invoker). Used by the P2 reading functions of letters; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_letters_content(row_key uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.content_encrypted)::text from app_public.letters t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_letters_content(uuid) is 'The stored letters.content of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.letters_content(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_messages(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.messages t where t.id = row_key); end $function$;
comment on function app_hidden.may_select_messages(uuid) is 'Whether the caller may select the messages row with this id now (its own policies: security invoker). Used by the P2 reading functions of messages; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_messages_content(row_key uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.content_encrypted)::text from app_public.messages t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_messages_content(uuid) is 'The stored messages.content of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.messages_content(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.psychological_profiles t where t.user_id = row_key); end $function$;
comment on function app_hidden.may_select_psychological_profiles(uuid) is 'Whether the caller may select the psychological_profiles row with this user_id now (its own policies: security invoker). Used by the P2 reading functions of psychological_profiles; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.crisis_history_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_psychological_profiles_crisis_history(uuid) is 'The stored psychological_profiles.crisis_history of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_crisis_history(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.emotional_trends_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_psychological_profiles_emotional_trends(uuid) is 'The stored psychological_profiles.emotional_trends of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_emotional_trends(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.toxic_patterns_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_psychological_profiles_toxic_patterns(uuid) is 'The stored psychological_profiles.toxic_patterns of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_toxic_patterns(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.triggers_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_psychological_profiles_triggers(uuid) is 'The stored psychological_profiles.triggers of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_triggers(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.quest_builder_sessions t where t.id = row_key); end $function$;
comment on function app_hidden.may_select_quest_builder_sessions(uuid) is 'Whether the caller may select the quest_builder_sessions row with this id now (its own policies: security invoker). Used by the P2 reading functions of quest_builder_sessions; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.conversation_history_encrypted)::jsonb from app_public.quest_builder_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_quest_builder_sessions_conversation_history(uuid) is 'The stored quest_builder_sessions.conversation_history of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.quest_builder_sessions_conversation_history(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.quest_context_encrypted)::jsonb from app_public.quest_builder_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_quest_builder_sessions_quest_context(uuid) is 'The stored quest_builder_sessions.quest_context of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.quest_builder_sessions_quest_context(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin return exists (select 1 from app_public.therapy_sessions t where t.id = row_key); end $function$;
comment on function app_hidden.may_select_therapy_sessions(uuid) is 'Whether the caller may select the therapy_sessions row with this id now (its own policies: security invoker). Used by the P2 reading functions of therapy_sessions; issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.state_encrypted)::jsonb from app_public.therapy_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_therapy_sessions_state(uuid) is 'The stored therapy_sessions.state of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.therapy_sessions_state(row); issue 14, item 6.';

CREATE OR REPLACE FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$ begin
         return (select app_private.decrypt_p2(t.user_id, t.summary_encrypted)::text from app_public.therapy_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $function$;
comment on function app_hidden.decrypt_therapy_sessions_summary(uuid) is 'The stored therapy_sessions.summary of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.therapy_sessions_summary(row); issue 14, item 6.';
