-- The marketplace: browsing public quests, ratings, and psychologists' reviews (who may review what,
-- the overall rating, what a review shows on its quest).
--
-- Applied after every migrate, in name order, in one transaction, before policies/ (src/db/functions.ts):
-- the current definition of each function here, as `create or replace`, with its comment and, right after
-- a trigger function, the triggers that call it (`create or replace trigger`). Grants live in policies/.
-- Constraint triggers cannot be replaced: they stay in the migration that makes them (there are none).

CREATE OR REPLACE FUNCTION app_hidden.my_review_quest_ids()
 RETURNS SETOF uuid
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select quest_id from app_public.psychologist_reviews where psychologist_id = app_public.current_user_id()
$function$;
comment on function app_hidden.my_review_quest_ids() is 'Quests the acting psychologist is assigned to review.';

CREATE OR REPLACE FUNCTION app_public.marketplace_quests()
 RETURNS SETOF app_public.quests
 LANGUAGE sql
 STABLE
AS $function$
  select q.* from app_public.quests q
  where q.is_public and q.moderation_status = 'approved' and q.psychologist_reviewed and q.status <> 'deleted'
$function$;
comment on function app_public.marketplace_quests() is 'The public library: quests that are public, approved by moderation and approved by a psychologist''s review. Sort by rating or plays with orderBy.';

CREATE OR REPLACE FUNCTION app_private.tg_psychologist_reviews__overall_rating()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  new.overall_rating := case
    when num_nulls(new.emotional_safety_score, new.therapeutic_correctness_score, new.age_appropriateness_score, new.reveal_timing_score) = 0
    then round((new.emotional_safety_score + new.therapeutic_correctness_score + new.age_appropriateness_score + new.reveal_timing_score) / 4.0)
    end;
  if new.status in ('completed', 'declined') and new.completed_at is null then new.completed_at := now(); end if;
  if new.status = 'in_progress' and new.started_at is null then new.started_at := now(); end if;
  return new;
end;
$function$;

CREATE OR REPLACE TRIGGER _200_overall_rating BEFORE INSERT OR UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__overall_rating();

CREATE OR REPLACE FUNCTION app_private.tg_psychologist_reviews__show_on_quest()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status is distinct from 'completed') then
    update app_public.quests
      set psychologist_reviewed = new.is_approved, psychologist_review_id = new.id, reviewed_at = new.completed_at
    where id = new.quest_id;
  elsif tg_op = 'UPDATE' and old.status = 'completed' and (new.status <> 'completed' or new.is_approved is not true) then
    update app_public.quests set psychologist_reviewed = false
    where id = new.quest_id and psychologist_review_id = new.id;
  end if;
  return null;
end;
$function$;
comment on function app_private.tg_psychologist_reviews__show_on_quest() is 'AFTER INSERT or UPDATE OF status, is_approved of psychologist_reviews: a review becoming completed sets its quest''s psychologist_reviewed (to is_approved), psychologist_review_id and reviewed_at; a completed review re-saved approves nothing new (a quest changed since needs a new completion), and a completed review reopened or no longer approving clears psychologist_reviewed when it was the deciding one. Raises nothing. Issue 15, section 1 (migration 000005''s rule, bound to the review''s completion).';

CREATE OR REPLACE TRIGGER _800_show_on_quest AFTER INSERT OR UPDATE OF status, is_approved ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__show_on_quest();

CREATE OR REPLACE FUNCTION app_private.tg__assign_only_psychologists()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if not exists (select 1 from app_public.users u where u.id = new.psychologist_id and u.kind = 'psychologist') then
    raise exception 'psychologist_id must name a psychologist: a review is assigned only to one.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_assign_only_psychologists',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg__assign_only_psychologists() is 'BEFORE INSERT OR UPDATE OF psychologist_id on psychologist_reviews: refuses (23514, constraint psychologist_reviews_assign_only_psychologists) an id that is not a psychologist''s, an unknown id alike. Replaces the policy that called app_hidden.is_psychologist (issue 14, item 11).';

CREATE OR REPLACE TRIGGER _100_assign_only_psychologists BEFORE INSERT OR UPDATE OF psychologist_id ON app_public.psychologist_reviews FOR EACH ROW WHEN ((new.psychologist_id IS NOT NULL)) EXECUTE FUNCTION app_private.tg__assign_only_psychologists();

CREATE OR REPLACE FUNCTION app_private.tg_psychologist_reviews__not_by_the_author()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.psychologist_id) then
    raise exception 'Nobody reviews their own quest: assign another psychologist.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_not_by_the_author',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_psychologist_reviews__not_by_the_author() is 'BEFORE INSERT or UPDATE of psychologist_reviews (assignment, status, approval): refuses (23514, constraint psychologist_reviews_not_by_the_author) a review whose psychologist wrote the quest. Issue 15, section 1.';

CREATE OR REPLACE TRIGGER _110_not_by_the_author BEFORE INSERT OR UPDATE OF quest_id, psychologist_id, status, is_approved ON app_public.psychologist_reviews FOR EACH ROW WHEN ((new.psychologist_id IS NOT NULL)) EXECUTE FUNCTION app_private.tg_psychologist_reviews__not_by_the_author();

CREATE OR REPLACE FUNCTION app_private.tg_quest_ratings__not_by_the_author()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.user_id) then
    raise exception 'Nobody rates their own quest.'
      using errcode = 'check_violation', constraint = 'quest_ratings_not_by_the_author',
            table = 'quest_ratings', column = 'quest_id';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_quest_ratings__not_by_the_author() is 'BEFORE INSERT or UPDATE OF quest_id, user_id of quest_ratings while a user acts (app.user_id set: GraphQL, direct SQL, functions): refuses (23514, constraint quest_ratings_not_by_the_author) a rating by the quest''s author. Seeds and fixtures, run with nobody acting, are not checked. Issue 15, section 1.';

CREATE OR REPLACE TRIGGER _110_not_by_the_author BEFORE INSERT OR UPDATE OF quest_id, user_id ON app_public.quest_ratings FOR EACH ROW WHEN ((app_public.current_user_id() IS NOT NULL)) EXECUTE FUNCTION app_private.tg_quest_ratings__not_by_the_author();

CREATE OR REPLACE FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  if new.status = 'completed' and old.status is distinct from 'completed'
     and exists (select 1 from app_public.quests q
                 where q.id = new.quest_id and q.updated_at > coalesce(old.started_at, old.created_at)) then
    raise exception 'The quest changed after this review started: read it again (set started_at) before completing the review.'
      using errcode = 'STALE', table = 'psychologist_reviews';
  end if;
  return new;
end;
$function$;
comment on function app_private.tg_psychologist_reviews__quest_unchanged_since_start() is 'BEFORE UPDATE OF status on psychologist_reviews: refuses (SQLSTATE STALE) to complete a review whose quest was edited after the review''s start as recorded before this update (started_at, else the request''s created_at), so a review approves only what the psychologist could have read. Issue 15, section 1.';

CREATE OR REPLACE TRIGGER _120_quest_unchanged_since_start BEFORE UPDATE OF status ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start();
