-- One believable family for development (npm run db:seed -- --scale 0): a parent
-- with tracks, letters, goals and sessions, a child with privacy settings, quests
-- in every status, some play, a psychologist with a review, and an admin who
-- moderates (docs/graphql.md). Fixed ids, so the README's token commands work;
-- re-running changes nothing (on conflict do nothing).
insert into app_public.users (id, kind, display_name, parent_name, email, telegram_id, mode, primary_track, recovery_week, recovery_day, data_consent)
values ('a0000000-0000-4000-8000-000000000001', 'parent', 'Anna', 'Anna Petrova', 'anna@example.org', 100000001, 'therapeutic', 'child_connection', 3, 2, true)
on conflict do nothing;
insert into app_public.users (id, kind, display_name, child_name, child_age, learning_profile, mode)
values ('c0000000-0000-4000-8000-000000000001', 'child', 'Misha', 'Misha', 9,
        '{"visual_preference": 0.7, "logical_preference": 0.6, "attention_span": "medium", "difficulties": ["attention"], "strengths": ["creativity", "logic"]}',
        'educational')
on conflict do nothing;
insert into app_public.users (id, kind, display_name, email)
values ('b0000000-0000-4000-8000-000000000001', 'psychologist', 'Dr. Ivanova', 'ivanova@example.org')
on conflict do nothing;
insert into app_public.users (id, kind, display_name, email)
values ('ad000000-0000-4000-8000-000000000001', 'admin', 'Admin Orlov', 'admin@example.org')
on conflict do nothing;
insert into app_public.family_links (parent_id, child_id)
values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001')
on conflict do nothing;

-- Misha's privacy row exists already (made, all off, by the users trigger _500_create_child_privacy),
-- so his consent is an update, as the app makes it; its trigger appends the consent_events. Guarded so a
-- re-run changes nothing.
update app_public.child_privacy
set share_progress = true, share_play_frequency = true, consent_given_by_child = true, consent_version = '1.0'
where child_id = 'c0000000-0000-4000-8000-000000000001' and not consent_given_by_child;

-- Quests in every status: a deployed one for Misha, a draft, an archived one, a deleted one, a public approved one.
insert into app_public.quests (id, author_id, child_id, title, description, graph_structure, psychological_module, location, difficulty, age_range, estimated_duration, tags,
                               status, moderation_status, moderated_at, deployed_at, deleted_at, is_public, published_at)
select q.id::uuid, 'a0000000-0000-4000-8000-000000000001', q.child_id::uuid, q.title, q.description,
       '{"nodes": [{"id": "start", "type": "story", "data": {"text": "A letter waits at the tower gate."}},
                   {"id": "riddle", "type": "question", "data": {"text": "What has keys but opens no locks?"}},
                   {"id": "reveal", "type": "reveal", "data": {"text": "Dad remembers our piano evenings."}}],
         "edges": [{"id": "e1", "source": "start", "target": "riddle"}, {"id": "e2", "source": "riddle", "target": "reveal", "label": "solved"}]}',
       'Emotional_Literacy', 'tower_confusion', 'beginner', '7-9', 15, q.tags::text[],
       q.status::app_public.quest_status, q.moderation::app_public.moderation_status,
       case when q.moderation <> 'pending' then now() - interval '20 days' end,
       case when q.status = 'deployed' then now() - interval '19 days' end,
       case when q.status = 'deleted' then now() - interval '5 days' end,
       q.is_public, case when q.is_public then now() - interval '18 days' end
from (values
  ('d0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'The piano in the tower', 'A riddle quest about music at home.', '{music,family}', 'deployed', 'approved', false),
  ('d0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'Forest of memories', 'Still being written.', '{memory}', 'draft', 'pending', false),
  ('d0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001', 'The old bridge', 'Played last summer.', '{logic}', 'archived', 'approved', false),
  ('d0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000001', 'A quest started by mistake', null, '{}', 'deleted', 'rejected', false),
  ('d0000000-0000-4000-8000-000000000005', null, 'Numbers at the castle', 'A public math quest for 7-9 year olds.', '{math,logic}', 'draft', 'approved', true)
) as q(id, child_id, title, description, tags, status, moderation, is_public)
on conflict do nothing;

insert into app_public.psychologist_reviews (id, quest_id, psychologist_id, parent_id, status, emotional_safety_score, therapeutic_correctness_score,
                                             age_appropriateness_score, reveal_timing_score, overall_rating, is_approved, feedback_text, strengths, completed_at)
values ('f0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000005', 'b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001',
        'completed', 5, 4, 5, 4, 5, true, 'Warm and age-appropriate.', '{"Good pacing"}', now() - interval '18 days')
on conflict do nothing;
-- (The completed review marks its quest reviewed itself: trigger on psychologist_reviews.)

-- Misha shares completion by default, but not for the archived quest.
insert into app_public.quest_privacy (child_id, quest_id, consent_version, consent_timestamp)
values ('c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000003', '1.0', now() - interval '9 days')
on conflict do nothing;

-- Misha's play of the deployed quest.
insert into app_public.quest_progress (id, child_id, quest_id, current_node_id, current_step, nodes_completed, total_nodes, completion_percentage, completed,
                                       xp_earned, badges_earned, reveal_moments_viewed, session_count, total_time_minutes, started_at, completed_at, last_played_at)
values ('70000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', 'reveal', 3, 3, 3, 100, true,
        150, '{first_quest}', 1, 2, 22.5, now() - interval '15 days', now() - interval '14 days', now() - interval '14 days')
on conflict do nothing;
insert into app_public.child_progress (id, child_id, quest_id, node_key, event_type, duration_seconds, xp_earned, occurred_at)
select ('71000000-0000-4000-8000-00000000000' || n)::uuid, 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', node, event::app_public.play_event_type, secs, xp,
       now() - interval '15 days' + n * interval '5 minutes'
from (values (1, 'start', 'node_completed', 60, 10), (2, 'riddle', 'hint_used', null, 0), (3, 'riddle', 'node_completed', 420, 100), (4, 'reveal', 'reveal_viewed', 90, 40))
  as e(n, node, event, secs, xp)
on conflict do nothing;
insert into app_public.achievements (id, child_id, quest_id, achievement_type, title, badge, xp_reward, unlocked_at)
values ('72000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', 'first_quest', 'First quest finished!', 'star', 50, now() - interval '14 days')
on conflict do nothing;
-- A personal quest: one child, so nothing is released across children (docs/privacy.md).
insert into app_public.quest_analytics (quest_id, total_nodes)
values ('d0000000-0000-4000-8000-000000000001', 3)
on conflict do nothing;

-- Anna's recovery work.
insert into app_public.user_tracks (id, user_id, track_type, current_phase, completion_percentage, total_actions, total_activities, completed_activities, milestones_completed, last_activity_at)
values ('73000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'child_connection', 'expression', 40, 6, 10, 4, '{first_quest}', now() - interval '2 days'),
       ('73000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', 'self_work', 'awareness', 70, 9, 12, 8, '{}', now() - interval '1 day')
on conflict do nothing;
insert into app_public.milestones (id, user_id, track_id, milestone_type, title, xp_reward, badge, achieved_at)
values ('74000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', '73000000-0000-4000-8000-000000000001', 'first_quest', 'Your first quest!', 100, 'quest_maker', now() - interval '20 days')
on conflict do nothing;
insert into app_public.letters (id, user_id, child_id, title, content, status)
values ('75000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'For your birthday', 'Dear Misha, ...', 'finished')
on conflict do nothing;
insert into app_public.goals (id, user_id, track_type, title, specific, measurable, achievable, relevant, time_bound, progress)
values ('76000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'child_connection', 'A quest every month',
        'Build one personal quest for Misha each month', 'One deployed quest per calendar month', 'The builder takes under an hour',
        'Keeps a warm channel open', current_date + 90, 33)
on conflict do nothing;
insert into app_public.creative_projects (id, user_id, project_type, quest_id, letter_id, goal_id, status, progress, completed_at)
values ('77000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'quest', 'd0000000-0000-4000-8000-000000000001', null, null, 'completed', 100, now() - interval '19 days'),
       ('77000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', 'letter', null, '75000000-0000-4000-8000-000000000001', null, 'in_progress', 80, null),
       ('77000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000001', 'goal', null, null, '76000000-0000-4000-8000-000000000001', 'in_progress', 33, null)
on conflict do nothing;
insert into app_public.psychological_profiles (user_id, emotional_trends, primary_coping_strategies, triggers, communication_style, quests_created, child_engagement)
values ('a0000000-0000-4000-8000-000000000001', '[{"week": 1, "mood": 4}, {"week": 3, "mood": 6}]', '["journaling", "walks"]', '["court dates"]', 'reflective', 4, 0.6)
on conflict do nothing;
insert into app_public.therapy_sessions (id, user_id, status, topic, mood_before, mood_after, summary, started_at, ended_at)
values ('78000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'ended', 'Preparing the birthday letter', 4, 6, 'Worked on what to say.', now() - interval '3 days', now() - interval '3 days' + interval '40 minutes')
on conflict do nothing;
insert into app_public.messages (id, user_id, session_id, role, content, created_at)
values ('79000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', '78000000-0000-4000-8000-000000000001', 'user', 'I do not know how to start the letter.', now() - interval '3 days'),
       ('79000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000001', '78000000-0000-4000-8000-000000000001', 'assistant', 'Start with a memory you share.', now() - interval '3 days' + interval '1 minute')
on conflict do nothing;
insert into app_public.metrics_snapshots (user_id, snapshot_date, mood_average, sessions_count, messages_count, letters_written, goals_completed, quests_created)
values ('a0000000-0000-4000-8000-000000000001', current_date - 1, 5.5, 1, 2, 1, 0, 1)
on conflict do nothing;
insert into app_public.quest_builder_sessions (id, user_id, current_stage, conversation_history, quest_context)
values ('7a000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'collecting_info',
        '[{"role": "assistant", "content": "Who is the quest for?"}, {"role": "user", "content": "Misha, he is 9."}]',
        '{"child_name": "Misha", "child_age": 9, "child_interests": ["music", "puzzles"]}')
on conflict do nothing;
-- Rated by the psychologist: nobody rates their own quest (_110_not_by_the_author), and the family's one parent wrote them all.
insert into app_public.quest_ratings (user_id, quest_id, rating, review_text)
values ('b0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000005', 5, 'Gentle pacing; the reveal is well timed.')
on conflict do nothing;
insert into app_public.user_quest_library (user_id, quest_id, folder)
values ('a0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000005', 'favorites')
on conflict do nothing;
insert into app_public.notifications (id, user_id, kind, title, data)
values ('7b000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'quest_completed', 'Misha finished "The piano in the tower"',
        '{"quest_id": "d0000000-0000-4000-8000-000000000001"}')
on conflict do nothing;
