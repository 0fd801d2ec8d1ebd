--! Previous: sha1:a7dbcbe8f9f97eb284957df67b77e9e96599e566
--! Hash: sha1:275860c241ca1bcf01cfde44acfa0d47c880e614
--! Message: consent_flag without dynamic SQL

-- consent_flag without dynamic SQL: it ran two EXECUTEs per call, each planned
-- afresh, and it is called per child in get_quest_analytics, can_share_with_parent,
-- the refresh job (once per player of a public quest) and milestone detection.
-- Static queries are planned once per session by PL/pgSQL. Same answers: the
-- per-quest override when there is one, else the child's default, else false.
create or replace function app_private.consent_flag(child_id uuid, flag text, quest_id uuid) returns boolean
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
  as $$
declare
  override app_public.quest_privacy;
  defaults app_public.child_privacy;
begin
  if flag not in ('share_progress', 'share_educational_progress', 'share_play_frequency', 'share_quest_details',
                  'share_emotional_state', 'share_analytics') then
    raise exception 'Unknown consent flag "%".', flag using errcode = '22023';
  end if;
  if quest_id is not null then
    select * into override from app_public.quest_privacy p where p.child_id = consent_flag.child_id and p.quest_id = consent_flag.quest_id;
    if found then
      return (to_jsonb(override) ->> flag)::boolean;
    end if;
  end if;
  select * into defaults from app_public.child_privacy p where p.child_id = consent_flag.child_id;
  return coalesce((to_jsonb(defaults) ->> flag)::boolean, false);
end;
$$;
