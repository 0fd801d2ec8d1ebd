--! Previous: sha1:7dc8c36c780ae3481b84a0ea30d590350dd61ba0
--! Hash: sha1:5d6ba46a7a1920341b877757f8028a2625028b27
--! Message: Issue 16 review: a master key the database does not use makes no data key (KEY05); a typed erasure code is NFKC-folded and forgives minus signs and zero-width spaces

--! split: 1-current.sql
-- Enter migration here: idempotent (it is re-run on every change in watch mode).

--! split: 2-master-key-check.sql
-- A new user's data key is wrapped only with a master key this database already uses (issue 16's review:
-- a service started with a mistyped DATA_ENCRYPTION_KEY made data keys that no other service could unwrap,
-- so those users' P2 values were locked away and every API instance's /readyz turned 503). The transaction
-- must hold a master key that wraps at least one existing data key (during a rotation the previous key
-- does), unless the database has none yet.
create or replace function app_private.data_key_for_writing(owner uuid) returns text
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
$$;
comment on function app_private.data_key_for_writing(uuid) is
  'The data key of a user (hex), made on first use and wrapped with the current master key. Raises KEY01 without a master key, '
  'KEY05 when the transaction holds no master key that wraps an existing data key (a mistyped DATA_ENCRYPTION_KEY; '
  'the first data key of an empty database is exempt), KEY02 when the stored key is wrapped with a key the transaction lacks.';

-- KEY01's advice for direct SQL: a parameter bound client-side (psycopg2) would put the key in the SQL text.
create or replace function app_private.current_master_key() returns table (key_id text, master_key text)
  language plpgsql stable
  set search_path = pg_catalog, public, pg_temp
  as $$
begin
  return query select k.key_id, k.master_key from app_private.session_master_keys() k where k.is_current;
  if not found then
    raise exception 'No master key in this transaction: services pass DATA_ENCRYPTION_KEY as app.data_encryption_key, as a connection option (-c app.data_encryption_key=..., docs/direct-sql.md), never in SQL text.'
      using errcode = 'KEY01';
  end if;
end;
$$;

--! split: 3-erasure-code-unicode.sql
-- What phones and word processors do to a typed erasure code must not cost one of its 5 tries:
-- compatibility forms are folded first (NFKC: full-width letters and digits become ASCII, a no-break
-- space a space), then whitespace, zero-width spaces (U+200B-U+200D, U+2060, U+FEFF), dashes
-- (hyphen-minus, U+2010-U+2015) and the minus sign (U+2212) are removed.
create or replace function app_private.erasure_code_canonical(code text) returns text
  language sql immutable
  set search_path = pg_catalog, pg_temp
  as $$
    select upper(regexp_replace(normalize(coalesce(code, ''), NFKC),
                                '[[:space:]' || U&'\200B\200C\200D\2060\FEFF' || '\-' || U&'\2010\2011\2012\2013\2014\2015\2212' || ']',
                                '', 'g'))
  $$;
comment on function app_private.erasure_code_canonical(text) is
  'A typed erasure code as it is compared: NFKC-folded, upper case, whitespace, zero-width spaces, dashes (hyphen-minus, '
  'U+2010-2015) and the minus sign (U+2212) removed.';
