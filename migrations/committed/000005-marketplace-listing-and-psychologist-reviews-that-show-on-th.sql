--! Previous: sha1:1b58cacdf5396c4ae26cea7103e3ef8ed171078f
--! Hash: sha1:d73ec20c4805f0cb22238441ec30069c170edcbe
--! Message: Marketplace listing and psychologist reviews that show on their quest

-- The marketplace and psychologist reviews (seeds 001, 002): what the public
-- library lists, how a completed review shows on its quest.

drop function if exists app_public.marketplace_quests() cascade;
drop function if exists app_hidden.is_psychologist(uuid) cascade;
drop function if exists app_private.tg_psychologist_reviews__overall_rating() cascade;
drop function if exists app_private.tg_psychologist_reviews__show_on_quest() cascade;

create function app_public.marketplace_quests() returns setof app_public.quests
  language sql stable
  set search_path = pg_catalog, pg_temp
  as $$
  select q.* from app_public.quests q
  where q.is_public and q.moderation_status = 'approved' and q.psychologist_reviewed and q.status <> 'deleted'
$$;
comment on function app_public.marketplace_quests() is
  'The public library: quests that are public, approved by moderation and approved by a psychologist''s review. Sort by rating or plays with orderBy.';

create function app_hidden.is_psychologist(user_id uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
  as $$ select exists (select 1 from app_public.users where id = user_id and kind = 'psychologist') $$;
comment on function app_hidden.is_psychologist(uuid) is 'Whether a user is a psychologist (a parent may assign only those to review).';

-- The overall rating is the average of the four scales, once all four are given.
create function app_private.tg_psychologist_reviews__overall_rating() returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
  as $$
begin
  new.overall_rating := case
    when num_nulls(new.emotional_safety_score, new.therapeutic_correctness_score, new.age_appropriateness_score, new.reveal_timing_score) = 0
    then round((new.emotional_safety_score + new.therapeutic_correctness_score + new.age_appropriateness_score + new.reveal_timing_score) / 4.0)
    end;
  if new.status in ('completed', 'declined') and new.completed_at is null then new.completed_at := now(); end if;
  if new.status = 'in_progress' and new.started_at is null then new.started_at := now(); end if;
  return new;
end;
$$;
create trigger _200_overall_rating before insert or update on app_public.psychologist_reviews
  for each row execute function app_private.tg_psychologist_reviews__overall_rating();

-- A completed review shows on its quest (owner's rights: the psychologist may not write quests).
create function app_private.tg_psychologist_reviews__show_on_quest() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
begin
  if new.status = 'completed' then
    update app_public.quests
      set psychologist_reviewed = new.is_approved, psychologist_review_id = new.id, reviewed_at = new.completed_at
    where id = new.quest_id;
  end if;
  return null;
end;
$$;
create trigger _800_show_on_quest after insert or update of status, is_approved on app_public.psychologist_reviews
  for each row execute function app_private.tg_psychologist_reviews__show_on_quest();

-- Apps read a quest's nodes in graph order.
drop index if exists app_public.quest_nodes_quest_id_position_idx;
create index quest_nodes_quest_id_position_idx on app_public.quest_nodes (quest_id, position);
