-- The parent's psychological profile and creative projects (seed 000's own flows) and the
-- recommendations made from them.
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid DEFAULT NULL::uuid, letter_id uuid DEFAULT NULL::uuid, goal_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.creative_projects
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('parent');
  project app_public.creative_projects;
begin
  -- The linked object must be the parent's own (the CHECK then demands exactly the one its type names).
  if (quest_id is not null and not exists (select 1 from app_public.quests q where q.id = create_creative_project.quest_id and q.author_id = me))
     or (letter_id is not null and not exists (select 1 from app_public.letters l where l.id = create_creative_project.letter_id and l.user_id = me))
     or (goal_id is not null and not exists (select 1 from app_public.goals g where g.id = create_creative_project.goal_id and g.user_id = me)) then
    raise exception 'A creative project links only to your own quest, letter or goal.' using errcode = '42501';
  end if;
  insert into app_public.creative_projects (user_id, project_type, quest_id, letter_id, goal_id)
  values (me, project_type, create_creative_project.quest_id, create_creative_project.letter_id, create_creative_project.goal_id)
  returning * into project;
  return project;
end;
$function$;
comment on function app_public.create_creative_project(app_public.creative_project_type,uuid,uuid,uuid) is '@arg project_type quest, letter or goal.
@arg quest_id Your quest, for a quest project.
@arg letter_id Your letter, for a letter project.
@arg goal_id Your goal, for a goal project.
Starts a creative project for one of your quests, letters or goals (one project per object).';

CREATE OR REPLACE FUNCTION app_public.update_project_progress(project_id uuid, progress integer)
 RETURNS app_public.creative_projects
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  project app_public.creative_projects;
begin
  -- Security invoker: the policies decide whose project it is. 100% completes it.
  update app_public.creative_projects p
    set progress = update_project_progress.progress,
        status = (case when update_project_progress.progress = 100 then 'completed' else 'in_progress' end)::app_public.creative_project_status,
        completed_at = case when update_project_progress.progress = 100 then coalesce(p.completed_at, now()) end
  where p.id = project_id
  returning * into project;
  if not found then
    raise exception 'No project % of yours.', project_id using errcode = 'P0002';
  end if;
  return project;
end;
$function$;
comment on function app_public.update_project_progress(uuid,integer) is '@arg project_id The project (one of yours).
@arg progress Percent done, 0-100; 100 completes the project.
Sets a creative project''s progress.';

CREATE OR REPLACE FUNCTION app_public.get_or_create_profile()
 RETURNS app_public.psychological_profiles
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('parent');
  profile app_public.psychological_profiles;
begin
  insert into app_public.psychological_profiles (user_id) values (me) on conflict do nothing;
  select * into profile from app_public.psychological_profiles where user_id = me;
  return profile;
end;
$function$;
comment on function app_public.get_or_create_profile() is 'The acting parent''s psychological profile, created empty on first use.';

CREATE OR REPLACE FUNCTION app_public.update_profile_emotions(emotional_data jsonb)
 RETURNS app_public.psychological_profiles
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.update_profile_emotions(jsonb) is '@arg emotional_data A reading: {"mood": 1-10, ...}; the time is added.
Appends an emotional reading to the acting parent''s profile.';

CREATE OR REPLACE FUNCTION app_public.add_coping_strategy(strategy text)
 RETURNS app_public.psychological_profiles
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  me uuid := app_private.acting_user('parent');
  profile app_public.psychological_profiles;
begin
  if length(trim(coalesce(strategy, ''))) = 0 then
    raise exception 'A coping strategy needs a name.' using errcode = '22023';
  end if;
  perform app_public.get_or_create_profile();
  update app_public.psychological_profiles
    set primary_coping_strategies = case when primary_coping_strategies ? trim(strategy) then primary_coping_strategies
                                         else primary_coping_strategies || to_jsonb(trim(strategy)) end
  where user_id = me
  returning * into profile;
  return profile;
end;
$function$;
comment on function app_public.add_coping_strategy(text) is '@arg strategy What helps (journaling, walks, ...); recorded once.
Records a coping strategy that works for the acting parent.';

CREATE OR REPLACE FUNCTION app_public.get_recommendations()
 RETURNS SETOF app_public.recommendation
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.get_recommendations() is 'Suggestions for the acting parent from their profile: low_mood (last 3 moods average below 4), first_quest (no quest yet), shorter_quests (child engagement below 0.3), find_coping (no coping strategy), else keep_going.';
