--! Previous: sha1:275860c241ca1bcf01cfde44acfa0d47c880e614
--! Hash: sha1:02b29908ce3e0c135df14eb7ad839360fcc44e04
--! Message: create_quest's milestone check counts at most 10 quests

-- create_quest's milestone check counted every quest of the author, so its cost
-- grew with the author's quests (the benchmark's parents reach thousands). The
-- milestones need to know only whether there are 1 and 10: count at most 10.
-- And the track's milestone list is rewritten only when a milestone was reached,
-- not on every quest (one row version less per call).
create or replace function app_private.advance_track(parent uuid, track app_public.track_type) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
  as $$
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
$$;
