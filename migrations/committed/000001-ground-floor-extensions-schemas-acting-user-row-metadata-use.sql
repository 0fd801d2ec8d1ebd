--! Previous: -
--! Hash: sha1:a59dc79f4ea5f061e998aafea08a321fad289926
--! Message: Ground floor: extensions, schemas, acting user, row metadata, users, family links

-- Ground floor: extensions, schemas, the acting user, row metadata, users and family links.
-- Roles are created outside migrations (src/db/roles.ts); policies and grants
-- are in policies/ and re-applied after every migrate.

create extension if not exists pgcrypto with schema public;
create extension if not exists citext with schema public;

-- Nothing is granted to PUBLIC, now or for objects the owner creates later.
revoke all on schema public from public;
alter default privileges revoke all on sequences from public;
alter default privileges revoke all on functions from public;

drop schema if exists app_public cascade;
drop schema if exists app_private cascade;
create schema app_public;
create schema app_private;
revoke all on schema app_public from public;
revoke all on schema app_private from public;
comment on schema app_public is 'Served by GraphQL; every table under row-level security.';
comment on schema app_private is 'Internals no app role may read (audit log, helpers).';

/*
 * The acting user: a transaction-local setting. GraphQL sets it from the JWT's
 * `sub`; direct SQL sets it with `select set_config('app.user_id', $1, true)`.
 * Unset or empty means nobody, which matches no row.
 */
create function app_public.current_user_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;
comment on function app_public.current_user_id() is
  'The acting user''s id (the transaction-local setting app.user_id), or null when nobody acts.';

/*
 * Row metadata of mutable tables: updated_at follows every update, and
 * `version` implements optimistic locking. An update that names a version
 * (sets the column) must name the current one; the trigger then bumps it.
 */
create function app_private.tg__row_metadata() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
comment on function app_private.tg__row_metadata() is
  'BEFORE UPDATE trigger of mutable tables: rejects a stale version, bumps version, sets updated_at.';

create type app_public.user_kind as enum ('parent', 'child', 'psychologist', 'admin');
comment on type app_public.user_kind is 'What a user is in the product: a parent, a child, a psychologist or an admin.';

create table app_public.users (
  id uuid primary key default gen_random_uuid(),
  kind app_public.user_kind not null,
  display_name text not null check (length(display_name) between 1 and 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 check (version > 0)
);
alter table app_public.users enable row level security;
alter table app_public.users force row level security;
create trigger _100_row_metadata before update on app_public.users
  for each row execute function app_private.tg__row_metadata();
comment on table app_public.users is 'Everyone who uses either app: parents, children, psychologists and admins.';
comment on column app_public.users.id is 'The user''s id; also the `sub` of their JWT and the value of app.user_id.';
comment on column app_public.users.kind is 'Parent, child, psychologist or admin.';
comment on column app_public.users.display_name is 'The name shown in the apps (1 to 100 characters).';
comment on column app_public.users.created_at is 'When the user was created.';
comment on column app_public.users.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.users.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.family_links (
  id uuid primary key default gen_random_uuid(),
  parent_id uuid not null references app_public.users (id) on delete cascade,
  child_id uuid not null references app_public.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint family_links_parent_child_key unique (parent_id, child_id),
  constraint family_links_not_self check (parent_id <> child_id)
);
-- parent_id is covered by the unique index; child_id needs its own (FK and policies).
create index family_links_child_id_idx on app_public.family_links (child_id);
alter table app_public.family_links enable row level security;
alter table app_public.family_links force row level security;
comment on table app_public.family_links is 'Which parent is linked to which child. Links are created and removed, never edited.';
comment on column app_public.family_links.id is 'The link''s id.';
comment on column app_public.family_links.parent_id is 'The parent (a user of kind parent).';
comment on column app_public.family_links.child_id is 'The child (a user of kind child).';
comment on column app_public.family_links.created_at is 'When the link was made.';

-- A link must join a parent to a child; say so clearly instead of storing nonsense.
-- Security definer: the kinds must be checked whoever inserts, whatever they may see.
create function app_private.tg_family_links__check_kinds() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, public, pg_temp
  as $$
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
$$;
create trigger _100_check_kinds before insert or update on app_public.family_links
  for each row execute function app_private.tg_family_links__check_kinds();
