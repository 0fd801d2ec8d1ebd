-- Synthetic data at `seed.scale` × the seed's capacity (1,000 users, 10,000
-- quests, 100,000 play records per unit), set-based, run step by step by
-- synthetic.ts as a superuser with session_replication_role = replica: no
-- trigger fires, so what the triggers would derive (child_privacy rows, YAML,
-- quest_nodes) is written here directly. Steps marked "chunked" run once per
-- chunk (`seed.chunk` of `seed.chunks`) so progress can be shown.
-- Every synthetic user's email ends in @synthetic.invalid.

-- step: check the database holds no synthetic data yet
do $$
begin
  if exists (select 1 from app_public.users where email like '%@synthetic.invalid') then
    raise exception 'This database already holds synthetic data: seed an empty one (a fresh DATA_DIR, or drop and re-create the database).';
  end if;
end;
$$;

-- step: users (40% parents with one or two children, 3% psychologists, 1% admins)
create temporary table s_parents as
  select n, gen_random_uuid() as id from generate_series(1, 400 * current_setting('seed.scale')::int) as n;
create temporary table s_children as
  select n, gen_random_uuid() as id, (n - 1) % (400 * current_setting('seed.scale')::int) + 1 as parent_n
  from generate_series(1, 560 * current_setting('seed.scale')::int) as n;
create temporary table s_psychologists as
  select n, gen_random_uuid() as id from generate_series(1, 30 * current_setting('seed.scale')::int) as n;
create unique index on s_parents (n);
create unique index on s_children (n);
create unique index on s_children (id);
create unique index on s_psychologists (n);
insert into app_public.users (id, kind, display_name, email, parent_name, primary_track, recovery_week, recovery_day, mode, created_at)
  select id, 'parent', 'Parent ' || n, 'parent' || n || '@synthetic.invalid', 'Parent ' || n,
         (array['self_work', 'child_connection', 'negotiation', 'community'])[1 + n % 4]::app_public.track_type,
         n % 52, 1 + n % 7, 'therapeutic', now() - make_interval(days => n % 400)
  from s_parents;
insert into app_public.users (id, kind, display_name, email, child_name, child_age, mode, created_at)
  select id, 'child', 'Child ' || n, 'child' || n || '@synthetic.invalid', 'Child ' || n, 5 + n % 12, 'educational',
         now() - make_interval(days => n % 400)
  from s_children;
insert into app_public.users (id, kind, display_name, email)
  select id, 'psychologist', 'Psychologist ' || n, 'psychologist' || n || '@synthetic.invalid' from s_psychologists;
insert into app_public.users (kind, display_name, email)
  select 'admin', 'Moderator ' || n, 'admin' || n || '@synthetic.invalid'
  from generate_series(1, 10 * current_setting('seed.scale')::int) as n;

-- step: families and consents (every combination of the six flags occurs)
insert into app_public.family_links (parent_id, child_id)
  select p.id, c.id from s_children c join s_parents p on p.n = c.parent_n;
insert into app_public.child_privacy (child_id, share_progress, share_educational_progress, share_play_frequency,
                                      share_quest_details, share_emotional_state, share_analytics,
                                      consent_given_by_child, consent_version, consent_timestamp)
  select id, (n & 1) > 0, (n & 2) > 0, (n & 4) > 0, (n & 8) > 0, (n & 16) > 0, (n & 32) > 0 or n % 3 = 0,
         n % 7 <> 0, case when n % 7 <> 0 then '1.0' end, case when n % 7 <> 0 then now() - make_interval(days => n % 30) end
  from s_children;

-- step: quest graph templates (3, 5 and 8 nodes)
create temporary table s_templates as
  select t, jsonb_build_object(
           'nodes', (select jsonb_agg(jsonb_build_object(
                        'id', 'n' || i,
                        'type', case when i = 1 then 'story' when i = k then 'reveal' when i % 2 = 0 then 'question' else 'story' end,
                        'position', jsonb_build_object('x', i * 120, 'y', 0),
                        'data', jsonb_build_object('text', 'Step ' || i)) order by i)
                     from generate_series(1, k) as i),
           'edges', (select coalesce(jsonb_agg(jsonb_build_object('id', 'e' || i, 'source', 'n' || i, 'target', 'n' || (i + 1)) order by i), '[]')
                     from generate_series(1, k - 1) as i)) as graph,
         k as node_count
  from (values (0, 3), (1, 5), (2, 8)) as v(t, k);
alter table s_templates add column yaml text;
update s_templates set yaml = app_hidden.quest_yaml('__TITLE__', graph);

-- step: quests (80% personal for a linked child, 20% public; every status)
create temporary table s_quests as
  select q.n, gen_random_uuid() as id, p.id as author_id, p.n as author_n, q.n % 3 as template,
         case when q.n % 5 = 0 then null
              else (select c.id from s_children c where c.n = case when q.n % 2 = 0 and p.n <= 160 * current_setting('seed.scale')::int
                                                                  then p.n + 400 * current_setting('seed.scale')::int else p.n end) end as child_id,
         q.n % 20 as mix
  from generate_series(1, 10000 * current_setting('seed.scale')::int) as q(n)
  join s_parents p on p.n = (q.n - 1) % (400 * current_setting('seed.scale')::int) + 1;
create index on s_quests (child_id);
create unique index on s_quests (id);
insert into app_public.quests (id, author_id, child_id, title, description, graph_structure, yaml_content, psychological_module,
                               location, difficulty, age_range, estimated_duration, tags, is_public, status, moderation_status,
                               moderated_at, psychologist_reviewed, deployed_at, published_at, deleted_at, created_at)
  select q.id, q.author_id, q.child_id, 'Quest ' || q.n, 'A synthetic quest', t.graph,
         replace(t.yaml, 'title: "__TITLE__"', 'title: ' || to_jsonb('Quest ' || q.n)::text),
         (array['IFS_Level1', 'DBT_Basics', 'Emotional_Literacy'])[1 + q.n % 3],
         (array['tower_confusion', 'forest_memory', 'river_of_time'])[1 + q.n % 3],
         (array['beginner', 'intermediate', 'advanced'])[1 + q.n % 3]::app_public.quest_difficulty,
         (array['5-7', '7-9', '10-12'])[1 + q.n % 3], 10 + q.n % 50,
         array[(array['math', 'logic', 'family', 'emotions'])[1 + q.n % 4]],
         q.child_id is null, s.status::app_public.quest_status, s.moderation::app_public.moderation_status,
         case when s.moderation <> 'pending' then now() - make_interval(days => q.n % 90) end,
         q.child_id is null and s.moderation = 'approved' and q.n % 10 <> 5,
         case when s.status = 'deployed' then now() - make_interval(days => q.n % 90) end,
         case when q.child_id is null then now() - make_interval(days => q.n % 90) end,
         case when s.status = 'deleted' then now() - make_interval(days => q.n % 30) end,
         now() - make_interval(days => 90 + q.n % 300)
  from s_quests q
  join s_templates t on t.t = q.template
  cross join lateral (
    select case when q.child_id is null then
                  case when q.mix < 14 then 'draft' when q.mix < 17 then 'archived' when q.mix < 19 then 'draft' else 'deleted' end
                else case when q.mix < 12 then 'deployed' when q.mix < 15 then 'draft' when q.mix < 17 then 'draft'
                          when q.mix < 18 then 'archived' else 'deleted' end end as status,
           case when q.child_id is null then
                  case when q.mix < 14 then 'approved' when q.mix < 17 then 'approved' when q.mix < 19 then 'pending' else 'approved' end
                else case when q.mix < 12 then 'approved' when q.mix < 15 then 'pending' when q.mix < 17 then 'rejected'
                          when q.mix < 18 then 'approved' else 'flagged' end end as moderation
  ) as s;
insert into app_public.quest_nodes (quest_id, node_key, node_type, position, data)
  select q.id, node ->> 'id', node ->> 'type', (ord - 1)::int, node -> 'data'
  from s_quests q join s_templates t on t.t = q.template,
       jsonb_array_elements(t.graph -> 'nodes') with ordinality as e(node, ord);

-- step: the marketplace (public approved quests), psychologist reviews, ratings and libraries
create temporary table s_public as
  select row_number() over (order by q.id) as n, q.id, q.author_id, t.node_count
  from app_public.quests q join s_quests s on s.id = q.id join s_templates t on t.t = s.template
  where q.is_public and q.moderation_status = 'approved' and q.status <> 'deleted';
create unique index on s_public (n);
insert into app_public.psychologist_reviews (quest_id, psychologist_id, parent_id, status, emotional_safety_score,
                                             therapeutic_correctness_score, age_appropriateness_score, reveal_timing_score,
                                             overall_rating, is_approved, requested_at, started_at, completed_at)
  select q.id, ps.id, q.author_id, 'completed', 4 + sp.n % 2, 4, 5, 4, 4, true,
         now() - interval '100 days', now() - interval '99 days', now() - interval '98 days'
  from s_public sp join app_public.quests q on q.id = sp.id
  join s_psychologists ps on ps.n = sp.n % (30 * current_setting('seed.scale')::int) + 1
  where q.psychologist_reviewed;
update app_public.quests q set psychologist_review_id = r.id, reviewed_at = r.completed_at
  from app_public.psychologist_reviews r where r.quest_id = q.id and r.status = 'completed';
insert into app_public.quest_ratings (user_id, quest_id, rating, created_at)
  select p.id, sp.id, 1 + (p.n * 7 + j) % 5, now() - make_interval(days => j)
  from s_parents p cross join generate_series(1, 50) as j
  join s_public sp on sp.n = (p.n * 31 + j * 17) % (select count(*) from s_public) + 1
  on conflict on constraint quest_ratings_one_per_user_and_quest do nothing;
insert into app_public.user_quest_library (user_id, quest_id, folder)
  select p.id, sp.id, (array['favorites', 'in_progress', 'completed'])[1 + j % 3]
  from s_parents p cross join generate_series(1, 25) as j
  join s_public sp on sp.n = (p.n * 13 + j * 29) % (select count(*) from s_public) + 1
  on conflict do nothing;

-- step: play, chunked: each child's deployed personal quests and ~170 public ones
insert into app_public.quest_progress (child_id, quest_id, current_node_id, current_step, nodes_completed, total_nodes,
                                       completion_percentage, completed, completed_at, xp_earned, badges_earned,
                                       reveal_moments_viewed, educational_progress, session_count, total_time_minutes,
                                       started_at, last_played_at)
  select child_id, quest_id, 'n' || greatest(done, 1), done, done, node_count, done * 100 / node_count,
         done = node_count, case when done = node_count then started + make_interval(mins => 5 + h % 60) end,
         done * 25, case when done = node_count then array['finisher'] else '{}' end,
         case when done = node_count then 1 else 0 end,
         jsonb_build_object('reading', h % 10, 'math', (h / 10) % 10), 1 + h % 9, (1 + h % 9) * 7.5,
         started, started + make_interval(mins => 5 + h % 120)
  from (
    select c.id as child_id, plays.quest_id, plays.node_count, plays.h,
           least(plays.node_count, plays.h % (plays.node_count + 2)) as done,
           now() - make_interval(days => plays.h % 60, mins => plays.h % 1440) as started
    from s_children c
    cross join lateral (
      select q.id as quest_id, t.node_count, (hashint4(c.n * 31 + q.n) & 2147483647) as h
      from s_quests q join s_templates t on t.t = q.template
      join app_public.quests aq on aq.id = q.id and aq.status = 'deployed'
      where q.child_id = c.id
      union all
      select sp.id, sp.node_count, (hashint4(c.n * 7919 + j) & 2147483647)
      from generate_series(1, 170) as j
      join s_public sp on sp.n = (c.n * 7919 + j) % (select count(*) from s_public) + 1
    ) as plays
    where c.n % current_setting('seed.chunks')::int = current_setting('seed.chunk')::int
  ) as p
  on conflict on constraint quest_progress_one_per_child_and_quest do nothing;

-- step: play events, chunked: one per play, at a node of the quest (no payload: synthetic children type nothing)
insert into app_public.child_progress (child_id, quest_id, node_key, event_type, duration_seconds, xp_earned, occurred_at)
  select p.child_id, p.quest_id, 'n' || (1 + h % p.total_nodes),
         (array['node_entered', 'node_completed', 'choice_made', 'hint_used', 'reveal_viewed'])[1 + h % 5]::app_public.play_event_type,
         10 + h % 300, h % 50, p.last_played_at
  from app_public.quest_progress p
  join s_children c on c.id = p.child_id
  cross join lateral (select (hashtext(p.id::text) & 2147483647) as h) as x
  where c.n % current_setting('seed.chunks')::int = current_setting('seed.chunk')::int and p.total_nodes > 0;

-- step: per-quest consent overrides (one play in twenty)
insert into app_public.quest_privacy (child_id, quest_id, share_progress, share_analytics, share_play_frequency, consent_version, consent_timestamp)
  select p.child_id, p.quest_id, h % 2 = 0, h % 3 = 0, h % 5 = 0, '1.0', now() - make_interval(days => h % 30)
  from app_public.quest_progress p
  join s_children c on c.id = p.child_id
  cross join lateral (select (hashtext(p.id::text || 'privacy') & 2147483647) as h) as x
  where h % 20 = 0;

-- step: the parents' own work: sessions, messages, letters, goals, tracks, snapshots, projects, notifications
-- (P2 values encrypted here, as the triggers would: with the master key synthetic.ts gives the transaction)
insert into app_public.therapy_sessions (user_id, status, topic, mood_before, mood_after, state, state_encrypted, summary_encrypted, started_at, ended_at)
  select p.id, 'ended', 'Week ' || j, 1 + (p.n + j) % 10, 1 + (p.n + j + 2) % 10,
         null, app_private.encrypt_p2(p.id, '{}'), app_private.encrypt_p2(p.id, 'A synthetic session'),
         now() - make_interval(days => j * 7), now() - make_interval(days => j * 7) + interval '40 minutes'
  from s_parents p cross join generate_series(1, 3) as j;
insert into app_public.messages (user_id, session_id, role, content_encrypted, created_at)
  select s.user_id, s.id, (array['user', 'assistant'])[1 + j % 2]::app_public.message_role,
         app_private.encrypt_p2(s.user_id, 'Message ' || j), s.started_at + make_interval(mins => j)
  from app_public.therapy_sessions s join s_parents p on p.id = s.user_id cross join generate_series(1, 4) as j;
insert into app_public.letters (user_id, child_id, title, content, content_encrypted, status, sent_at, created_at)
  select p.id, c.id, 'Letter ' || j, null, app_private.encrypt_p2(p.id, 'Dear child, ...'),
         (array['draft', 'sent'])[1 + j % 2]::app_public.letter_status,
         case when j % 2 = 1 then now() - make_interval(days => j) end, now() - make_interval(days => j * 3)
  from s_parents p join s_children c on c.n = p.n cross join generate_series(1, 2) as j;
insert into app_public.goals (user_id, track_type, title, status, progress, completed_at)
  select p.id, (array['self_work', 'child_connection'])[j]::app_public.track_type, 'Goal ' || j,
         (array['active', 'completed'])[1 + (p.n + j) % 2]::app_public.goal_status,
         case when (p.n + j) % 2 = 1 then 100 else (p.n * j) % 100 end,
         case when (p.n + j) % 2 = 1 then now() - make_interval(days => p.n % 30) end
  from s_parents p cross join generate_series(1, 2) as j;
insert into app_public.user_tracks (user_id, track_type, total_actions, total_activities, completed_activities, completion_percentage, last_activity_at)
  select p.id, t.track, 25, 20, p.n % 20, (p.n % 20) * 5, now() - make_interval(days => p.n % 7)
  from s_parents p cross join (values ('child_connection'::app_public.track_type), ('self_work')) as t(track);
insert into app_public.metrics_snapshots (user_id, snapshot_date, mood_average, sessions_count, messages_count, letters_written, goals_completed, quests_created)
  select p.id, current_date - j, 1 + (p.n + j) % 10, j % 2, j % 5, j % 2, 0, j % 3
  from s_parents p cross join generate_series(1, 7) as j;
insert into app_public.creative_projects (user_id, project_type, quest_id, status, progress, completed_at)
  select q.author_id, 'quest', q.id, 'completed', 100, now() - interval '1 day'
  from s_quests q where q.n % 4 = 0;
insert into app_public.notifications (user_id, kind, title, created_at)
  select p.id, 'milestone', 'Keep going', now() - make_interval(days => j)
  from s_parents p cross join generate_series(1, 2) as j;

-- step: planner statistics
analyze;
