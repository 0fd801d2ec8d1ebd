-- The quest flows of seed 000: creating, publishing and moderating a quest, playing it (progress,
-- achievements, tracks, milestones), and the triggers that keep a quest's graph, nodes, timestamps
-- and moderation state honest for plain writes too.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_hidden.quest_graph_problem(graph jsonb)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_hidden.quest_graph_problem(jsonb) is 'What is wrong with a quest graph, in words, or null when it is well formed (used by a CHECK and a trigger).';

CREATE OR REPLACE FUNCTION app_private.tg_quests__derive_from_graph()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
AS $function$
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
$function$;

CREATE OR REPLACE TRIGGER _200_derive_from_graph BEFORE INSERT OR UPDATE OF graph_structure, title, yaml_content ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__derive_from_graph();

CREATE OR REPLACE FUNCTION app_private.tg_quests__sync_nodes()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

CREATE OR REPLACE TRIGGER _900_sync_nodes AFTER INSERT OR UPDATE OF graph_structure ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__sync_nodes();

CREATE OR REPLACE FUNCTION app_private.tg_quests__lifecycle_timestamps()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if new.status = 'deleted' and new.deleted_at is null then new.deleted_at := now(); end if;
  if new.status <> 'deleted' then new.deleted_at := null; end if;
  if new.status = 'deployed' and new.deployed_at is null then new.deployed_at := now(); end if;
  if new.is_public and new.published_at is null then new.published_at := now(); end if;
  if not new.is_public then new.published_at := null; end if;
  return new;
end;
$function$;

CREATE OR REPLACE TRIGGER _150_lifecycle_timestamps BEFORE INSERT OR UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__lifecycle_timestamps();

CREATE OR REPLACE FUNCTION app_private.advance_track(parent uuid, track app_public.track_type)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  t record;
  quests_made integer;
  reached integer;
begin
  insert into app_public.user_tracks (user_id, track_type, total_actions, last_activity_at)
  values (parent, track, 1, now())
  on conflict (user_id, track_type) do update
    set total_actions = user_tracks.total_actions + 1, last_activity_at = now()
  returning id, user_id into t;
  select count(*) into quests_made
  from (select from app_public.quests where author_id = parent and status <> 'deleted' limit 10) as enough;
  insert into app_public.milestones (user_id, track_id, milestone_type, title, xp_reward)
  select parent, t.id, m.kind, m.title, m.xp
  from (values (1, 'first_quest', 'Your first quest!', 50), (10, '10_quests', 'Ten quests for your child', 200)) as m(needed, kind, title, xp)
  where quests_made >= m.needed
  on conflict (track_id, milestone_type) do nothing;
  get diagnostics reached = row_count;
  if reached > 0 then
    update app_public.user_tracks
      set milestones_completed = (select coalesce(array_agg(milestone_type order by achieved_at), '{}') from app_public.milestones where track_id = t.id)
    where id = t.id;
  end if;
end;
$function$;

CREATE OR REPLACE FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid DEFAULT NULL::uuid, description text DEFAULT NULL::text, psychological_module text DEFAULT NULL::text, location text DEFAULT NULL::text, difficulty app_public.quest_difficulty DEFAULT NULL::app_public.quest_difficulty, age_range text DEFAULT NULL::text, estimated_duration integer DEFAULT NULL::integer, tags text[] DEFAULT '{}'::text[], is_public boolean DEFAULT false)
 RETURNS app_public.quests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('parent');
  quest app_public.quests;
begin
  if child_id is not null and child_id not in (select app_hidden.my_child_ids()) then
    raise exception 'You can make a personal quest only for a child linked to you.' using errcode = '42501';
  end if;
  insert into app_public.quests (author_id, child_id, title, description, graph_structure, psychological_module, location,
                                 difficulty, age_range, estimated_duration, tags, is_public)
  values (me, create_quest.child_id, create_quest.title, create_quest.description, create_quest.graph_structure,
          create_quest.psychological_module, create_quest.location, create_quest.difficulty, create_quest.age_range,
          create_quest.estimated_duration, coalesce(create_quest.tags, '{}'), create_quest.is_public)
  returning * into quest;
  insert into app_public.creative_projects (user_id, project_type, quest_id) values (me, 'quest', quest.id);
  perform app_private.advance_track(me, 'child_connection');
  return quest;
end;
$function$;
comment on function app_public.create_quest(text,jsonb,uuid,text,text,text,app_public.quest_difficulty,text,integer,text[],boolean) is '@arg title Title, 1 to 255 characters.
@arg graph_structure The quest graph: {"nodes": [{"id", "type", "data"}], "edges": [{"source", "target", "label"}]}.
@arg child_id The linked child a personal quest is for; omit for a public quest.
@arg description What the quest is about.
@arg psychological_module The therapy module (IFS_Level1, DBT_Basics, ...).
@arg location Where in the game world it happens.
@arg difficulty beginner, intermediate or advanced.
@arg age_range Ages it suits, as "7-9".
@arg estimated_duration Minutes to complete.
@arg tags Free tags.
@arg is_public Offer it in the marketplace (then no child).
Creates a quest as a draft pending moderation (graph as primary storage, YAML generated), its creative project, and advances the parent''s child-connection track, recording the first-quest and ten-quests milestones.';

CREATE OR REPLACE FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer DEFAULT NULL::integer)
 RETURNS app_public.quests
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  quest app_public.quests;
begin
  -- Security invoker: the quests policies decide whose quest this is.
  update app_public.quests q
    set status = set_quest_status.status, version = coalesce(set_quest_status.version, q.version)
  where q.id = set_quest_status.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest % of yours.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$function$;
comment on function app_public.set_quest_status(uuid,app_public.quest_status,integer) is '@arg quest_id The quest (one of yours).
@arg status draft, deployed, archived or deleted.
@arg version The version you read; a stale one is refused.
The author moves a quest to draft, deployed (only once moderation approved it: then the child''s app sees it), archived, or deleted (soft delete). Pass the version you read to refuse a stale change.';

CREATE OR REPLACE FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text DEFAULT NULL::text, completed boolean DEFAULT false, xp_earned integer DEFAULT NULL::integer, badges_earned text[] DEFAULT NULL::text[], reveal_moments_viewed integer DEFAULT NULL::integer, educational_progress jsonb DEFAULT NULL::jsonb, minutes_played double precision DEFAULT 0)
 RETURNS app_public.quest_progress
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('child');
  quest record;
  progress app_public.quest_progress;
  was_completed boolean;
  total integer;
  told integer;
begin
  select q.id, q.title, q.author_id, jsonb_array_length(q.graph_structure -> 'nodes') as nodes into quest
  from app_public.quests q
  where q.id = update_quest_progress.quest_id
    and ((q.child_id = me and q.status = 'deployed') or (q.is_public and q.moderation_status = 'approved' and q.status <> 'deleted'));
  if not found then
    raise exception 'No quest % for you to play.', quest_id using errcode = 'P0002';
  end if;
  if nodes_completed < 0 or nodes_completed > quest.nodes then
    raise exception 'nodes_completed must be between 0 and % (the quest''s nodes), got %.', quest.nodes, nodes_completed
      using errcode = '22023';
  end if;
  total := greatest(quest.nodes, 0);
  select p.completed into was_completed from app_public.quest_progress p where p.child_id = me and p.quest_id = quest.id for update;

  insert into app_public.quest_progress as p (child_id, quest_id, current_node_id, current_step, nodes_completed, total_nodes,
      completion_percentage, completed, completed_at, xp_earned, badges_earned, reveal_moments_viewed, educational_progress,
      session_count, total_time_minutes, last_played_at)
  values (me, quest.id, current_node_id, nodes_completed, nodes_completed, total,
      case when total = 0 then 0 else nodes_completed * 100 / total end, completed, case when completed then now() end,
      coalesce(xp_earned, 0), coalesce(badges_earned, '{}'), coalesce(reveal_moments_viewed, 0), educational_progress,
      1, greatest(minutes_played, 0), now())
  on conflict on constraint quest_progress_one_per_child_and_quest do update set
      current_node_id = coalesce(excluded.current_node_id, p.current_node_id),
      current_step = excluded.current_step,
      nodes_completed = excluded.nodes_completed,
      total_nodes = excluded.total_nodes,
      completion_percentage = excluded.completion_percentage,
      completed = p.completed or excluded.completed,
      completed_at = coalesce(p.completed_at, excluded.completed_at),
      xp_earned = coalesce(update_quest_progress.xp_earned, p.xp_earned),
      badges_earned = coalesce(update_quest_progress.badges_earned, p.badges_earned),
      reveal_moments_viewed = coalesce(update_quest_progress.reveal_moments_viewed, p.reveal_moments_viewed),
      educational_progress = coalesce(excluded.educational_progress, p.educational_progress),
      session_count = p.session_count + 1,
      total_time_minutes = p.total_time_minutes + excluded.total_time_minutes,
      last_played_at = now()
  returning * into progress;

  -- Seed 000: "if sharing enabled → notifications sent". Only the fact, to linked parents, once.
  if progress.completed and not coalesce(was_completed, false)
     and app_private.consent_flag(me, 'share_progress', quest.id) then
    insert into app_public.notifications (user_id, kind, title, data)
    select fl.parent_id, 'quest_completed', format('Your child finished "%s"', quest.title),
           jsonb_build_object('quest_id', quest.id, 'child_id', me)
    from app_public.family_links fl where fl.child_id = me;
    get diagnostics told = row_count;
    -- A release of the child's progress to their parents: recorded like every consent-gated release
    -- (in this transaction: no notification, no record).
    if told > 0 then
      perform app_private.audit('notify_quest_completed', 'quests', quest.id, me, 'progress', 'allowed',
                                jsonb_build_object('parents', told));
    end if;
  end if;
  return progress;
end;
$function$;
comment on function app_public.update_quest_progress(uuid,integer,text,boolean,integer,text[],integer,jsonb,double precision) is '@arg quest_id The quest being played.
@arg nodes_completed Nodes completed so far (0 to the quest''s nodes).
@arg current_node_id The node the child is at.
@arg completed Whether the child finished.
@arg xp_earned Experience points so far.
@arg badges_earned Badges so far.
@arg reveal_moments_viewed Reveal moments seen so far.
@arg educational_progress Progress by skill.
@arg minutes_played Minutes played in this session.
The child records progress in a quest they can play (one row per child and quest; each call is a play session). On first completion, linked parents are notified if the child shares completion.';

CREATE OR REPLACE FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text DEFAULT NULL::text, badge text DEFAULT NULL::text, xp_reward integer DEFAULT 0)
 RETURNS app_public.achievements
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('child');
  result app_public.achievements;
begin
  if quest_id is not null and not exists (
      select 1 from app_public.quests q where q.id = record_achievement.quest_id
        and ((q.child_id = me and q.status = 'deployed') or (q.is_public and q.moderation_status = 'approved' and q.status <> 'deleted'))) then
    raise exception 'No quest % for you to play.', quest_id using errcode = 'P0002';
  end if;
  insert into app_public.achievements as a (child_id, quest_id, achievement_type, title, description, badge, xp_reward)
  values (me, record_achievement.quest_id, record_achievement.achievement_type, record_achievement.title,
          record_achievement.description, record_achievement.badge, coalesce(record_achievement.xp_reward, 0))
  on conflict on constraint achievements_once_per_child_type_and_quest do update set title = a.title
  returning * into result;
  return result;
end;
$function$;
comment on function app_public.record_achievement(uuid,text,text,text,text,integer) is '@arg quest_id The quest it was earned in, if any.
@arg achievement_type Kind of achievement.
@arg title Title shown to the child.
@arg description What the child did.
@arg badge Badge image or code.
@arg xp_reward Experience points awarded.
The child records an achievement (once per type and quest; recording it again returns the first one).';

CREATE OR REPLACE FUNCTION app_private.tg_quests__content_edit_needs_moderation()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  -- Written by moderation, reviews, the status flow, the jobs and the row triggers,
  -- or derived from graph_structure (yaml_content): none of it is the author's content.
  not_content constant text[] := array[
    'status', 'moderation_status', 'moderation_reason', 'moderation_issues', 'moderated_at',
    'psychologist_reviewed', 'psychologist_review_id', 'reviewed_at', 'yaml_content',
    'reveal_count', 'last_reveal_at', 'family_photos_count', 'family_memories_count',
    'rating', 'rating_count', 'plays_count', 'completion_count', 'completion_rate', 'average_completion_time',
    'deployed_to_inner_edu', 'inner_edu_quest_id', 'deployed_at', 'published_at', 'deleted_at',
    'created_at', 'updated_at', 'version'];
  old_row constant jsonb := to_jsonb(old);
  new_row constant jsonb := to_jsonb(new);
begin
  if (old.moderation_status <> 'pending' or old.psychologist_reviewed)
     and exists (select 1 from unnest(app_private.child_visible_columns(tg_relid)) c
                 where c <> all (not_content) and new_row -> c is distinct from old_row -> c) then
    new.moderation_status := 'pending';
    new.moderated_at := null;
    new.psychologist_reviewed := false;
    if new.status = 'deployed' then
      new.status := 'draft';
    end if;
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_quests__content_edit_needs_moderation() is 'BEFORE UPDATE of quests: when a column inner_edu_user may read changes (app_private.child_visible_columns; all but the moderation, lifecycle, job and derived columns it names), including the audience child_id / is_public, an approved or reviewed quest goes back to pending, loses its psychologist approval, and a deployed one goes back to draft. Raises nothing. Issue 15, section 1 (replaces the title/description/graph rule of migration 000007).';

CREATE OR REPLACE TRIGGER _120_content_edit_needs_moderation BEFORE UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__content_edit_needs_moderation();

CREATE OR REPLACE FUNCTION app_private.milestones_reached()
 RETURNS TABLE(user_id uuid, track app_public.track_type, kind text, title text, xp integer)
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  -- Active on each of the seven days up to today, or up to yesterday (today is not over).
  select days.user_id, coalesce(u.primary_track, 'self_work'), 'streak_7', 'Seven days in a row', 100
  from (
    select a.user_id,
           count(distinct a.day) filter (where a.day between current_date - 6 and current_date) as to_today,
           count(distinct a.day) filter (where a.day between current_date - 7 and current_date - 1) as to_yesterday
    from (
      select author_id as user_id, created_at::date as day from app_public.quests where created_at >= current_date - 7
      union all select user_id, created_at::date from app_public.letters where created_at >= current_date - 7
      union all select user_id, created_at::date from app_public.messages where created_at >= current_date - 7 and role = 'user'
      union all select user_id, started_at::date from app_public.therapy_sessions where started_at >= current_date - 7
    ) as a
    group by a.user_id
  ) as days
  join app_public.users u on u.id = days.user_id and u.kind = 'parent'
  where days.to_today = 7 or days.to_yesterday = 7
  union
  select q.author_id, 'child_connection', 'child_completed', 'Your child finished one of your quests', 150
  from app_public.quest_progress p
  join app_public.quests q on q.id = p.quest_id and q.child_id = p.child_id
  join app_public.family_links fl on fl.parent_id = q.author_id and fl.child_id = p.child_id
  where p.completed and app_private.consent_flag(p.child_id, 'share_progress', q.id)
$function$;
comment on function app_private.milestones_reached() is 'Milestones parents have reached by now: streak_7 (active seven days running) and child_completed (with the child''s consent).';

CREATE OR REPLACE FUNCTION app_private.tg_quest_progress__as_played()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  quest_nodes integer;
begin
  if app_private.acting_role() <> 'inner_edu_user' then
    return new;
  end if;
  select jsonb_array_length(q.graph_structure -> 'nodes') into quest_nodes from app_public.quests q where q.id = new.quest_id;
  if new.nodes_completed > quest_nodes then
    raise exception 'nodes_completed must be between 0 and % (the quest''s nodes), got %.', quest_nodes, new.nodes_completed
      using errcode = '23514', constraint = 'quest_progress_nodes_within_quest';
  end if;
  if tg_op = 'UPDATE' and old.completed and (not new.completed or new.completed_at is distinct from old.completed_at) then
    raise exception 'This quest was completed at %: a completion is final (completed and completed_at stay as they are).', old.completed_at
      using errcode = '23514', constraint = 'quest_progress_completion_is_final';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_quest_progress__as_played() is 'BEFORE INSERT/UPDATE trigger of quest_progress, for inner_edu_user''s writes: nodes_completed at most the quest''s nodes, and a completed row stays completed with its completed_at (SQLSTATE 23514, constraint names quest_progress_nodes_within_quest, quest_progress_completion_is_final). The rules of update_quest_progress (migration 000004), issue 14 item 8.';

CREATE OR REPLACE TRIGGER _200_as_played BEFORE INSERT OR UPDATE OF nodes_completed, completed, completed_at, quest_id ON app_public.quest_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg_quest_progress__as_played();

CREATE OR REPLACE FUNCTION app_private.tg_quest_nodes__change_needs_moderation()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  old_row constant jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_row constant jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
begin
  -- Written by a trigger: the sync from graph_structure (whose change the quests trigger judged) or a cascade.
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  if tg_op <> 'UPDATE'
     or exists (select 1 from unnest(app_private.child_visible_columns(tg_relid)) c
                where c not in ('created_at', 'updated_at') and new_row -> c is distinct from old_row -> c) then
    update app_public.quests q
      set moderation_status = 'pending', moderated_at = null, psychologist_reviewed = false,
          status = case when q.status = 'deployed' then 'draft' else q.status end
    where q.id in ((coalesce(new_row, old_row) ->> 'quest_id')::uuid, (old_row ->> 'quest_id')::uuid)
      and (q.moderation_status <> 'pending' or q.psychologist_reviewed);
  end if;
  return null;
end;
$function$;
comment on function app_private.tg_quest_nodes__change_needs_moderation() is 'AFTER INSERT, UPDATE or DELETE of quest_nodes written directly (not by a trigger): a node added, removed or changed in a column inner_edu_user may read (timestamps aside) sends its quest (and, when re-pointed, the old one) back to pending, unreviewed, and a deployed one to draft. Raises nothing. Issue 15, section 1.';

CREATE OR REPLACE TRIGGER _800_change_needs_moderation AFTER INSERT OR DELETE OR UPDATE ON app_public.quest_nodes FOR EACH ROW EXECUTE FUNCTION app_private.tg_quest_nodes__change_needs_moderation();

CREATE OR REPLACE FUNCTION app_private.tg_quests__no_self_moderation()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if new.author_id = app_public.current_user_id() then
    raise exception 'Nobody moderates their own quest: another admin decides.'
      using errcode = '42501', table = 'quests', column = 'moderation_status';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_quests__no_self_moderation() is 'BEFORE INSERT or UPDATE OF moderation_status of quests, for a decision (not pending): refuses (42501) when the acting user (app.user_id) is the quest''s author. Issue 15, section 1 ("nobody moderates their own work", CONTRACT.md).';

CREATE OR REPLACE TRIGGER _110_no_self_moderation BEFORE INSERT OR UPDATE OF moderation_status ON app_public.quests FOR EACH ROW WHEN ((new.moderation_status <> 'pending'::app_public.moderation_status)) EXECUTE FUNCTION app_private.tg_quests__no_self_moderation();

CREATE OR REPLACE FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text DEFAULT NULL::text, issues jsonb DEFAULT NULL::jsonb)
 RETURNS app_public.quests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  quest app_public.quests;
begin
  perform app_private.acting_user('admin');
  if decision = 'pending' then
    raise exception 'A moderation decision is approved, rejected or flagged.' using errcode = '22023';
  end if;
  if moderate_quest.version is null then
    raise exception 'Send the version of the quest you read.' using errcode = '22004';
  end if;
  -- Naming the version lets the row trigger refuse a stale one (STALE), as every optimistic lock does.
  update app_public.quests q
    set version = moderate_quest.version,
        moderation_status = decision, moderation_reason = reason, moderation_issues = issues, moderated_at = now(),
        -- A quest that fails moderation leaves the child's app.
        status = case when decision <> 'approved' and q.status = 'deployed' then 'draft' else q.status end
  where q.id = moderate_quest.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest %.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$function$;
comment on function app_public.moderate_quest(uuid,integer,app_public.moderation_status,text,jsonb) is '@arg quest_id The quest.
@arg version The version of the quest you read; the decision is about that version.
@arg decision approved, rejected or flagged.
@arg reason Why, for the author.
@arg issues Findings: [{"category", "severity", "message"}].
An admin approves, rejects or flags the version of a quest they read, with a reason and issues ([{"category", "severity", "message"}]); a deployed quest that is not approved goes back to draft. Errors: 42501 when the caller is not an admin or is the quest''s author; 22023 for a pending decision; 22004 without a version; STALE when the quest changed since that version; P0002 for an unknown quest. Issue 15, section 1.';
