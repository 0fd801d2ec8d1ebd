--! Previous: sha1:d7e7299ab126594beffa65c38784d587193d15f6
--! Hash: sha1:1b58cacdf5396c4ae26cea7103e3ef8ed171078f
--! Message: Seed 000's flows: create_quest, set_quest_status, moderate_quest, update_quest_progress, record_achievement

-- Seed 000's flows as functions both GraphQL and direct SQL call: quest
-- creation (with its creative project, track progress and milestones),
-- moderation and status, and the child's play (progress, achievements, and the
-- parent's notification when the child shares completion).

drop function if exists app_public.create_quest(text, jsonb, uuid, text, text, text, app_public.quest_difficulty, text, integer, text[], boolean) cascade;
drop function if exists app_public.set_quest_status(uuid, app_public.quest_status, integer) cascade;
drop function if exists app_public.moderate_quest(uuid, app_public.moderation_status, text, jsonb) cascade;
drop function if exists app_public.update_quest_progress(uuid, integer, text, boolean, integer, text[], integer, jsonb, double precision) cascade;
drop function if exists app_public.record_achievement(uuid, text, text, text, text, integer) cascade;
drop function if exists app_private.advance_track(uuid, app_public.track_type) cascade;
drop function if exists app_private.acting_user(app_public.user_kind) cascade;

/* The acting user, who must exist and be of the given kind; a clear error otherwise. */
create function app_private.acting_user(expected app_public.user_kind) returns uuid
  language plpgsql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_public.current_user_id();
  actual app_public.user_kind;
begin
  select kind into actual from app_public.users where id = me;
  if actual is distinct from expected then
    raise exception 'Only a % can do this (you are %).', expected, coalesce(actual::text, 'nobody')
      using errcode = '42501';
  end if;
  return me;
end;
$$;

/*
 * One more action on a parent's recovery track, and the milestones that
 * reach (seed 000: first quest, ten quests).
 */
create function app_private.advance_track(parent uuid, track app_public.track_type) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  t record;
  quests_made integer;
begin
  insert into app_public.user_tracks (user_id, track_type, total_actions, last_activity_at)
  values (parent, track, 1, now())
  on conflict (user_id, track_type) do update
    set total_actions = user_tracks.total_actions + 1, last_activity_at = now()
  returning id, user_id into t;
  select count(*) into quests_made from app_public.quests where author_id = parent and status <> 'deleted';
  insert into app_public.milestones (user_id, track_id, milestone_type, title, xp_reward)
  select parent, t.id, m.kind, m.title, m.xp
  from (values (1, 'first_quest', 'Your first quest!', 50), (10, '10_quests', 'Ten quests for your child', 200)) as m(needed, kind, title, xp)
  where quests_made >= m.needed
  on conflict (track_id, milestone_type) do nothing;
  update app_public.user_tracks
    set milestones_completed = (select coalesce(array_agg(milestone_type order by achieved_at), '{}') from app_public.milestones where track_id = t.id)
  where id = t.id;
end;
$$;

create function app_public.create_quest(
  title text,
  graph_structure jsonb,
  child_id uuid default null,
  description text default null,
  psychological_module text default null,
  location text default null,
  difficulty app_public.quest_difficulty default null,
  age_range text default null,
  estimated_duration integer default null,
  tags text[] default '{}',
  is_public boolean default false
) returns app_public.quests
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_public.create_quest(text, jsonb, uuid, text, text, text, app_public.quest_difficulty, text, integer, text[], boolean) is
  E'@arg title Title, 1 to 255 characters.\n@arg graph_structure The quest graph: {"nodes": [{"id", "type", "data"}], "edges": [{"source", "target", "label"}]}.\n@arg child_id The linked child a personal quest is for; omit for a public quest.\n@arg description What the quest is about.\n@arg psychological_module The therapy module (IFS_Level1, DBT_Basics, ...).\n@arg location Where in the game world it happens.\n@arg difficulty beginner, intermediate or advanced.\n@arg age_range Ages it suits, as "7-9".\n@arg estimated_duration Minutes to complete.\n@arg tags Free tags.\n@arg is_public Offer it in the marketplace (then no child).\n'
  'Creates a quest as a draft pending moderation (graph as primary storage, YAML generated), its creative project, and advances the parent''s child-connection track, recording the first-quest and ten-quests milestones.';

create function app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer default null)
  returns app_public.quests
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_public.set_quest_status(uuid, app_public.quest_status, integer) is
  E'@arg quest_id The quest (one of yours).\n@arg status draft, deployed, archived or deleted.\n@arg version The version you read; a stale one is refused.\n'
  'The author moves a quest to draft, deployed (only once moderation approved it: then the child''s app sees it), archived, or deleted (soft delete). Pass the version you read to refuse a stale change.';

create function app_public.moderate_quest(quest_id uuid, decision app_public.moderation_status, reason text default null, issues jsonb default null)
  returns app_public.quests
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  quest app_public.quests;
begin
  perform app_private.acting_user('admin');
  if decision = 'pending' then
    raise exception 'A moderation decision is approved, rejected or flagged.' using errcode = '22023';
  end if;
  update app_public.quests q
    set moderation_status = decision, moderation_reason = reason, moderation_issues = issues, moderated_at = now(),
        -- A quest that fails moderation leaves the child's app.
        status = case when decision <> 'approved' and q.status = 'deployed' then 'draft' else q.status end
  where q.id = moderate_quest.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest %.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$$;
comment on function app_public.moderate_quest(uuid, app_public.moderation_status, text, jsonb) is
  E'@arg quest_id The quest.\n@arg decision approved, rejected or flagged.\n@arg reason Why, for the author.\n@arg issues Findings: [{"category", "severity", "message"}].\n'
  'An admin approves, rejects or flags a quest, with a reason and issues ([{"category", "severity", "message"}]). A deployed quest that is not approved goes back to draft.';

create function app_public.update_quest_progress(
  quest_id uuid,
  nodes_completed integer,
  current_node_id text default null,
  completed boolean default false,
  xp_earned integer default null,
  badges_earned text[] default null,
  reveal_moments_viewed integer default null,
  educational_progress jsonb default null,
  minutes_played double precision default 0
) returns app_public.quest_progress
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  me uuid := app_private.acting_user('child');
  quest record;
  progress app_public.quest_progress;
  was_completed boolean;
  total integer;
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
  end if;
  return progress;
end;
$$;
comment on function app_public.update_quest_progress(uuid, integer, text, boolean, integer, text[], integer, jsonb, double precision) is
  E'@arg quest_id The quest being played.\n@arg nodes_completed Nodes completed so far (0 to the quest''s nodes).\n@arg current_node_id The node the child is at.\n@arg completed Whether the child finished.\n@arg xp_earned Experience points so far.\n@arg badges_earned Badges so far.\n@arg reveal_moments_viewed Reveal moments seen so far.\n@arg educational_progress Progress by skill.\n@arg minutes_played Minutes played in this session.\n'
  'The child records progress in a quest they can play (one row per child and quest; each call is a play session). On first completion, linked parents are notified if the child shares completion.';

create function app_public.record_achievement(
  quest_id uuid, achievement_type text, title text, description text default null, badge text default null, xp_reward integer default 0
) returns app_public.achievements
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
comment on function app_public.record_achievement(uuid, text, text, text, text, integer) is
  E'@arg quest_id The quest it was earned in, if any.\n@arg achievement_type Kind of achievement.\n@arg title Title shown to the child.\n@arg description What the child did.\n@arg badge Badge image or code.\n@arg xp_reward Experience points awarded.\n'
  'The child records an achievement (once per type and quest; recording it again returns the first one).';
