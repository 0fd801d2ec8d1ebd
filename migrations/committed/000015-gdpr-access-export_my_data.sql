--! Previous: sha1:1bf99dad59aca2f5c4b0317a1c0e1f707c1e4fcc
--! Hash: sha1:a7fe715b508931cd9c4fdb4392c0cb0c307d0072
--! Message: GDPR access: export_my_data

-- GDPR access (issue 8): everything stored about the acting user as one JSON
-- document. "About the user" is decided per table by the column that makes a
-- row theirs (app_private.personal_data_owners); columns that only point at
-- them from someone else's row (a parent's letter names the child it is for,
-- a personal quest names its child) do not make that row theirs.

drop function if exists app_public.export_my_data() cascade;
drop table if exists app_private.personal_data_owners cascade;

create table app_private.personal_data_owners (
  table_name text not null,
  owner_column text not null,
  constraint personal_data_owners_pkey primary key (table_name, owner_column)
);
comment on table app_private.personal_data_owners is
  'For each app_public table, the column(s) whose user the row belongs to (export_my_data reads them). A test fails when a column referencing users is neither here nor explained.';
insert into app_private.personal_data_owners (table_name, owner_column) values
  ('users', 'id'),
  ('family_links', 'parent_id'), ('family_links', 'child_id'),
  ('child_privacy', 'child_id'), ('quest_privacy', 'child_id'), ('consent_events', 'child_id'),
  ('quest_progress', 'child_id'), ('child_progress', 'child_id'), ('achievements', 'child_id'),
  ('quests', 'author_id'),
  ('quest_ratings', 'user_id'), ('user_quest_library', 'user_id'),
  ('psychologist_reviews', 'parent_id'), ('psychologist_reviews', 'psychologist_id'),
  ('quest_builder_sessions', 'user_id'), ('creative_projects', 'user_id'), ('psychological_profiles', 'user_id'),
  ('user_tracks', 'user_id'), ('milestones', 'user_id'),
  ('therapy_sessions', 'user_id'), ('messages', 'user_id'), ('letters', 'user_id'), ('goals', 'user_id'),
  ('metrics_snapshots', 'user_id'), ('notifications', 'user_id'), ('data_deletion_requests', 'user_id');

create function app_public.export_my_data() returns jsonb
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_public.current_user_id();
  owners record;
  rows jsonb;
  tables jsonb := '{}';
begin
  if me is null then
    raise exception 'Sign in to export your data.' using errcode = '42501';
  end if;
  for owners in
    select table_name, array_agg(owner_column order by owner_column) as columns
    from app_private.personal_data_owners group by table_name order by table_name
  loop
    execute format(
      'select coalesce(jsonb_agg(to_jsonb(t) order by t::text), ''[]'') from app_public.%I t where %s',
      owners.table_name,
      (select string_agg(format('t.%I = $1', c), ' or ') from unnest(owners.columns) c))
    into rows using me;
    tables := tables || jsonb_build_object(owners.table_name, rows);
  end loop;
  perform app_private.audit('export_my_data', 'users', me, null, 'personal_data', null, '{}');
  return jsonb_build_object('format', 'pas-export/1', 'exported_at', now(), 'user_id', me, 'tables', tables);
end;
$$;
comment on function app_public.export_my_data() is
  'Everything stored about you, as one JSON document: {format, exported_at, user_id, tables: {table: [rows]}} (docs/privacy.md). Audited.';
