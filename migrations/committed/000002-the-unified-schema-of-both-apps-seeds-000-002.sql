--! Previous: sha1:a59dc79f4ea5f061e998aafea08a321fad289926
--! Hash: sha1:7855f7683aa4b530ffd89e413423869d9242c561
--! Message: The unified schema of both apps (seeds 000-002)

-- The unified schema of pas_in_peace and inner_edu (seeds 000-002, merged; see docs/schema.md).
-- Idempotent while uncommitted: everything this file creates is dropped first.
-- Policies and grants are in policies/; until the privacy issue, the new
-- tables are owner-only (RLS enabled and forced, no policy, no grant).

drop table if exists
  app_public.metrics_snapshots, app_public.goals, app_public.letters, app_public.messages,
  app_public.therapy_sessions, app_public.data_deletion_requests, app_public.notifications,
  app_public.quest_ratings, app_public.user_quest_library, app_public.quest_builder_sessions,
  app_public.milestones, app_public.user_tracks, app_public.psychological_profiles,
  app_public.creative_projects, app_public.quest_analytics, app_public.achievements,
  app_public.child_progress, app_public.quest_progress, app_public.quest_nodes,
  app_public.psychologist_reviews, app_public.quests, app_public.consent_events,
  app_public.quest_privacy, app_public.child_privacy
  cascade;
drop function if exists app_private.quest_graph_problem(jsonb) cascade;
drop function if exists app_private.quest_yaml(text, jsonb) cascade;
drop function if exists app_private.tg_quests__derive_from_graph() cascade;
drop function if exists app_private.tg_quests__sync_nodes() cascade;
drop function if exists app_private.yaml_scalar(jsonb) cascade;
alter table app_public.users
  drop column if exists telegram_id, drop column if exists email,
  drop column if exists parent_name, drop column if exists child_name, drop column if exists child_age,
  drop column if exists learning_profile, drop column if exists mode,
  drop column if exists recovery_tracks, drop column if exists primary_track,
  drop column if exists recovery_week, drop column if exists recovery_day,
  drop column if exists data_consent, drop column if exists data_retention_days,
  drop column if exists last_active_at;
drop type if exists
  app_public.user_mode, app_public.quest_status, app_public.moderation_status,
  app_public.track_type, app_public.track_phase, app_public.review_status,
  app_public.builder_stage, app_public.creative_project_type, app_public.creative_project_status,
  app_public.deletion_request_status, app_public.therapy_session_status, app_public.message_role,
  app_public.letter_status, app_public.goal_status, app_public.quest_difficulty,
  app_public.play_event_type
  cascade;

------------------------------------------------------------------------------
-- Enums (seed 001's Python enums, and the states the seeds describe in prose)
------------------------------------------------------------------------------
create type app_public.user_mode as enum ('educational', 'therapeutic');
comment on type app_public.user_mode is 'Whether the user is in the educational or the therapeutic mode of the apps.';
create type app_public.quest_status as enum ('draft', 'deployed', 'archived', 'deleted');
comment on type app_public.quest_status is 'A quest''s life: draft (being built), deployed (in the child''s app), archived, deleted (soft delete: rows and analytics are kept).';
create type app_public.moderation_status as enum ('pending', 'approved', 'rejected', 'flagged');
comment on type app_public.moderation_status is 'Automatic and human moderation of a quest''s content.';
create type app_public.quest_difficulty as enum ('beginner', 'intermediate', 'advanced');
comment on type app_public.quest_difficulty is 'How hard a quest is.';
create type app_public.track_type as enum ('self_work', 'child_connection', 'negotiation', 'community');
comment on type app_public.track_type is 'The four recovery tracks of an alienated parent.';
create type app_public.track_phase as enum ('awareness', 'expression', 'action', 'mastery');
comment on type app_public.track_phase is 'The phases each recovery track goes through, in order.';
create type app_public.review_status as enum ('pending', 'in_progress', 'completed', 'declined');
comment on type app_public.review_status is 'Where a psychologist''s review of a quest stands.';
create type app_public.builder_stage as enum ('greeting', 'collecting_info', 'clarifying', 'generating', 'reviewing', 'quest_ready');
comment on type app_public.builder_stage is 'The stage of an AI quest-builder conversation.';
create type app_public.creative_project_type as enum ('quest', 'letter', 'goal');
comment on type app_public.creative_project_type is 'What a creative project is: a quest, a letter or a goal.';
create type app_public.creative_project_status as enum ('in_progress', 'completed', 'abandoned');
comment on type app_public.creative_project_status is 'Where a creative project stands.';
create type app_public.deletion_request_status as enum ('pending', 'verified', 'processing', 'completed', 'rejected');
comment on type app_public.deletion_request_status is 'A GDPR erasure request: requested, verified by the user, being processed, done, or refused.';
create type app_public.therapy_session_status as enum ('active', 'ended', 'expired');
comment on type app_public.therapy_session_status is 'Whether a therapy session is going on, was ended, or expired unattended.';
create type app_public.message_role as enum ('user', 'assistant', 'system');
comment on type app_public.message_role is 'Who wrote a chat message.';
create type app_public.letter_status as enum ('draft', 'finished', 'sent');
comment on type app_public.letter_status is 'A parent''s letter: being written, finished (kept), or sent.';
create type app_public.goal_status as enum ('active', 'completed', 'abandoned');
comment on type app_public.goal_status is 'Where a SMART goal stands.';
create type app_public.play_event_type as enum ('node_entered', 'node_completed', 'choice_made', 'hint_used', 'reveal_viewed');
comment on type app_public.play_event_type is 'What happened at a quest node while the child played.';

------------------------------------------------------------------------------
-- users: the merged user (seed 001 User, seed 000 recovery fields, seed 004 retention)
------------------------------------------------------------------------------
alter table app_public.users
  add column telegram_id bigint constraint users_telegram_id_unique unique constraint users_telegram_id_positive check (telegram_id > 0),
  add column email citext constraint users_email_unique unique constraint users_email_shape check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  add column parent_name text constraint users_parent_name_length check (length(parent_name) between 1 and 255),
  add column child_name text constraint users_child_name_length check (length(child_name) between 1 and 255),
  add column child_age integer constraint users_child_age_range check (child_age between 3 and 18),
  add column learning_profile jsonb constraint users_learning_profile_is_object check (jsonb_typeof(learning_profile) = 'object'),
  add column mode app_public.user_mode not null default 'educational',
  add column recovery_tracks jsonb constraint users_recovery_tracks_is_object check (jsonb_typeof(recovery_tracks) = 'object'),
  add column primary_track app_public.track_type,
  add column recovery_week integer constraint users_recovery_week_non_negative check (recovery_week >= 0),
  add column recovery_day integer constraint users_recovery_day_range check (recovery_day between 1 and 7),
  add column data_consent boolean not null default false,
  add column data_retention_days integer not null default 365 constraint users_data_retention_days_range check (data_retention_days between 1 and 3650),
  add column last_active_at timestamptz,
  add constraint users_child_fields_only_for_children check (kind = 'child' or (child_name is null and child_age is null)),
  add constraint users_parent_fields_only_for_parents check (kind = 'parent' or (parent_name is null and recovery_tracks is null and primary_track is null and recovery_week is null and recovery_day is null));
create index users_mode_idx on app_public.users (mode);
comment on column app_public.users.telegram_id is 'The Telegram user id the PAS bot talks to (unique).';
comment on column app_public.users.email is 'Email address, case-insensitive and unique.';
comment on column app_public.users.parent_name is 'A parent''s name, used to personalise the bot and quests.';
comment on column app_public.users.child_name is 'A child''s name as the quests use it.';
comment on column app_public.users.child_age is 'A child''s age in years (3 to 18).';
comment on column app_public.users.learning_profile is 'A child''s learning preferences: visual/logical preference (0-1), attention span, difficulties, strengths.';
comment on column app_public.users.mode is 'Educational or therapeutic mode.';
comment on column app_public.users.recovery_tracks is 'A parent''s recovery-track summary as the bot keeps it (the normalised rows are user_tracks).';
comment on column app_public.users.primary_track is 'The recovery track a parent focuses on.';
comment on column app_public.users.recovery_week is 'Week of a parent''s recovery programme (0 before it starts).';
comment on column app_public.users.recovery_day is 'Day within the recovery week (1 to 7).';
comment on column app_public.users.data_consent is 'Whether the user consented to data processing.';
comment on column app_public.users.data_retention_days is 'How many days the user''s data is kept (1 to 3650; enforced by a scheduled job).';
comment on column app_public.users.last_active_at is 'When the user last did something in either app.';

------------------------------------------------------------------------------
-- Quest graphs: graph_structure is the primary storage (seed 001). It must be
-- {"nodes": [{"id": ...}, ...], "edges": [{"source": ..., "target": ...}, ...]}
-- with unique node ids and edges between existing nodes.
------------------------------------------------------------------------------
create function app_private.quest_graph_problem(graph jsonb) returns text
  language plpgsql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
declare
  node jsonb;
  edge jsonb;
  ids text[] := '{}';
begin
  if jsonb_typeof(graph) is distinct from 'object' then
    return 'graph_structure must be an object with "nodes" and "edges" arrays';
  end if;
  if jsonb_typeof(graph -> 'nodes') is distinct from 'array' or jsonb_typeof(graph -> 'edges') is distinct from 'array' then
    return 'graph_structure must have a "nodes" array and an "edges" array';
  end if;
  for node in select * from jsonb_array_elements(graph -> 'nodes') loop
    if jsonb_typeof(node) <> 'object' or jsonb_typeof(node -> 'id') <> 'string' or node ->> 'id' = '' then
      return format('every node needs a non-empty string "id" (got %s)', left(node::text, 100));
    end if;
    if (node ->> 'id') = any (ids) then
      return format('node id "%s" appears twice', node ->> 'id');
    end if;
    ids := ids || (node ->> 'id');
  end loop;
  for edge in select * from jsonb_array_elements(graph -> 'edges') loop
    if jsonb_typeof(edge) <> 'object' or jsonb_typeof(edge -> 'source') <> 'string' or jsonb_typeof(edge -> 'target') <> 'string' then
      return format('every edge needs string "source" and "target" (got %s)', left(edge::text, 100));
    end if;
    if not (edge ->> 'source') = any (ids) then
      return format('an edge starts at node "%s", which does not exist', edge ->> 'source');
    end if;
    if not (edge ->> 'target') = any (ids) then
      return format('an edge points at node "%s", which does not exist', edge ->> 'target');
    end if;
  end loop;
  return null;
end;
$$;
comment on function app_private.quest_graph_problem(jsonb) is
  'What is wrong with a quest graph, in words, or null when it is well formed (used by a CHECK and a trigger).';

-- A JSON value as a YAML scalar or flow collection: JSON is valid YAML 1.2.
create function app_private.yaml_scalar(value jsonb) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog, pg_temp
  as $$ select coalesce(value::text, 'null') $$;

-- yaml_content is generated from the graph ("for compatibility", seed 001).
create function app_private.quest_yaml(title text, graph jsonb) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog, app_private, pg_temp
  as $$
  select concat_ws(E'\n',
    '# Generated from graph_structure; edit the graph, not this text.',
    'title: ' || yaml_scalar(to_jsonb(title)),
    'nodes:' || case when jsonb_array_length(graph -> 'nodes') = 0 then ' []' else '' end,
    (select string_agg(
        concat_ws(E'\n',
          '  - id: ' || yaml_scalar(n -> 'id'),
          case when n ? 'type' then '    type: ' || yaml_scalar(n -> 'type') end,
          case when n ? 'data' then '    data: ' || yaml_scalar(n -> 'data') end),
        E'\n' order by ord)
     from jsonb_array_elements(graph -> 'nodes') with ordinality as t(n, ord)),
    'edges:' || case when jsonb_array_length(graph -> 'edges') = 0 then ' []' else '' end,
    (select string_agg(
        concat_ws(E'\n',
          '  - source: ' || yaml_scalar(e -> 'source'),
          '    target: ' || yaml_scalar(e -> 'target'),
          case when e ? 'label' then '    label: ' || yaml_scalar(e -> 'label') end),
        E'\n' order by ord)
     from jsonb_array_elements(graph -> 'edges') with ordinality as t(e, ord))
  ) || E'\n'
$$;
comment on function app_private.quest_yaml(text, jsonb) is 'The YAML form of a quest graph (kept in quests.yaml_content by trigger).';

------------------------------------------------------------------------------
-- Consent: child_privacy (defaults), quest_privacy (per-quest overrides), consent_events (history)
------------------------------------------------------------------------------
create table app_public.child_privacy (
  child_id uuid primary key references app_public.users (id) on delete cascade,
  share_progress boolean not null default false,
  share_educational_progress boolean not null default false,
  share_play_frequency boolean not null default false,
  share_quest_details boolean not null default false,
  share_emotional_state boolean not null default false,
  share_analytics boolean not null default false,
  consent_given_by_child boolean not null default false,
  consent_version text constraint child_privacy_consent_version_shape check (consent_version ~ '^\d+(\.\d+)*$'),
  consent_timestamp timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint child_privacy_version_positive check (version > 0)
);
comment on table app_public.child_privacy is 'What a child shares with their linked parents by default: one row per child, every flag false until the child says otherwise.';
comment on column app_public.child_privacy.child_id is 'The child (a user of kind child) these defaults belong to.';
comment on column app_public.child_privacy.share_progress is 'Share quest completion with the parent.';
comment on column app_public.child_privacy.share_educational_progress is 'Share educational progress.';
comment on column app_public.child_privacy.share_play_frequency is 'Share how often the child plays.';
comment on column app_public.child_privacy.share_quest_details is 'Share quest-level details (which nodes, how long).';
comment on column app_public.child_privacy.share_emotional_state is 'Share the child''s emotional state.';
comment on column app_public.child_privacy.share_analytics is 'Share aggregated analytics.';
comment on column app_public.child_privacy.consent_given_by_child is 'Whether the child has answered the consent screen at all.';
comment on column app_public.child_privacy.consent_version is 'Version of the consent text the child answered ("1.0", "1.1", ...).';
comment on column app_public.child_privacy.consent_timestamp is 'When the child last changed their consent.';
comment on column app_public.child_privacy.created_at is 'When the row was created.';
comment on column app_public.child_privacy.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.child_privacy.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.quests (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null references app_public.users (id) on delete cascade,
  child_id uuid references app_public.users (id) on delete cascade,
  title text not null constraint quests_title_length check (length(title) between 1 and 255),
  description text,
  graph_structure jsonb not null constraint quests_graph_structure_is_a_graph check (app_private.quest_graph_problem(graph_structure) is null),
  yaml_content text,
  psychological_module text constraint quests_psychological_module_length check (length(psychological_module) between 1 and 100),
  location text constraint quests_location_length check (length(location) between 1 and 100),
  difficulty app_public.quest_difficulty,
  age_range text constraint quests_age_range_shape check (
    age_range ~ '^\d{1,2}-\d{1,2}$' and split_part(age_range, '-', 1)::int <= split_part(age_range, '-', 2)::int),
  estimated_duration integer constraint quests_estimated_duration_positive check (estimated_duration > 0),
  tags text[] not null default '{}',
  status app_public.quest_status not null default 'draft',
  is_public boolean not null default false,
  moderation_status app_public.moderation_status not null default 'pending',
  moderation_reason text,
  moderation_issues jsonb constraint quests_moderation_issues_is_array check (jsonb_typeof(moderation_issues) = 'array'),
  moderated_at timestamptz,
  psychologist_reviewed boolean not null default false,
  psychologist_review_id uuid,
  reviewed_at timestamptz,
  reveal_count integer not null default 0 constraint quests_reveal_count_non_negative check (reveal_count >= 0),
  last_reveal_at timestamptz,
  family_photos_count integer not null default 0 constraint quests_family_photos_count_non_negative check (family_photos_count >= 0),
  family_memories_count integer not null default 0 constraint quests_family_memories_count_non_negative check (family_memories_count >= 0),
  rating double precision not null default 0 constraint quests_rating_range check (rating = 0 or rating between 1 and 5),
  rating_count integer not null default 0 constraint quests_rating_count_non_negative check (rating_count >= 0),
  plays_count integer not null default 0 constraint quests_plays_count_non_negative check (plays_count >= 0),
  completion_count integer not null default 0 constraint quests_completion_count_within_plays check (completion_count between 0 and plays_count),
  completion_rate double precision not null default 0 constraint quests_completion_rate_range check (completion_rate between 0 and 1),
  average_completion_time integer constraint quests_average_completion_time_non_negative check (average_completion_time >= 0),
  deployed_to_inner_edu boolean not null default false,
  inner_edu_quest_id text,
  deployed_at timestamptz,
  published_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint quests_version_positive check (version > 0),
  constraint quests_public_quest_has_no_child check (not is_public or child_id is null),
  constraint quests_deployed_only_when_approved check (status <> 'deployed' or moderation_status = 'approved'),
  constraint quests_deployed_at_set_when_deployed check (status <> 'deployed' or deployed_at is not null),
  constraint quests_deleted_at_iff_deleted check ((status = 'deleted') = (deleted_at is not null)),
  constraint quests_published_only_when_public check (published_at is null or is_public)
);
create index quests_author_id_created_at_idx on app_public.quests (author_id, created_at desc);
create index quests_child_id_idx on app_public.quests (child_id) where child_id is not null;
create index quests_moderation_queue_idx on app_public.quests (moderation_status, created_at);
create index quests_marketplace_idx on app_public.quests (rating desc, plays_count desc)
  where is_public and moderation_status = 'approved' and psychologist_reviewed and status <> 'deleted';
create index quests_psychological_module_idx on app_public.quests (psychological_module);
create index quests_status_idx on app_public.quests (status);
create index quests_title_idx on app_public.quests (title);
create index quests_tags_idx on app_public.quests using gin (tags);
create index quests_created_at_idx on app_public.quests (created_at);
comment on table app_public.quests is 'A quest a parent builds for their child (personal, child_id set) or for everyone (public). The graph is the primary storage; YAML and quest_nodes follow it.';
comment on column app_public.quests.id is 'The quest''s id.';
comment on column app_public.quests.author_id is 'The parent who wrote the quest.';
comment on column app_public.quests.child_id is 'The child a personal quest is for; null for a public quest.';
comment on column app_public.quests.title is 'Title (1 to 255 characters).';
comment on column app_public.quests.description is 'What the quest is about.';
comment on column app_public.quests.graph_structure is 'PRIMARY storage: {"nodes": [{"id", "type", "position", "data"}], "edges": [{"id", "source", "target", "label"}]}; edges must join existing nodes.';
comment on column app_public.quests.yaml_content is 'GENERATED from graph_structure (for compatibility); never written directly.';
comment on column app_public.quests.psychological_module is 'The therapy module the quest belongs to (IFS_Level1, DBT_Basics, Emotional_Literacy, ...).';
comment on column app_public.quests.location is 'Where in the game world the quest happens (tower_confusion, forest_memory, ...).';
comment on column app_public.quests.difficulty is 'Beginner, intermediate or advanced.';
comment on column app_public.quests.age_range is 'Ages the quest suits, as "7-9".';
comment on column app_public.quests.estimated_duration is 'Minutes to complete.';
comment on column app_public.quests.tags is 'Free tags (math, logic, family, emotions, ...).';
comment on column app_public.quests.status is 'Draft, deployed (visible in the child''s app), archived, or deleted (soft delete).';
comment on column app_public.quests.is_public is 'Offered in the public marketplace (then it has no child).';
comment on column app_public.quests.moderation_status is 'Pending, approved, rejected or flagged by moderation.';
comment on column app_public.quests.moderation_reason is 'Why moderation decided as it did.';
comment on column app_public.quests.moderation_issues is 'Moderation findings: [{"category", "severity", "message"}].';
comment on column app_public.quests.moderated_at is 'When moderation last decided.';
comment on column app_public.quests.psychologist_reviewed is 'Whether a psychologist has approved the quest.';
comment on column app_public.quests.psychologist_review_id is 'The psychologist review that decided, if any.';
comment on column app_public.quests.reviewed_at is 'When the psychologist review was completed.';
comment on column app_public.quests.reveal_count is 'How many family "reveal" moments the quest has been viewed at (counter kept by jobs).';
comment on column app_public.quests.last_reveal_at is 'When a reveal moment was last viewed.';
comment on column app_public.quests.family_photos_count is 'Family photos used in the quest.';
comment on column app_public.quests.family_memories_count is 'Family memories used in the quest.';
comment on column app_public.quests.rating is 'Average rating 1-5 (0 while unrated); kept by jobs from quest_ratings.';
comment on column app_public.quests.rating_count is 'Number of ratings; kept by jobs.';
comment on column app_public.quests.plays_count is 'Number of plays; kept by jobs.';
comment on column app_public.quests.completion_count is 'Number of completed plays; kept by jobs.';
comment on column app_public.quests.completion_rate is 'completion_count / plays_count (0 to 1); kept by jobs.';
comment on column app_public.quests.average_completion_time is 'Average seconds to complete; kept by jobs.';
comment on column app_public.quests.deployed_to_inner_edu is 'Whether the quest was sent to inner_edu.';
comment on column app_public.quests.inner_edu_quest_id is 'The quest''s id in inner_edu''s own systems, if it has one.';
comment on column app_public.quests.deployed_at is 'When the quest was deployed to the child.';
comment on column app_public.quests.published_at is 'When the quest was published to the marketplace.';
comment on column app_public.quests.deleted_at is 'When the author deleted the quest (soft delete).';
comment on column app_public.quests.created_at is 'When the quest was created.';
comment on column app_public.quests.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.quests.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

-- A clear message for a malformed graph (the CHECK stays as the guarantee), and the generated YAML.
create function app_private.tg_quests__derive_from_graph() returns trigger
  language plpgsql
  set search_path = pg_catalog, app_private, pg_temp
  as $$
declare
  problem text := quest_graph_problem(new.graph_structure);
begin
  if problem is not null then
    raise exception 'Invalid quest graph: %.', problem
      using errcode = '23514', constraint = 'quests_graph_structure_is_a_graph';
  end if;
  new.yaml_content := quest_yaml(new.title, new.graph_structure);
  return new;
end;
$$;
create trigger _200_derive_from_graph before insert or update of graph_structure, title, yaml_content on app_public.quests
  for each row execute function app_private.tg_quests__derive_from_graph();

create table app_public.quest_nodes (
  id uuid primary key default gen_random_uuid(),
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  node_key text not null,
  node_type text,
  position integer not null constraint quest_nodes_position_non_negative check (position >= 0),
  data jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quest_nodes_one_per_graph_node unique (quest_id, node_key)
);
comment on table app_public.quest_nodes is 'The nodes of each quest''s graph as rows, kept in step with quests.graph_structure by trigger (never written directly).';
comment on column app_public.quest_nodes.id is 'The node row''s id.';
comment on column app_public.quest_nodes.quest_id is 'The quest the node belongs to.';
comment on column app_public.quest_nodes.node_key is 'The node''s "id" inside graph_structure.';
comment on column app_public.quest_nodes.node_type is 'The node''s "type" in the graph (question, story, reveal, ...).';
comment on column app_public.quest_nodes.position is 'The node''s place in the graph''s node list, from 0.';
comment on column app_public.quest_nodes.data is 'The node''s "data" in the graph.';
comment on column app_public.quest_nodes.created_at is 'When the node first appeared in the graph.';
comment on column app_public.quest_nodes.updated_at is 'When the node last changed in the graph.';

-- Owner's rights: apps may change a quest's graph but never write quest_nodes themselves.
create function app_private.tg_quests__sync_nodes() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  delete from app_public.quest_nodes qn
  where qn.quest_id = new.id
    and not exists (
      select 1 from jsonb_array_elements(new.graph_structure -> 'nodes') n where n ->> 'id' = qn.node_key);
  insert into app_public.quest_nodes (quest_id, node_key, node_type, position, data)
  select new.id, n ->> 'id', n ->> 'type', (ord - 1)::int, coalesce(n -> 'data', '{}')
  from jsonb_array_elements(new.graph_structure -> 'nodes') with ordinality as t(n, ord)
  on conflict (quest_id, node_key) do update
    set node_type = excluded.node_type, position = excluded.position, data = excluded.data, updated_at = now()
    where (quest_nodes.node_type, quest_nodes.position, quest_nodes.data)
      is distinct from (excluded.node_type, excluded.position, excluded.data);
  return null;
end;
$$;
create trigger _900_sync_nodes after insert or update of graph_structure on app_public.quests
  for each row execute function app_private.tg_quests__sync_nodes();

create table app_public.quest_privacy (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  share_progress boolean not null default false,
  share_educational_progress boolean not null default false,
  share_play_frequency boolean not null default false,
  share_quest_details boolean not null default false,
  share_emotional_state boolean not null default false,
  share_analytics boolean not null default false,
  consent_version text constraint quest_privacy_consent_version_shape check (consent_version ~ '^\d+(\.\d+)*$'),
  consent_timestamp timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint quest_privacy_version_positive check (version > 0),
  constraint quest_privacy_one_per_child_and_quest unique (child_id, quest_id)
);
create index quest_privacy_quest_id_idx on app_public.quest_privacy (quest_id);
comment on table app_public.quest_privacy is 'A child''s consent for one quest, overriding their child_privacy defaults for it (all flags false by default).';
comment on column app_public.quest_privacy.id is 'The override''s id.';
comment on column app_public.quest_privacy.child_id is 'The child whose consent this is.';
comment on column app_public.quest_privacy.quest_id is 'The quest the override applies to.';
comment on column app_public.quest_privacy.share_progress is 'Share completion of this quest.';
comment on column app_public.quest_privacy.share_educational_progress is 'Share educational progress in this quest.';
comment on column app_public.quest_privacy.share_play_frequency is 'Share how often this quest is played.';
comment on column app_public.quest_privacy.share_quest_details is 'Share node-level details of this quest.';
comment on column app_public.quest_privacy.share_emotional_state is 'Share the emotional state recorded in this quest.';
comment on column app_public.quest_privacy.share_analytics is 'Share aggregated analytics of this quest.';
comment on column app_public.quest_privacy.consent_version is 'Version of the consent text the child answered.';
comment on column app_public.quest_privacy.consent_timestamp is 'When the child last changed this override.';
comment on column app_public.quest_privacy.created_at is 'When the override was created.';
comment on column app_public.quest_privacy.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.quest_privacy.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.consent_events (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid references app_public.quests (id) on delete cascade,
  flag text not null constraint consent_events_flag_known check (flag in (
    'consent_given_by_child', 'share_progress', 'share_educational_progress', 'share_play_frequency',
    'share_quest_details', 'share_emotional_state', 'share_analytics')),
  old_value boolean,
  new_value boolean not null,
  consent_version text,
  created_at timestamptz not null default now(),
  constraint consent_events_is_a_change check (old_value is distinct from new_value)
);
create index consent_events_child_id_created_at_idx on app_public.consent_events (child_id, created_at);
create index consent_events_quest_id_idx on app_public.consent_events (quest_id) where quest_id is not null;
comment on table app_public.consent_events is 'Append-only history of every consent change a child made (which flag, old and new value, when, which consent text).';
comment on column app_public.consent_events.id is 'The event''s id.';
comment on column app_public.consent_events.child_id is 'The child who changed their consent.';
comment on column app_public.consent_events.quest_id is 'The quest, when a per-quest override changed; null for the child''s defaults.';
comment on column app_public.consent_events.flag is 'Which flag changed.';
comment on column app_public.consent_events.old_value is 'The value before (null when the row was created).';
comment on column app_public.consent_events.new_value is 'The value after.';
comment on column app_public.consent_events.consent_version is 'Version of the consent text in force.';
comment on column app_public.consent_events.created_at is 'When the change happened.';

create table app_public.psychologist_reviews (
  id uuid primary key default gen_random_uuid(),
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  psychologist_id uuid references app_public.users (id) on delete set null,
  parent_id uuid not null references app_public.users (id) on delete cascade,
  status app_public.review_status not null default 'pending',
  emotional_safety_score integer constraint psychologist_reviews_emotional_safety_score_range check (emotional_safety_score between 1 and 5),
  therapeutic_correctness_score integer constraint psychologist_reviews_therapeutic_correctness_score_range check (therapeutic_correctness_score between 1 and 5),
  age_appropriateness_score integer constraint psychologist_reviews_age_appropriateness_score_range check (age_appropriateness_score between 1 and 5),
  reveal_timing_score integer constraint psychologist_reviews_reveal_timing_score_range check (reveal_timing_score between 1 and 5),
  overall_rating integer constraint psychologist_reviews_overall_rating_range check (overall_rating between 1 and 5),
  is_approved boolean not null default false,
  feedback_text text,
  strengths text[],
  improvements text[],
  red_flags text[],
  notes_for_parent text,
  notes_for_community text,
  playthrough_duration_minutes integer constraint psychologist_reviews_playthrough_duration_non_negative check (playthrough_duration_minutes >= 0),
  requested_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint psychologist_reviews_version_positive check (version > 0),
  constraint psychologist_reviews_approval_needs_all_scores check (not is_approved or (
    status = 'completed' and emotional_safety_score is not null and therapeutic_correctness_score is not null
    and age_appropriateness_score is not null and reveal_timing_score is not null)),
  constraint psychologist_reviews_completed_at_when_done check ((status in ('completed', 'declined')) = (completed_at is not null))
);
create index psychologist_reviews_quest_id_idx on app_public.psychologist_reviews (quest_id);
create index psychologist_reviews_psychologist_id_status_idx on app_public.psychologist_reviews (psychologist_id, status);
create index psychologist_reviews_parent_id_idx on app_public.psychologist_reviews (parent_id);
create index psychologist_reviews_status_idx on app_public.psychologist_reviews (status, requested_at);
create index psychologist_reviews_is_approved_idx on app_public.psychologist_reviews (is_approved);
create index psychologist_reviews_completed_at_idx on app_public.psychologist_reviews (completed_at);
comment on table app_public.psychologist_reviews is 'A psychologist''s professional review of a quest, requested by its parent: four 1-5 scales, approval, feedback.';
comment on column app_public.psychologist_reviews.id is 'The review''s id.';
comment on column app_public.psychologist_reviews.quest_id is 'The quest under review.';
comment on column app_public.psychologist_reviews.psychologist_id is 'The psychologist assigned (null while unassigned or after they erased their account).';
comment on column app_public.psychologist_reviews.parent_id is 'The parent who requested the review.';
comment on column app_public.psychologist_reviews.status is 'Pending, in progress, completed or declined.';
comment on column app_public.psychologist_reviews.emotional_safety_score is 'Emotional safety, 1-5.';
comment on column app_public.psychologist_reviews.therapeutic_correctness_score is 'Therapeutic correctness, 1-5.';
comment on column app_public.psychologist_reviews.age_appropriateness_score is 'Age appropriateness, 1-5.';
comment on column app_public.psychologist_reviews.reveal_timing_score is 'Timing of the family reveal, 1-5.';
comment on column app_public.psychologist_reviews.overall_rating is 'Overall rating 1-5 (the average of the four scales).';
comment on column app_public.psychologist_reviews.is_approved is 'Approved: needs a completed review with all four scores.';
comment on column app_public.psychologist_reviews.feedback_text is 'The psychologist''s feedback.';
comment on column app_public.psychologist_reviews.strengths is 'What works well.';
comment on column app_public.psychologist_reviews.improvements is 'What could be better.';
comment on column app_public.psychologist_reviews.red_flags is 'Serious concerns (e.g. a manipulation pattern).';
comment on column app_public.psychologist_reviews.notes_for_parent is 'Private notes for the parent.';
comment on column app_public.psychologist_reviews.notes_for_community is 'Public notes shown with the review badge.';
comment on column app_public.psychologist_reviews.playthrough_duration_minutes is 'How long the psychologist''s playthrough took.';
comment on column app_public.psychologist_reviews.requested_at is 'When the parent asked for the review.';
comment on column app_public.psychologist_reviews.started_at is 'When the psychologist started.';
comment on column app_public.psychologist_reviews.completed_at is 'When the review was completed or declined (seed 002''s reviewed_at).';
comment on column app_public.psychologist_reviews.created_at is 'When the row was created.';
comment on column app_public.psychologist_reviews.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.psychologist_reviews.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

alter table app_public.quests add constraint quests_psychologist_review_id_fkey
  foreign key (psychologist_review_id) references app_public.psychologist_reviews (id) on delete set null;
create index quests_psychologist_review_id_idx on app_public.quests (psychologist_review_id) where psychologist_review_id is not null;

------------------------------------------------------------------------------
-- A child's play (inner_edu): raw rows, never shown to a parent
------------------------------------------------------------------------------
create table app_public.quest_progress (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  current_node_id text,
  current_step integer not null default 0 constraint quest_progress_current_step_non_negative check (current_step >= 0),
  nodes_completed integer not null default 0 constraint quest_progress_nodes_completed_non_negative check (nodes_completed >= 0),
  total_nodes integer not null default 0 constraint quest_progress_total_nodes_non_negative check (total_nodes >= 0),
  completion_percentage integer not null default 0 constraint quest_progress_completion_percentage_range check (completion_percentage between 0 and 100),
  completed boolean not null default false,
  session_data jsonb constraint quest_progress_session_data_is_object check (jsonb_typeof(session_data) = 'object'),
  educational_progress jsonb constraint quest_progress_educational_progress_is_object check (jsonb_typeof(educational_progress) = 'object'),
  xp_earned integer not null default 0 constraint quest_progress_xp_earned_non_negative check (xp_earned >= 0),
  badges_earned text[] not null default '{}',
  reveal_moments_viewed integer not null default 0 constraint quest_progress_reveal_moments_viewed_non_negative check (reveal_moments_viewed >= 0),
  session_count integer not null default 0 constraint quest_progress_session_count_non_negative check (session_count >= 0),
  total_time_minutes double precision not null default 0 constraint quest_progress_total_time_minutes_non_negative check (total_time_minutes >= 0),
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  last_played_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint quest_progress_version_positive check (version > 0),
  constraint quest_progress_one_per_child_and_quest unique (child_id, quest_id),
  constraint quest_progress_nodes_completed_within_total check (nodes_completed <= total_nodes or total_nodes = 0),
  constraint quest_progress_completed_at_iff_completed check (completed = (completed_at is not null))
);
create index quest_progress_quest_id_idx on app_public.quest_progress (quest_id);
create index quest_progress_last_played_at_idx on app_public.quest_progress (last_played_at);
create index quest_progress_completed_idx on app_public.quest_progress (quest_id, completed);
comment on table app_public.quest_progress is 'A child''s progress in one quest (one row per child and quest). Raw play: only the child and aggregate-only functions read it.';
comment on column app_public.quest_progress.id is 'The progress row''s id.';
comment on column app_public.quest_progress.child_id is 'The child playing.';
comment on column app_public.quest_progress.quest_id is 'The quest played.';
comment on column app_public.quest_progress.current_node_id is 'The graph node the child is at.';
comment on column app_public.quest_progress.current_step is 'Linear step counter.';
comment on column app_public.quest_progress.nodes_completed is 'Nodes completed so far.';
comment on column app_public.quest_progress.total_nodes is 'Nodes in the quest when play started.';
comment on column app_public.quest_progress.completion_percentage is 'Percent complete, 0-100.';
comment on column app_public.quest_progress.completed is 'Whether the child finished the quest.';
comment on column app_public.quest_progress.session_data is 'Play state: visited nodes, choices made, XP, badges, reveal moments seen.';
comment on column app_public.quest_progress.educational_progress is 'Educational progress by skill.';
comment on column app_public.quest_progress.xp_earned is 'Experience points earned.';
comment on column app_public.quest_progress.badges_earned is 'Badges earned.';
comment on column app_public.quest_progress.reveal_moments_viewed is 'Family reveal moments the child has seen.';
comment on column app_public.quest_progress.session_count is 'Play sessions.';
comment on column app_public.quest_progress.total_time_minutes is 'Total time played, in minutes.';
comment on column app_public.quest_progress.started_at is 'When the child started.';
comment on column app_public.quest_progress.completed_at is 'When the child finished (set exactly when completed).';
comment on column app_public.quest_progress.last_played_at is 'Last activity (seed 001''s last_activity_at, seed 002''s last_played_at).';
comment on column app_public.quest_progress.created_at is 'When the row was created.';
comment on column app_public.quest_progress.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.quest_progress.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.child_progress (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  node_key text not null,
  event_type app_public.play_event_type not null,
  duration_seconds integer constraint child_progress_duration_seconds_non_negative check (duration_seconds >= 0),
  xp_earned integer not null default 0 constraint child_progress_xp_earned_non_negative check (xp_earned >= 0),
  payload jsonb constraint child_progress_payload_is_object check (jsonb_typeof(payload) = 'object'),
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
create index child_progress_child_id_occurred_at_idx on app_public.child_progress (child_id, occurred_at);
create index child_progress_quest_id_node_key_idx on app_public.child_progress (quest_id, node_key);
comment on table app_public.child_progress is 'Node-level play events of a child (entered, completed, choice, hint, reveal viewed). Raw play, append-only.';
comment on column app_public.child_progress.id is 'The event''s id.';
comment on column app_public.child_progress.child_id is 'The child who played.';
comment on column app_public.child_progress.quest_id is 'The quest played.';
comment on column app_public.child_progress.node_key is 'The graph node (its "id" in graph_structure).';
comment on column app_public.child_progress.event_type is 'What happened at the node.';
comment on column app_public.child_progress.duration_seconds is 'Seconds spent, for events that last.';
comment on column app_public.child_progress.xp_earned is 'Experience points the event earned.';
comment on column app_public.child_progress.payload is 'The child''s own input at the node (answers, choices): never shown to a parent.';
comment on column app_public.child_progress.occurred_at is 'When it happened on the child''s device.';
comment on column app_public.child_progress.created_at is 'When the event was stored.';

create table app_public.achievements (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid references app_public.quests (id) on delete cascade,
  achievement_type text not null constraint achievements_type_length check (length(achievement_type) between 1 and 100),
  title text not null constraint achievements_title_length check (length(title) between 1 and 255),
  description text,
  badge text,
  xp_reward integer not null default 0 constraint achievements_xp_reward_non_negative check (xp_reward >= 0),
  unlocked_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  constraint achievements_once_per_child_type_and_quest unique nulls not distinct (child_id, achievement_type, quest_id)
);
create index achievements_quest_id_idx on app_public.achievements (quest_id) where quest_id is not null;
comment on table app_public.achievements is 'Achievements a child unlocked (once per type and quest).';
comment on column app_public.achievements.id is 'The achievement''s id.';
comment on column app_public.achievements.child_id is 'The child who unlocked it.';
comment on column app_public.achievements.quest_id is 'The quest it was unlocked in, if any.';
comment on column app_public.achievements.achievement_type is 'Kind of achievement (first_quest, math_master, ...).';
comment on column app_public.achievements.title is 'Title shown to the child.';
comment on column app_public.achievements.description is 'What the child did.';
comment on column app_public.achievements.badge is 'Badge image or code.';
comment on column app_public.achievements.xp_reward is 'Experience points awarded.';
comment on column app_public.achievements.unlocked_at is 'When it was unlocked.';
comment on column app_public.achievements.created_at is 'When the row was stored.';

create table app_public.quest_analytics (
  id uuid primary key default gen_random_uuid(),
  quest_id uuid not null constraint quest_analytics_one_per_quest unique references app_public.quests (id) on delete cascade,
  total_starts integer not null default 0 constraint quest_analytics_total_starts_non_negative check (total_starts >= 0),
  total_completions integer not null default 0 constraint quest_analytics_completions_within_starts check (total_completions between 0 and total_starts),
  completion_rate double precision not null default 0 constraint quest_analytics_completion_rate_range check (completion_rate between 0 and 1),
  avg_completion_time integer constraint quest_analytics_avg_completion_time_non_negative check (avg_completion_time >= 0),
  median_completion_time integer constraint quest_analytics_median_completion_time_non_negative check (median_completion_time >= 0),
  avg_xp_earned double precision not null default 0 constraint quest_analytics_avg_xp_earned_non_negative check (avg_xp_earned >= 0),
  avg_badges_earned double precision not null default 0 constraint quest_analytics_avg_badges_earned_non_negative check (avg_badges_earned >= 0),
  reveal_view_rate double precision not null default 0 constraint quest_analytics_reveal_view_rate_range check (reveal_view_rate between 0 and 1),
  node_completion_rates jsonb constraint quest_analytics_node_completion_rates_is_object check (jsonb_typeof(node_completion_rates) = 'object'),
  node_average_times jsonb constraint quest_analytics_node_average_times_is_object check (jsonb_typeof(node_average_times) = 'object'),
  nodes_completed integer not null default 0 constraint quest_analytics_nodes_completed_non_negative check (nodes_completed >= 0),
  total_nodes integer not null default 0 constraint quest_analytics_total_nodes_non_negative check (total_nodes >= 0),
  completion_percentage integer not null default 0 constraint quest_analytics_completion_percentage_range check (completion_percentage between 0 and 100),
  educational_progress jsonb constraint quest_analytics_educational_progress_is_object check (jsonb_typeof(educational_progress) = 'object'),
  play_count integer not null default 0 constraint quest_analytics_play_count_non_negative check (play_count >= 0),
  distinct_children integer not null default 0 constraint quest_analytics_distinct_children_non_negative check (distinct_children >= 0),
  last_played timestamptz,
  last_updated timestamptz not null default now(),
  created_at timestamptz not null default now()
);
comment on table app_public.quest_analytics is 'Aggregates of one quest''s play, computed by worker jobs: counts, rates, averages, never an individual child''s data.';
comment on column app_public.quest_analytics.id is 'The row''s id.';
comment on column app_public.quest_analytics.quest_id is 'The quest (one row per quest).';
comment on column app_public.quest_analytics.total_starts is 'Plays started.';
comment on column app_public.quest_analytics.total_completions is 'Plays completed.';
comment on column app_public.quest_analytics.completion_rate is 'total_completions / total_starts (0 to 1).';
comment on column app_public.quest_analytics.avg_completion_time is 'Average seconds to complete.';
comment on column app_public.quest_analytics.median_completion_time is 'Median seconds to complete.';
comment on column app_public.quest_analytics.avg_xp_earned is 'Average XP per play.';
comment on column app_public.quest_analytics.avg_badges_earned is 'Average badges per play.';
comment on column app_public.quest_analytics.reveal_view_rate is 'Share of plays that reached a reveal moment (0 to 1).';
comment on column app_public.quest_analytics.node_completion_rates is 'Per node: share of plays that completed it, {"node_id": rate}.';
comment on column app_public.quest_analytics.node_average_times is 'Per node: average seconds spent, {"node_id": seconds}.';
comment on column app_public.quest_analytics.nodes_completed is 'Nodes completed (seed 000; for a personal quest, by its child).';
comment on column app_public.quest_analytics.total_nodes is 'Nodes in the quest.';
comment on column app_public.quest_analytics.completion_percentage is 'Percent of the quest completed, 0-100 (seed 000).';
comment on column app_public.quest_analytics.educational_progress is 'Educational progress by skill, aggregated.';
comment on column app_public.quest_analytics.play_count is 'Play sessions counted.';
comment on column app_public.quest_analytics.distinct_children is 'How many different children the aggregates cover (cross-child figures need at least 5).';
comment on column app_public.quest_analytics.last_played is 'When the quest was last played.';
comment on column app_public.quest_analytics.last_updated is 'When a job last recomputed the row.';
comment on column app_public.quest_analytics.created_at is 'When the row was created.';

------------------------------------------------------------------------------
-- pas_in_peace only: therapy sessions, chat, letters, SMART goals, metrics
------------------------------------------------------------------------------
create table app_public.therapy_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  status app_public.therapy_session_status not null default 'active',
  topic text,
  state jsonb not null default '{}' constraint therapy_sessions_state_is_object check (jsonb_typeof(state) = 'object'),
  mood_before integer constraint therapy_sessions_mood_before_range check (mood_before between 1 and 10),
  mood_after integer constraint therapy_sessions_mood_after_range check (mood_after between 1 and 10),
  summary text,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  expires_at timestamptz not null default now() + interval '24 hours',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint therapy_sessions_version_positive check (version > 0),
  constraint therapy_sessions_ends_after_start check (ended_at >= started_at),
  constraint therapy_sessions_ended_at_when_ended check ((status = 'active') = (ended_at is null))
);
create index therapy_sessions_user_id_started_at_idx on app_public.therapy_sessions (user_id, started_at desc);
create index therapy_sessions_expires_at_idx on app_public.therapy_sessions (expires_at) where status = 'active';
comment on table app_public.therapy_sessions is 'A parent''s therapy conversation with the PAS bot (seed 000''s sessions).';
comment on column app_public.therapy_sessions.id is 'The session''s id.';
comment on column app_public.therapy_sessions.user_id is 'The parent.';
comment on column app_public.therapy_sessions.status is 'Active, ended, or expired unattended (a scheduled job expires them).';
comment on column app_public.therapy_sessions.topic is 'What the session is about.';
comment on column app_public.therapy_sessions.state is 'The bot''s conversation state.';
comment on column app_public.therapy_sessions.mood_before is 'Mood at the start, 1-10.';
comment on column app_public.therapy_sessions.mood_after is 'Mood at the end, 1-10.';
comment on column app_public.therapy_sessions.summary is 'Summary of the session.';
comment on column app_public.therapy_sessions.started_at is 'When it started.';
comment on column app_public.therapy_sessions.ended_at is 'When it ended (null while active).';
comment on column app_public.therapy_sessions.expires_at is 'When an unattended active session expires.';
comment on column app_public.therapy_sessions.created_at is 'When the row was created.';
comment on column app_public.therapy_sessions.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.therapy_sessions.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.messages (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  session_id uuid references app_public.therapy_sessions (id) on delete cascade,
  role app_public.message_role not null,
  content text not null constraint messages_content_not_empty check (length(content) > 0),
  created_at timestamptz not null default now()
);
create index messages_user_id_created_at_idx on app_public.messages (user_id, created_at);
create index messages_session_id_created_at_idx on app_public.messages (session_id, created_at) where session_id is not null;
comment on table app_public.messages is 'The PAS bot''s chat history with a parent.';
comment on column app_public.messages.id is 'The message''s id.';
comment on column app_public.messages.user_id is 'The parent of the conversation.';
comment on column app_public.messages.session_id is 'The therapy session the message belongs to, if any.';
comment on column app_public.messages.role is 'Who wrote it: the user, the assistant or the system.';
comment on column app_public.messages.content is 'The text.';
comment on column app_public.messages.created_at is 'When it was sent.';

create table app_public.letters (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  child_id uuid references app_public.users (id) on delete set null,
  title text constraint letters_title_length check (length(title) between 1 and 255),
  content text not null default '',
  status app_public.letter_status not null default 'draft',
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint letters_version_positive check (version > 0),
  constraint letters_sent_at_iff_sent check ((status = 'sent') = (sent_at is not null))
);
create index letters_user_id_created_at_idx on app_public.letters (user_id, created_at desc);
create index letters_child_id_idx on app_public.letters (child_id) where child_id is not null;
comment on table app_public.letters is 'Letters a parent writes (often to their child, often never sent).';
comment on column app_public.letters.id is 'The letter''s id.';
comment on column app_public.letters.user_id is 'The parent who writes it.';
comment on column app_public.letters.child_id is 'The child it is addressed to, if any.';
comment on column app_public.letters.title is 'Title.';
comment on column app_public.letters.content is 'The letter''s text.';
comment on column app_public.letters.status is 'Draft, finished or sent.';
comment on column app_public.letters.sent_at is 'When it was sent (set exactly when sent).';
comment on column app_public.letters.created_at is 'When it was started.';
comment on column app_public.letters.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.letters.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.goals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  track_type app_public.track_type,
  title text not null constraint goals_title_length check (length(title) between 1 and 255),
  specific text,
  measurable text,
  achievable text,
  relevant text,
  time_bound date,
  status app_public.goal_status not null default 'active',
  progress integer not null default 0 constraint goals_progress_range check (progress between 0 and 100),
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint goals_version_positive check (version > 0),
  constraint goals_completed_at_iff_completed check ((status = 'completed') = (completed_at is not null))
);
create index goals_user_id_status_idx on app_public.goals (user_id, status);
comment on table app_public.goals is 'A parent''s SMART goals.';
comment on column app_public.goals.id is 'The goal''s id.';
comment on column app_public.goals.user_id is 'The parent.';
comment on column app_public.goals.track_type is 'The recovery track the goal serves, if any.';
comment on column app_public.goals.title is 'Short title.';
comment on column app_public.goals.specific is 'S: what exactly will be done.';
comment on column app_public.goals.measurable is 'M: how progress is measured.';
comment on column app_public.goals.achievable is 'A: why it is within reach.';
comment on column app_public.goals.relevant is 'R: why it matters for the recovery.';
comment on column app_public.goals.time_bound is 'T: the deadline.';
comment on column app_public.goals.status is 'Active, completed or abandoned.';
comment on column app_public.goals.progress is 'Percent done, 0-100.';
comment on column app_public.goals.completed_at is 'When it was completed (set exactly when completed).';
comment on column app_public.goals.created_at is 'When the goal was set.';
comment on column app_public.goals.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.goals.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.metrics_snapshots (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  snapshot_date date not null,
  mood_average double precision constraint metrics_snapshots_mood_average_range check (mood_average between 1 and 10),
  sessions_count integer not null default 0 constraint metrics_snapshots_sessions_count_non_negative check (sessions_count >= 0),
  messages_count integer not null default 0 constraint metrics_snapshots_messages_count_non_negative check (messages_count >= 0),
  letters_written integer not null default 0 constraint metrics_snapshots_letters_written_non_negative check (letters_written >= 0),
  goals_completed integer not null default 0 constraint metrics_snapshots_goals_completed_non_negative check (goals_completed >= 0),
  quests_created integer not null default 0 constraint metrics_snapshots_quests_created_non_negative check (quests_created >= 0),
  metrics jsonb not null default '{}' constraint metrics_snapshots_metrics_is_object check (jsonb_typeof(metrics) = 'object'),
  created_at timestamptz not null default now(),
  constraint metrics_snapshots_one_per_user_and_day unique (user_id, snapshot_date)
);
comment on table app_public.metrics_snapshots is 'A parent''s daily metrics for the PAS dashboard (computed by a scheduled job).';
comment on column app_public.metrics_snapshots.id is 'The snapshot''s id.';
comment on column app_public.metrics_snapshots.user_id is 'The parent.';
comment on column app_public.metrics_snapshots.snapshot_date is 'The day the snapshot describes (one per day).';
comment on column app_public.metrics_snapshots.mood_average is 'Average mood that day, 1-10.';
comment on column app_public.metrics_snapshots.sessions_count is 'Therapy sessions that day.';
comment on column app_public.metrics_snapshots.messages_count is 'Messages that day.';
comment on column app_public.metrics_snapshots.letters_written is 'Letters written that day.';
comment on column app_public.metrics_snapshots.goals_completed is 'Goals completed that day.';
comment on column app_public.metrics_snapshots.quests_created is 'Quests created that day.';
comment on column app_public.metrics_snapshots.metrics is 'Further metrics by name.';
comment on column app_public.metrics_snapshots.created_at is 'When the snapshot was computed.';

------------------------------------------------------------------------------
-- Shared: creative projects, profiles, recovery tracks, builder, marketplace, notifications, GDPR
------------------------------------------------------------------------------
create table app_public.creative_projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  project_type app_public.creative_project_type not null,
  quest_id uuid references app_public.quests (id) on delete cascade,
  letter_id uuid references app_public.letters (id) on delete cascade,
  goal_id uuid references app_public.goals (id) on delete cascade,
  status app_public.creative_project_status not null default 'in_progress',
  progress integer not null default 0 constraint creative_projects_progress_range check (progress between 0 and 100),
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint creative_projects_version_positive check (version > 0),
  constraint creative_projects_links_exactly_its_type check (
    num_nonnulls(quest_id, letter_id, goal_id) = 1 and case project_type
      when 'quest' then quest_id is not null
      when 'letter' then letter_id is not null
      when 'goal' then goal_id is not null
    end),
  constraint creative_projects_completed_at_iff_completed check ((status = 'completed') = (completed_at is not null))
);
create index creative_projects_user_id_type_status_idx on app_public.creative_projects (user_id, project_type, status);
create unique index creative_projects_one_per_quest on app_public.creative_projects (quest_id) where quest_id is not null;
create unique index creative_projects_one_per_letter on app_public.creative_projects (letter_id) where letter_id is not null;
create unique index creative_projects_one_per_goal on app_public.creative_projects (goal_id) where goal_id is not null;
comment on table app_public.creative_projects is 'A parent''s creative work across kinds (quest, letter, goal): one row per object, linked to exactly the object its type names.';
comment on column app_public.creative_projects.id is 'The project''s id.';
comment on column app_public.creative_projects.user_id is 'The parent.';
comment on column app_public.creative_projects.project_type is 'Quest, letter or goal.';
comment on column app_public.creative_projects.quest_id is 'The quest, when the project is a quest.';
comment on column app_public.creative_projects.letter_id is 'The letter, when the project is a letter.';
comment on column app_public.creative_projects.goal_id is 'The goal, when the project is a goal.';
comment on column app_public.creative_projects.status is 'In progress, completed or abandoned.';
comment on column app_public.creative_projects.progress is 'Percent done, 0-100.';
comment on column app_public.creative_projects.completed_at is 'When it was completed (set exactly when completed).';
comment on column app_public.creative_projects.created_at is 'When the project started.';
comment on column app_public.creative_projects.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.creative_projects.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.psychological_profiles (
  user_id uuid primary key references app_public.users (id) on delete cascade,
  emotional_trends jsonb not null default '[]',
  crisis_history jsonb not null default '[]',
  primary_coping_strategies jsonb not null default '[]',
  triggers jsonb not null default '[]',
  communication_style text,
  toxic_patterns jsonb not null default '[]',
  growth_areas jsonb not null default '[]',
  quests_created integer not null default 0 constraint psychological_profiles_quests_created_non_negative check (quests_created >= 0),
  child_engagement double precision constraint psychological_profiles_child_engagement_range check (child_engagement between 0 and 1),
  recommended_techniques jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint psychological_profiles_version_positive check (version > 0),
  constraint psychological_profiles_lists_are_arrays check (
    jsonb_typeof(emotional_trends) = 'array' and jsonb_typeof(crisis_history) = 'array'
    and jsonb_typeof(primary_coping_strategies) = 'array' and jsonb_typeof(triggers) = 'array'
    and jsonb_typeof(toxic_patterns) = 'array' and jsonb_typeof(growth_areas) = 'array'
    and jsonb_typeof(recommended_techniques) = 'array')
);
comment on table app_public.psychological_profiles is 'A parent''s unified psychological profile (one per user), fed by every source for analytics and recommendations.';
comment on column app_public.psychological_profiles.user_id is 'The user the profile describes.';
comment on column app_public.psychological_profiles.emotional_trends is 'Emotional readings over time.';
comment on column app_public.psychological_profiles.crisis_history is 'Crises recorded.';
comment on column app_public.psychological_profiles.primary_coping_strategies is 'Coping strategies that work.';
comment on column app_public.psychological_profiles.triggers is 'Known triggers.';
comment on column app_public.psychological_profiles.communication_style is 'How the user communicates.';
comment on column app_public.psychological_profiles.toxic_patterns is 'Patterns to work on.';
comment on column app_public.psychological_profiles.growth_areas is 'Areas of growth.';
comment on column app_public.psychological_profiles.quests_created is 'Quests the user has created.';
comment on column app_public.psychological_profiles.child_engagement is 'How much the child engages with the parent''s quests, 0-1.';
comment on column app_public.psychological_profiles.recommended_techniques is 'Techniques recommended from the profile.';
comment on column app_public.psychological_profiles.created_at is 'When the profile was created.';
comment on column app_public.psychological_profiles.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.psychological_profiles.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.user_tracks (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  track_type app_public.track_type not null,
  current_phase app_public.track_phase not null default 'awareness',
  completion_percentage integer not null default 0 constraint user_tracks_completion_percentage_range check (completion_percentage between 0 and 100),
  total_actions integer not null default 0 constraint user_tracks_total_actions_non_negative check (total_actions >= 0),
  total_activities integer not null default 0 constraint user_tracks_total_activities_non_negative check (total_activities >= 0),
  completed_activities integer not null default 0 constraint user_tracks_completed_within_total check (completed_activities between 0 and total_activities),
  milestones_completed text[] not null default '{}',
  next_action jsonb constraint user_tracks_next_action_is_object check (jsonb_typeof(next_action) = 'object'),
  last_activity_at timestamptz,
  phase_started_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint user_tracks_version_positive check (version > 0),
  constraint user_tracks_one_per_user_and_type unique (user_id, track_type),
  -- Target of milestones' (track_id, user_id) key: a milestone's track is its user's.
  constraint user_tracks_id_user_id_key unique (id, user_id)
);
create index user_tracks_current_phase_idx on app_public.user_tracks (current_phase);
comment on table app_public.user_tracks is 'A parent''s progress in each of the four recovery tracks (one row per track).';
comment on column app_public.user_tracks.id is 'The track row''s id.';
comment on column app_public.user_tracks.user_id is 'The parent.';
comment on column app_public.user_tracks.track_type is 'Which of the four tracks.';
comment on column app_public.user_tracks.current_phase is 'Awareness, expression, action or mastery.';
comment on column app_public.user_tracks.completion_percentage is 'Percent done within the current phase, 0-100.';
comment on column app_public.user_tracks.total_actions is 'Actions done in this track.';
comment on column app_public.user_tracks.total_activities is 'Activities offered in this track.';
comment on column app_public.user_tracks.completed_activities is 'Activities completed (at most total_activities).';
comment on column app_public.user_tracks.milestones_completed is 'Milestone types reached (first_quest_created, 10_days_streak, ...).';
comment on column app_public.user_tracks.next_action is 'Suggested next action: {"type", "suggestion", "estimated_time"}.';
comment on column app_public.user_tracks.last_activity_at is 'Last activity in the track.';
comment on column app_public.user_tracks.phase_started_at is 'When the current phase began.';
comment on column app_public.user_tracks.created_at is 'When the track started.';
comment on column app_public.user_tracks.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.user_tracks.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.milestones (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  track_id uuid not null,
  milestone_type text not null constraint milestones_type_length check (length(milestone_type) between 1 and 100),
  title text not null constraint milestones_title_length check (length(title) between 1 and 255),
  description text,
  xp_reward integer not null default 0 constraint milestones_xp_reward_non_negative check (xp_reward >= 0),
  badge text,
  achieved_at timestamptz not null default now(),
  acknowledged boolean not null default false,
  created_at timestamptz not null default now(),
  constraint milestones_track_is_the_users foreign key (track_id, user_id)
    references app_public.user_tracks (id, user_id) on delete cascade,
  constraint milestones_once_per_track unique (track_id, milestone_type)
);
create index milestones_user_id_achieved_at_idx on app_public.milestones (user_id, achieved_at desc);
create index milestones_track_id_user_id_idx on app_public.milestones (track_id, user_id);
create index milestones_milestone_type_idx on app_public.milestones (milestone_type);
comment on table app_public.milestones is 'Milestones a parent reached in a recovery track (first quest, ten quests, seven-day streak, child completed a quest).';
comment on column app_public.milestones.id is 'The milestone''s id.';
comment on column app_public.milestones.user_id is 'The parent.';
comment on column app_public.milestones.track_id is 'The track it belongs to (one of the parent''s own).';
comment on column app_public.milestones.milestone_type is 'Kind of milestone (first_quest, 10_quests, streak_7, child_completed).';
comment on column app_public.milestones.title is 'Title of the celebration.';
comment on column app_public.milestones.description is 'What was achieved.';
comment on column app_public.milestones.xp_reward is 'Experience points awarded.';
comment on column app_public.milestones.badge is 'Badge awarded.';
comment on column app_public.milestones.achieved_at is 'When it was reached.';
comment on column app_public.milestones.acknowledged is 'Whether the parent has seen the celebration.';
comment on column app_public.milestones.created_at is 'When the row was stored.';

create table app_public.quest_builder_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid references app_public.quests (id) on delete set null,
  current_stage app_public.builder_stage not null default 'greeting',
  conversation_history jsonb not null default '[]' constraint quest_builder_sessions_history_is_array check (jsonb_typeof(conversation_history) = 'array'),
  current_graph jsonb constraint quest_builder_sessions_current_graph_is_object check (jsonb_typeof(current_graph) = 'object'),
  quest_context jsonb constraint quest_builder_sessions_quest_context_is_object check (jsonb_typeof(quest_context) = 'object'),
  moderation_checked boolean not null default false,
  moderation_passed boolean not null default false,
  moderation_issues jsonb constraint quest_builder_sessions_moderation_issues_is_array check (jsonb_typeof(moderation_issues) = 'array'),
  expires_at timestamptz not null default now() + interval '7 days',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint quest_builder_sessions_version_positive check (version > 0),
  constraint quest_builder_sessions_passed_only_when_checked check (moderation_checked or not moderation_passed)
);
create index quest_builder_sessions_user_id_created_at_idx on app_public.quest_builder_sessions (user_id, created_at);
create index quest_builder_sessions_quest_id_idx on app_public.quest_builder_sessions (quest_id) where quest_id is not null;
create index quest_builder_sessions_expires_at_idx on app_public.quest_builder_sessions (expires_at);
comment on table app_public.quest_builder_sessions is 'A parent''s conversation with the AI quest builder, and the quest taking shape in it.';
comment on column app_public.quest_builder_sessions.id is 'The session''s id.';
comment on column app_public.quest_builder_sessions.user_id is 'The parent.';
comment on column app_public.quest_builder_sessions.quest_id is 'The quest the session produced, once saved.';
comment on column app_public.quest_builder_sessions.current_stage is 'Greeting, collecting_info, clarifying, generating, reviewing, quest_ready.';
comment on column app_public.quest_builder_sessions.conversation_history is 'The dialogue: [{"role", "content", "timestamp"}].';
comment on column app_public.quest_builder_sessions.current_graph is 'The graph being built.';
comment on column app_public.quest_builder_sessions.quest_context is 'What the builder knows: child''s name, age, interests, family photos, memories, jokes.';
comment on column app_public.quest_builder_sessions.moderation_checked is 'Whether moderation has looked at the draft.';
comment on column app_public.quest_builder_sessions.moderation_passed is 'Whether the draft passed moderation (only once checked).';
comment on column app_public.quest_builder_sessions.moderation_issues is 'Moderation findings.';
comment on column app_public.quest_builder_sessions.expires_at is 'When an abandoned session is cleaned up.';
comment on column app_public.quest_builder_sessions.created_at is 'When the session started.';
comment on column app_public.quest_builder_sessions.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.quest_builder_sessions.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.user_quest_library (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  folder text constraint user_quest_library_folder_length check (length(folder) between 1 and 100),
  notes text,
  created_at timestamptz not null default now(),
  constraint user_quest_library_one_per_user_and_quest unique (user_id, quest_id)
);
create index user_quest_library_quest_id_idx on app_public.user_quest_library (quest_id);
comment on table app_public.user_quest_library is 'Quests a user added to their library from the marketplace (once each).';
comment on column app_public.user_quest_library.id is 'The entry''s id.';
comment on column app_public.user_quest_library.user_id is 'The user.';
comment on column app_public.user_quest_library.quest_id is 'The quest.';
comment on column app_public.user_quest_library.folder is 'Folder (favorites, in_progress, completed, or the user''s own).';
comment on column app_public.user_quest_library.notes is 'The user''s notes.';
comment on column app_public.user_quest_library.created_at is 'When it was added (seed 001''s added_at).';

create table app_public.quest_ratings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  quest_id uuid not null references app_public.quests (id) on delete cascade,
  rating integer not null constraint quest_ratings_rating_range check (rating between 1 and 5),
  review_text text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint quest_ratings_version_positive check (version > 0),
  constraint quest_ratings_one_per_user_and_quest unique (user_id, quest_id)
);
create index quest_ratings_quest_id_idx on app_public.quest_ratings (quest_id);
comment on table app_public.quest_ratings is 'Marketplace ratings: one per user and quest, 1-5 stars.';
comment on column app_public.quest_ratings.id is 'The rating''s id.';
comment on column app_public.quest_ratings.user_id is 'Who rated.';
comment on column app_public.quest_ratings.quest_id is 'The quest rated.';
comment on column app_public.quest_ratings.rating is 'Stars, 1-5.';
comment on column app_public.quest_ratings.review_text is 'Optional review.';
comment on column app_public.quest_ratings.created_at is 'When the rating was given.';
comment on column app_public.quest_ratings.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.quest_ratings.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

create table app_public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_public.users (id) on delete cascade,
  kind text not null constraint notifications_kind_length check (length(kind) between 1 and 100),
  title text not null constraint notifications_title_length check (length(title) between 1 and 255),
  body text,
  data jsonb not null default '{}' constraint notifications_data_is_object check (jsonb_typeof(data) = 'object'),
  read_at timestamptz,
  created_at timestamptz not null default now()
);
create index notifications_user_id_created_at_idx on app_public.notifications (user_id, created_at desc);
create index notifications_unread_idx on app_public.notifications (user_id) where read_at is null;
comment on table app_public.notifications is 'Notifications to a user (a child''s consent changed, a consented quest was completed, a milestone, ...).';
comment on column app_public.notifications.id is 'The notification''s id.';
comment on column app_public.notifications.user_id is 'The recipient.';
comment on column app_public.notifications.kind is 'Kind (consent_changed, quest_completed, milestone, ...).';
comment on column app_public.notifications.title is 'Title.';
comment on column app_public.notifications.body is 'Text.';
comment on column app_public.notifications.data is 'Structured details (ids, counts); never a child''s raw play.';
comment on column app_public.notifications.read_at is 'When the recipient read it.';
comment on column app_public.notifications.created_at is 'When it was created.';

create table app_public.data_deletion_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references app_public.users (id) on delete set null,
  status app_public.deletion_request_status not null default 'pending',
  reason text,
  verification_token_hash text constraint data_deletion_requests_token_hash_shape check (verification_token_hash ~ '^[0-9a-f]{64}$'),
  requested_at timestamptz not null default now(),
  verified_at timestamptz,
  processed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1 constraint data_deletion_requests_version_positive check (version > 0),
  constraint data_deletion_requests_verified_before_processing check (
    status in ('pending', 'rejected') or verified_at is not null),
  constraint data_deletion_requests_processed_at_when_completed check ((status = 'completed') = (processed_at is not null))
);
create index data_deletion_requests_user_id_idx on app_public.data_deletion_requests (user_id) where user_id is not null;
create index data_deletion_requests_status_idx on app_public.data_deletion_requests (status, requested_at);
comment on table app_public.data_deletion_requests is 'GDPR erasure requests: verified by the user, then processed by a worker job (the user link is cleared when the user is erased).';
comment on column app_public.data_deletion_requests.id is 'The request''s id.';
comment on column app_public.data_deletion_requests.user_id is 'Who asked (null once their data is erased).';
comment on column app_public.data_deletion_requests.status is 'Pending, verified, processing, completed or rejected.';
comment on column app_public.data_deletion_requests.reason is 'Why the user asked (optional).';
comment on column app_public.data_deletion_requests.verification_token_hash is 'SHA-256 (hex) of the verification token sent to the user; the token itself is never stored.';
comment on column app_public.data_deletion_requests.requested_at is 'When it was requested.';
comment on column app_public.data_deletion_requests.verified_at is 'When the user verified it (required before processing).';
comment on column app_public.data_deletion_requests.processed_at is 'When the erasure completed.';
comment on column app_public.data_deletion_requests.created_at is 'When the row was created.';
comment on column app_public.data_deletion_requests.updated_at is 'When the row last changed (set by trigger).';
comment on column app_public.data_deletion_requests.version is 'Optimistic-locking version: send it back on update; a stale one is refused.';

------------------------------------------------------------------------------
-- Every table is under forced RLS (owner-only until policies/ says otherwise);
-- every table with a version column gets the row-metadata trigger.
------------------------------------------------------------------------------
do $$
declare
  t record;
begin
  for t in select c.oid::regclass as rel, c.relname from pg_class c
           where c.relnamespace = 'app_public'::regnamespace and c.relkind = 'r' and c.relname <> all (array['users', 'family_links'])
  loop
    execute format('alter table %s enable row level security', t.rel);
    execute format('alter table %s force row level security', t.rel);
    if exists (select 1 from pg_attribute where attrelid = t.rel and attname = 'version' and not attisdropped) then
      execute format('create trigger _100_row_metadata before update on %s for each row execute function app_private.tg__row_metadata()', t.rel);
    end if;
  end loop;
end;
$$;
