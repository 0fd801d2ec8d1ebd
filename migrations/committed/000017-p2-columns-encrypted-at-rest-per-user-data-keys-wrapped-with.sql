--! Previous: sha1:94a9f3b80d3e8af2207374bb4bb57c6fcdbc47c3
--! Hash: sha1:90155d9ce206fa9c671fa7f9c27d23111374173a
--! Message: P2 columns encrypted at rest: per-user data keys wrapped with the master key, write-through triggers, reading functions, key rotation

-- P2 columns encrypted at rest (issue 8): envelope encryption with pgcrypto.
--
-- Each user has a data key (32 random bytes), stored only wrapped: encrypted
-- with the master key, which lives in the services' environment
-- (DATA_ENCRYPTION_KEY) and reaches a transaction as the local setting
-- app.data_encryption_key — and app.data_encryption_key_previous while the
-- master key is being rotated. Each wrapped key records which master key
-- wrapped it (an HMAC of the key, never the key), so a wrong key is named as
-- such instead of decrypting to garbage.
--
-- Every P2 column keeps its name for writes: a BEFORE trigger checks the value,
-- encrypts it with its owner's data key into <column>_encrypted and stores null
-- in the column itself (a check constraint keeps it null). Reads go through
-- app_public.<table>_<column>(row), which GraphQL serves under the column's
-- name. Deleting a user deletes their data key (crypto-shredding): their
-- ciphertext, wherever a copy went, can no longer be read. db:backup keeps the
-- data keys out of the data dump.
--
-- Errors (docs/operations.md): KEY01 no master key in the transaction; KEY02
-- the data key was wrapped with a master key the transaction does not hold;
-- KEY03 the data key was erased; KEY04 a ciphertext that does not decrypt.

drop function if exists app_jobs.rewrap_data_keys(integer) cascade;
drop function if exists app_ops.data_keys_by_master_key() cascade;
drop function if exists app_private.tg__encrypt_p2() cascade;
drop function if exists app_private.decrypt_p2(uuid, bytea) cascade;
drop function if exists app_private.encrypt_p2(uuid, text) cascade;
drop function if exists app_private.data_key_for_writing(uuid) cascade;
drop function if exists app_private.unwrap_data_key(uuid) cascade;
drop function if exists app_private.unwrapped(app_private.user_data_keys) cascade;
drop function if exists app_private.current_master_key() cascade;
drop function if exists app_private.session_master_keys() cascade;
drop function if exists app_private.master_key_id(text) cascade;
drop table if exists app_private.encrypted_columns cascade;

create table if not exists app_private.user_data_keys (
  user_id uuid primary key references app_public.users (id) on delete cascade,
  wrapped_key bytea not null,
  master_key_id text not null,
  created_at timestamptz not null default now(),
  rewrapped_at timestamptz
);
create index if not exists user_data_keys_master_key_id_idx on app_private.user_data_keys (master_key_id);
revoke all on app_private.user_data_keys from public;
comment on table app_private.user_data_keys is
  'Each user''s data key, wrapped with the master key (DATA_ENCRYPTION_KEY). Deleted with the user: their P2 data becomes unreadable everywhere. Not in the data dump of db:backup.';
comment on column app_private.user_data_keys.wrapped_key is 'The 32-byte data key, pgp-encrypted (AES-256) with the master key.';
comment on column app_private.user_data_keys.master_key_id is 'Which master key wrapped it: app_private.master_key_id(key), an HMAC, never the key.';
comment on column app_private.user_data_keys.rewrapped_at is 'When a master key rotation last re-wrapped it.';

-- The P2 columns: which user's key encrypts each, and what a value must look like.
create table app_private.encrypted_columns (
  table_name text not null,
  column_name text not null,
  owner_column text not null,
  shape text not null constraint encrypted_columns_shape_known check (shape in ('text', 'non-empty text', 'object', 'array')),
  required boolean not null,
  constraint encrypted_columns_pkey primary key (table_name, column_name)
);
comment on table app_private.encrypted_columns is
  'The P2 columns of app_public (src/privacy/dataClasses.ts lists the same; a test compares): the owner whose data key encrypts them and the shape a value must have.';
insert into app_private.encrypted_columns (table_name, column_name, owner_column, shape, required) values
  ('child_progress', 'payload', 'child_id', 'object', false),
  ('letters', 'content', 'user_id', 'text', true),
  ('messages', 'content', 'user_id', 'non-empty text', true),
  ('psychological_profiles', 'emotional_trends', 'user_id', 'array', true),
  ('psychological_profiles', 'crisis_history', 'user_id', 'array', true),
  ('psychological_profiles', 'triggers', 'user_id', 'array', true),
  ('psychological_profiles', 'toxic_patterns', 'user_id', 'array', true),
  ('quest_builder_sessions', 'conversation_history', 'user_id', 'array', true),
  ('quest_builder_sessions', 'quest_context', 'user_id', 'object', false),
  ('therapy_sessions', 'state', 'user_id', 'object', true),
  ('therapy_sessions', 'summary', 'user_id', 'text', false);

create function app_private.master_key_id(master_key text) returns text
  language sql immutable strict parallel safe
  set search_path = pg_catalog, public, pg_temp
  as $$ select left(encode(hmac('pas_in_peace master key id', master_key, 'sha256'), 'hex'), 16) $$;
comment on function app_private.master_key_id(text) is
  'Names a master key without revealing it (HMAC-SHA-256 keyed by it, 16 hex digits); the services compute the same.';

create function app_private.session_master_keys() returns table (key_id text, master_key text, is_current boolean)
  language sql stable
  set search_path = pg_catalog, public, pg_temp
  as $$
  select app_private.master_key_id(s.k), s.k, s.n = 1
  from (values (1, nullif(current_setting('app.data_encryption_key', true), '')),
               (2, nullif(current_setting('app.data_encryption_key_previous', true), ''))) as s(n, k)
  where s.k is not null
$$;
comment on function app_private.session_master_keys() is
  'The master keys this transaction holds: the current one, and the previous one during a rotation.';

create function app_private.current_master_key() returns table (key_id text, master_key text)
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
  as $$
begin
  return query select k.key_id, k.master_key from app_private.session_master_keys() k where k.is_current;
  if not found then
    raise exception 'No master key in this transaction: services pass DATA_ENCRYPTION_KEY as app.data_encryption_key; direct SQL runs select set_config(''app.data_encryption_key'', $1, true) first.'
      using errcode = 'KEY01';
  end if;
end;
$$;
comment on function app_private.current_master_key() is
  'The master key new data keys are wrapped with (DATA_ENCRYPTION_KEY); KEY01 when the transaction has none.';

create function app_private.unwrapped(stored app_private.user_data_keys) returns text
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_private.unwrapped(app_private.user_data_keys) is
  'A stored data key, unwrapped with whichever master key of the transaction wrapped it (hex).';

-- Volatile, though it only reads: a stable function would read with the calling
-- query's snapshot and miss a data key made earlier in the same query (a profile
-- created and read in one statement), reporting it as erased.
create function app_private.unwrap_data_key(owner uuid) returns text
  language plpgsql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_private.unwrap_data_key(uuid) is 'The data key of a user, for reading; KEY03 when it was erased.';

create function app_private.data_key_for_writing(owner uuid) returns text
  language plpgsql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
declare
  stored app_private.user_data_keys;
  fresh bytea;
  master record;
begin
  select * into stored from app_private.user_data_keys where user_id = owner;
  if not found then
    -- A user's data key is made with their first P2 value.
    select * into master from app_private.current_master_key();
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
$$;
comment on function app_private.data_key_for_writing(uuid) is 'The data key of a user, made (and wrapped with the current master key) on first use.';

create function app_private.encrypt_p2(owner uuid, plaintext text) returns bytea
  language sql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
  select case when plaintext is not null
    then pgp_sym_encrypt(plaintext, app_private.data_key_for_writing(owner), 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256') end
$$;
comment on function app_private.encrypt_p2(uuid, text) is
  'Encrypts a P2 value with its owner''s data key (OpenPGP message, AES-256, with an integrity check); null stays null.';

create function app_private.decrypt_p2(owner uuid, ciphertext bytea) returns text
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_private.decrypt_p2(uuid, bytea) is
  'Decrypts a P2 value with its owner''s data key; fails (KEY01–KEY04) rather than returning anything else.';

/*
 * BEFORE INSERT OR UPDATE OF <column>: the column-specific trigger fires only
 * when the statement sets the column, so an update that leaves it out keeps
 * the stored ciphertext. Arguments: owner column, P2 column, shape, and
 * 'required' or 'optional'. Named _900_ to run after every other BEFORE
 * trigger, so they all still see the plaintext.
 */
create function app_private.tg__encrypt_p2() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_private.tg__encrypt_p2() is
  'BEFORE trigger of each P2 column: checks the value''s shape, encrypts it into <column>_encrypted, stores null in the column.';

-- The checks that read P2 values move into the trigger (a check constraint would only see null).
alter table app_public.child_progress drop constraint if exists child_progress_payload_is_object;
alter table app_public.messages drop constraint if exists messages_content_not_empty;
alter table app_public.therapy_sessions drop constraint if exists therapy_sessions_state_is_object;
alter table app_public.quest_builder_sessions drop constraint if exists quest_builder_sessions_history_is_array;
alter table app_public.quest_builder_sessions drop constraint if exists quest_builder_sessions_quest_context_is_object;
alter table app_public.psychological_profiles drop constraint if exists psychological_profiles_lists_are_arrays;
alter table app_public.psychological_profiles drop constraint if exists psychological_profiles_plain_lists_are_arrays;
alter table app_public.psychological_profiles add constraint psychological_profiles_plain_lists_are_arrays check (
  jsonb_typeof(primary_coping_strategies) = 'array' and jsonb_typeof(growth_areas) = 'array'
  and jsonb_typeof(recommended_techniques) = 'array');

/*
 * Makes a registered P2 column encrypted: the ciphertext column, existing
 * values encrypted (with the master key given to graphile-migrate; an empty
 * table needs none), the column kept null, the trigger, and the reading
 * function GraphQL serves under the column's name (smart tags hide the raw
 * column from reads). Idempotent. A later migration adding a P2 column inserts
 * its row into app_private.encrypted_columns and calls this.
 */
create function app_private.store_encrypted(c app_private.encrypted_columns) returns void
  language plpgsql volatile
  set search_path = pg_catalog, public, pg_temp
  as $$
declare
  encrypted text;
  reader text;
  value_type text;
  description text;
begin
  encrypted := c.column_name || '_encrypted';
  reader := c.table_name || '_' || c.column_name;
  value_type := format_type(
    (select atttypid from pg_attribute where attrelid = format('app_public.%I', c.table_name)::regclass and attname = c.column_name), null);
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

  execute format(
    'create or replace function app_public.%I(r app_public.%I) returns %s
       language sql stable security definer
       set search_path = pg_catalog, public, pg_temp
       as $f$ select app_private.decrypt_p2(r.%I, r.%I)::%s $f$',
    reader, c.table_name, value_type, c.owner_column, encrypted, value_type);
  execute format('revoke all on function app_public.%I(app_public.%I) from public', reader, c.table_name);
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
  'Makes a P2 column of app_private.encrypted_columns stored encrypted (columns, existing values, trigger, reading function, tags).';

select app_private.store_encrypted(c) from app_private.encrypted_columns c order by c.table_name, c.column_name;

-- The profile functions read and extend the decrypted lists.
create or replace function app_public.update_profile_emotions(emotional_data jsonb) returns app_public.psychological_profiles
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_private.acting_user('parent');
  profile app_public.psychological_profiles;
begin
  if jsonb_typeof(emotional_data) is distinct from 'object' or jsonb_typeof(emotional_data -> 'mood') is distinct from 'number'
     or (emotional_data ->> 'mood')::numeric not between 1 and 10 then
    raise exception 'emotional_data must be an object with a "mood" from 1 to 10 (and any other readings).' using errcode = '22023';
  end if;
  perform app_public.get_or_create_profile();
  update app_public.psychological_profiles p
    set emotional_trends = app_public.psychological_profiles_emotional_trends(p)
                           || jsonb_build_array(emotional_data || jsonb_build_object('at', now()))
  where user_id = me
  returning * into profile;
  return profile;
end;
$$;

create or replace function app_public.get_recommendations() returns setof app_public.recommendation
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
  with me as (select app_private.acting_user('parent') as id),
  profile as (
    select p.*, app_public.psychological_profiles_emotional_trends(p) as trends,
           (select count(*) from app_public.quests q where q.author_id = me.id and q.status <> 'deleted') as quests
    from me left join app_public.psychological_profiles p on p.user_id = me.id
  ),
  recent as (
    select avg((reading ->> 'mood')::numeric) as mood
    from (select r.reading from profile, jsonb_array_elements(coalesce(profile.trends, '[]')) with ordinality as r(reading, n)
          order by r.n desc limit 3) last3
  ),
  rules as (
    select 1 as ord, 'low_mood' as code, 'Your recent mood has been low: try a grounding exercise, or talk it through in a session.' as message
      from recent where recent.mood < 4
    union all
    select 2, 'first_quest', 'Create your first quest for your child: it takes about fifteen minutes with the builder.'
      from profile where profile.quests = 0
    union all
    select 3, 'shorter_quests', 'Your child engages little with long quests: try a short one with a reveal early on.'
      from profile where profile.child_engagement < 0.3
    union all
    select 4, 'find_coping', 'Note what helps you when things are hard: a walk, a call, a letter.'
      from profile where jsonb_array_length(coalesce(profile.primary_coping_strategies, '[]')) = 0
  )
  select code, message from (
    select ord, code, message from rules
    union all
    select 5, 'keep_going', 'You are on your way: keep the rhythm that works for you.' where not exists (select 1 from rules)
  ) chosen
  order by ord
$$;

-- The export shows P2 values decrypted, under their column names, without the ciphertext.
create or replace function app_public.export_my_data() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_public.current_user_id();
  owners record;
  row_json text;
  rows jsonb;
  tables jsonb := '{}';
begin
  if me is null then
    raise exception 'Sign in to export your data.' using errcode = '42501';
  end if;
  for owners in
    select o.table_name, array_agg(o.owner_column order by o.owner_column) as columns
    from app_private.personal_data_owners o group by o.table_name order by o.table_name
  loop
    select case when count(*) = 0 then 'to_jsonb(t)'
                else format('(to_jsonb(t) - %L::text[]) || jsonb_build_object(%s)',
                  array_agg(e.column_name || '_encrypted' order by e.column_name),
                  string_agg(format('%L, app_public.%I(t)', e.column_name, e.table_name || '_' || e.column_name), ', ' order by e.column_name)) end
      into row_json
      from app_private.encrypted_columns e where e.table_name = owners.table_name;
    execute format(
      'select coalesce(jsonb_agg(%s order by t.created_at, t::text), ''[]'') from app_public.%I t where %s',
      row_json, owners.table_name,
      (select string_agg(format('t.%I = $1', c), ' or ') from unnest(owners.columns) c))
    into rows using me;
    tables := tables || jsonb_build_object(owners.table_name, rows);
  end loop;
  perform app_private.audit('export_my_data', 'users', me, null, 'personal_data', null, '{}');
  return jsonb_build_object('format', 'pas-export/1', 'exported_at', now(), 'user_id', me, 'tables', tables);
end;
$$;

/*
 * Master key rotation: re-wraps up to batch_size data keys that the previous
 * master key wrapped with the current one (both given to the transaction).
 * The rewrap_data_keys job calls it until it returns 0; skip locked lets two
 * workers share the work.
 */
create function app_jobs.rewrap_data_keys(batch_size integer) returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_jobs.rewrap_data_keys(integer) is
  'Re-wraps up to batch_size data keys with the current master key; returns how many (0: none left that this worker can take).';

-- For /readyz and operators: how many data keys each master key wrapped (ids only).
create function app_ops.data_keys_by_master_key() returns table (master_key_id text, data_keys bigint)
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$ select k.master_key_id, count(*) from app_private.user_data_keys k group by k.master_key_id order by 1 $$;
comment on function app_ops.data_keys_by_master_key() is
  'How many data keys each master key (by id) wraps: during a rotation, the old id''s count falls to 0.';
