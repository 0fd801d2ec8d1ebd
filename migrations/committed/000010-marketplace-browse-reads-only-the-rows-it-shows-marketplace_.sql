--! Previous: sha1:590126445d93fa7e6a8c58b3a38a28b915252ad5
--! Hash: sha1:a7dbcbe8f9f97eb284957df67b77e9e96599e566
--! Message: Marketplace browse reads only the rows it shows: marketplace_quests inlinable

-- The marketplace browse reads only the rows it shows. marketplace_quests() had
-- a pinned search_path, which stops PostgreSQL from inlining a SQL function:
-- every browse then materialised the whole marketplace and sorted it (found by
-- db:explain). Security-invoker and fully qualified, it needs no pinned path;
-- inlined, `order by rating desc, plays_count desc limit n` walks the partial
-- index quests_marketplace_idx and stops after n rows.
create or replace function app_public.marketplace_quests() returns setof app_public.quests
  language sql stable
  as $$
  select q.* from app_public.quests q
  where q.is_public and q.moderation_status = 'approved' and q.psychologist_reviewed and q.status <> 'deleted'
$$;
alter function app_public.marketplace_quests() reset search_path;
