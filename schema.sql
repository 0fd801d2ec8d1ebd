-- Schema of a freshly migrated database (npm run db:dump), PostgreSQL 15

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app_hidden; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA app_hidden;

ALTER SCHEMA app_hidden OWNER TO app_owner;

--
-- Name: SCHEMA app_hidden; Type: COMMENT; Schema: -; Owner: app_owner
--

COMMENT ON SCHEMA app_hidden IS 'Helpers the app roles may execute (from policies) but GraphQL does not expose; no tables.';

--
-- Name: app_jobs; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA app_jobs;

ALTER SCHEMA app_jobs OWNER TO app_owner;

--
-- Name: SCHEMA app_jobs; Type: COMMENT; Schema: -; Owner: app_owner
--

COMMENT ON SCHEMA app_jobs IS 'The worker''s entry points: security-definer job functions, executable by app_worker only.';

--
-- Name: app_ops; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA app_ops;

ALTER SCHEMA app_ops OWNER TO app_owner;

--
-- Name: SCHEMA app_ops; Type: COMMENT; Schema: -; Owner: app_owner
--

COMMENT ON SCHEMA app_ops IS 'What the API itself runs as app_authenticator: health and metrics figures, and marking a signed-in user active. Functions only.';

--
-- Name: app_private; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA app_private;

ALTER SCHEMA app_private OWNER TO app_owner;

--
-- Name: SCHEMA app_private; Type: COMMENT; Schema: -; Owner: app_owner
--

COMMENT ON SCHEMA app_private IS 'Internals no app role may read (audit log, helpers).';

--
-- Name: app_public; Type: SCHEMA; Schema: -; Owner: app_owner
--

CREATE SCHEMA app_public;

ALTER SCHEMA app_public OWNER TO app_owner;

--
-- Name: SCHEMA app_public; Type: COMMENT; Schema: -; Owner: app_owner
--

COMMENT ON SCHEMA app_public IS 'Served by GraphQL; every table under row-level security.';

--
-- Name: builder_stage; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.builder_stage AS ENUM (
    'greeting',
    'collecting_info',
    'clarifying',
    'generating',
    'reviewing',
    'quest_ready'
);

ALTER TYPE app_public.builder_stage OWNER TO app_owner;

--
-- Name: TYPE builder_stage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.builder_stage IS 'The stage of an AI quest-builder conversation.';

--
-- Name: child_summary; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.child_summary AS (
	id uuid,
	display_name text
);

ALTER TYPE app_public.child_summary OWNER TO app_owner;

--
-- Name: TYPE child_summary; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.child_summary IS 'What a parent sees of a linked child''s user row.';

--
-- Name: COLUMN child_summary.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_summary.id IS 'The child''s user id.';

--
-- Name: COLUMN child_summary.display_name; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_summary.display_name IS 'The child''s display name.';

--
-- Name: creative_project_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.creative_project_status AS ENUM (
    'in_progress',
    'completed',
    'abandoned'
);

ALTER TYPE app_public.creative_project_status OWNER TO app_owner;

--
-- Name: TYPE creative_project_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.creative_project_status IS 'Where a creative project stands.';

--
-- Name: creative_project_type; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.creative_project_type AS ENUM (
    'quest',
    'letter',
    'goal'
);

ALTER TYPE app_public.creative_project_type OWNER TO app_owner;

--
-- Name: TYPE creative_project_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.creative_project_type IS 'What a creative project is: a quest, a letter or a goal.';

--
-- Name: data_deletion_ticket; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.data_deletion_ticket AS (
	request_id uuid,
	verification_code text,
	expires_at timestamp with time zone
);

ALTER TYPE app_public.data_deletion_ticket OWNER TO app_owner;

--
-- Name: TYPE data_deletion_ticket; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.data_deletion_ticket IS 'A pending erasure request and the one-time code that confirms it.';

--
-- Name: COLUMN data_deletion_ticket.request_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_ticket.request_id IS 'The request to confirm.';

--
-- Name: COLUMN data_deletion_ticket.verification_code; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_ticket.verification_code IS 'Give it to the user only (their Telegram chat, the child''s app screen); it is not stored. 10 characters without 0, O, 1, I or L, as XXXXX-XXXXX; typed back in any case, spaces and hyphens ignored.';

--
-- Name: COLUMN data_deletion_ticket.expires_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_ticket.expires_at IS 'The code works until then (24 hours).';

--
-- Name: deletion_request_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.deletion_request_status AS ENUM (
    'pending',
    'verified',
    'processing',
    'completed',
    'rejected'
);

ALTER TYPE app_public.deletion_request_status OWNER TO app_owner;

--
-- Name: TYPE deletion_request_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.deletion_request_status IS 'A GDPR erasure request: requested, verified by the user, being processed, done, or refused.';

--
-- Name: goal_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.goal_status AS ENUM (
    'active',
    'completed',
    'abandoned'
);

ALTER TYPE app_public.goal_status OWNER TO app_owner;

--
-- Name: TYPE goal_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.goal_status IS 'Where a SMART goal stands.';

--
-- Name: letter_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.letter_status AS ENUM (
    'draft',
    'finished',
    'sent'
);

ALTER TYPE app_public.letter_status OWNER TO app_owner;

--
-- Name: TYPE letter_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.letter_status IS 'A parent''s letter: being written, finished (kept), or sent.';

--
-- Name: message_role; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.message_role AS ENUM (
    'user',
    'assistant',
    'system'
);

ALTER TYPE app_public.message_role OWNER TO app_owner;

--
-- Name: TYPE message_role; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.message_role IS 'Who wrote a chat message.';

--
-- Name: moderation_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.moderation_status AS ENUM (
    'pending',
    'approved',
    'rejected',
    'flagged'
);

ALTER TYPE app_public.moderation_status OWNER TO app_owner;

--
-- Name: TYPE moderation_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.moderation_status IS 'Automatic and human moderation of a quest''s content.';

--
-- Name: play_event_type; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.play_event_type AS ENUM (
    'node_entered',
    'node_completed',
    'choice_made',
    'hint_used',
    'reveal_viewed'
);

ALTER TYPE app_public.play_event_type OWNER TO app_owner;

--
-- Name: TYPE play_event_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.play_event_type IS 'What happened at a quest node while the child played.';

--
-- Name: quest_analytics_result; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.quest_analytics_result AS (
	quest_id uuid,
	consent_status text,
	children_count integer,
	total_starts integer,
	total_completions integer,
	completion_rate double precision,
	avg_completion_time integer,
	nodes_completed integer,
	total_nodes integer,
	completion_percentage integer,
	last_played timestamp with time zone,
	play_count integer,
	total_time_minutes double precision,
	educational_progress jsonb,
	avg_xp_earned double precision,
	reveal_view_rate double precision
);

ALTER TYPE app_public.quest_analytics_result OWNER TO app_owner;

--
-- Name: TYPE quest_analytics_result; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.quest_analytics_result IS 'Aggregates of a quest''s play as a parent may see them: a figure the child did not consent to share is null.';

--
-- Name: COLUMN quest_analytics_result.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.quest_id IS 'The quest.';

--
-- Name: COLUMN quest_analytics_result.consent_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.consent_status IS 'consented, partially_consented, not_consented (show "Child hasn''t consented"), too_few_children (no cross-child figure released: fewer than 5 children with a real family consented to any kind), or not_found (no such quest of yours, or your personal quest''s child is no longer linked to you).';

--
-- Name: COLUMN quest_analytics_result.children_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.children_count IS 'How many children the figures cover: 1 for a personal quest; across children, a noisy count of the children counted in at least one released figure (null unless at least one figure is shown).';

--
-- Name: COLUMN quest_analytics_result.total_starts; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.total_starts IS 'Plays started (completion consent); across children, noisy.';

--
-- Name: COLUMN quest_analytics_result.total_completions; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.total_completions IS 'Plays completed (completion consent); across children, noisy.';

--
-- Name: COLUMN quest_analytics_result.completion_rate; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.completion_rate IS 'Completions / starts, 0-1 (completion consent); across children, from noisy counts.';

--
-- Name: COLUMN quest_analytics_result.avg_completion_time; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.avg_completion_time IS 'Average seconds to complete (completion consent); across children, from a noisy sum (each child capped at 4 hours).';

--
-- Name: COLUMN quest_analytics_result.nodes_completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.nodes_completed IS 'Nodes completed (completion consent): the child''s; across children, the noisy average per child.';

--
-- Name: COLUMN quest_analytics_result.total_nodes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.total_nodes IS 'Nodes in the quest.';

--
-- Name: COLUMN quest_analytics_result.completion_percentage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.completion_percentage IS 'Percent complete, 0-100 (completion consent).';

--
-- Name: COLUMN quest_analytics_result.last_played; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.last_played IS 'When the child last played (play-frequency consent); never released across children (null).';

--
-- Name: COLUMN quest_analytics_result.play_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.play_count IS 'Play sessions (play-frequency consent); across children, a noisy sum (each child capped at 50).';

--
-- Name: COLUMN quest_analytics_result.total_time_minutes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.total_time_minutes IS 'Minutes played (play-frequency consent); across children, a noisy sum (each child capped at 600).';

--
-- Name: COLUMN quest_analytics_result.educational_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.educational_progress IS 'Educational progress by skill (educational consent); a single child''s only, never released across children.';

--
-- Name: COLUMN quest_analytics_result.avg_xp_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.avg_xp_earned IS 'Average XP per play (analytics consent); across children, from a noisy sum (each child capped at 1000).';

--
-- Name: COLUMN quest_analytics_result.reveal_view_rate; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics_result.reveal_view_rate IS 'Share of plays that reached a reveal moment (analytics consent); across children, from noisy counts.';

--
-- Name: quest_difficulty; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.quest_difficulty AS ENUM (
    'beginner',
    'intermediate',
    'advanced'
);

ALTER TYPE app_public.quest_difficulty OWNER TO app_owner;

--
-- Name: TYPE quest_difficulty; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.quest_difficulty IS 'How hard a quest is.';

--
-- Name: quest_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.quest_status AS ENUM (
    'draft',
    'deployed',
    'archived',
    'deleted'
);

ALTER TYPE app_public.quest_status OWNER TO app_owner;

--
-- Name: TYPE quest_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.quest_status IS 'A quest''s life: draft (being built), deployed (in the child''s app), archived, deleted (soft delete: rows and analytics are kept).';

--
-- Name: recommendation; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.recommendation AS (
	code text,
	message text
);

ALTER TYPE app_public.recommendation OWNER TO app_owner;

--
-- Name: TYPE recommendation; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.recommendation IS 'A suggestion for the parent, derived from their profile by documented rules.';

--
-- Name: COLUMN recommendation.code; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.recommendation.code IS 'Stable identifier of the rule that produced it.';

--
-- Name: COLUMN recommendation.message; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.recommendation.message IS 'The suggestion, for display.';

--
-- Name: review_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.review_status AS ENUM (
    'pending',
    'in_progress',
    'completed',
    'declined'
);

ALTER TYPE app_public.review_status OWNER TO app_owner;

--
-- Name: TYPE review_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.review_status IS 'Where a psychologist''s review of a quest stands.';

--
-- Name: therapy_session_status; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.therapy_session_status AS ENUM (
    'active',
    'ended',
    'expired'
);

ALTER TYPE app_public.therapy_session_status OWNER TO app_owner;

--
-- Name: TYPE therapy_session_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.therapy_session_status IS 'Whether a therapy session is going on, was ended, or expired unattended.';

--
-- Name: track_phase; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.track_phase AS ENUM (
    'awareness',
    'expression',
    'action',
    'mastery'
);

ALTER TYPE app_public.track_phase OWNER TO app_owner;

--
-- Name: TYPE track_phase; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.track_phase IS 'The phases each recovery track goes through, in order.';

--
-- Name: track_type; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.track_type AS ENUM (
    'self_work',
    'child_connection',
    'negotiation',
    'community'
);

ALTER TYPE app_public.track_type OWNER TO app_owner;

--
-- Name: TYPE track_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.track_type IS 'The four recovery tracks of an alienated parent.';

--
-- Name: user_kind; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.user_kind AS ENUM (
    'parent',
    'child',
    'psychologist',
    'admin'
);

ALTER TYPE app_public.user_kind OWNER TO app_owner;

--
-- Name: TYPE user_kind; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.user_kind IS 'What a user is in the product: a parent, a child, a psychologist or an admin.';

--
-- Name: user_mode; Type: TYPE; Schema: app_public; Owner: app_owner
--

CREATE TYPE app_public.user_mode AS ENUM (
    'educational',
    'therapeutic'
);

ALTER TYPE app_public.user_mode OWNER TO app_owner;

--
-- Name: TYPE user_mode; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TYPE app_public.user_mode IS 'Whether the user is in the educational or the therapeutic mode of the apps.';

--
-- Name: current_user_kind(); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.current_user_kind() RETURNS app_public.user_kind
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select kind from app_public.users where id = app_public.current_user_id()
$$;

ALTER FUNCTION app_hidden.current_user_kind() OWNER TO app_owner;

--
-- Name: FUNCTION current_user_kind(); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.current_user_kind() IS 'The kind (parent, child, psychologist, admin) of the acting user.';

--
-- Name: decrypt_child_progress_payload(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.child_id, t.payload_encrypted)::jsonb from app_public.child_progress t
                 where t.id = row_key and (t.child_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_child_progress_payload(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid) IS 'The stored child_progress.payload of the row with this id, decrypted (jsonb), when the row exists and its child_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.child_progress_payload(row); issue 14, item 6.';

--
-- Name: decrypt_letters_content(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_letters_content(row_key uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.content_encrypted)::text from app_public.letters t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_letters_content(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_letters_content(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_letters_content(row_key uuid) IS 'The stored letters.content of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.letters_content(row); issue 14, item 6.';

--
-- Name: decrypt_messages_content(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_messages_content(row_key uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.content_encrypted)::text from app_public.messages t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_messages_content(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_messages_content(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_messages_content(row_key uuid) IS 'The stored messages.content of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.messages_content(row); issue 14, item 6.';

--
-- Name: decrypt_psychological_profiles_crisis_history(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.crisis_history_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_psychological_profiles_crisis_history(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid) IS 'The stored psychological_profiles.crisis_history of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_crisis_history(row); issue 14, item 6.';

--
-- Name: decrypt_psychological_profiles_emotional_trends(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.emotional_trends_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_psychological_profiles_emotional_trends(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid) IS 'The stored psychological_profiles.emotional_trends of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_emotional_trends(row); issue 14, item 6.';

--
-- Name: decrypt_psychological_profiles_toxic_patterns(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.toxic_patterns_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_psychological_profiles_toxic_patterns(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid) IS 'The stored psychological_profiles.toxic_patterns of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_toxic_patterns(row); issue 14, item 6.';

--
-- Name: decrypt_psychological_profiles_triggers(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.triggers_encrypted)::jsonb from app_public.psychological_profiles t
                 where t.user_id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_psychological_profiles_triggers(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid) IS 'The stored psychological_profiles.triggers of the row with this user_id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.psychological_profiles_triggers(row); issue 14, item 6.';

--
-- Name: decrypt_quest_builder_sessions_conversation_history(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.conversation_history_encrypted)::jsonb from app_public.quest_builder_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_quest_builder_sessions_conversation_history(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid) IS 'The stored quest_builder_sessions.conversation_history of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.quest_builder_sessions_conversation_history(row); issue 14, item 6.';

--
-- Name: decrypt_quest_builder_sessions_quest_context(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.quest_context_encrypted)::jsonb from app_public.quest_builder_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_quest_builder_sessions_quest_context(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid) IS 'The stored quest_builder_sessions.quest_context of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.quest_builder_sessions_quest_context(row); issue 14, item 6.';

--
-- Name: decrypt_therapy_sessions_state(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.state_encrypted)::jsonb from app_public.therapy_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_therapy_sessions_state(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid) IS 'The stored therapy_sessions.state of the row with this id, decrypted (jsonb), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.therapy_sessions_state(row); issue 14, item 6.';

--
-- Name: decrypt_therapy_sessions_summary(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin
         return (select app_private.decrypt_p2(t.user_id, t.summary_encrypted)::text from app_public.therapy_sessions t
                 where t.id = row_key and (t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $$;

ALTER FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_therapy_sessions_summary(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid) IS 'The stored therapy_sessions.summary of the row with this id, decrypted (text), when the row exists and its user_id is the acting user (or the session reads past RLS: owner, superuser); null otherwise, before any key is used. Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.therapy_sessions_summary(row); issue 14, item 6.';

--
-- Name: may_select_child_progress(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_child_progress(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.child_progress t where t.id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_child_progress(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_child_progress(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_child_progress(row_key uuid) IS 'Whether the caller may select the child_progress row with this id now (its own policies: security invoker). Used by the P2 reading functions of child_progress; issue 14, item 6.';

--
-- Name: may_select_letters(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_letters(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.letters t where t.id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_letters(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_letters(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_letters(row_key uuid) IS 'Whether the caller may select the letters row with this id now (its own policies: security invoker). Used by the P2 reading functions of letters; issue 14, item 6.';

--
-- Name: may_select_messages(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_messages(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.messages t where t.id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_messages(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_messages(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_messages(row_key uuid) IS 'Whether the caller may select the messages row with this id now (its own policies: security invoker). Used by the P2 reading functions of messages; issue 14, item 6.';

--
-- Name: may_select_psychological_profiles(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.psychological_profiles t where t.user_id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_psychological_profiles(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid) IS 'Whether the caller may select the psychological_profiles row with this user_id now (its own policies: security invoker). Used by the P2 reading functions of psychological_profiles; issue 14, item 6.';

--
-- Name: may_select_quest_builder_sessions(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.quest_builder_sessions t where t.id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_quest_builder_sessions(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid) IS 'Whether the caller may select the quest_builder_sessions row with this id now (its own policies: security invoker). Used by the P2 reading functions of quest_builder_sessions; issue 14, item 6.';

--
-- Name: may_select_therapy_sessions(uuid); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ begin return exists (select 1 from app_public.therapy_sessions t where t.id = row_key); end $$;

ALTER FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid) OWNER TO app_owner;

--
-- Name: FUNCTION may_select_therapy_sessions(row_key uuid); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid) IS 'Whether the caller may select the therapy_sessions row with this id now (its own policies: security invoker). Used by the P2 reading functions of therapy_sessions; issue 14, item 6.';

--
-- Name: my_child_ids(); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.my_child_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select child_id from app_public.family_links where parent_id = app_public.current_user_id()
$$;

ALTER FUNCTION app_hidden.my_child_ids() OWNER TO app_owner;

--
-- Name: FUNCTION my_child_ids(); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.my_child_ids() IS 'The children linked to the acting parent (security definer: policies on other tables use it).';

--
-- Name: my_review_quest_ids(); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.my_review_quest_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select quest_id from app_public.psychologist_reviews where psychologist_id = app_public.current_user_id()
$$;

ALTER FUNCTION app_hidden.my_review_quest_ids() OWNER TO app_owner;

--
-- Name: FUNCTION my_review_quest_ids(); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.my_review_quest_ids() IS 'Quests the acting psychologist is assigned to review.';

--
-- Name: quest_graph_from_yaml(text); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.quest_graph_from_yaml(yaml text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
    AS $_$
declare
  lines text[] := string_to_array(replace(coalesce(yaml, ''), E'\r', ''), E'\n');
  line text;
  n integer := 0;
  parts text[];
  document jsonb;
  title jsonb;
  lists jsonb := '{}';
  list text;             -- the block sequence being read: nodes or edges
  item jsonb;            -- the item being read (also the list's last element)
  item_indent integer;   -- column of an item's keys
begin
  if btrim(coalesce(yaml, ''), E' \t\r\n') = '' then
    raise exception 'The quest YAML is empty.' using errcode = '22P02';
  end if;
  if left(btrim(yaml, E' \t\r\n'), 1) = '{' then
    document := yaml_value(yaml, 1);
    if jsonb_typeof(document) <> 'object' then
      raise exception 'A JSON quest document is an object with "title", "nodes" and "edges".' using errcode = '22P02';
    end if;
    return jsonb_build_object('title', document -> 'title',
                              'graph', jsonb_build_object('nodes', document -> 'nodes', 'edges', document -> 'edges'));
  end if;

  foreach line in array lines loop
    n := n + 1;
    if line ~ '^\s*(#.*)?$' then
      continue;
    end if;
    if line ~ '^---\s*$' and n = 1 then
      continue;
    end if;
    if line ~ E'\t' then
      raise exception 'Line %: YAML is indented with spaces, not tabs.', n using errcode = '22P02';
    end if;

    parts := regexp_match(line, '^(\s*)(- )?\s*([A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*"):(\s+(.*))?$');
    if parts is null then
      raise exception 'Line %: expected "key: value", got %.', n, left(btrim(line), 60) using errcode = '22P02';
    end if;
    if left(parts[3], 1) = '"' then
      parts[3] := parts[3]::jsonb #>> '{}';
    end if;

    if parts[2] is not null or (item is not null and length(parts[1]) = item_indent) then
      -- A key of a node or edge.
      if list is null then
        raise exception 'Line %: a list item outside "nodes:" or "edges:".', n using errcode = '22P02';
      end if;
      if parts[2] is not null then
        item := '{}';
        lists := jsonb_set(lists, array[list], (lists -> list) || jsonb_build_array(item));
        item_indent := length(parts[1]) + 2;
      end if;
      if item ? parts[3] then
        raise exception 'Line %: "%" appears twice in one item.', n, parts[3] using errcode = '22P02';
      end if;
      if coalesce(parts[5], '') = '' then
        raise exception 'Line %: "%" has no value; write nested values on one line as JSON, e.g. {"text": "Hello"}.', n, parts[3]
          using errcode = '22P02';
      end if;
      item := item || jsonb_build_object(parts[3], yaml_value(parts[5], n));
      lists := jsonb_set(lists, array[list, '-1'], item);
      continue;
    end if;

    if parts[1] <> '' then
      raise exception 'Line %: unexpected indentation (nested blocks are not supported; write nested values as JSON).', n
        using errcode = '22P02';
    end if;
    -- A top-level key closes the list being read.
    item := null;
    list := null;
    if parts[3] = 'title' then
      title := yaml_value(coalesce(parts[5], ''), n);
    elsif parts[3] in ('nodes', 'edges') then
      if lists ? parts[3] then
        raise exception 'Line %: "%" appears twice.', n, parts[3] using errcode = '22P02';
      end if;
      if coalesce(parts[5], '') = '' then
        list := parts[3];
        lists := lists || jsonb_build_object(list, '[]'::jsonb);
      else
        lists := lists || jsonb_build_object(parts[3], yaml_value(parts[5], n));
      end if;
    else
      raise exception 'Line %: unknown key "%"; a quest''s YAML has title, nodes and edges.', n, parts[3] using errcode = '22P02';
    end if;
  end loop;

  -- A document without its lists would silently empty the quest.
  if not (lists ? 'nodes' and lists ? 'edges') then
    raise exception 'The quest YAML needs a "nodes:" and an "edges:" list (write "edges: []" for none).' using errcode = '22P02';
  end if;
  return jsonb_build_object('title', title, 'graph', lists);
end;
$_$;

ALTER FUNCTION app_hidden.quest_graph_from_yaml(yaml text) OWNER TO app_owner;

--
-- Name: FUNCTION quest_graph_from_yaml(yaml text); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.quest_graph_from_yaml(yaml text) IS 'Reads a quest''s YAML (the shape yaml_content has, or a JSON document) into {"title", "graph"}; refuses anything else with a line number.';

--
-- Name: quest_graph_problem(jsonb); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.quest_graph_problem(graph jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_hidden.quest_graph_problem(graph jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION quest_graph_problem(graph jsonb); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.quest_graph_problem(graph jsonb) IS 'What is wrong with a quest graph, in words, or null when it is well formed (used by a CHECK and a trigger).';

--
-- Name: quest_yaml(text, jsonb); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.quest_yaml(title text, graph jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
    AS $$
  select concat_ws(E'\n',
    '# Generated from graph_structure; edit the graph (or save this text with save_quest_yaml).',
    'title: ' || yaml_scalar(to_jsonb(title)),
    'nodes:' || case when jsonb_array_length(graph -> 'nodes') = 0 then ' []' else '' end,
    (select string_agg(yaml_item(n), E'\n' order by ord) from jsonb_array_elements(graph -> 'nodes') with ordinality as t(n, ord)),
    'edges:' || case when jsonb_array_length(graph -> 'edges') = 0 then ' []' else '' end,
    (select string_agg(yaml_item(e), E'\n' order by ord) from jsonb_array_elements(graph -> 'edges') with ordinality as t(e, ord))
  ) || E'\n'
$$;

ALTER FUNCTION app_hidden.quest_yaml(title text, graph jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION quest_yaml(title text, graph jsonb); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.quest_yaml(title text, graph jsonb) IS 'The YAML form of a quest graph (kept in quests.yaml_content by trigger).';

--
-- Name: yaml_item(jsonb); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.yaml_item(item jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
    AS $_$
  select string_agg(case when ord = 1 then '  - ' else '    ' end
                    || case when key ~ '^[A-Za-z_][A-Za-z0-9_-]*$' then key else yaml_scalar(to_jsonb(key)) end
                    || ': ' || yaml_scalar(value), E'\n' order by ord)
  from (
    select key, value, row_number() over (
             order by array_position(array['id', 'type', 'source', 'target', 'label', 'data'], key) nulls last, key) as ord
    from jsonb_each(item)
  ) as keys
$_$;

ALTER FUNCTION app_hidden.yaml_item(item jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION yaml_item(item jsonb); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.yaml_item(item jsonb) IS 'A node or edge as a YAML block-sequence item, one key per line.';

--
-- Name: yaml_scalar(jsonb); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.yaml_scalar(value jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ select coalesce(value::text, 'null') $$;

ALTER FUNCTION app_hidden.yaml_scalar(value jsonb) OWNER TO app_owner;

--
-- Name: yaml_value(text, integer); Type: FUNCTION; Schema: app_hidden; Owner: app_owner
--

CREATE FUNCTION app_hidden.yaml_value(text text, line_number integer) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  value text := btrim(text);
begin
  if left(value, 1) in ('"', '{', '[') then
    begin
      return value::jsonb;
    exception when invalid_text_representation then
      raise exception 'Line %: % is not a valid flow value (write it as JSON).', line_number, left(value, 60)
        using errcode = '22P02';
    end;
  elsif left(value, 1) = '''' then
    if length(value) < 2 or right(value, 1) <> '''' then
      raise exception 'Line %: the single-quoted string % is not closed.', line_number, left(value, 60) using errcode = '22P02';
    end if;
    return to_jsonb(replace(substr(value, 2, length(value) - 2), '''''', ''''));
  end if;
  value := btrim(regexp_replace(value, '\s#.*$', ''));
  if value in ('', '~', 'null', 'Null', 'NULL') then return 'null'; end if;
  if value in ('true', 'True', 'TRUE') then return 'true'; end if;
  if value in ('false', 'False', 'FALSE') then return 'false'; end if;
  if value ~ '^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$' then return value::jsonb; end if;
  return to_jsonb(value);
end;
$_$;

ALTER FUNCTION app_hidden.yaml_value(text text, line_number integer) OWNER TO app_owner;

--
-- Name: FUNCTION yaml_value(text text, line_number integer); Type: COMMENT; Schema: app_hidden; Owner: app_owner
--

COMMENT ON FUNCTION app_hidden.yaml_value(text text, line_number integer) IS 'One YAML scalar or flow value as JSON; a malformed one is refused with its line number.';

--
-- Name: detect_milestones(); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.detect_milestones() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  written integer;
begin
  insert into app_public.user_tracks (user_id, track_type)
  select distinct r.user_id, r.track from app_private.milestones_reached() r
  on conflict on constraint user_tracks_one_per_user_and_type do nothing;

  with added as (
    insert into app_public.milestones (user_id, track_id, milestone_type, title, xp_reward)
    select r.user_id, t.id, r.kind, r.title, r.xp
    from app_private.milestones_reached() r
    join app_public.user_tracks t on t.user_id = r.user_id and t.track_type = r.track
    on conflict on constraint milestones_once_per_track do nothing
    returning track_id, milestone_type
  )
  -- (The statement cannot see its own inserts in milestones: append what it added.)
  update app_public.user_tracks t
    set milestones_completed = t.milestones_completed || array(select a.milestone_type from added a where a.track_id = t.id)
  where t.id in (select track_id from added);
  get diagnostics written = row_count;

  -- The child_completed milestones this transaction added (xmin: rows it wrote).
  perform app_private.audit('milestone_child_completed', 'milestones', m.id, null, 'progress', 'allowed',
                            jsonb_build_object('parent_id', m.user_id))
  from app_public.milestones m
  where m.milestone_type = 'child_completed' and m.xmin = pg_current_xact_id()::xid;
  return written;
end;
$$;

ALTER FUNCTION app_jobs.detect_milestones() OWNER TO app_owner;

--
-- Name: FUNCTION detect_milestones(); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.detect_milestones() IS 'The detect_milestones job: records streak_7 and child_completed milestones not yet reached (once per track), each child_completed one with an audit row (a release of a child''s progress); returns the tracks that gained one.';

--
-- Name: enforce_retention(); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.enforce_retention() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  counts jsonb := '{}';
  n integer;
begin
  -- Messages and play events are appended, never edited: their creation is their last touch.
  delete from app_public.messages m using app_public.users u
  where u.id = m.user_id and m.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('messages', n);

  delete from app_public.therapy_sessions s using app_public.users u
  where u.id = s.user_id and s.status <> 'active'
    and greatest(s.started_at, s.created_at, s.updated_at, s.ended_at) < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('therapy_sessions', n);

  delete from app_public.quest_builder_sessions b using app_public.users u
  where u.id = b.user_id and greatest(b.created_at, b.updated_at) < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('quest_builder_sessions', n);

  delete from app_public.notifications x using app_public.users u
  where u.id = x.user_id and greatest(x.created_at, x.read_at) < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('notifications', n);

  delete from app_public.metrics_snapshots x using app_public.users u
  where u.id = x.user_id and x.snapshot_date < current_date - u.data_retention_days;
  get diagnostics n = row_count; counts := counts || jsonb_build_object('metrics_snapshots', n);

  -- The child's play events; their progress row and the quest's aggregates stay.
  delete from app_public.child_progress e using app_public.users u
  where u.id = e.child_id and e.created_at < now() - make_interval(days => u.data_retention_days);
  get diagnostics n = row_count; counts := counts || jsonb_build_object('child_progress', n);

  return counts;
end;
$$;

ALTER FUNCTION app_jobs.enforce_retention() OWNER TO app_owner;

--
-- Name: FUNCTION enforce_retention(); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.enforce_retention() IS 'The enforce_retention job''s first part: deletes each user''s activity records whose last touch (creation, update, read, end) is older than their data_retention_days, so that no trace the retention review counts as activity is removed before it; returns the counts by table. Issue 15, section 3.';

--
-- Name: erase_next_verified_user(); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET lock_timeout TO '5s'
    AS $$
declare
  request record;
  erased text;
begin
  select r.id, r.user_id, r.reason = 'retention' as retention, r.attempts, r.verified_at into request
  from app_public.data_deletion_requests r
  where r.status = 'verified' and (r.next_attempt_at is null or r.next_attempt_at <= now())
  order by r.verified_at, r.id limit 1
  for update skip locked;
  if not found then
    return;
  end if;
  request_id := request.id;
  attempts := request.attempts;
  -- Retention never erases an active user (issue 15, section 3): a request it made while the user was idle,
  -- which may have waited here (a backoff), is withdrawn when they were active since.
  withdrawn := request.retention and exists (select 1 from app_private.last_activity(array[request.user_id]) l
                                             where l.active_at > request.verified_at);
  if withdrawn then
    update app_public.data_deletion_requests r set status = 'rejected', next_attempt_at = null
    where r.id = request.id;
    perform app_private.audit('retention_withdrawn', 'data_deletion_requests', request.id, null, null, null, '{}');
    completed := false;
    return;
  end if;
  begin
    erased := request.user_id::text;
    -- Other users' rows about them: their parents' notifications name the child.
    delete from app_public.notifications n where n.data ? 'child_id' and n.data ->> 'child_id' = erased;
    -- Their own rows, by the foreign keys (the audit triggers log these deletions with the ids, blanked below).
    delete from app_public.users where id = request.user_id;
    update app_public.data_deletion_requests r
      set status = 'completed', processed_at = now(), reason = null, verification_token_hash = null, next_attempt_at = null
    where r.id = request.id;
    -- The audit log keeps what happened, not to whom.
    perform app_audit.anonymise_erased_user(request.user_id);
    perform app_private.audit('erasure', 'data_deletion_requests', request.id, null, null, null,
                              jsonb_build_object('cause', case when request.retention then 'retention' else 'request' end));
    completed := true;
  exception when others then
    completed := false;
    error_kind := sqlstate;
  end;
  if not completed then
    -- 10 minutes (the job's period), doubling, at most a day apart.
    attempts := request.attempts + 1;
    next_attempt_at := now() + least(interval '10 minutes' * power(2, least(attempts - 1, 8)), interval '1 day');
    update app_public.data_deletion_requests r
      set attempts = erase_next_verified_user.attempts, last_error_kind = error_kind,
          next_attempt_at = erase_next_verified_user.next_attempt_at
    where r.id = request.id;
  end if;
end;
$$;

ALTER FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean) OWNER TO app_owner;

--
-- Name: FUNCTION erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean) IS 'The process_deletion_requests job, one request per call (one transaction): takes the oldest verified request that is due (next_attempt_at passed or null) and erases every row naming its user (their rows, notifications about them, their ids in the audit log through app_audit.anonymise_erased_user), records the erasure and its cause (request or retention), completes the request. When the erasure fails, none of it stays: the request records attempts + 1, the SQLSTATE (last_error_kind) and the next try (10 minutes after the first failure, doubling, at most 1 day), and the call still returns, so the next request is not held back. A retention request whose user was active since it was made (app_private.last_activity) is withdrawn instead (status rejected, audited as retention_withdrawn). Returns request_id (null when none is due), completed, attempts (failed so far), error_kind (SQLSTATE, when this attempt failed), next_attempt_at, withdrawn. Rule: issue 15, sections 2 and 3.';

--
-- Name: expire_sessions(); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.expire_sessions() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  expired integer;
  removed integer;
begin
  update app_public.therapy_sessions
    set status = 'expired', ended_at = greatest(expires_at, started_at)
  where status = 'active' and expires_at < now();
  get diagnostics expired = row_count;
  delete from app_public.quest_builder_sessions where expires_at < now() and quest_id is null;
  get diagnostics removed = row_count;
  return jsonb_build_object('therapy_sessions_expired', expired, 'builder_sessions_removed', removed);
end;
$$;

ALTER FUNCTION app_jobs.expire_sessions() OWNER TO app_owner;

--
-- Name: FUNCTION expire_sessions(); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.expire_sessions() IS 'The expire_sessions job: expires unattended therapy sessions and removes abandoned quest-builder sessions; returns the counts.';

--
-- Name: notify_consent_changes(uuid[]); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.notify_consent_changes(event_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  written integer;
begin
  insert into app_public.notifications (user_id, kind, title, data, source_key)
  select fl.parent_id, 'consent_changed',
         format('%s %s sharing %s%s', c.display_name, case when e.new_value then 'started' else 'stopped' end,
                replace(replace(e.flag, 'share_', ''), '_', ' '),
                case when q.title is not null then format(' for "%s"', q.title) else '' end),
         jsonb_build_object('child_id', e.child_id, 'quest_id', e.quest_id, 'flag', e.flag, 'shared', e.new_value),
         'consent_event:' || e.id
  from app_public.consent_events e
  join app_public.users c on c.id = e.child_id
  join app_public.family_links fl on fl.child_id = e.child_id
  left join app_public.quests q on q.id = e.quest_id
  where e.id = any (event_ids)
  on conflict on constraint notifications_once_per_source do nothing;
  get diagnostics written = row_count;
  return written;
end;
$$;

ALTER FUNCTION app_jobs.notify_consent_changes(event_ids uuid[]) OWNER TO app_owner;

--
-- Name: FUNCTION notify_consent_changes(event_ids uuid[]); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.notify_consent_changes(event_ids uuid[]) IS 'The notify_consent_changes job: tells the linked parents that a child started or stopped sharing something (once per event).';

--
-- Name: refresh_quest_analytics(uuid); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_private.release_quest_figures(quest_id, now());
  update app_public.quests t set rating = s.rating, rating_count = s.rating_count
  from (select coalesce(round(avg(r.rating)::numeric, 2)::float8, 0) as rating, count(r.id)::int as rating_count
        from app_public.quest_ratings r where r.quest_id = refresh_quest_analytics.quest_id) as s
  where t.id = refresh_quest_analytics.quest_id and (t.rating, t.rating_count) is distinct from (s.rating, s.rating_count);
end;
$$;

ALTER FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION refresh_quest_analytics(quest_id uuid); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid) IS 'The refresh_quest_analytics job: the quest''s release of cross-child figures for today''s window (app_private.release_quest_figures: once per UTC day, then frozen) and its rating from quest_ratings. Idempotent; nothing for a quest that is gone. Raises nothing.';

--
-- Name: refresh_quest_analytics_batch(uuid, integer); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  quest uuid;
  last_id uuid;
begin
  for quest in
    select q.id from app_public.quests q where after_id is null or q.id > after_id order by q.id limit batch_size
  loop
    -- Never wait for a quest while holding the batch's earlier ones: an erasure or a consent change holds some
    -- quests and locks every quest a child played (withhold_figures_counting), which would deadlock with this
    -- batch. A quest somebody holds is refreshed by a job of its own instead, in a transaction of its own.
    perform 1 from app_public.quests q where q.id = quest for no key update skip locked;
    if found then
      perform app_jobs.refresh_quest_analytics(quest);
    else
      perform graphile_worker.add_job('refresh_quest_analytics', json_build_object('quest_id', quest), max_attempts => 10);
    end if;
    last_id := quest;
  end loop;
  return last_id;
end;
$$;

ALTER FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) OWNER TO app_owner;

--
-- Name: FUNCTION refresh_quest_analytics_batch(after_id uuid, batch_size integer); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) IS 'Refreshes up to batch_size quests after after_id (id order), in the caller''s transaction; a quest whose row another transaction holds is not waited for (that could deadlock with an erasure or a consent change) but queued as a refresh_quest_analytics job of its own. Returns the last id handled, null when none were left.';

--
-- Name: request_erasure_of_inactive_users(); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.request_erasure_of_inactive_users() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  review record;
  counts jsonb := '{"kept": 0, "notified": 0, "waiting": 0, "cancelled": 0, "requested": 0}';
  counter text;
begin
  for review in select * from app_private.retention_review() loop
    -- The traces become the stored mark: tomorrow's review reads only who is still idle.
    update app_public.users u set last_active_at = review.active_at
    where u.id = review.user_id and u.last_active_at < review.active_at;
    counter := case review.action when 'keep' then 'kept' when 'notify' then 'notified' when 'wait' then 'waiting'
                                  when 'cancel' then 'cancelled' when 'erase' then 'requested' end;
    counts := jsonb_set(counts, array[counter], to_jsonb((counts ->> counter)::integer + 1));
    case review.action
      when 'notify' then
        insert into app_private.retention_notices (user_id) values (review.user_id);
        insert into app_public.notifications (user_id, kind, title, body, data)
        values (review.user_id, 'retention_notice',
                format('Your account will be erased after %s', to_char(review.erase_after at time zone 'UTC', 'YYYY-MM-DD')),
                format('You have not used the app for more than %s days, the time you chose to keep your data. '
                       'Use either app before then to keep your account.', review.data_retention_days),
                jsonb_build_object('erase_after', review.erase_after, 'data_retention_days', review.data_retention_days));
      when 'cancel' then
        delete from app_private.retention_notices n where n.user_id = review.user_id;
      when 'erase' then
        insert into app_public.data_deletion_requests (user_id, status, verified_at, reason)
        values (review.user_id, 'verified', now(), 'retention');
      else
        null;
    end case;
  end loop;
  return counts;
end;
$$;

ALTER FUNCTION app_jobs.request_erasure_of_inactive_users() OWNER TO app_owner;

--
-- Name: FUNCTION request_erasure_of_inactive_users(); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.request_erasure_of_inactive_users() IS 'The enforce_retention job''s second part, the retention review (app_private.retention_review) carried out: brings last_active_at forward to the newest trace found; notifies a user inactive past their data_retention_days (a retention_notice notification and a row in app_private.retention_notices); withdraws the notice when they were active since; requests their erasure (verified, reason retention; process_deletion_requests carries it out) when the notice is 30 days old and they were not. Returns the counts as {"kept", "notified", "waiting", "cancelled", "requested"} (integers); idempotent within a day. Rule: issue 15 section 3, seed 004. Executable by app_worker.';

--
-- Name: request_job(text, json, text, timestamp with time zone, text, integer); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, job_key_mode text DEFAULT 'replace'::text, max_attempts integer DEFAULT NULL::integer) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if request_job.job_key is null or request_job.job_key = '' then
    raise exception 'app_jobs.request_job needs a job key; queue a job without one with graphile_worker.add_job'
      using errcode = '22004';
  end if;
  -- unsafe_dedupe leaves a request made during a run without a run of its own: refused.
  if request_job.job_key_mode is distinct from 'replace' and request_job.job_key_mode is distinct from 'preserve_run_at' then
    raise exception 'app_jobs.request_job: job_key_mode % is not accepted (replace or preserve_run_at)', quote_nullable(request_job.job_key_mode)
      using errcode = '22023';
  end if;
  -- The request row first: it stays locked by this transaction until it ends, and a run that starts meanwhile
  -- waits for it (take_job_requests), whatever add_job below does.
  insert into app_private.job_requests as r (job_key) values (request_job.job_key)
  on conflict on constraint job_requests_pkey do update set requested_at = excluded.requested_at;
  -- Tells the jobs table's trigger (tg_jobs__keyed_job_needs_request) that this add_job comes from here: a request
  -- row alone would also let through another transaction's add_job while this request waits for its run.
  perform set_config('app.requesting_job', request_job.job_key, true);
  perform graphile_worker.add_job(request_job.identifier, request_job.payload,
                                  run_at => request_job.run_at,
                                  job_key => request_job.job_key,
                                  job_key_mode => request_job.job_key_mode,
                                  max_attempts => request_job.max_attempts);
  perform set_config('app.requesting_job', '', true);
end;
$$;

ALTER FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer) OWNER TO app_owner;

--
-- Name: FUNCTION request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer) IS 'Queues a keyed graphile-worker job (arguments as graphile_worker.add_job''s; job_key required) so that no request is lost: records it in app_private.job_requests, in the caller''s transaction, then calls add_job. The run waits for that transaction (app_jobs.take_job_requests). Errors: 22004 without a job key; 22023 for a job_key_mode other than replace or preserve_run_at (unsafe_dedupe would drop a request made during a run). Source: issue 18 item 1, graphile/worker#580.';

--
-- Name: rewrap_data_keys(integer); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.rewrap_data_keys(batch_size integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  target record;
  stored app_private.user_data_keys;
  rewrapped integer := 0;
begin
  select * into target from app_private.current_master_key();
  for stored in
    select * from app_private.user_data_keys
    where master_key_id <> target.key_id
    order by user_id limit batch_size
    for update skip locked
  loop
    update app_private.user_data_keys
      set wrapped_key = pgp_sym_encrypt_bytea(decode(app_private.unwrapped(stored), 'hex'), target.master_key,
                                              'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256'),
          master_key_id = target.key_id,
          rewrapped_at = now()
      where user_id = stored.user_id;
    rewrapped := rewrapped + 1;
  end loop;
  return rewrapped;
end;
$$;

ALTER FUNCTION app_jobs.rewrap_data_keys(batch_size integer) OWNER TO app_owner;

--
-- Name: FUNCTION rewrap_data_keys(batch_size integer); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.rewrap_data_keys(batch_size integer) IS 'Re-wraps up to batch_size data keys with the current master key; returns how many (0: none left that this worker can take).';

--
-- Name: snapshot_metrics(date); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.snapshot_metrics(day date) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  day_start timestamptz := day::timestamp at time zone 'UTC';
  day_end timestamptz := (day + 1)::timestamp at time zone 'UTC';
  written integer;
begin
  insert into app_public.metrics_snapshots as m (user_id, snapshot_date, mood_average, sessions_count, messages_count,
                                                 letters_written, goals_completed, quests_created)
  select a.user_id, day,
         avg(a.mood) filter (where a.kind = 'session'),
         count(*) filter (where a.kind = 'session'),
         count(*) filter (where a.kind = 'message'),
         count(*) filter (where a.kind = 'letter'),
         count(*) filter (where a.kind = 'goal'),
         count(*) filter (where a.kind = 'quest')
  from (
    select user_id, 'session' as kind, coalesce(mood_after, mood_before)::float8 as mood from app_public.therapy_sessions
      where started_at >= day_start and started_at < day_end
    union all select user_id, 'message', null from app_public.messages where created_at >= day_start and created_at < day_end and role = 'user'
    union all select user_id, 'letter', null from app_public.letters where created_at >= day_start and created_at < day_end
    union all select user_id, 'goal', null from app_public.goals where completed_at >= day_start and completed_at < day_end
    union all select author_id, 'quest', null from app_public.quests where created_at >= day_start and created_at < day_end
  ) as a
  join app_public.users u on u.id = a.user_id and u.kind = 'parent'
  group by a.user_id
  on conflict on constraint metrics_snapshots_one_per_user_and_day do update set
    mood_average = excluded.mood_average, sessions_count = excluded.sessions_count, messages_count = excluded.messages_count,
    letters_written = excluded.letters_written, goals_completed = excluded.goals_completed, quests_created = excluded.quests_created
  where (m.mood_average, m.sessions_count, m.messages_count, m.letters_written, m.goals_completed, m.quests_created)
        is distinct from (excluded.mood_average, excluded.sessions_count, excluded.messages_count,
                          excluded.letters_written, excluded.goals_completed, excluded.quests_created);
  get diagnostics written = row_count;
  return written;
end;
$$;

ALTER FUNCTION app_jobs.snapshot_metrics(day date) OWNER TO app_owner;

--
-- Name: FUNCTION snapshot_metrics(day date); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.snapshot_metrics(day date) IS 'The snapshot_metrics job: each parent''s figures for one UTC day (mood, sessions, messages, letters, goals completed, quests created); returns rows written.';

--
-- Name: take_job_requests(text); Type: FUNCTION; Schema: app_jobs; Owner: app_owner
--

CREATE FUNCTION app_jobs.take_job_requests(job_key text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- The upsert needs the request's row, so it waits for every transaction that inserted or updated it and has
  -- not ended; once it returns, their writes are visible to the run's next statements.
  insert into app_private.job_requests as r (job_key) values (take_job_requests.job_key)
  on conflict on constraint job_requests_pkey do update set requested_at = r.requested_at;
  delete from app_private.job_requests r where r.job_key = take_job_requests.job_key;
end;
$$;

ALTER FUNCTION app_jobs.take_job_requests(job_key text) OWNER TO app_owner;

--
-- Name: FUNCTION take_job_requests(job_key text); Type: COMMENT; Schema: app_jobs; Owner: app_owner
--

COMMENT ON FUNCTION app_jobs.take_job_requests(job_key text) IS 'Called at the start of every run of a keyed job (src/worker/jobRequests.ts), in a transaction of its own: waits until every transaction that requested the job (app_jobs.request_job) has ended, then clears the request. Blocks only on those requesters (bounded by their statement and transaction timeouts); raises nothing of its own. Source: issue 18 item 1.';

--
-- Name: acting_kind_problem(text, uuid); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select app_private.acting_kind_problem(acting_role, (select u.kind from app_public.users u where u.id = user_id))
$$;

ALTER FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION acting_kind_problem(acting_role text, user_id uuid); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid) IS 'For the API, before a request runs: why the app role (pas_bot_user or inner_edu_user) may not act as this user (a sentence for the client), or null when it may or the user is unknown. Same rule as app_public.current_user_id() (SQLSTATE ACTOR there); CONTRACT "Rules made explicit".';

--
-- Name: data_keys_by_master_key(); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.data_keys_by_master_key() RETURNS TABLE(master_key_id text, data_keys bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ select k.master_key_id, count(*) from app_private.user_data_keys k group by k.master_key_id order by 1 $$;

ALTER FUNCTION app_ops.data_keys_by_master_key() OWNER TO app_owner;

--
-- Name: FUNCTION data_keys_by_master_key(); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.data_keys_by_master_key() IS 'How many data keys each master key (by id) wraps: during a rotation, the old id''s count falls to 0.';

--
-- Name: erasure_queue(); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) RETURNS record
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select (count(*) filter (where r.attempts = 0))::int, (count(*) filter (where r.attempts > 0))::int
  from app_public.data_deletion_requests r where r.status = 'verified';
$$;

ALTER FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) OWNER TO app_owner;

--
-- Name: FUNCTION erasure_queue(OUT queued integer, OUT failing integer); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) IS 'Verified erasure requests not yet completed: queued (never failed) and failing (failed at least once, retried with backoff). Counts only. For the erasure_requests gauge and its alert rules (docs/operations.md).';

--
-- Name: job_counts(); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) RETURNS record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  select
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()))::int,
    (count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()))::int,
    (count(*) filter (where j.locked_at is not null))::int,
    (count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts))::int
  into runnable, waiting, running, failed
  from graphile_worker._private_jobs j;
end;
$$;

ALTER FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) OWNER TO app_owner;

--
-- Name: FUNCTION job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) IS 'graphile-worker''s queue by state: runnable, waiting, running, failed for good.';

--
-- Name: privacy_checks_after(bigint); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.privacy_checks_after(after_id bigint) RETURNS TABLE(last_id bigint, allowed integer, denied integer, denials jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  with since as (
    select a.* from app_private.audit_log a
    where after_id is not null and a.id > after_id and a.decision is not null
  )
  select
    coalesce((select max(id) from app_private.audit_log where after_id is null or id > after_id), after_id, 0),
    (select count(*)::int from since where decision = 'allowed'),
    (select count(*)::int from since where decision = 'denied'),
    coalesce((select jsonb_agg(jsonb_build_object('audit_id', d.id, 'at', d.at, 'db_role', d.db_role,
                                                  'acting_user_id', d.acting_user_id, 'action', d.action,
                                                  'data_type', d.data_type, 'subject_id', d.subject_id) order by d.id)
              from (select * from since where decision = 'denied' order by id limit 100) d), '[]');
$$;

ALTER FUNCTION app_ops.privacy_checks_after(after_id bigint) OWNER TO app_owner;

--
-- Name: FUNCTION privacy_checks_after(after_id bigint); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.privacy_checks_after(after_id bigint) IS 'Counts of allowed and denied privacy checks in the audit log after the given id (none: from now), the newest id, and up to 100 denials.';

--
-- Name: readiness(); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer) RETURNS record
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select
    (select filename from graphile_migrate.migrations order by date desc, filename desc limit 1),
    (select count(distinct pid)::int from pg_locks
     where locktype = 'advisory' and classid = 1885434673 and objsubid = 2 and granted
       and database = (select oid from pg_database where datname = current_database()));
$$;

ALTER FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer) OWNER TO app_owner;

--
-- Name: FUNCTION readiness(OUT latest_migration text, OUT live_workers integer); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer) IS 'The newest applied migration''s file name and the number of live worker processes.';

--
-- Name: record_activity(uuid); Type: FUNCTION; Schema: app_ops; Owner: app_owner
--

CREATE FUNCTION app_ops.record_activity(user_id uuid) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  with marked as (
    update app_public.users u set last_active_at = now()
    where u.id = record_activity.user_id and u.last_active_at < now() - interval '1 hour'
    returning 1)
  select exists (select from marked);
$$;

ALTER FUNCTION app_ops.record_activity(user_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION record_activity(user_id uuid); Type: COMMENT; Schema: app_ops; Owner: app_owner
--

COMMENT ON FUNCTION app_ops.record_activity(user_id uuid) IS 'The API marks a signed-in user active (at most once an hour takes a write); true when it wrote.';

--
-- Name: acting_kind_problem(text, app_public.user_kind); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.acting_kind_problem(acting_role text, kind app_public.user_kind) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select case
    when acting_role = 'pas_bot_user' and kind = 'child' then
      'pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child: a child acts through inner_edu_user (the inner_edu app).'
    when acting_role = 'inner_edu_user' and kind <> 'child' then
      format('inner_edu_user acts only as a child, and this user is %s %s: parents, psychologists and admins act through pas_bot_user (the PAS bot).',
             case when kind = 'admin' then 'an' else 'a' end, kind)
  end
$$;

ALTER FUNCTION app_private.acting_kind_problem(acting_role text, kind app_public.user_kind) OWNER TO app_owner;

--
-- Name: FUNCTION acting_kind_problem(acting_role text, kind app_public.user_kind); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.acting_kind_problem(acting_role text, kind app_public.user_kind) IS 'Why the role (an app role: pas_bot_user, inner_edu_user) may not act as a user of this kind, in words; null when it may, for any other role (owner, worker, superuser) and for no user (kind null). The rule of CONTRACT "Rules made explicit (2026-11-29)".';

--
-- Name: acting_role(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.acting_role() RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$ select coalesce(nullif(current_setting('role', true), 'none'), session_user::text) $$;

ALTER FUNCTION app_private.acting_role() OWNER TO app_owner;

--
-- Name: acting_user(app_public.user_kind); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.acting_user(expected app_public.user_kind) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_private.acting_user(expected app_public.user_kind) OWNER TO app_owner;

--
-- Name: advance_track(uuid, app_public.track_type); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.advance_track(parent uuid, track app_public.track_type) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_private.advance_track(parent uuid, track app_public.track_type) OWNER TO app_owner;

--
-- Name: audit(text, text, uuid, uuid, text, text, jsonb); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_audit.append(app_private.acting_role(), app_public.current_user_id(),
                           action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$$;

ALTER FUNCTION app_private.audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) IS 'Appends an audit row (acting role and app.user_id filled in) in the caller''s transaction, through app_audit.append: for writes, which a rollback undoes. Consent-gated reads use app_private.audit_read. Errors: app_audit.append''s (decision must be allowed, denied or null).';

--
-- Name: audit_read(text, text, uuid, uuid, text, text, jsonb); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_audit.append_durable(app_private.acting_role(), app_public.current_user_id(),
                                   action, subject_table, subject_id, child_id, data_type, decision, details);
end;
$$;

ALTER FUNCTION app_private.audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) IS 'Appends the audit row of a consent-gated read (app_private.audit''s arguments), committed at once on the session''s own connection (app_audit.append_durable), so the caller''s transaction cannot undo it. Every function that releases a child''s data to someone else calls it before returning. Errors: SQLSTATE AUDIT when the row could not be written (the read must fail with it).';

--
-- Name: caller_reads_past_rls(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.caller_reads_past_rls() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce((select r.rolsuper or r.rolbypassrls from pg_roles r
                   where r.rolname = coalesce(nullif(current_setting('role'), 'none'), session_user)), false)
$$;

ALTER FUNCTION app_private.caller_reads_past_rls() OWNER TO app_owner;

--
-- Name: FUNCTION caller_reads_past_rls(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.caller_reads_past_rls() IS 'True when the session''s role (SET ROLE, else the login) is a superuser or bypasses RLS (the owner); false for the app roles and the worker. Used by the P2 decrypting helpers (issue 14, item 6).';

--
-- Name: child_visible_columns(regclass); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.child_visible_columns(tbl regclass) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select coalesce(array_agg(a.attname::text order by a.attnum), '{}')
  from pg_attribute a
  where a.attrelid = tbl and a.attnum > 0 and not a.attisdropped
    -- Before the roles exist (a bare migrate), every column counts: the safe side.
    and (not exists (select 1 from pg_roles where rolname = 'inner_edu_user')
         or has_column_privilege('inner_edu_user', tbl, a.attnum, 'select'))
$$;

ALTER FUNCTION app_private.child_visible_columns(tbl regclass) OWNER TO app_owner;

--
-- Name: FUNCTION child_visible_columns(tbl regclass); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.child_visible_columns(tbl regclass) IS 'The columns of a table that inner_edu_user may select (every column while that role does not exist), in column order. Raises nothing. Used by the moderation triggers (issue 15, section 1).';

--
-- Name: consent_flag(uuid, text, uuid); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.consent_flag(child_id uuid, flag text, quest_id uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_private.consent_flag(child_id uuid, flag text, quest_id uuid) OWNER TO app_owner;

--
-- Name: counts_in_release(uuid, uuid, text); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select exists (select 1 from app_public.quest_progress p
                 where p.child_id = counts_in_release.child_id and p.quest_id = counts_in_release.quest_id)
     and exists (select 1 from app_public.family_links fl join app_public.quests q on q.id = counts_in_release.quest_id
                 where fl.child_id = counts_in_release.child_id and fl.parent_id <> q.author_id)
     and case figure_group
           when 'progress' then app_private.consent_flag(child_id, 'share_progress', quest_id)
           when 'play_frequency' then app_private.consent_flag(child_id, 'share_play_frequency', quest_id)
           when 'analytics' then app_private.consent_flag(child_id, 'share_analytics', quest_id)
           when 'children' then app_private.consent_flag(child_id, 'share_progress', quest_id)
                             or app_private.consent_flag(child_id, 'share_play_frequency', quest_id)
                             or app_private.consent_flag(child_id, 'share_analytics', quest_id)
         end
$$;

ALTER FUNCTION app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text) OWNER TO app_owner;

--
-- Name: FUNCTION counts_in_release(child_id uuid, quest_id uuid, figure_group text); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text) IS 'Whether a child counts in a figure group (progress, play_frequency, analytics, or children: any of the three) of a quest: played it, has a linked parent other than the quest''s author, and consents to the group''s kind for it.';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: encrypted_columns; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.encrypted_columns (
    table_name text NOT NULL,
    column_name text NOT NULL,
    owner_column text NOT NULL,
    shape text NOT NULL,
    required boolean NOT NULL,
    CONSTRAINT encrypted_columns_shape_known CHECK ((shape = ANY (ARRAY['text'::text, 'non-empty text'::text, 'object'::text, 'array'::text])))
);

ALTER TABLE app_private.encrypted_columns OWNER TO app_owner;

--
-- Name: TABLE encrypted_columns; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.encrypted_columns IS 'The P2 columns of app_public (src/privacy/dataClasses.ts lists the same; a test compares): the owner whose data key encrypts them and the shape a value must have.';

--
-- Name: create_p2_reader(app_private.encrypted_columns); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.create_p2_reader(c app_private.encrypted_columns) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
declare
  tbl regclass := format('app_public.%I', c.table_name)::regclass;
  reader text := c.table_name || '_' || c.column_name;
  probe text := 'may_select_' || c.table_name;
  helper text := 'decrypt_' || c.table_name || '_' || c.column_name;
  value_type text;
  key_column text;
begin
  select format_type(a.atttypid, null) into value_type
    from pg_attribute a where a.attrelid = tbl and a.attname = c.column_name;
  select a.attname into key_column
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = tbl and i.indisprimary and i.indnkeyatts = 1 and a.atttypid = 'uuid'::regtype;
  if key_column is null then
    raise exception 'app_private.create_p2_reader: % needs a one-column uuid primary key', tbl;
  end if;

  execute format(
    'create or replace function app_hidden.%I(row_key uuid) returns boolean
       language plpgsql volatile security invoker
       set search_path = pg_catalog, public, pg_temp
       as $f$ begin return exists (select 1 from app_public.%I t where t.%I = row_key); end $f$',
    probe, c.table_name, key_column);
  execute format('revoke all on function app_hidden.%I(uuid) from public', probe);
  execute format('comment on function app_hidden.%I(uuid) is %L', probe,
    format('Whether the caller may select the %s row with this %s now (its own policies: security invoker). '
           'Used by the P2 reading functions of %s; issue 14, item 6.', c.table_name, key_column, c.table_name));

  execute format(
    'create or replace function app_hidden.%I(row_key uuid) returns %s
       language plpgsql volatile security definer
       set search_path = pg_catalog, public, pg_temp
       as $f$ begin
         return (select app_private.decrypt_p2(t.%I, t.%I)::%s from app_public.%I t
                 where t.%I = row_key and (t.%I = app_public.current_user_id() or app_private.caller_reads_past_rls()));
       end $f$',
    helper, value_type, c.owner_column, c.column_name || '_encrypted', value_type, c.table_name,
    key_column, c.owner_column);
  execute format('revoke all on function app_hidden.%I(uuid) from public', helper);
  execute format('comment on function app_hidden.%I(uuid) is %L', helper,
    format('The stored %s.%s of the row with this %s, decrypted (%s), when the row exists and its %s is the acting user '
           '(or the session reads past RLS: owner, superuser); null otherwise, before any key is used. '
           'Raises KEY01-KEY04 (docs/operations.md) only for such a row. Called by app_public.%s(row); issue 14, item 6.',
           c.table_name, c.column_name, key_column, value_type, c.owner_column, reader));

  execute format(
    'create or replace function app_public.%I(r app_public.%I) returns %s
       language sql stable security invoker
       set search_path = pg_catalog, public, pg_temp
       as $f$ select case when app_hidden.%I(r.%I) then app_hidden.%I(r.%I) end $f$',
    reader, c.table_name, value_type, probe, key_column, helper, key_column);
  execute format('revoke all on function app_public.%I(app_public.%I) from public', reader, c.table_name);
end;
$_$;

ALTER FUNCTION app_private.create_p2_reader(c app_private.encrypted_columns) OWNER TO app_owner;

--
-- Name: FUNCTION create_p2_reader(c app_private.encrypted_columns); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.create_p2_reader(c app_private.encrypted_columns) IS 'Makes (or remakes) the functions that read a P2 column: app_public.<table>_<column>(row), invoker, which answers only for a row the caller may select now (app_hidden.may_select_<table>(key), invoker), decrypted by app_hidden.decrypt_<table>_<column>(key), definer, for the row''s owner only. Issue 14, item 6.';

--
-- Name: current_master_key(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.current_master_key() RETURNS TABLE(key_id text, master_key text)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
  return query select k.key_id, k.master_key from app_private.session_master_keys() k where k.is_current;
  if not found then
    raise exception 'No master key in this transaction: services pass DATA_ENCRYPTION_KEY as app.data_encryption_key, as a connection option (-c app.data_encryption_key=..., docs/direct-sql.md), never in SQL text.'
      using errcode = 'KEY01';
  end if;
end;
$$;

ALTER FUNCTION app_private.current_master_key() OWNER TO app_owner;

--
-- Name: FUNCTION current_master_key(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.current_master_key() IS 'The master key new data keys are wrapped with (DATA_ENCRYPTION_KEY); KEY01 when the transaction has none.';

--
-- Name: data_key_for_writing(uuid); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.data_key_for_writing(owner uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  stored app_private.user_data_keys;
  fresh bytea;
  master record;
begin
  select * into stored from app_private.user_data_keys where user_id = owner;
  if not found then
    -- A user's data key is made with their first P2 value.
    select * into master from app_private.current_master_key();
    if exists (select 1 from app_private.user_data_keys)
       and not exists (select 1 from app_private.user_data_keys k
                       where k.master_key_id in (select s.key_id from app_private.session_master_keys() s)) then
      raise exception 'The master key of this transaction (id %) wraps none of this database''s data keys: it is not the DATA_ENCRYPTION_KEY the other services use, so no data key was made.', master.key_id
        using errcode = 'KEY05',
              hint = 'Compare master key ids: app_ops.data_keys_by_master_key() lists the ids in use (docs/operations.md).';
    end if;
    fresh := gen_random_bytes(32);
    insert into app_private.user_data_keys (user_id, wrapped_key, master_key_id)
      values (owner, pgp_sym_encrypt_bytea(fresh, master.master_key, 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256'), master.key_id)
      on conflict (user_id) do nothing
      returning * into stored;
    if found then
      return encode(fresh, 'hex');
    end if;
    -- Another transaction made it first.
    select * into stored from app_private.user_data_keys where user_id = owner;
  end if;
  return app_private.unwrapped(stored);
end;
$$;

ALTER FUNCTION app_private.data_key_for_writing(owner uuid) OWNER TO app_owner;

--
-- Name: FUNCTION data_key_for_writing(owner uuid); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.data_key_for_writing(owner uuid) IS 'The data key of a user (hex), made on first use and wrapped with the current master key. Raises KEY01 without a master key, KEY05 when the transaction holds no master key that wraps an existing data key (a mistyped DATA_ENCRYPTION_KEY; the first data key of an empty database is exempt), KEY02 when the stored key is wrapped with a key the transaction lacks.';

--
-- Name: decrypt_p2(uuid, bytea); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.decrypt_p2(owner uuid, ciphertext bytea) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  data_key text;
begin
  if ciphertext is null then
    return null;
  end if;
  data_key := app_private.unwrap_data_key(owner);
  begin
    return pgp_sym_decrypt(ciphertext, data_key);
  exception when external_routine_invocation_exception then
    raise exception 'A P2 value of user % does not decrypt with their data key: it was altered, or it is another user''s.', owner
      using errcode = 'KEY04';
  end;
end;
$$;

ALTER FUNCTION app_private.decrypt_p2(owner uuid, ciphertext bytea) OWNER TO app_owner;

--
-- Name: FUNCTION decrypt_p2(owner uuid, ciphertext bytea); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.decrypt_p2(owner uuid, ciphertext bytea) IS 'Decrypts a P2 value with its owner''s data key; fails (KEY01–KEY04) rather than returning anything else.';

--
-- Name: encrypt_p2(uuid, text); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.encrypt_p2(owner uuid, plaintext text) RETURNS bytea
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
  select case when plaintext is not null
    then pgp_sym_encrypt(plaintext, app_private.data_key_for_writing(owner), 'cipher-algo=aes256, s2k-mode=1, s2k-digest-algo=sha256') end
$$;

ALTER FUNCTION app_private.encrypt_p2(owner uuid, plaintext text) OWNER TO app_owner;

--
-- Name: FUNCTION encrypt_p2(owner uuid, plaintext text); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.encrypt_p2(owner uuid, plaintext text) IS 'Encrypts a P2 value with its owner''s data key (OpenPGP message, AES-256, with an integrity check); null stays null.';

--
-- Name: enqueue_quest_refresh(uuid[]); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.enqueue_quest_refresh(quest_ids uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- preserve_run_at: later writes join the queued job without pushing it back,
  -- so a steady stream of play still refreshes about once a second. Through request_job, so that a run
  -- starting at this moment waits for this transaction instead of missing its write (functions/890_job_requests.sql).
  perform app_jobs.request_job('refresh_quest_analytics', json_build_object('quest_id', id),
                               'refresh_quest_analytics:' || id,
                               run_at => now() + interval '1 second',
                               job_key_mode => 'preserve_run_at',
                               max_attempts => 10)
  -- In id order, so two statements queueing the same quests cannot deadlock on their job rows.
  from (select distinct unnest(quest_ids) as id order by id) as ids
  where id is not null;
end;
$$;

ALTER FUNCTION app_private.enqueue_quest_refresh(quest_ids uuid[]) OWNER TO app_owner;

--
-- Name: FUNCTION enqueue_quest_refresh(quest_ids uuid[]); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.enqueue_quest_refresh(quest_ids uuid[]) IS 'Queues one refresh_quest_analytics job per quest (job key per quest: a burst of writes costs one run) through app_jobs.request_job, so no write is left unrefreshed by a run that was starting (issue 18 item 1).';

--
-- Name: erasure_code_canonical(text); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.erasure_code_canonical(code text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select upper(regexp_replace(normalize(coalesce(code, ''), NFKC),
                                '[[:space:]' || U&'\200B\200C\200D\2060\FEFF' || '\-' || U&'\2010\2011\2012\2013\2014\2015\2212' || ']',
                                '', 'g'))
  $$;

ALTER FUNCTION app_private.erasure_code_canonical(code text) OWNER TO app_owner;

--
-- Name: FUNCTION erasure_code_canonical(code text); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.erasure_code_canonical(code text) IS 'A typed erasure code as it is compared: NFKC-folded, upper case, whitespace, zero-width spaces, dashes (hyphen-minus, U+2010-2015) and the minus sign (U+2212) removed.';

--
-- Name: erasure_code_hash(text); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.erasure_code_hash(code text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select encode(public.hmac(convert_to(app_private.erasure_code_canonical(code), 'UTF8'), k.key, 'sha256'), 'hex')
  from app_private.erasure_code_key k
$$;

ALTER FUNCTION app_private.erasure_code_hash(code text) OWNER TO app_owner;

--
-- Name: FUNCTION erasure_code_hash(code text); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.erasure_code_hash(code text) IS 'HMAC-SHA-256 (hex) of an erasure code''s canonical form under app_private.erasure_code_key: what data_deletion_requests.verification_token_hash holds.';

--
-- Name: geometric_noise(double precision); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.geometric_noise(epsilon double precision) RETURNS integer
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  -- Two-sided geometric: the difference of two geometric draws, P(k) proportional to exp(-epsilon |k|).
  select (floor(ln(app_private.uniform_noise()) / -epsilon) - floor(ln(app_private.uniform_noise()) / -epsilon))::int
$$;

ALTER FUNCTION app_private.geometric_noise(epsilon double precision) OWNER TO app_owner;

--
-- Name: FUNCTION geometric_noise(epsilon double precision); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.geometric_noise(epsilon double precision) IS 'A draw of two-sided geometric noise for a count of sensitivity 1 (P(k) proportional to exp(-epsilon |k|)), an integer. Raises nothing.';

--
-- Name: laplace_noise(double precision); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.laplace_noise(scale double precision) RETURNS double precision
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select case when scale <= 0 then 0::float8
              else -scale * sign(u) * ln(1 - 2 * abs(u)) end
  from (select app_private.uniform_noise() - 0.5 as u) as draw
$$;

ALTER FUNCTION app_private.laplace_noise(scale double precision) OWNER TO app_owner;

--
-- Name: FUNCTION laplace_noise(scale double precision); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.laplace_noise(scale double precision) IS 'A draw of Laplace noise with the given scale (sensitivity / epsilon); 0 for a scale of 0. Raises nothing.';

--
-- Name: last_activity(uuid[]); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.last_activity(user_ids uuid[]) RETURNS TABLE(user_id uuid, active_at timestamp with time zone, trace text)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  traces text;
begin
  select string_agg(format('select t.%I, greatest(%s), %L from app_public.%I t where t.%I = any ($1)',
                           o.owner_column, columns.list, o.table_name, o.table_name, o.owner_column), ' union all ')
  into traces
  from app_private.personal_data_owners o
  cross join lateral (
    select string_agg(format('t.%I', a.attname), ', ') as list
    from pg_attribute a
    where a.attrelid = format('app_public.%I', o.table_name)::regclass and a.attnum > 0 and not a.attisdropped
      and a.attname = any (case o.table_name
                             when 'notifications' then array['read_at']::text[]
                             when 'metrics_snapshots' then array[]::text[]
                             when 'milestones' then array[]::text[]
                             when 'user_tracks' then array[]::text[]
                             else array['created_at', 'updated_at']::text[] end)
  ) columns
  where columns.list is not null;

  return query execute format($q$
    select distinct on (t.user_id) t.user_id, t.at, t.trace
    from (
      select u.id, u.last_active_at, 'api' from app_public.users u where u.id = any ($1)
      union all
      select a.acting_user_id, max(a.at), 'audit_log' from app_private.audit_log a where a.acting_user_id = any ($1) group by 1
      union all
      %s
    ) as t (user_id, at, trace)
    where t.at is not null
    order by t.user_id, t.at desc, t.trace
  $q$, traces) using user_ids;
end;
$_$;

ALTER FUNCTION app_private.last_activity(user_ids uuid[]) OWNER TO app_owner;

--
-- Name: FUNCTION last_activity(user_ids uuid[]); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.last_activity(user_ids uuid[]) IS 'For each given user id (uuid[]): the newest trace of the user''s own acting (active_at, timestamptz) and where it was found (trace: api = last_active_at, audit_log = a row they acted in, else the app_public table of a row they own, by its created_at/updated_at; notifications by read_at; metrics_snapshots, milestones and user_tracks not at all, the jobs write them). One row per existing user; raises nothing. Rule: issue 15 section 3, retention never erases a user active through any path. Owner only.';

--
-- Name: master_key_id(text); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.master_key_id(master_key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select left(encode(hmac('pas_in_peace master key id', master_key, 'sha256'), 'hex'), 16) $$;

ALTER FUNCTION app_private.master_key_id(master_key text) OWNER TO app_owner;

--
-- Name: FUNCTION master_key_id(master_key text); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.master_key_id(master_key text) IS 'Names a master key without revealing it (HMAC-SHA-256 keyed by it, 16 hex digits); the services compute the same.';

--
-- Name: milestones_reached(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.milestones_reached() RETURNS TABLE(user_id uuid, track app_public.track_type, kind text, title text, xp integer)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.milestones_reached() OWNER TO app_owner;

--
-- Name: FUNCTION milestones_reached(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.milestones_reached() IS 'Milestones parents have reached by now: streak_7 (active seven days running) and child_completed (with the child''s consent).';

--
-- Name: new_erasure_code(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.new_erasure_code() RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  code text := '';
  pick integer;
begin
  while length(code) < 10 loop
    pick := get_byte(public.gen_random_bytes(1), 0) & 31;
    -- 0..30 index the 31 characters; 31 is drawn again, so every character is equally likely.
    if pick < 31 then
      code := code || substr(alphabet, pick + 1, 1);
    end if;
  end loop;
  return substr(code, 1, 5) || '-' || substr(code, 6);
end;
$$;

ALTER FUNCTION app_private.new_erasure_code() OWNER TO app_owner;

--
-- Name: FUNCTION new_erasure_code(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.new_erasure_code() IS 'A new erasure confirmation code: 10 random characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ (49.5 bits), as XXXXX-XXXXX.';

--
-- Name: project_release(uuid); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.project_release(quest_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  q record;
  f app_public.quest_analytics;
begin
  select id, is_public, coalesce(jsonb_array_length(graph_structure -> 'nodes'), 0) as node_count,
         (select max(r.window_start) from app_private.quest_releases r where r.quest_id = quests.id) as window_start into q
  from app_public.quests where id = project_release.quest_id;
  if not found then
    return;
  end if;
  select * into f from jsonb_populate_record(null::app_public.quest_analytics,
    (select coalesce(jsonb_object_agg(e.key, e.value), '{}') from app_private.quest_releases r, jsonb_each(r.figures) e
     where r.quest_id = q.id));

  insert into app_public.quest_analytics as qa (
      quest_id, total_starts, total_completions, completion_rate, avg_completion_time, nodes_completed, total_nodes,
      completion_percentage, play_count, total_time_minutes, avg_xp_earned, reveal_view_rate, distinct_children,
      window_start, last_updated)
  values (
      q.id, f.total_starts, f.total_completions, f.completion_rate, f.avg_completion_time, f.nodes_completed, q.node_count,
      f.completion_percentage, f.play_count, f.total_time_minutes, f.avg_xp_earned, f.reveal_view_rate, f.distinct_children,
      q.window_start, now())
  on conflict on constraint quest_analytics_one_per_quest do update set
      total_starts = excluded.total_starts, total_completions = excluded.total_completions,
      completion_rate = excluded.completion_rate, avg_completion_time = excluded.avg_completion_time,
      median_completion_time = null, avg_xp_earned = excluded.avg_xp_earned, avg_badges_earned = null,
      reveal_view_rate = excluded.reveal_view_rate, node_completion_rates = null, node_average_times = null,
      nodes_completed = excluded.nodes_completed, total_nodes = excluded.total_nodes,
      completion_percentage = excluded.completion_percentage, educational_progress = null,
      play_count = excluded.play_count, total_time_minutes = excluded.total_time_minutes,
      distinct_children = excluded.distinct_children, last_played = null,
      window_start = excluded.window_start, last_updated = excluded.last_updated
  where (to_jsonb(qa.*) - '{id,quest_id,created_at,last_updated}'::text[])
        is distinct from (to_jsonb(excluded.*) - '{id,quest_id,created_at,last_updated}'::text[]);

  -- Public on a marketplace quest: the released progress figures, zero while not
  -- released. A personal quest's stay zero (its parent reads get_quest_analytics).
  update app_public.quests t set
      plays_count = s.plays, completion_count = s.completions, completion_rate = s.rate, average_completion_time = s.average_time
  from (select case when q.is_public then coalesce(f.total_starts, 0) else 0 end as plays,
               case when q.is_public then coalesce(f.total_completions, 0) else 0 end as completions,
               case when q.is_public then coalesce(f.completion_rate, 0) else 0 end as rate,
               case when q.is_public then f.avg_completion_time end as average_time) as s
  where t.id = q.id
    and (t.plays_count, t.completion_count, t.completion_rate, t.average_completion_time)
        is distinct from (s.plays, s.completions, s.rate, s.average_time);
end;
$$;

ALTER FUNCTION app_private.project_release(quest_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION project_release(quest_id uuid); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.project_release(quest_id uuid) IS 'Writes a quest''s stored release (app_private.quest_releases) into its quest_analytics row and its public statistics (plays_count, completion_count, completion_rate, average_completion_time; zero while not released, always zero for a quest that is not public). Writes only what differs.';

--
-- Name: release_quest_figures(uuid, timestamp with time zone); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.release_quest_figures(quest_id uuid, at timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  -- Privacy parameters: epsilon per figure and per fresh release, and the caps that bound
  -- one child's contribution (its sensitivity). A window is one UTC day.
  epsilon constant float8 := 0.1;
  min_group constant integer := 5;
  max_xp constant integer := 1000;
  max_completion_seconds constant integer := 14400;
  max_sessions constant integer := 50;
  max_minutes constant float8 := 600;
  this_window timestamptz := date_trunc('day', at, 'UTC');
  q record;
  released timestamptz;
  g text;
  members uuid[];
  inputs record;
  digest bytea;
  n integer;
  k integer;
  figures jsonb;
begin
  -- One release at a time per quest (the quest row is the lock).
  select id, coalesce(jsonb_array_length(graph_structure -> 'nodes'), 0) as node_count into q
  from app_public.quests where id = release_quest_figures.quest_id for no key update;
  if not found then
    return false;
  end if;
  select max(r.window_start) into released from app_private.quest_releases r where r.quest_id = q.id;
  if released is not null and released >= this_window then
    -- Frozen until the next window: asking again, or after one more child played, changes nothing.
    perform app_private.project_release(q.id);
    return false;
  end if;

  foreach g in array array['progress', 'play_frequency', 'analytics', 'children'] loop
    members := array(select p.child_id from app_public.quest_progress p
                     where p.quest_id = q.id and app_private.counts_in_release(p.child_id, q.id, g)
                     order by p.child_id);
    -- The exact inputs, each child's contribution capped (one row per child and quest).
    select count(*)::int as children,
           (count(*) filter (where p.completed))::int as completions,
           coalesce(sum(least(greatest(extract(epoch from p.completed_at - p.started_at), 0), max_completion_seconds))
                    filter (where p.completed), 0)::float8 as completion_seconds,
           coalesce(sum(least(p.nodes_completed, q.node_count)), 0)::float8 as nodes,
           coalesce(sum(p.completion_percentage), 0)::float8 as percentage,
           coalesce(sum(least(p.session_count, max_sessions)), 0)::float8 as sessions,
           coalesce(sum(least(p.total_time_minutes, max_minutes)), 0)::float8 as minutes,
           coalesce(sum(least(p.xp_earned, max_xp)), 0)::float8 as xp,
           (count(*) filter (where p.reveal_moments_viewed > 0))::int as reveals
      into inputs
    from app_public.quest_progress p
    where p.quest_id = q.id and p.child_id = any (members);
    digest := sha256(convert_to(g || q.node_count || members::text || row_to_json(inputs)::text, 'UTF8'));

    if inputs.children < min_group then
      -- Too few children: nothing of the group is released.
      members := '{}'; digest := null; figures := '{}';
    elsif digest = (select r.inputs_digest from app_private.quest_releases r where r.quest_id = q.id and r.figure_group = g) then
      -- The same inputs as the stored release: keep its noise (no fresh draw, no budget spent).
      update app_private.quest_releases r set window_start = this_window where r.quest_id = q.id and r.figure_group = g;
      continue;
    elsif g = 'progress' then
      n := greatest(inputs.children + app_private.geometric_noise(epsilon), min_group);
      k := least(greatest(inputs.completions + app_private.geometric_noise(epsilon), 0), n);
      figures := jsonb_build_object(
        'total_starts', n,
        'total_completions', k,
        'completion_rate', k::float8 / n,
        'avg_completion_time', round(least(greatest(
           (inputs.completion_seconds + app_private.laplace_noise(max_completion_seconds / epsilon)) / greatest(k, 1), 0),
           max_completion_seconds)),
        'nodes_completed', round(least(greatest(
           (inputs.nodes + app_private.laplace_noise(q.node_count / epsilon)) / n, 0), q.node_count)),
        'completion_percentage', round(least(greatest(
           (inputs.percentage + app_private.laplace_noise(100 / epsilon)) / n, 0), 100)));
    elsif g = 'play_frequency' then
      figures := jsonb_build_object(
        'play_count', greatest(round(inputs.sessions + app_private.laplace_noise(max_sessions / epsilon)), 0),
        'total_time_minutes', greatest(round((inputs.minutes + app_private.laplace_noise(max_minutes / epsilon))::numeric, 2), 0));
    elsif g = 'analytics' then
      n := greatest(inputs.children + app_private.geometric_noise(epsilon), min_group);
      figures := jsonb_build_object(
        'avg_xp_earned', round(least(greatest((inputs.xp + app_private.laplace_noise(max_xp / epsilon)) / n, 0), max_xp)::numeric, 2),
        'reveal_view_rate', least(greatest(inputs.reveals + app_private.geometric_noise(epsilon), 0), n)::float8 / n);
    else
      figures := jsonb_build_object('distinct_children', greatest(inputs.children + app_private.geometric_noise(epsilon), min_group));
    end if;

    insert into app_private.quest_releases as r (quest_id, figure_group, window_start, members, inputs_digest, figures)
    values (q.id, g, this_window, members, digest, figures)
    on conflict on constraint quest_releases_one_per_quest_and_group do update set
      window_start = excluded.window_start, members = excluded.members, inputs_digest = excluded.inputs_digest,
      figures = excluded.figures;
  end loop;

  perform app_private.project_release(q.id);
  return true;
end;
$$;

ALTER FUNCTION app_private.release_quest_figures(quest_id uuid, at timestamp with time zone) OWNER TO app_owner;

--
-- Name: FUNCTION release_quest_figures(quest_id uuid, at timestamp with time zone); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.release_quest_figures(quest_id uuid, at timestamp with time zone) IS 'Releases a quest''s cross-child figures for the window (UTC day) of `at`, once: a later call in the same or an earlier window changes nothing (returns false); a new window recomputes each group (progress, play_frequency, analytics, children) over the children who count in it (app_private.counts_in_release), withholds a group of fewer than 5, keeps the stored noise of a group whose exact inputs did not change, and otherwise draws fresh noise: two-sided geometric for counts, Laplace for sums, epsilon 0.1 per figure, each child capped at 1000 XP, 4 h to complete, 50 sessions, 600 minutes, the quest''s node count; averages and rates come from the noisy sums and counts. Then projects the release into quest_analytics and the public statistics. Owner only (its `at` must not be chosen by anyone else: docs/privacy.md). Source: issue 14 items 1 and 3.';

--
-- Name: retention_review(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.retention_review() RETURNS TABLE(user_id uuid, kind app_public.user_kind, data_retention_days integer, active_at timestamp with time zone, trace text, notified_at timestamp with time zone, erase_after timestamp with time zone, action text, reason text)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  with considered as (
    -- Only these need their traces read: past the period by the stored mark, or already told.
    select u.id, u.kind, u.data_retention_days, n.notified_at
    from app_public.users u left join app_private.retention_notices n on n.user_id = u.id
    where (u.last_active_at < now() - make_interval(days => u.data_retention_days) or n.user_id is not null)
      and not exists (select from app_public.data_deletion_requests r where r.user_id = u.id and r.status in ('verified', 'processing'))
  ),
  decided as (
    select c.id, c.kind, c.data_retention_days, l.active_at, l.trace, c.notified_at,
           coalesce(c.notified_at, now()) + interval '30 days' as erase_after,
           case
             when c.notified_at is not null and l.active_at > c.notified_at then 'cancel'
             when c.notified_at is not null and c.notified_at <= now() - interval '30 days' then 'erase'
             when c.notified_at is not null then 'wait'
             when l.active_at < now() - make_interval(days => c.data_retention_days) then 'notify'
             else 'keep'
           end as action
    from considered c join app_private.last_activity(array(select id from considered)) l on l.user_id = c.id
  )
  select d.id, d.kind, d.data_retention_days, d.active_at, d.trace, d.notified_at, d.erase_after, d.action,
         format('last active %s (%s); ', to_char(d.active_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), d.trace) ||
         case d.action
           when 'keep' then format('within data_retention_days %s', d.data_retention_days)
           when 'notify' then format('inactive past data_retention_days %s: notify, erase after %s if still inactive',
                                     d.data_retention_days, to_char(d.erase_after at time zone 'UTC', 'YYYY-MM-DD'))
           when 'wait' then format('notified %s, not active since: erase after %s',
                                   to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'), to_char(d.erase_after at time zone 'UTC', 'YYYY-MM-DD'))
           when 'cancel' then format('active after the notice of %s: notice withdrawn', to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'))
           when 'erase' then format('notified %s, not active since, notice period of 30 days over: erase',
                                    to_char(d.notified_at at time zone 'UTC', 'YYYY-MM-DD'))
         end
  from decided d
  order by d.action, d.id
$$;

ALTER FUNCTION app_private.retention_review() OWNER TO app_owner;

--
-- Name: FUNCTION retention_review(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.retention_review() IS 'The retention dry run: one row per user the daily review concerns (stored mark past data_retention_days, or a notice standing; none with a verified or processing erasure request): user_id, kind, data_retention_days, active_at and trace (app_private.last_activity), notified_at, erase_after (notice + 30 days), action (keep, notify, wait, cancel, erase) and a reason in words (dates in UTC). Changes nothing; raises nothing. Rule: issue 15 section 3 and seed 004 (retention review before erasure). Owner only (npm run retention:dry-run).';

--
-- Name: session_master_keys(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.session_master_keys() RETURNS TABLE(key_id text, master_key text, is_current boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
  select app_private.master_key_id(s.k), s.k, s.n = 1
  from (values (1, nullif(current_setting('app.data_encryption_key', true), '')),
               (2, nullif(current_setting('app.data_encryption_key_previous', true), ''))) as s(n, k)
  where s.k is not null
$$;

ALTER FUNCTION app_private.session_master_keys() OWNER TO app_owner;

--
-- Name: FUNCTION session_master_keys(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.session_master_keys() IS 'The master keys this transaction holds: the current one, and the previous one during a rotation.';

--
-- Name: store_encrypted(app_private.encrypted_columns); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.store_encrypted(c app_private.encrypted_columns) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
declare
  encrypted text;
  reader text;
  description text;
begin
  encrypted := c.column_name || '_encrypted';
  reader := c.table_name || '_' || c.column_name;
  description := regexp_replace(
    coalesce(col_description(format('app_public.%I', c.table_name)::regclass,
      (select attnum from pg_attribute where attrelid = format('app_public.%I', c.table_name)::regclass and attname = c.column_name)), ''),
    '^(@[^\n]*\n)*|\s*\(Stored encrypted.*\)$', '', 'g');

  execute format('alter table app_public.%I add column if not exists %I bytea', c.table_name, encrypted);
  execute format('alter table app_public.%I alter column %I drop not null', c.table_name, c.column_name);
  -- Existing values: a storage change, not an edit (no version bump, no trigger).
  execute format('alter table app_public.%I disable trigger user', c.table_name);
  execute format('update app_public.%I set %I = app_private.encrypt_p2(%I, %I::text), %I = null where %I is not null',
    c.table_name, encrypted, c.owner_column, c.column_name, c.column_name, c.column_name);
  execute format('alter table app_public.%I enable trigger user', c.table_name);

  execute format('alter table app_public.%I drop constraint if exists %I', c.table_name, reader || '_stored_encrypted');
  execute format('alter table app_public.%I add constraint %I check (%I is null)', c.table_name, reader || '_stored_encrypted', c.column_name);
  if c.required then
    execute format('alter table app_public.%I alter column %I set not null', c.table_name, encrypted);
  end if;

  execute format('drop trigger if exists %I on app_public.%I', '_900_encrypt_' || c.column_name, c.table_name);
  execute format(
    'create trigger %I before insert or update of %I on app_public.%I for each row execute function app_private.tg__encrypt_p2(%L, %L, %L, %L)',
    '_900_encrypt_' || c.column_name, c.column_name, c.table_name,
    c.owner_column, c.column_name, c.shape, case when c.required then 'required' else 'optional' end);

  perform app_private.create_p2_reader(c);
  execute format('comment on function app_public.%I(app_public.%I) is %L', reader, c.table_name,
    case when c.required then E'@notNull\n' else '' end || description || ' (Stored encrypted.)');
  execute format('comment on column app_public.%I.%I is %L', c.table_name, c.column_name,
    E'@behavior -select -orderBy -filterBy\n' || case when c.required then E'@notNull\n' else '' end
    || description || format(' (Stored encrypted in %s: read it with app_public.%s(row).)', encrypted, reader));
  execute format('comment on column app_public.%I.%I is %L', c.table_name, encrypted,
    E'@behavior -select -insert -update -orderBy -filterBy\n'
    || format('Ciphertext of %s, with the data key of the row''s %s (app_private.encrypt_p2).', c.column_name, c.owner_column));
end;
$_$;

ALTER FUNCTION app_private.store_encrypted(c app_private.encrypted_columns) OWNER TO app_owner;

--
-- Name: FUNCTION store_encrypted(c app_private.encrypted_columns); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.store_encrypted(c app_private.encrypted_columns) IS 'Makes a P2 column of app_private.encrypted_columns stored encrypted (columns, existing values, trigger, reading functions of app_private.create_p2_reader, tags).';

--
-- Name: tg__assign_only_psychologists(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__assign_only_psychologists() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if not exists (select 1 from app_public.users u where u.id = new.psychologist_id and u.kind = 'psychologist') then
    raise exception 'psychologist_id must name a psychologist: a review is assigned only to one.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_assign_only_psychologists',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg__assign_only_psychologists() OWNER TO app_owner;

--
-- Name: FUNCTION tg__assign_only_psychologists(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg__assign_only_psychologists() IS 'BEFORE INSERT OR UPDATE OF psychologist_id on psychologist_reviews: refuses (23514, constraint psychologist_reviews_assign_only_psychologists) an id that is not a psychologist''s, an unknown id alike. Replaces the policy that called app_hidden.is_psychologist (issue 14, item 11).';

--
-- Name: tg__audit_write(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__audit_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  row_data jsonb := to_jsonb(coalesce(new, old));
  changed text[];
begin
  if tg_op = 'UPDATE' then
    select array_agg(n.key order by n.key) into changed
    from jsonb_each(to_jsonb(new)) n join jsonb_each(to_jsonb(old)) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'version');
  end if;
  perform app_private.audit(
    lower(tg_op), tg_table_name,
    coalesce(row_data ->> 'id', row_data ->> 'child_id', row_data ->> 'user_id')::uuid,
    case when tg_table_name in ('child_privacy', 'quest_privacy') then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'family_links' then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'quests' then (row_data ->> 'child_id')::uuid
         when tg_table_name = 'users' and row_data ->> 'kind' = 'child' then (row_data ->> 'id')::uuid end,
    null, null,
    case when changed is null then '{}'::jsonb else jsonb_build_object('columns', changed) end);
  return null;
end;
$$;

ALTER FUNCTION app_private.tg__audit_write() OWNER TO app_owner;

--
-- Name: tg__encrypt_p2(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__encrypt_p2() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  owner_column text := tg_argv[0];
  p2_column text := tg_argv[1];
  shape text := tg_argv[2];
  row_data jsonb := to_jsonb(new);
  value jsonb := nullif(row_data -> p2_column, 'null'::jsonb);
  plaintext text;
begin
  if value is null then
    if tg_argv[3] = 'required' then
      raise exception 'null value in column "%" of relation "%" violates not-null constraint', p2_column, tg_table_name
        using errcode = 'not_null_violation', table = tg_table_name, column = p2_column;
    end if;
  elsif (shape in ('object', 'array') and jsonb_typeof(value) <> shape) or (shape = 'non-empty text' and value #>> '{}' = '') then
    raise exception '%.% must be %', tg_table_name, p2_column,
      case shape when 'object' then 'a JSON object' when 'array' then 'a JSON array' else 'a non-empty text' end
      using errcode = 'check_violation', constraint = format('%s_%s_shape', tg_table_name, p2_column),
            table = tg_table_name, column = p2_column;
  else
    plaintext := case when shape in ('object', 'array') then value::text else value #>> '{}' end;
  end if;
  new := jsonb_populate_record(new, jsonb_build_object(
    p2_column, null,
    p2_column || '_encrypted', app_private.encrypt_p2((row_data ->> owner_column)::uuid, plaintext)));
  return new;
end;
$$;

ALTER FUNCTION app_private.tg__encrypt_p2() OWNER TO app_owner;

--
-- Name: FUNCTION tg__encrypt_p2(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg__encrypt_p2() IS 'BEFORE trigger of each P2 column: checks the value''s shape, encrypts it into <column>_encrypted, stores null in the column.';

--
-- Name: tg__enqueue_quest_refresh(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__enqueue_quest_refresh() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_private.enqueue_quest_refresh(array(select quest_id from changed_rows));
  return null;
end;
$$;

ALTER FUNCTION app_private.tg__enqueue_quest_refresh() OWNER TO app_owner;

--
-- Name: tg__enqueue_refresh_for_consent(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__enqueue_refresh_for_consent() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform app_private.enqueue_quest_refresh(array(
    select p.quest_id from app_public.quest_progress p where p.child_id in (select child_id from changed_rows)));
  return null;
end;
$$;

ALTER FUNCTION app_private.tg__enqueue_refresh_for_consent() OWNER TO app_owner;

--
-- Name: tg__row_metadata(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__row_metadata() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
  if new.version is distinct from old.version then
    raise exception 'This row of % was changed by someone else (you sent version %, the current version is %): reload it and try again.',
      tg_table_name, new.version, old.version
      using errcode = 'STALE', hint = 'Read the row again and retry with its current version.';
  end if;
  new.version := old.version + 1;
  new.updated_at := greatest(now(), old.updated_at + interval '1 microsecond');
  return new;
end;
$$;

ALTER FUNCTION app_private.tg__row_metadata() OWNER TO app_owner;

--
-- Name: FUNCTION tg__row_metadata(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg__row_metadata() IS 'BEFORE UPDATE trigger of mutable tables: rejects a stale version, bumps version, sets updated_at.';

--
-- Name: tg__withhold_figures(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg__withhold_figures() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- users rows carry the child as id; the consent and link tables as child_id.
  perform app_private.withhold_figures_counting(array(
    select coalesce(to_jsonb(c) ->> 'child_id', to_jsonb(c) ->> 'id')::uuid from changed_rows c));
  return null;
end;
$$;

ALTER FUNCTION app_private.tg__withhold_figures() OWNER TO app_owner;

--
-- Name: FUNCTION tg__withhold_figures(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg__withhold_figures() IS 'Statement trigger (transition table changed_rows) on child_privacy, quest_privacy, family_links and users: withholds the stored figures that counted the children of the changed rows who no longer count (app_private.withhold_figures_counting). Raises nothing. Source: issue 14 item 9.';

--
-- Name: tg_consent__record_events(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_consent__record_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into app_public.consent_events (child_id, quest_id, flag, old_value, new_value, consent_version)
  select new.child_id, case when tg_table_name = 'quest_privacy' then (to_jsonb(new) ->> 'quest_id')::uuid end,
         n.key, case when tg_op = 'UPDATE' then (to_jsonb(old) ->> n.key)::boolean end, n.value::boolean, new.consent_version
  from jsonb_each_text(to_jsonb(new)) n
  where (n.key like 'share\_%' or n.key = 'consent_given_by_child')
    and (tg_op = 'INSERT' and tg_table_name = 'quest_privacy' or tg_op = 'UPDATE')
    and (tg_op = 'INSERT' or n.value is distinct from to_jsonb(old) ->> n.key);
  return null;
end;
$$;

ALTER FUNCTION app_private.tg_consent__record_events() OWNER TO app_owner;

--
-- Name: tg_consent__stamp(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_consent__stamp() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'INSERT' or (to_jsonb(new) - 'consent_timestamp' - 'updated_at' - 'version')
                         is distinct from (to_jsonb(old) - 'consent_timestamp' - 'updated_at' - 'version') then
    new.consent_timestamp := now();
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_consent__stamp() OWNER TO app_owner;

--
-- Name: tg_consent_events__append_only(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_consent_events__append_only() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from app_public.users where id = old.child_id) then
    return old;
  end if;
  if tg_op = 'UPDATE' and old.quest_id is not null and new.quest_id is null
     and to_jsonb(new) - 'quest_id' = to_jsonb(old) - 'quest_id'
     and not exists (select 1 from app_public.quests where id = old.quest_id) then
    perform app_private.audit('unlink_deleted_quest', 'consent_events', old.id, old.child_id, null, null, '{}');
    return new;
  end if;
  raise exception 'consent_events is append-only: % is not allowed.', tg_op using errcode = '42501';
end;
$$;

ALTER FUNCTION app_private.tg_consent_events__append_only() OWNER TO app_owner;

--
-- Name: FUNCTION tg_consent_events__append_only(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_consent_events__append_only() IS 'consent_events is append-only (trigger): refuses UPDATE and DELETE (SQLSTATE 42501) except a DELETE of a row whose child no longer exists (erasure of the child, by the foreign key) and an UPDATE that only sets quest_id to null once that quest no longer exists (its deletion, by the foreign key; audited as unlink_deleted_quest with the child''s id). The rule of issue 15, section 2: the consent history is the child''s.';

--
-- Name: tg_consent_events__notify_parents(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_consent_events__notify_parents() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  changed uuid[] := array(select id from new_events where old_value is not null and old_value <> new_value order by id);
begin
  -- A child's first settings (old_value null) are the defaults, not a decision to announce.
  if cardinality(changed) > 0 then
    perform graphile_worker.add_job('notify_consent_changes', json_build_object('event_ids', changed), max_attempts => 10);
  end if;
  return null;
end;
$$;

ALTER FUNCTION app_private.tg_consent_events__notify_parents() OWNER TO app_owner;

--
-- Name: tg_family_links__check_kinds(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_family_links__check_kinds() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  parent_kind app_public.user_kind;
  child_kind app_public.user_kind;
begin
  select kind into parent_kind from app_public.users where id = new.parent_id;
  select kind into child_kind from app_public.users where id = new.child_id;
  if parent_kind is distinct from 'parent' or child_kind is distinct from 'child' then
    raise exception 'A family link joins a parent to a child (got % and %).',
      coalesce(parent_kind::text, 'no user'), coalesce(child_kind::text, 'no user')
      using errcode = '23514';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_family_links__check_kinds() OWNER TO app_owner;

--
-- Name: tg_jobs__keyed_job_needs_request(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_jobs__keyed_job_needs_request() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  -- Set by app_jobs.request_job around its own add_job, transaction-local (and rolled back with a savepoint).
  if coalesce(current_setting('app.requesting_job', true), '') is distinct from new.key then
    raise exception 'The keyed job % (%) was queued without app_jobs.request_job: graphile-worker could drop it (graphile/worker issue 580). Queue it with app_jobs.request_job (same arguments as add_job).',
      quote_literal(new.key), (select t.identifier from graphile_worker._private_tasks t where t.id = new.task_id)
      using errcode = 'JOB01';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_jobs__keyed_job_needs_request() OWNER TO app_owner;

--
-- Name: FUNCTION tg_jobs__keyed_job_needs_request(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_jobs__keyed_job_needs_request() IS 'BEFORE INSERT or UPDATE OF key of graphile_worker._private_jobs, for a keyed job: refuses (SQLSTATE JOB01) one not queued by app_jobs.request_job itself (it names the key in the transaction-local setting app.requesting_job while it calls add_job), i.e. queued around it (graphile_worker.add_job/add_jobs with a job key, graphile-worker''s addJob with a jobKey), whichever client did it. Source: issue 18 item 1.';

--
-- Name: tg_psychologist_reviews__not_by_the_author(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_psychologist_reviews__not_by_the_author() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.psychologist_id) then
    raise exception 'Nobody reviews their own quest: assign another psychologist.'
      using errcode = 'check_violation', constraint = 'psychologist_reviews_not_by_the_author',
            table = 'psychologist_reviews', column = 'psychologist_id';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_psychologist_reviews__not_by_the_author() OWNER TO app_owner;

--
-- Name: FUNCTION tg_psychologist_reviews__not_by_the_author(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_psychologist_reviews__not_by_the_author() IS 'BEFORE INSERT or UPDATE of psychologist_reviews (assignment, status, approval): refuses (23514, constraint psychologist_reviews_not_by_the_author) a review whose psychologist wrote the quest. Issue 15, section 1.';

--
-- Name: tg_psychologist_reviews__overall_rating(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_psychologist_reviews__overall_rating() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_private.tg_psychologist_reviews__overall_rating() OWNER TO app_owner;

--
-- Name: tg_psychologist_reviews__quest_unchanged_since_start(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.status = 'completed' and old.status is distinct from 'completed'
     and exists (select 1 from app_public.quests q
                 where q.id = new.quest_id and q.updated_at > coalesce(old.started_at, old.created_at)) then
    raise exception 'The quest changed after this review started: read it again (set started_at) before completing the review.'
      using errcode = 'STALE', table = 'psychologist_reviews';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start() OWNER TO app_owner;

--
-- Name: FUNCTION tg_psychologist_reviews__quest_unchanged_since_start(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start() IS 'BEFORE UPDATE OF status on psychologist_reviews: refuses (SQLSTATE STALE) to complete a review whose quest was edited after the review''s start as recorded before this update (started_at, else the request''s created_at), so a review approves only what the psychologist could have read. Issue 15, section 1.';

--
-- Name: tg_psychologist_reviews__show_on_quest(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_psychologist_reviews__show_on_quest() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_psychologist_reviews__show_on_quest() OWNER TO app_owner;

--
-- Name: FUNCTION tg_psychologist_reviews__show_on_quest(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_psychologist_reviews__show_on_quest() IS 'AFTER INSERT or UPDATE OF status, is_approved of psychologist_reviews: a review becoming completed sets its quest''s psychologist_reviewed (to is_approved), psychologist_review_id and reviewed_at; a completed review re-saved approves nothing new (a quest changed since needs a new completion), and a completed review reopened or no longer approving clears psychologist_reviewed when it was the deciding one. Raises nothing. Issue 15, section 1 (migration 000005''s rule, bound to the review''s completion).';

--
-- Name: tg_quest_nodes__change_needs_moderation(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quest_nodes__change_needs_moderation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_quest_nodes__change_needs_moderation() OWNER TO app_owner;

--
-- Name: FUNCTION tg_quest_nodes__change_needs_moderation(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_quest_nodes__change_needs_moderation() IS 'AFTER INSERT, UPDATE or DELETE of quest_nodes written directly (not by a trigger): a node added, removed or changed in a column inner_edu_user may read (timestamps aside) sends its quest (and, when re-pointed, the old one) back to pending, unreviewed, and a deployed one to draft. Raises nothing. Issue 15, section 1.';

--
-- Name: tg_quest_progress__as_played(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quest_progress__as_played() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_quest_progress__as_played() OWNER TO app_owner;

--
-- Name: FUNCTION tg_quest_progress__as_played(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_quest_progress__as_played() IS 'BEFORE INSERT/UPDATE trigger of quest_progress, for inner_edu_user''s writes: nodes_completed at most the quest''s nodes, and a completed row stays completed with its completed_at (SQLSTATE 23514, constraint names quest_progress_nodes_within_quest, quest_progress_completion_is_final). The rules of update_quest_progress (migration 000004), issue 14 item 8.';

--
-- Name: tg_quest_ratings__not_by_the_author(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quest_ratings__not_by_the_author() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if exists (select 1 from app_public.quests q where q.id = new.quest_id and q.author_id = new.user_id) then
    raise exception 'Nobody rates their own quest.'
      using errcode = 'check_violation', constraint = 'quest_ratings_not_by_the_author',
            table = 'quest_ratings', column = 'quest_id';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_quest_ratings__not_by_the_author() OWNER TO app_owner;

--
-- Name: FUNCTION tg_quest_ratings__not_by_the_author(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_quest_ratings__not_by_the_author() IS 'BEFORE INSERT or UPDATE OF quest_id, user_id of quest_ratings while a user acts (app.user_id set: GraphQL, direct SQL, functions): refuses (23514, constraint quest_ratings_not_by_the_author) a rating by the quest''s author. Seeds and fixtures, run with nobody acting, are not checked. Issue 15, section 1.';

--
-- Name: tg_quests__content_edit_needs_moderation(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quests__content_edit_needs_moderation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_quests__content_edit_needs_moderation() OWNER TO app_owner;

--
-- Name: FUNCTION tg_quests__content_edit_needs_moderation(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_quests__content_edit_needs_moderation() IS 'BEFORE UPDATE of quests: when a column inner_edu_user may read changes (app_private.child_visible_columns; all but the moderation, lifecycle, job and derived columns it names), including the audience child_id / is_public, an approved or reviewed quest goes back to pending, loses its psychologist approval, and a deployed one goes back to draft. Raises nothing. Issue 15, section 1 (replaces the title/description/graph rule of migration 000007).';

--
-- Name: tg_quests__derive_from_graph(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quests__derive_from_graph() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'app_hidden', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_quests__derive_from_graph() OWNER TO app_owner;

--
-- Name: tg_quests__lifecycle_timestamps(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quests__lifecycle_timestamps() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.status = 'deleted' and new.deleted_at is null then new.deleted_at := now(); end if;
  if new.status <> 'deleted' then new.deleted_at := null; end if;
  if new.status = 'deployed' and new.deployed_at is null then new.deployed_at := now(); end if;
  if new.is_public and new.published_at is null then new.published_at := now(); end if;
  if not new.is_public then new.published_at := null; end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_quests__lifecycle_timestamps() OWNER TO app_owner;

--
-- Name: tg_quests__no_self_moderation(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quests__no_self_moderation() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.author_id = app_public.current_user_id() then
    raise exception 'Nobody moderates their own quest: another admin decides.'
      using errcode = '42501', table = 'quests', column = 'moderation_status';
  end if;
  return new;
end;
$$;

ALTER FUNCTION app_private.tg_quests__no_self_moderation() OWNER TO app_owner;

--
-- Name: FUNCTION tg_quests__no_self_moderation(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.tg_quests__no_self_moderation() IS 'BEFORE INSERT or UPDATE OF moderation_status of quests, for a decision (not pending): refuses (42501) when the acting user (app.user_id) is the quest''s author. Issue 15, section 1 ("nobody moderates their own work", CONTRACT.md).';

--
-- Name: tg_quests__sync_nodes(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_quests__sync_nodes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_private.tg_quests__sync_nodes() OWNER TO app_owner;

--
-- Name: tg_users__create_child_privacy(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.tg_users__create_child_privacy() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  if new.kind = 'child' then
    insert into app_public.child_privacy (child_id) values (new.id) on conflict do nothing;
  end if;
  return null;
end;
$$;

ALTER FUNCTION app_private.tg_users__create_child_privacy() OWNER TO app_owner;

--
-- Name: uniform_noise(); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.uniform_noise() RETURNS double precision
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  -- 56 random bits, centred in their cell: strictly between 0 and 1.
  select ((('x' || encode(public.gen_random_bytes(7), 'hex'))::bit(56)::bigint + 0.5) / 72057594037927936.0)::float8
$$;

ALTER FUNCTION app_private.uniform_noise() OWNER TO app_owner;

--
-- Name: FUNCTION uniform_noise(); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.uniform_noise() IS 'A uniform number strictly between 0 and 1 from 56 bits of pgcrypto''s gen_random_bytes (a CSPRNG). For the release''s noise.';

--
-- Name: unwrap_data_key(uuid); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.unwrap_data_key(owner uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  stored app_private.user_data_keys;
begin
  select * into stored from app_private.user_data_keys where user_id = owner;
  if not found then
    raise exception 'The data key of user % no longer exists (their data was erased): this ciphertext cannot be read.', owner
      using errcode = 'KEY03';
  end if;
  return app_private.unwrapped(stored);
end;
$$;

ALTER FUNCTION app_private.unwrap_data_key(owner uuid) OWNER TO app_owner;

--
-- Name: FUNCTION unwrap_data_key(owner uuid); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.unwrap_data_key(owner uuid) IS 'The data key of a user, for reading; KEY03 when it was erased.';

--
-- Name: user_data_keys; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.user_data_keys (
    user_id uuid NOT NULL,
    wrapped_key bytea NOT NULL,
    master_key_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    rewrapped_at timestamp with time zone
);

ALTER TABLE app_private.user_data_keys OWNER TO app_owner;

--
-- Name: TABLE user_data_keys; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.user_data_keys IS 'Each user''s data key, wrapped with the master key (DATA_ENCRYPTION_KEY). Deleted with the user: their P2 data becomes unreadable everywhere. Not in the data dump of db:backup.';

--
-- Name: COLUMN user_data_keys.wrapped_key; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.user_data_keys.wrapped_key IS 'The 32-byte data key, pgp-encrypted (AES-256) with the master key.';

--
-- Name: COLUMN user_data_keys.master_key_id; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.user_data_keys.master_key_id IS 'Which master key wrapped it: app_private.master_key_id(key), an HMAC, never the key.';

--
-- Name: COLUMN user_data_keys.rewrapped_at; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.user_data_keys.rewrapped_at IS 'When a master key rotation last re-wrapped it.';

--
-- Name: unwrapped(app_private.user_data_keys); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.unwrapped(stored app_private.user_data_keys) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
  master text;
  held text;
begin
  select k.master_key into master from app_private.session_master_keys() k where k.key_id = stored.master_key_id;
  if master is null then
    perform app_private.current_master_key();
    select string_agg(k.key_id, ' and ') into held from app_private.session_master_keys() k;
    raise exception 'The data key of user % is wrapped with master key %, and this transaction holds %: DATA_ENCRYPTION_KEY is not the key this database uses (while rotating, give the old one as DATA_ENCRYPTION_KEY_PREVIOUS).',
      stored.user_id, stored.master_key_id, held
      using errcode = 'KEY02';
  end if;
  return encode(pgp_sym_decrypt_bytea(stored.wrapped_key, master), 'hex');
end;
$$;

ALTER FUNCTION app_private.unwrapped(stored app_private.user_data_keys) OWNER TO app_owner;

--
-- Name: FUNCTION unwrapped(stored app_private.user_data_keys); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.unwrapped(stored app_private.user_data_keys) IS 'A stored data key, unwrapped with whichever master key of the transaction wrapped it (hex).';

--
-- Name: withhold_figures_counting(uuid[]); Type: FUNCTION; Schema: app_private; Owner: app_owner
--

CREATE FUNCTION app_private.withhold_figures_counting(child_ids uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  quests uuid[];
  quest uuid;
begin
  -- Wait for a release in progress of any quest these children played (it holds the quest row), so that
  -- what it stores is withheld here rather than stored after this withholding: its new members are not
  -- visible yet, hence every quest they played, not only those whose stored releases count them. A release
  -- that starts after this waits for this transaction, and then sees the change.
  perform 1 from app_public.quests q
  where q.id in (select r.quest_id from app_private.quest_releases r where r.members && child_ids)
     or q.id in (select p.quest_id from app_public.quest_progress p where p.child_id = any (child_ids))
  order by q.id for no key update;
  with withheld as (
    update app_private.quest_releases r set members = '{}', inputs_digest = null, figures = '{}'
    where r.members && child_ids
      and exists (select 1 from unnest(r.members) m
                  where m = any (child_ids) and not app_private.counts_in_release(m, r.quest_id, r.figure_group))
    returning r.quest_id
  )
  select array_agg(distinct w.quest_id) into quests from withheld w;
  foreach quest in array coalesce(quests, '{}') loop
    perform app_private.project_release(quest);
  end loop;
end;
$$;

ALTER FUNCTION app_private.withhold_figures_counting(child_ids uuid[]) OWNER TO app_owner;

--
-- Name: FUNCTION withhold_figures_counting(child_ids uuid[]); Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON FUNCTION app_private.withhold_figures_counting(child_ids uuid[]) IS 'Withholds (empties) every stored figure group that counted one of these children who no longer counts in it, and re-projects the quests concerned (quest_analytics to null, public statistics to zero). Called by triggers in the transaction of the change; waits for a release in progress of any quest these children played (and holds those quests'' rows until the change commits, so a release starting meanwhile sees it). Raises nothing. Source: issue 14 item 9; the race with a release in progress: issue 18''s review.';

--
-- Name: current_user_id(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.current_user_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  acting uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  problem text;
begin
  if acting is not null then
    problem := app_private.acting_kind_problem(app_private.acting_role(),
                                               (select u.kind from app_public.users u where u.id = acting));
    if problem is not null then
      raise exception '%', problem
        using errcode = 'ACTOR', detail = format('app.user_id is %s.', acting),
              hint = 'Act as this user through the other app''s role, or set app.user_id to a user of a kind this role serves.';
    end if;
  end if;
  return acting;
end;
$$;

ALTER FUNCTION app_public.current_user_id() OWNER TO app_owner;

--
-- Name: FUNCTION current_user_id(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.current_user_id() IS 'The acting user''s id (the transaction-local setting app.user_id), or null when nobody acts. Raises SQLSTATE ACTOR when the app role may not act as that user''s kind (the contract''s rule): pas_bot_user acts only as a parent, psychologist or admin, inner_edu_user only as a child; an unknown id acts as nobody.';

--
-- Name: psychological_profiles; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.psychological_profiles (
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    emotional_trends jsonb DEFAULT '[]'::jsonb,
    crisis_history jsonb DEFAULT '[]'::jsonb,
    primary_coping_strategies jsonb DEFAULT '[]'::jsonb NOT NULL,
    triggers jsonb DEFAULT '[]'::jsonb,
    communication_style text,
    toxic_patterns jsonb DEFAULT '[]'::jsonb,
    growth_areas jsonb DEFAULT '[]'::jsonb NOT NULL,
    quests_created integer DEFAULT 0 NOT NULL,
    child_engagement double precision,
    recommended_techniques jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    crisis_history_encrypted bytea NOT NULL,
    emotional_trends_encrypted bytea NOT NULL,
    toxic_patterns_encrypted bytea NOT NULL,
    triggers_encrypted bytea NOT NULL,
    CONSTRAINT psychological_profiles_child_engagement_range CHECK (((child_engagement >= (0)::double precision) AND (child_engagement <= (1)::double precision))),
    CONSTRAINT psychological_profiles_crisis_history_stored_encrypted CHECK ((crisis_history IS NULL)),
    CONSTRAINT psychological_profiles_emotional_trends_stored_encrypted CHECK ((emotional_trends IS NULL)),
    CONSTRAINT psychological_profiles_plain_lists_are_arrays CHECK (((jsonb_typeof(primary_coping_strategies) = 'array'::text) AND (jsonb_typeof(growth_areas) = 'array'::text) AND (jsonb_typeof(recommended_techniques) = 'array'::text))),
    CONSTRAINT psychological_profiles_quests_created_non_negative CHECK ((quests_created >= 0)),
    CONSTRAINT psychological_profiles_toxic_patterns_stored_encrypted CHECK ((toxic_patterns IS NULL)),
    CONSTRAINT psychological_profiles_triggers_stored_encrypted CHECK ((triggers IS NULL)),
    CONSTRAINT psychological_profiles_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.psychological_profiles FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.psychological_profiles OWNER TO app_owner;

--
-- Name: TABLE psychological_profiles; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.psychological_profiles IS 'A parent''s unified psychological profile (one per user), fed by every source for analytics and recommendations.';

--
-- Name: COLUMN psychological_profiles.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.user_id IS 'The user the profile describes.';

--
-- Name: COLUMN psychological_profiles.emotional_trends; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.emotional_trends IS '@behavior -select -orderBy -filterBy
@notNull
Emotional readings over time. (Stored encrypted in emotional_trends_encrypted: read it with app_public.psychological_profiles_emotional_trends(row).)';

--
-- Name: COLUMN psychological_profiles.crisis_history; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.crisis_history IS '@behavior -select -orderBy -filterBy
@notNull
Crises recorded. (Stored encrypted in crisis_history_encrypted: read it with app_public.psychological_profiles_crisis_history(row).)';

--
-- Name: COLUMN psychological_profiles.primary_coping_strategies; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.primary_coping_strategies IS 'Coping strategies that work.';

--
-- Name: COLUMN psychological_profiles.triggers; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.triggers IS '@behavior -select -orderBy -filterBy
@notNull
Known triggers. (Stored encrypted in triggers_encrypted: read it with app_public.psychological_profiles_triggers(row).)';

--
-- Name: COLUMN psychological_profiles.communication_style; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.communication_style IS 'How the user communicates.';

--
-- Name: COLUMN psychological_profiles.toxic_patterns; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.toxic_patterns IS '@behavior -select -orderBy -filterBy
@notNull
Patterns to work on. (Stored encrypted in toxic_patterns_encrypted: read it with app_public.psychological_profiles_toxic_patterns(row).)';

--
-- Name: COLUMN psychological_profiles.growth_areas; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.growth_areas IS 'Areas of growth.';

--
-- Name: COLUMN psychological_profiles.quests_created; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.quests_created IS 'Quests the user has created.';

--
-- Name: COLUMN psychological_profiles.child_engagement; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.child_engagement IS 'How much the child engages with the parent''s quests, 0-1.';

--
-- Name: COLUMN psychological_profiles.recommended_techniques; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.recommended_techniques IS 'Techniques recommended from the profile.';

--
-- Name: COLUMN psychological_profiles.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.created_at IS 'When the profile was created.';

--
-- Name: COLUMN psychological_profiles.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN psychological_profiles.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN psychological_profiles.crisis_history_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.crisis_history_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of crisis_history, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: COLUMN psychological_profiles.emotional_trends_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.emotional_trends_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of emotional_trends, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: COLUMN psychological_profiles.toxic_patterns_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.toxic_patterns_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of toxic_patterns, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: COLUMN psychological_profiles.triggers_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychological_profiles.triggers_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of triggers, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: add_coping_strategy(text); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.add_coping_strategy(strategy text) RETURNS app_public.psychological_profiles
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.add_coping_strategy(strategy text) OWNER TO app_owner;

--
-- Name: FUNCTION add_coping_strategy(strategy text); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.add_coping_strategy(strategy text) IS '@arg strategy What helps (journaling, walks, ...); recorded once.
Records a coping strategy that works for the acting parent.';

--
-- Name: can_share_with_parent(uuid, text, uuid); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid DEFAULT NULL::uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  allowed boolean;
begin
  if data_type not in ('progress', 'educational_progress', 'play_frequency', 'quest_details', 'emotional_state', 'analytics') then
    raise exception 'Unknown data type "%": use progress, educational_progress, play_frequency, quest_details, emotional_state or analytics.', data_type
      using errcode = '22023';
  end if;
  -- Only the child and the child's linked parents may ask; anyone else learns nothing.
  allowed := (child_id = app_public.current_user_id() or child_id in (select app_hidden.my_child_ids()))
             and app_private.consent_flag(child_id, 'share_' || data_type, quest_id);
  perform app_private.audit_read('can_share_with_parent', 'quests', quest_id, child_id, data_type,
                                 case when allowed then 'allowed' else 'denied' end);
  return allowed;
end;
$$;

ALTER FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION can_share_with_parent(child_id uuid, data_type text, quest_id uuid); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid) IS 'Whether the child consented to share this kind of data (progress, educational_progress, play_frequency, quest_details, emotional_state, analytics) with their parents, for a quest (its override wins) or by default. False for anyone but the child and their linked parents. Every call is audited durably: the record survives the caller''s rollback. Errors: 22023 for an unknown data type; AUDIT when the record could not be written.';

--
-- Name: child_progress; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.child_progress (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    child_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid NOT NULL,
    node_key text NOT NULL,
    event_type app_public.play_event_type NOT NULL,
    duration_seconds integer,
    xp_earned integer DEFAULT 0 NOT NULL,
    payload jsonb,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    payload_encrypted bytea,
    CONSTRAINT child_progress_duration_seconds_non_negative CHECK ((duration_seconds >= 0)),
    CONSTRAINT child_progress_payload_stored_encrypted CHECK ((payload IS NULL)),
    CONSTRAINT child_progress_xp_earned_non_negative CHECK ((xp_earned >= 0))
);

ALTER TABLE ONLY app_public.child_progress FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.child_progress OWNER TO app_owner;

--
-- Name: TABLE child_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.child_progress IS 'Node-level play events of a child (entered, completed, choice, hint, reveal viewed). Raw play, append-only.';

--
-- Name: COLUMN child_progress.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.id IS 'The event''s id.';

--
-- Name: COLUMN child_progress.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.child_id IS 'The child who played.';

--
-- Name: COLUMN child_progress.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.quest_id IS 'The quest played.';

--
-- Name: COLUMN child_progress.node_key; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.node_key IS 'The graph node (its "id" in graph_structure).';

--
-- Name: COLUMN child_progress.event_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.event_type IS 'What happened at the node.';

--
-- Name: COLUMN child_progress.duration_seconds; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.duration_seconds IS 'Seconds spent, for events that last.';

--
-- Name: COLUMN child_progress.xp_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.xp_earned IS 'Experience points the event earned.';

--
-- Name: COLUMN child_progress.payload; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.payload IS '@behavior -select -orderBy -filterBy
The child''s own input at the node (answers, choices): never shown to a parent. (Stored encrypted in payload_encrypted: read it with app_public.child_progress_payload(row).)';

--
-- Name: COLUMN child_progress.occurred_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.occurred_at IS 'When it happened on the child''s device.';

--
-- Name: COLUMN child_progress.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.created_at IS 'When the event was stored.';

--
-- Name: COLUMN child_progress.payload_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_progress.payload_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of payload, with the data key of the row''s child_id (app_private.encrypt_p2).';

--
-- Name: child_progress_payload(app_public.child_progress); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.child_progress_payload(r app_public.child_progress) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_child_progress(r.id) then app_hidden.decrypt_child_progress_payload(r.id) end $$;

ALTER FUNCTION app_public.child_progress_payload(r app_public.child_progress) OWNER TO app_owner;

--
-- Name: FUNCTION child_progress_payload(r app_public.child_progress); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.child_progress_payload(r app_public.child_progress) IS 'The child''s own input at the node (answers, choices): never shown to a parent. (Stored encrypted.)';

--
-- Name: data_deletion_requests; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.data_deletion_requests (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id(),
    status app_public.deletion_request_status DEFAULT 'pending'::app_public.deletion_request_status NOT NULL,
    reason text,
    verification_token_hash text,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    verified_at timestamp with time zone,
    processed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error_kind text,
    next_attempt_at timestamp with time zone,
    CONSTRAINT data_deletion_requests_attempts_not_negative CHECK ((attempts >= 0)),
    CONSTRAINT data_deletion_requests_processed_at_when_completed CHECK (((status = 'completed'::app_public.deletion_request_status) = (processed_at IS NOT NULL))),
    CONSTRAINT data_deletion_requests_token_hash_shape CHECK ((verification_token_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT data_deletion_requests_verified_before_processing CHECK (((status = ANY (ARRAY['pending'::app_public.deletion_request_status, 'rejected'::app_public.deletion_request_status])) OR (verified_at IS NOT NULL))),
    CONSTRAINT data_deletion_requests_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.data_deletion_requests FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.data_deletion_requests OWNER TO app_owner;

--
-- Name: TABLE data_deletion_requests; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.data_deletion_requests IS 'GDPR erasure requests: verified by the user, then processed by a worker job (the user link is cleared when the user is erased).';

--
-- Name: COLUMN data_deletion_requests.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.id IS 'The request''s id.';

--
-- Name: COLUMN data_deletion_requests.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.user_id IS 'Who asked (null once their data is erased).';

--
-- Name: COLUMN data_deletion_requests.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.status IS 'Pending, verified, processing, completed or rejected.';

--
-- Name: COLUMN data_deletion_requests.reason; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.reason IS 'Why the user asked (optional).';

--
-- Name: COLUMN data_deletion_requests.verification_token_hash; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.verification_token_hash IS 'HMAC-SHA-256 (hex) of the confirmation code, under a key only the database owner reads; the code itself is never stored. Cleared once confirmed.';

--
-- Name: COLUMN data_deletion_requests.requested_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.requested_at IS 'When it was requested.';

--
-- Name: COLUMN data_deletion_requests.verified_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.verified_at IS 'When the user verified it (required before processing).';

--
-- Name: COLUMN data_deletion_requests.processed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.processed_at IS 'When the erasure completed.';

--
-- Name: COLUMN data_deletion_requests.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.created_at IS 'When the row was created.';

--
-- Name: COLUMN data_deletion_requests.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN data_deletion_requests.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN data_deletion_requests.attempts; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.attempts IS 'Erasure attempts that failed (0 until one does); the erasure is retried until it completes.';

--
-- Name: COLUMN data_deletion_requests.last_error_kind; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.last_error_kind IS 'SQLSTATE of the last failed attempt (never the message: it can quote data); null until one fails.';

--
-- Name: COLUMN data_deletion_requests.next_attempt_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.data_deletion_requests.next_attempt_at IS 'No attempt before then (backoff after a failure); null: at the next run.';

--
-- Name: confirm_data_deletion(uuid, text); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) RETURNS app_public.data_deletion_requests
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  max_wrong constant integer := 5;
  me uuid := app_public.current_user_id();
  request app_public.data_deletion_requests;
  wrong integer;
begin
  select r.* into request from app_public.data_deletion_requests r
  where r.id = confirm_data_deletion.request_id and r.user_id = me and r.status = 'pending'
    and r.verification_token_hash is not null and r.requested_at > now() - interval '24 hours'
  for update;
  if request.id is null then
    raise exception 'The code is wrong or has expired: ask again for a new one.' using errcode = '22023';
  end if;
  -- This code's wrong tries: those since it was issued (asking again issues a new one).
  select count(*) into wrong from app_private.audit_log a
  where a.acting_user_id = me and a.at >= request.requested_at and a.action = 'confirm_data_deletion'
    and a.subject_id = request.id and a.decision = 'denied';
  if wrong >= max_wrong then
    raise exception 'This code was typed wrong % times and no longer works: ask again for a new one.', max_wrong using errcode = '22023';
  end if;
  if request.verification_token_hash is distinct from app_private.erasure_code_hash(verification_code) then
    perform app_private.audit_read('confirm_data_deletion', 'data_deletion_requests', request.id, null, null, 'denied',
                                   jsonb_build_object('wrong_tries', wrong + 1));
    if wrong + 1 < max_wrong then
      raise exception 'The code is wrong (% of % tries left): check it, or ask again for a new one.', max_wrong - wrong - 1, max_wrong
        using errcode = '22023';
    end if;
    raise exception 'The code is wrong and, typed wrong % times, no longer works: ask again for a new one.', max_wrong using errcode = '22023';
  end if;
  update app_public.data_deletion_requests r
    set status = 'verified', verified_at = now(), verification_token_hash = null
  where r.id = request.id
  returning r.* into request;
  return request;
end;
$$;

ALTER FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) OWNER TO app_owner;

--
-- Name: FUNCTION confirm_data_deletion(request_id uuid, verification_code text); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) IS '@arg request_id The request from requestDataDeletion.
@arg verification_code The code it returned, as the user typed it (any case; spaces and hyphens ignored).
Confirm an erasure request with its one-time code; the worker then erases every row about you. Errors (INVALID_PARAMETER): a wrong code (with the tries left), a code typed wrong 5 times, an expired code or someone else''s request — ask again for a new code.';

--
-- Name: creative_projects; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.creative_projects (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    project_type app_public.creative_project_type NOT NULL,
    quest_id uuid,
    letter_id uuid,
    goal_id uuid,
    status app_public.creative_project_status DEFAULT 'in_progress'::app_public.creative_project_status NOT NULL,
    progress integer DEFAULT 0 NOT NULL,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT creative_projects_completed_at_iff_completed CHECK (((status = 'completed'::app_public.creative_project_status) = (completed_at IS NOT NULL))),
    CONSTRAINT creative_projects_completed_exactly_at_100 CHECK (((status = 'completed'::app_public.creative_project_status) = (progress = 100))),
    CONSTRAINT creative_projects_links_exactly_its_type CHECK (((num_nonnulls(quest_id, letter_id, goal_id) = 1) AND
CASE project_type
    WHEN 'quest'::app_public.creative_project_type THEN (quest_id IS NOT NULL)
    WHEN 'letter'::app_public.creative_project_type THEN (letter_id IS NOT NULL)
    WHEN 'goal'::app_public.creative_project_type THEN (goal_id IS NOT NULL)
    ELSE NULL::boolean
END)),
    CONSTRAINT creative_projects_progress_range CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT creative_projects_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.creative_projects FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.creative_projects OWNER TO app_owner;

--
-- Name: TABLE creative_projects; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.creative_projects IS 'A parent''s creative work across kinds (quest, letter, goal): one row per object, linked to exactly the object its type names.';

--
-- Name: COLUMN creative_projects.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.id IS 'The project''s id.';

--
-- Name: COLUMN creative_projects.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.user_id IS 'The parent.';

--
-- Name: COLUMN creative_projects.project_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.project_type IS 'Quest, letter or goal.';

--
-- Name: COLUMN creative_projects.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.quest_id IS 'The quest, when the project is a quest.';

--
-- Name: COLUMN creative_projects.letter_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.letter_id IS 'The letter, when the project is a letter.';

--
-- Name: COLUMN creative_projects.goal_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.goal_id IS 'The goal, when the project is a goal.';

--
-- Name: COLUMN creative_projects.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.status IS 'In progress, completed or abandoned.';

--
-- Name: COLUMN creative_projects.progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.progress IS 'Percent done, 0-100.';

--
-- Name: COLUMN creative_projects.completed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.completed_at IS 'When it was completed (set exactly when completed).';

--
-- Name: COLUMN creative_projects.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.created_at IS 'When the project started.';

--
-- Name: COLUMN creative_projects.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN creative_projects.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.creative_projects.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: create_creative_project(app_public.creative_project_type, uuid, uuid, uuid); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid DEFAULT NULL::uuid, letter_id uuid DEFAULT NULL::uuid, goal_id uuid DEFAULT NULL::uuid) RETURNS app_public.creative_projects
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid) IS '@arg project_type quest, letter or goal.
@arg quest_id Your quest, for a quest project.
@arg letter_id Your letter, for a letter project.
@arg goal_id Your goal, for a goal project.
Starts a creative project for one of your quests, letters or goals (one project per object).';

--
-- Name: quests; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quests (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    author_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    child_id uuid,
    title text NOT NULL,
    description text,
    graph_structure jsonb NOT NULL,
    yaml_content text,
    psychological_module text,
    location text,
    difficulty app_public.quest_difficulty,
    age_range text,
    estimated_duration integer,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    status app_public.quest_status DEFAULT 'draft'::app_public.quest_status NOT NULL,
    is_public boolean DEFAULT false NOT NULL,
    moderation_status app_public.moderation_status DEFAULT 'pending'::app_public.moderation_status NOT NULL,
    moderation_reason text,
    moderation_issues jsonb,
    moderated_at timestamp with time zone,
    psychologist_reviewed boolean DEFAULT false NOT NULL,
    psychologist_review_id uuid,
    reviewed_at timestamp with time zone,
    reveal_count integer DEFAULT 0 NOT NULL,
    last_reveal_at timestamp with time zone,
    family_photos_count integer DEFAULT 0 NOT NULL,
    family_memories_count integer DEFAULT 0 NOT NULL,
    rating double precision DEFAULT 0 NOT NULL,
    rating_count integer DEFAULT 0 NOT NULL,
    plays_count integer DEFAULT 0 NOT NULL,
    completion_count integer DEFAULT 0 NOT NULL,
    completion_rate double precision DEFAULT 0 NOT NULL,
    average_completion_time integer,
    deployed_to_inner_edu boolean DEFAULT false NOT NULL,
    inner_edu_quest_id text,
    deployed_at timestamp with time zone,
    published_at timestamp with time zone,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT quests_age_range_shape CHECK (((age_range ~ '^\d{1,2}-\d{1,2}$'::text) AND ((split_part(age_range, '-'::text, 1))::integer <= (split_part(age_range, '-'::text, 2))::integer))),
    CONSTRAINT quests_average_completion_time_non_negative CHECK ((average_completion_time >= 0)),
    CONSTRAINT quests_completion_count_within_plays CHECK (((completion_count >= 0) AND (completion_count <= plays_count))),
    CONSTRAINT quests_completion_rate_range CHECK (((completion_rate >= (0)::double precision) AND (completion_rate <= (1)::double precision))),
    CONSTRAINT quests_deleted_at_iff_deleted CHECK (((status = 'deleted'::app_public.quest_status) = (deleted_at IS NOT NULL))),
    CONSTRAINT quests_deployed_at_set_when_deployed CHECK (((status <> 'deployed'::app_public.quest_status) OR (deployed_at IS NOT NULL))),
    CONSTRAINT quests_deployed_only_when_approved CHECK (((status <> 'deployed'::app_public.quest_status) OR (moderation_status = 'approved'::app_public.moderation_status))),
    CONSTRAINT quests_estimated_duration_positive CHECK ((estimated_duration > 0)),
    CONSTRAINT quests_family_memories_count_non_negative CHECK ((family_memories_count >= 0)),
    CONSTRAINT quests_family_photos_count_non_negative CHECK ((family_photos_count >= 0)),
    CONSTRAINT quests_graph_structure_is_a_graph CHECK ((app_hidden.quest_graph_problem(graph_structure) IS NULL)),
    CONSTRAINT quests_location_length CHECK (((length(location) >= 1) AND (length(location) <= 100))),
    CONSTRAINT quests_moderation_issues_is_array CHECK ((jsonb_typeof(moderation_issues) = 'array'::text)),
    CONSTRAINT quests_plays_count_non_negative CHECK ((plays_count >= 0)),
    CONSTRAINT quests_psychological_module_length CHECK (((length(psychological_module) >= 1) AND (length(psychological_module) <= 100))),
    CONSTRAINT quests_public_quest_has_no_child CHECK (((NOT is_public) OR (child_id IS NULL))),
    CONSTRAINT quests_published_only_when_public CHECK (((published_at IS NULL) OR is_public)),
    CONSTRAINT quests_rating_count_non_negative CHECK ((rating_count >= 0)),
    CONSTRAINT quests_rating_range CHECK (((rating = (0)::double precision) OR ((rating >= (1)::double precision) AND (rating <= (5)::double precision)))),
    CONSTRAINT quests_reveal_count_non_negative CHECK ((reveal_count >= 0)),
    CONSTRAINT quests_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255))),
    CONSTRAINT quests_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.quests FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quests OWNER TO app_owner;

--
-- Name: TABLE quests; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quests IS 'A quest a parent builds for their child (personal, child_id set) or for everyone (public). The graph is the primary storage; YAML and quest_nodes follow it.';

--
-- Name: COLUMN quests.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.id IS 'The quest''s id.';

--
-- Name: COLUMN quests.author_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.author_id IS 'The parent who wrote the quest.';

--
-- Name: COLUMN quests.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.child_id IS 'The child a personal quest is for; null for a public quest.';

--
-- Name: COLUMN quests.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.title IS 'Title (1 to 255 characters).';

--
-- Name: COLUMN quests.description; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.description IS 'What the quest is about.';

--
-- Name: COLUMN quests.graph_structure; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.graph_structure IS 'PRIMARY storage: {"nodes": [{"id", "type", "position", "data"}], "edges": [{"id", "source", "target", "label"}]}; edges must join existing nodes.';

--
-- Name: COLUMN quests.yaml_content; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.yaml_content IS 'GENERATED from graph_structure (for compatibility); never written directly.';

--
-- Name: COLUMN quests.psychological_module; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.psychological_module IS 'The therapy module the quest belongs to (IFS_Level1, DBT_Basics, Emotional_Literacy, ...).';

--
-- Name: COLUMN quests.location; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.location IS 'Where in the game world the quest happens (tower_confusion, forest_memory, ...).';

--
-- Name: COLUMN quests.difficulty; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.difficulty IS 'Beginner, intermediate or advanced.';

--
-- Name: COLUMN quests.age_range; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.age_range IS 'Ages the quest suits, as "7-9".';

--
-- Name: COLUMN quests.estimated_duration; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.estimated_duration IS 'Minutes to complete.';

--
-- Name: COLUMN quests.tags; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.tags IS 'Free tags (math, logic, family, emotions, ...).';

--
-- Name: COLUMN quests.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.status IS 'Draft, deployed (visible in the child''s app), archived, or deleted (soft delete).';

--
-- Name: COLUMN quests.is_public; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.is_public IS 'Offered in the public marketplace (then it has no child).';

--
-- Name: COLUMN quests.moderation_status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.moderation_status IS 'Pending, approved, rejected or flagged by moderation.';

--
-- Name: COLUMN quests.moderation_reason; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.moderation_reason IS 'Why moderation decided as it did.';

--
-- Name: COLUMN quests.moderation_issues; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.moderation_issues IS 'Moderation findings: [{"category", "severity", "message"}].';

--
-- Name: COLUMN quests.moderated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.moderated_at IS 'When moderation last decided.';

--
-- Name: COLUMN quests.psychologist_reviewed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.psychologist_reviewed IS 'Whether a psychologist has approved the quest.';

--
-- Name: COLUMN quests.psychologist_review_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.psychologist_review_id IS 'The psychologist review that decided, if any.';

--
-- Name: COLUMN quests.reviewed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.reviewed_at IS 'When the psychologist review was completed.';

--
-- Name: COLUMN quests.reveal_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.reveal_count IS 'How many family "reveal" moments the quest has been viewed at (counter kept by jobs).';

--
-- Name: COLUMN quests.last_reveal_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.last_reveal_at IS 'When a reveal moment was last viewed.';

--
-- Name: COLUMN quests.family_photos_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.family_photos_count IS 'Family photos used in the quest.';

--
-- Name: COLUMN quests.family_memories_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.family_memories_count IS 'Family memories used in the quest.';

--
-- Name: COLUMN quests.rating; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.rating IS 'Average rating 1-5 (0 while unrated); kept by jobs from quest_ratings.';

--
-- Name: COLUMN quests.rating_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.rating_count IS 'Number of ratings; kept by jobs.';

--
-- Name: COLUMN quests.plays_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.plays_count IS 'Number of plays; kept by jobs.';

--
-- Name: COLUMN quests.completion_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.completion_count IS 'Number of completed plays; kept by jobs.';

--
-- Name: COLUMN quests.completion_rate; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.completion_rate IS 'completion_count / plays_count (0 to 1); kept by jobs.';

--
-- Name: COLUMN quests.average_completion_time; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.average_completion_time IS 'Average seconds to complete; kept by jobs.';

--
-- Name: COLUMN quests.deployed_to_inner_edu; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.deployed_to_inner_edu IS 'Whether the quest was sent to inner_edu.';

--
-- Name: COLUMN quests.inner_edu_quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.inner_edu_quest_id IS 'The quest''s id in inner_edu''s own systems, if it has one.';

--
-- Name: COLUMN quests.deployed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.deployed_at IS 'When the quest was deployed to the child.';

--
-- Name: COLUMN quests.published_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.published_at IS 'When the quest was published to the marketplace.';

--
-- Name: COLUMN quests.deleted_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.deleted_at IS 'When the author deleted the quest (soft delete).';

--
-- Name: COLUMN quests.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.created_at IS 'When the quest was created.';

--
-- Name: COLUMN quests.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN quests.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quests.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: create_quest(text, jsonb, uuid, text, text, text, app_public.quest_difficulty, text, integer, text[], boolean); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid DEFAULT NULL::uuid, description text DEFAULT NULL::text, psychological_module text DEFAULT NULL::text, location text DEFAULT NULL::text, difficulty app_public.quest_difficulty DEFAULT NULL::app_public.quest_difficulty, age_range text DEFAULT NULL::text, estimated_duration integer DEFAULT NULL::integer, tags text[] DEFAULT '{}'::text[], is_public boolean DEFAULT false) RETURNS app_public.quests
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean) OWNER TO app_owner;

--
-- Name: FUNCTION create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean) IS '@arg title Title, 1 to 255 characters.
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

--
-- Name: export_my_data(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.export_my_data() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  me uuid := app_public.current_user_id();
  owners record;
  row_json text;
  rows jsonb;
  tables jsonb := '{}';
begin
  if me is null then
    raise exception 'Sign in to export your data.' using errcode = '42501';
  end if;
  for owners in
    select o.table_name, array_agg(o.owner_column order by o.owner_column) as columns
    from app_private.personal_data_owners o group by o.table_name order by o.table_name
  loop
    select case when count(*) = 0 then 'to_jsonb(t)'
                else format('(to_jsonb(t) - %L::text[]) || jsonb_build_object(%s)',
                  array_agg(e.column_name || '_encrypted' order by e.column_name),
                  string_agg(format('%L, app_public.%I(t)', e.column_name, e.table_name || '_' || e.column_name), ', ' order by e.column_name)) end
      into row_json
      from app_private.encrypted_columns e where e.table_name = owners.table_name;
    execute format(
      'select coalesce(jsonb_agg(%s order by t.created_at, t::text), ''[]'') from app_public.%I t where %s',
      row_json, owners.table_name,
      (select string_agg(format('t.%I = $1', c), ' or ') from unnest(owners.columns) c))
    into rows using me;
    tables := tables || jsonb_build_object(owners.table_name, rows);
  end loop;
  perform app_private.audit('export_my_data', 'users', me, null, 'personal_data', null, '{}');
  return jsonb_build_object('format', 'pas-export/1', 'exported_at', now(), 'user_id', me, 'tables', tables);
end;
$_$;

ALTER FUNCTION app_public.export_my_data() OWNER TO app_owner;

--
-- Name: FUNCTION export_my_data(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.export_my_data() IS 'Everything stored about you, as one JSON document: {format, exported_at, user_id, tables: {table: [rows]}} (docs/privacy.md). Audited.';

--
-- Name: get_or_create_profile(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.get_or_create_profile() RETURNS app_public.psychological_profiles
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  me uuid := app_private.acting_user('parent');
  profile app_public.psychological_profiles;
begin
  insert into app_public.psychological_profiles (user_id) values (me) on conflict do nothing;
  select * into profile from app_public.psychological_profiles where user_id = me;
  return profile;
end;
$$;

ALTER FUNCTION app_public.get_or_create_profile() OWNER TO app_owner;

--
-- Name: FUNCTION get_or_create_profile(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.get_or_create_profile() IS 'The acting parent''s psychological profile, created empty on first use.';

--
-- Name: get_quest_analytics(uuid); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.get_quest_analytics(quest_id uuid) RETURNS app_public.quest_analytics_result
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  q record;
  r app_public.quest_analytics_result;
  released app_public.quest_analytics;
  share_progress boolean;
  share_frequency boolean;
  share_educational boolean;
  share_analytics boolean;
  released_kinds text[];
begin
  r.quest_id := get_quest_analytics.quest_id;
  select id, author_id, child_id, jsonb_array_length(graph_structure -> 'nodes') as node_count into q
  from app_public.quests where id = get_quest_analytics.quest_id and author_id = app_public.current_user_id();
  if not found then
    r.consent_status := 'not_found';
    perform app_private.audit_read('get_quest_analytics', 'quests', get_quest_analytics.quest_id, null, 'analytics', 'denied',
                                   '{"reason": "not the author"}');
    return r;
  end if;

  if q.child_id is not null then
    -- A personal quest: one child's figures, for a parent linked to that child now.
    if not exists (select 1 from app_public.family_links fl
                   where fl.parent_id = app_public.current_user_id() and fl.child_id = q.child_id) then
      r.consent_status := 'not_found';
      perform app_private.audit_read('get_quest_analytics', 'quests', q.id, q.child_id, 'analytics', 'denied',
                                     '{"reason": "not linked to the child"}');
      return r;
    end if;
    r.total_nodes := q.node_count;
    share_progress := app_private.consent_flag(q.child_id, 'share_progress', q.id);
    share_frequency := app_private.consent_flag(q.child_id, 'share_play_frequency', q.id);
    share_educational := app_private.consent_flag(q.child_id, 'share_educational_progress', q.id);
    share_analytics := app_private.consent_flag(q.child_id, 'share_analytics', q.id);
    r.consent_status := case
      when share_progress and share_frequency and share_educational and share_analytics then 'consented'
      when share_progress or share_frequency or share_educational or share_analytics then 'partially_consented'
      else 'not_consented' end;
    if r.consent_status <> 'not_consented' then
      r.children_count := 1;
      select
        case when share_progress then count(*)::int end,
        case when share_progress then (count(*) filter (where p.completed))::int end,
        case when share_progress then coalesce((count(*) filter (where p.completed))::float8 / nullif(count(*), 0), 0) end,
        case when share_progress then (avg(extract(epoch from p.completed_at - p.started_at)) filter (where p.completed))::int end,
        case when share_progress then sum(p.nodes_completed)::int end,
        case when share_progress then round(avg(p.completion_percentage))::int end,
        case when share_frequency then max(p.last_played_at) end,
        case when share_frequency then sum(p.session_count)::int end,
        case when share_frequency then sum(p.total_time_minutes)::float8 end,
        case when share_educational then max(p.educational_progress::text)::jsonb end,
        case when share_analytics then avg(p.xp_earned)::float8 end,
        case when share_analytics then coalesce((count(*) filter (where p.reveal_moments_viewed > 0))::float8 / nullif(count(*), 0), 0) end
      into r.total_starts, r.total_completions, r.completion_rate, r.avg_completion_time, r.nodes_completed,
           r.completion_percentage, r.last_played, r.play_count, r.total_time_minutes, r.educational_progress,
           r.avg_xp_earned, r.reveal_view_rate
      from app_public.quest_progress p
      where p.quest_id = q.id and p.child_id = q.child_id;
    end if;
  else
    -- Played by many: the stored release of this window, each group only when released.
    r.total_nodes := q.node_count;
    select * into released from app_public.quest_analytics a where a.quest_id = q.id;
    share_progress := released.total_starts is not null;
    share_frequency := released.play_count is not null;
    share_analytics := released.avg_xp_earned is not null;
    r.consent_status := case
      when share_progress and share_frequency and share_analytics then 'consented'
      when share_progress or share_frequency or share_analytics then 'partially_consented'
      else 'too_few_children' end;
    r.children_count := case when r.consent_status <> 'too_few_children' then released.distinct_children end;
    r.total_starts := released.total_starts;
    r.total_completions := released.total_completions;
    r.completion_rate := released.completion_rate;
    r.avg_completion_time := released.avg_completion_time;
    r.nodes_completed := released.nodes_completed;
    r.completion_percentage := released.completion_percentage;
    r.play_count := released.play_count;
    r.total_time_minutes := released.total_time_minutes;
    r.avg_xp_earned := released.avg_xp_earned;
    r.reveal_view_rate := released.reveal_view_rate;
  end if;

  -- The record names the kinds of data released (data_type: e.g. 'progress,play_frequency'), not the function's.
  released_kinds := array_remove(array[
    case when share_progress then 'progress' end,
    case when share_frequency then 'play_frequency' end,
    case when share_educational then 'educational_progress' end,
    case when share_analytics then 'analytics' end], null);
  perform app_private.audit_read('get_quest_analytics', 'quests', q.id, q.child_id,
                                 coalesce(nullif(array_to_string(released_kinds, ','), ''), 'none'),
                                 case when cardinality(released_kinds) = 0 then 'denied' else 'allowed' end,
                                 jsonb_build_object('consent_status', r.consent_status, 'released', to_jsonb(released_kinds)));
  return r;
end;
$$;

ALTER FUNCTION app_public.get_quest_analytics(quest_id uuid) OWNER TO app_owner;

--
-- Name: FUNCTION get_quest_analytics(quest_id uuid); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.get_quest_analytics(quest_id uuid) IS 'Figures of a quest''s play for its author. A personal quest: its child''s own figures, only while the caller is linked to that child, each kind only with the child''s consent (the rest null). A quest played by several children: the stored release of the current UTC day (differential-privacy noise, each figure over the children who consented to its kind and have a real family, shown only when at least 5 of them; never a single child''s value); educational progress and last_played are never released across children. consent_status says which. Audited durably (app_private.audit_read; data_type lists the kinds of data released, e.g. progress,play_frequency, or none); errors: only the audit''s (SQLSTATE AUDIT when the record cannot be written: nothing is released). Source: docs/privacy.md, CONTRACT.md (rules made explicit 2026-11-29), issue 14 items 1-3.';

--
-- Name: get_recommendations(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.get_recommendations() RETURNS SETOF app_public.recommendation
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.get_recommendations() OWNER TO app_owner;

--
-- Name: FUNCTION get_recommendations(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.get_recommendations() IS 'Suggestions for the acting parent from their profile: low_mood (last 3 moods average below 4), first_quest (no quest yet), shorter_quests (child engagement below 0.3), find_coping (no coping strategy), else keep_going.';

--
-- Name: letters; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.letters (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    child_id uuid,
    title text,
    content text DEFAULT ''::text,
    status app_public.letter_status DEFAULT 'draft'::app_public.letter_status NOT NULL,
    sent_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    content_encrypted bytea NOT NULL,
    CONSTRAINT letters_content_stored_encrypted CHECK ((content IS NULL)),
    CONSTRAINT letters_sent_at_iff_sent CHECK (((status = 'sent'::app_public.letter_status) = (sent_at IS NOT NULL))),
    CONSTRAINT letters_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255))),
    CONSTRAINT letters_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.letters FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.letters OWNER TO app_owner;

--
-- Name: TABLE letters; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.letters IS 'Letters a parent writes (often to their child, often never sent).';

--
-- Name: COLUMN letters.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.id IS 'The letter''s id.';

--
-- Name: COLUMN letters.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.user_id IS 'The parent who writes it.';

--
-- Name: COLUMN letters.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.child_id IS 'The child it is addressed to, if any.';

--
-- Name: COLUMN letters.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.title IS 'Title.';

--
-- Name: COLUMN letters.content; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.content IS '@behavior -select -orderBy -filterBy
@notNull
The letter''s text. (Stored encrypted in content_encrypted: read it with app_public.letters_content(row).)';

--
-- Name: COLUMN letters.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.status IS 'Draft, finished or sent.';

--
-- Name: COLUMN letters.sent_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.sent_at IS 'When it was sent (set exactly when sent).';

--
-- Name: COLUMN letters.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.created_at IS 'When it was started.';

--
-- Name: COLUMN letters.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN letters.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN letters.content_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.letters.content_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of content, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: letters_content(app_public.letters); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.letters_content(r app_public.letters) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_letters(r.id) then app_hidden.decrypt_letters_content(r.id) end $$;

ALTER FUNCTION app_public.letters_content(r app_public.letters) OWNER TO app_owner;

--
-- Name: FUNCTION letters_content(r app_public.letters); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.letters_content(r app_public.letters) IS '@notNull
The letter''s text. (Stored encrypted.)';

--
-- Name: marketplace_quests(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.marketplace_quests() RETURNS SETOF app_public.quests
    LANGUAGE sql STABLE
    AS $$
  select q.* from app_public.quests q
  where q.is_public and q.moderation_status = 'approved' and q.psychologist_reviewed and q.status <> 'deleted'
$$;

ALTER FUNCTION app_public.marketplace_quests() OWNER TO app_owner;

--
-- Name: FUNCTION marketplace_quests(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.marketplace_quests() IS 'The public library: quests that are public, approved by moderation and approved by a psychologist''s review. Sort by rating or plays with orderBy.';

--
-- Name: messages; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.messages (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    session_id uuid,
    role app_public.message_role NOT NULL,
    content text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    content_encrypted bytea NOT NULL,
    CONSTRAINT messages_content_stored_encrypted CHECK ((content IS NULL))
);

ALTER TABLE ONLY app_public.messages FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.messages OWNER TO app_owner;

--
-- Name: TABLE messages; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.messages IS 'The PAS bot''s chat history with a parent.';

--
-- Name: COLUMN messages.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.id IS 'The message''s id.';

--
-- Name: COLUMN messages.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.user_id IS 'The parent of the conversation.';

--
-- Name: COLUMN messages.session_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.session_id IS 'The therapy session the message belongs to, if any.';

--
-- Name: COLUMN messages.role; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.role IS 'Who wrote it: the user, the assistant or the system.';

--
-- Name: COLUMN messages.content; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.content IS '@behavior -select -orderBy -filterBy
@notNull
The text. (Stored encrypted in content_encrypted: read it with app_public.messages_content(row).)';

--
-- Name: COLUMN messages.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.created_at IS 'When it was sent.';

--
-- Name: COLUMN messages.content_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.messages.content_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of content, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: messages_content(app_public.messages); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.messages_content(r app_public.messages) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_messages(r.id) then app_hidden.decrypt_messages_content(r.id) end $$;

ALTER FUNCTION app_public.messages_content(r app_public.messages) OWNER TO app_owner;

--
-- Name: FUNCTION messages_content(r app_public.messages); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.messages_content(r app_public.messages) IS '@notNull
The text. (Stored encrypted.)';

--
-- Name: moderate_quest(uuid, integer, app_public.moderation_status, text, jsonb); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text DEFAULT NULL::text, issues jsonb DEFAULT NULL::jsonb) RETURNS app_public.quests
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb) IS '@arg quest_id The quest.
@arg version The version of the quest you read; the decision is about that version.
@arg decision approved, rejected or flagged.
@arg reason Why, for the author.
@arg issues Findings: [{"category", "severity", "message"}].
An admin approves, rejects or flags the version of a quest they read, with a reason and issues ([{"category", "severity", "message"}]); a deployed quest that is not approved goes back to draft. Errors: 42501 when the caller is not an admin or is the quest''s author; 22023 for a pending decision; 22004 without a version; STALE when the quest changed since that version; P0002 for an unknown quest. Issue 15, section 1.';

--
-- Name: my_children(); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.my_children() RETURNS SETOF app_public.child_summary
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select u.id, u.display_name from app_public.users u
  where u.id in (select app_hidden.my_child_ids()) order by u.display_name, u.id
$$;

ALTER FUNCTION app_public.my_children() OWNER TO app_owner;

--
-- Name: FUNCTION my_children(); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.my_children() IS 'The acting parent''s linked children: id and display name only.';

--
-- Name: psychological_profiles_crisis_history(app_public.psychological_profiles); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_crisis_history(r.user_id) end $$;

ALTER FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles) OWNER TO app_owner;

--
-- Name: FUNCTION psychological_profiles_crisis_history(r app_public.psychological_profiles); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles) IS '@notNull
Crises recorded. (Stored encrypted.)';

--
-- Name: psychological_profiles_emotional_trends(app_public.psychological_profiles); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_emotional_trends(r.user_id) end $$;

ALTER FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles) OWNER TO app_owner;

--
-- Name: FUNCTION psychological_profiles_emotional_trends(r app_public.psychological_profiles); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles) IS '@notNull
Emotional readings over time. (Stored encrypted.)';

--
-- Name: psychological_profiles_toxic_patterns(app_public.psychological_profiles); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_toxic_patterns(r.user_id) end $$;

ALTER FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles) OWNER TO app_owner;

--
-- Name: FUNCTION psychological_profiles_toxic_patterns(r app_public.psychological_profiles); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles) IS '@notNull
Patterns to work on. (Stored encrypted.)';

--
-- Name: psychological_profiles_triggers(app_public.psychological_profiles); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_psychological_profiles(r.user_id) then app_hidden.decrypt_psychological_profiles_triggers(r.user_id) end $$;

ALTER FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles) OWNER TO app_owner;

--
-- Name: FUNCTION psychological_profiles_triggers(r app_public.psychological_profiles); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles) IS '@notNull
Known triggers. (Stored encrypted.)';

--
-- Name: quest_builder_sessions; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_builder_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid,
    current_stage app_public.builder_stage DEFAULT 'greeting'::app_public.builder_stage NOT NULL,
    conversation_history jsonb DEFAULT '[]'::jsonb,
    current_graph jsonb,
    quest_context jsonb,
    moderation_checked boolean DEFAULT false NOT NULL,
    moderation_passed boolean DEFAULT false NOT NULL,
    moderation_issues jsonb,
    expires_at timestamp with time zone DEFAULT (now() + '7 days'::interval) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    conversation_history_encrypted bytea NOT NULL,
    quest_context_encrypted bytea,
    CONSTRAINT quest_builder_sessions_conversation_history_stored_encrypted CHECK ((conversation_history IS NULL)),
    CONSTRAINT quest_builder_sessions_current_graph_is_object CHECK ((jsonb_typeof(current_graph) = 'object'::text)),
    CONSTRAINT quest_builder_sessions_moderation_issues_is_array CHECK ((jsonb_typeof(moderation_issues) = 'array'::text)),
    CONSTRAINT quest_builder_sessions_passed_only_when_checked CHECK ((moderation_checked OR (NOT moderation_passed))),
    CONSTRAINT quest_builder_sessions_quest_context_stored_encrypted CHECK ((quest_context IS NULL)),
    CONSTRAINT quest_builder_sessions_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.quest_builder_sessions FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_builder_sessions OWNER TO app_owner;

--
-- Name: TABLE quest_builder_sessions; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_builder_sessions IS 'A parent''s conversation with the AI quest builder, and the quest taking shape in it.';

--
-- Name: COLUMN quest_builder_sessions.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.id IS 'The session''s id.';

--
-- Name: COLUMN quest_builder_sessions.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.user_id IS 'The parent.';

--
-- Name: COLUMN quest_builder_sessions.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.quest_id IS 'The quest the session produced, once saved.';

--
-- Name: COLUMN quest_builder_sessions.current_stage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.current_stage IS 'Greeting, collecting_info, clarifying, generating, reviewing, quest_ready.';

--
-- Name: COLUMN quest_builder_sessions.conversation_history; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.conversation_history IS '@behavior -select -orderBy -filterBy
@notNull
The dialogue: [{"role", "content", "timestamp"}]. (Stored encrypted in conversation_history_encrypted: read it with app_public.quest_builder_sessions_conversation_history(row).)';

--
-- Name: COLUMN quest_builder_sessions.current_graph; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.current_graph IS 'The graph being built.';

--
-- Name: COLUMN quest_builder_sessions.quest_context; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.quest_context IS '@behavior -select -orderBy -filterBy
What the builder knows: child''s name, age, interests, family photos, memories, jokes. (Stored encrypted in quest_context_encrypted: read it with app_public.quest_builder_sessions_quest_context(row).)';

--
-- Name: COLUMN quest_builder_sessions.moderation_checked; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.moderation_checked IS 'Whether moderation has looked at the draft.';

--
-- Name: COLUMN quest_builder_sessions.moderation_passed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.moderation_passed IS 'Whether the draft passed moderation (only once checked).';

--
-- Name: COLUMN quest_builder_sessions.moderation_issues; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.moderation_issues IS 'Moderation findings.';

--
-- Name: COLUMN quest_builder_sessions.expires_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.expires_at IS 'When an abandoned session is cleaned up.';

--
-- Name: COLUMN quest_builder_sessions.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.created_at IS 'When the session started.';

--
-- Name: COLUMN quest_builder_sessions.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN quest_builder_sessions.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN quest_builder_sessions.conversation_history_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.conversation_history_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of conversation_history, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: COLUMN quest_builder_sessions.quest_context_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_builder_sessions.quest_context_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of quest_context, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: quest_builder_sessions_conversation_history(app_public.quest_builder_sessions); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_quest_builder_sessions(r.id) then app_hidden.decrypt_quest_builder_sessions_conversation_history(r.id) end $$;

ALTER FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions) OWNER TO app_owner;

--
-- Name: FUNCTION quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions) IS '@notNull
The dialogue: [{"role", "content", "timestamp"}]. (Stored encrypted.)';

--
-- Name: quest_builder_sessions_quest_context(app_public.quest_builder_sessions); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_quest_builder_sessions(r.id) then app_hidden.decrypt_quest_builder_sessions_quest_context(r.id) end $$;

ALTER FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions) OWNER TO app_owner;

--
-- Name: FUNCTION quest_builder_sessions_quest_context(r app_public.quest_builder_sessions); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions) IS 'What the builder knows: child''s name, age, interests, family photos, memories, jokes. (Stored encrypted.)';

--
-- Name: achievements; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.achievements (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    child_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid,
    achievement_type text NOT NULL,
    title text NOT NULL,
    description text,
    badge text,
    xp_reward integer DEFAULT 0 NOT NULL,
    unlocked_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT achievements_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255))),
    CONSTRAINT achievements_type_length CHECK (((length(achievement_type) >= 1) AND (length(achievement_type) <= 100))),
    CONSTRAINT achievements_xp_reward_non_negative CHECK ((xp_reward >= 0))
);

ALTER TABLE ONLY app_public.achievements FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.achievements OWNER TO app_owner;

--
-- Name: TABLE achievements; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.achievements IS 'Achievements a child unlocked (once per type and quest).';

--
-- Name: COLUMN achievements.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.id IS 'The achievement''s id.';

--
-- Name: COLUMN achievements.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.child_id IS 'The child who unlocked it.';

--
-- Name: COLUMN achievements.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.quest_id IS 'The quest it was unlocked in, if any.';

--
-- Name: COLUMN achievements.achievement_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.achievement_type IS 'Kind of achievement (first_quest, math_master, ...).';

--
-- Name: COLUMN achievements.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.title IS 'Title shown to the child.';

--
-- Name: COLUMN achievements.description; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.description IS 'What the child did.';

--
-- Name: COLUMN achievements.badge; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.badge IS 'Badge image or code.';

--
-- Name: COLUMN achievements.xp_reward; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.xp_reward IS 'Experience points awarded.';

--
-- Name: COLUMN achievements.unlocked_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.unlocked_at IS 'When it was unlocked.';

--
-- Name: COLUMN achievements.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.achievements.created_at IS 'When the row was stored.';

--
-- Name: record_achievement(uuid, text, text, text, text, integer); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text DEFAULT NULL::text, badge text DEFAULT NULL::text, xp_reward integer DEFAULT 0) RETURNS app_public.achievements
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer) OWNER TO app_owner;

--
-- Name: FUNCTION record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer) IS '@arg quest_id The quest it was earned in, if any.
@arg achievement_type Kind of achievement.
@arg title Title shown to the child.
@arg description What the child did.
@arg badge Badge image or code.
@arg xp_reward Experience points awarded.
The child records an achievement (once per type and quest; recording it again returns the first one).';

--
-- Name: request_data_deletion(text); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.request_data_deletion(reason text DEFAULT NULL::text) RETURNS app_public.data_deletion_ticket
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  me uuid := app_public.current_user_id();
  code text := app_private.new_erasure_code();
  request_id uuid;
begin
  if me is null then
    raise exception 'Sign in to ask for your data to be erased.' using errcode = '42501';
  end if;
  if exists (select from app_public.data_deletion_requests r where r.user_id = me and r.status in ('verified', 'processing')) then
    raise exception 'Your erasure is confirmed and will be carried out shortly.' using errcode = '22023';
  end if;
  update app_public.data_deletion_requests r
    set verification_token_hash = app_private.erasure_code_hash(code), requested_at = now(),
        reason = coalesce(request_data_deletion.reason, r.reason)
  where r.user_id = me and r.status = 'pending'
  returning r.id into request_id;
  if request_id is null then
    insert into app_public.data_deletion_requests (user_id, reason, verification_token_hash)
    values (me, request_data_deletion.reason, app_private.erasure_code_hash(code))
    returning id into request_id;
  end if;
  return (request_id, code, now() + interval '24 hours')::app_public.data_deletion_ticket;
end;
$$;

ALTER FUNCTION app_public.request_data_deletion(reason text) OWNER TO app_owner;

--
-- Name: FUNCTION request_data_deletion(reason text); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.request_data_deletion(reason text) IS '@arg reason Why (optional; erased with the rest).
Ask for all your data to be erased: returns the request and a one-time code (XXXXX-XXXXX) to confirm it with (confirmDataDeletion) within 24 hours.';

--
-- Name: save_quest_yaml(uuid, text, integer); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer DEFAULT NULL::integer) RETURNS app_public.quests
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  parsed jsonb := app_hidden.quest_graph_from_yaml(yaml_content);
  quest app_public.quests;
begin
  if jsonb_typeof(parsed -> 'title') not in ('string', 'null') then
    raise exception 'The title must be a string.' using errcode = '22P02';
  end if;
  -- Security invoker: the quests policies decide whose quest this is. The graph
  -- triggers validate it, regenerate yaml_content and quest_nodes, and send an
  -- edited quest back to moderation.
  update app_public.quests q
    set graph_structure = parsed -> 'graph',
        title = coalesce(parsed ->> 'title', q.title),
        version = coalesce(save_quest_yaml.version, q.version)
  where q.id = save_quest_yaml.quest_id
  returning * into quest;
  if not found then
    raise exception 'No quest % of yours.', quest_id using errcode = 'P0002';
  end if;
  return quest;
end;
$$;

ALTER FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer) OWNER TO app_owner;

--
-- Name: FUNCTION save_quest_yaml(quest_id uuid, yaml_content text, version integer); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer) IS '@arg quest_id The quest (one of yours).
@arg yaml_content The quest as YAML: title, then nodes and edges as lists of one-line "key: value" pairs (what yamlContent holds), or as one JSON document.
@arg version The version you read; a stale one is refused.
Saves a quest written as YAML (seed 000): it is read into the graph, which stays the primary storage, and yamlContent is regenerated from it. Malformed YAML is refused with the line number. Changed content goes back to moderation.';

--
-- Name: set_quest_status(uuid, app_public.quest_status, integer); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer DEFAULT NULL::integer) RETURNS app_public.quests
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

ALTER FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer) OWNER TO app_owner;

--
-- Name: FUNCTION set_quest_status(quest_id uuid, status app_public.quest_status, version integer); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer) IS '@arg quest_id The quest (one of yours).
@arg status draft, deployed, archived or deleted.
@arg version The version you read; a stale one is refused.
The author moves a quest to draft, deployed (only once moderation approved it: then the child''s app sees it), archived, or deleted (soft delete). Pass the version you read to refuse a stale change.';

--
-- Name: therapy_sessions; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.therapy_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    status app_public.therapy_session_status DEFAULT 'active'::app_public.therapy_session_status NOT NULL,
    topic text,
    state jsonb DEFAULT '{}'::jsonb,
    mood_before integer,
    mood_after integer,
    summary text,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    expires_at timestamp with time zone DEFAULT (now() + '24:00:00'::interval) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    state_encrypted bytea NOT NULL,
    summary_encrypted bytea,
    CONSTRAINT therapy_sessions_ended_at_when_ended CHECK (((status = 'active'::app_public.therapy_session_status) = (ended_at IS NULL))),
    CONSTRAINT therapy_sessions_ends_after_start CHECK ((ended_at >= started_at)),
    CONSTRAINT therapy_sessions_mood_after_range CHECK (((mood_after >= 1) AND (mood_after <= 10))),
    CONSTRAINT therapy_sessions_mood_before_range CHECK (((mood_before >= 1) AND (mood_before <= 10))),
    CONSTRAINT therapy_sessions_state_stored_encrypted CHECK ((state IS NULL)),
    CONSTRAINT therapy_sessions_summary_stored_encrypted CHECK ((summary IS NULL)),
    CONSTRAINT therapy_sessions_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.therapy_sessions FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.therapy_sessions OWNER TO app_owner;

--
-- Name: TABLE therapy_sessions; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.therapy_sessions IS 'A parent''s therapy conversation with the PAS bot (seed 000''s sessions).';

--
-- Name: COLUMN therapy_sessions.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.id IS 'The session''s id.';

--
-- Name: COLUMN therapy_sessions.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.user_id IS 'The parent.';

--
-- Name: COLUMN therapy_sessions.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.status IS 'Active, ended, or expired unattended (a scheduled job expires them).';

--
-- Name: COLUMN therapy_sessions.topic; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.topic IS 'What the session is about.';

--
-- Name: COLUMN therapy_sessions.state; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.state IS '@behavior -select -orderBy -filterBy
@notNull
The bot''s conversation state. (Stored encrypted in state_encrypted: read it with app_public.therapy_sessions_state(row).)';

--
-- Name: COLUMN therapy_sessions.mood_before; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.mood_before IS 'Mood at the start, 1-10.';

--
-- Name: COLUMN therapy_sessions.mood_after; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.mood_after IS 'Mood at the end, 1-10.';

--
-- Name: COLUMN therapy_sessions.summary; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.summary IS '@behavior -select -orderBy -filterBy
Summary of the session. (Stored encrypted in summary_encrypted: read it with app_public.therapy_sessions_summary(row).)';

--
-- Name: COLUMN therapy_sessions.started_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.started_at IS 'When it started.';

--
-- Name: COLUMN therapy_sessions.ended_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.ended_at IS 'When it ended (null while active).';

--
-- Name: COLUMN therapy_sessions.expires_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.expires_at IS 'When an unattended active session expires.';

--
-- Name: COLUMN therapy_sessions.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.created_at IS 'When the row was created.';

--
-- Name: COLUMN therapy_sessions.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN therapy_sessions.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN therapy_sessions.state_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.state_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of state, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: COLUMN therapy_sessions.summary_encrypted; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.therapy_sessions.summary_encrypted IS '@behavior -select -insert -update -orderBy -filterBy
Ciphertext of summary, with the data key of the row''s user_id (app_private.encrypt_p2).';

--
-- Name: therapy_sessions_state(app_public.therapy_sessions); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_therapy_sessions(r.id) then app_hidden.decrypt_therapy_sessions_state(r.id) end $$;

ALTER FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions) OWNER TO app_owner;

--
-- Name: FUNCTION therapy_sessions_state(r app_public.therapy_sessions); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions) IS '@notNull
The bot''s conversation state. (Stored encrypted.)';

--
-- Name: therapy_sessions_summary(app_public.therapy_sessions); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$ select case when app_hidden.may_select_therapy_sessions(r.id) then app_hidden.decrypt_therapy_sessions_summary(r.id) end $$;

ALTER FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions) OWNER TO app_owner;

--
-- Name: FUNCTION therapy_sessions_summary(r app_public.therapy_sessions); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions) IS 'Summary of the session. (Stored encrypted.)';

--
-- Name: update_profile_emotions(jsonb); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.update_profile_emotions(emotional_data jsonb) RETURNS app_public.psychological_profiles
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.update_profile_emotions(emotional_data jsonb) OWNER TO app_owner;

--
-- Name: FUNCTION update_profile_emotions(emotional_data jsonb); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.update_profile_emotions(emotional_data jsonb) IS '@arg emotional_data A reading: {"mood": 1-10, ...}; the time is added.
Appends an emotional reading to the acting parent''s profile.';

--
-- Name: update_project_progress(uuid, integer); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.update_project_progress(project_id uuid, progress integer) RETURNS app_public.creative_projects
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.update_project_progress(project_id uuid, progress integer) OWNER TO app_owner;

--
-- Name: FUNCTION update_project_progress(project_id uuid, progress integer); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.update_project_progress(project_id uuid, progress integer) IS '@arg project_id The project (one of yours).
@arg progress Percent done, 0-100; 100 completes the project.
Sets a creative project''s progress.';

--
-- Name: quest_progress; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_progress (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    child_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid NOT NULL,
    current_node_id text,
    current_step integer DEFAULT 0 NOT NULL,
    nodes_completed integer DEFAULT 0 NOT NULL,
    total_nodes integer DEFAULT 0 NOT NULL,
    completion_percentage integer DEFAULT 0 NOT NULL,
    completed boolean DEFAULT false NOT NULL,
    session_data jsonb,
    educational_progress jsonb,
    xp_earned integer DEFAULT 0 NOT NULL,
    badges_earned text[] DEFAULT '{}'::text[] NOT NULL,
    reveal_moments_viewed integer DEFAULT 0 NOT NULL,
    session_count integer DEFAULT 0 NOT NULL,
    total_time_minutes double precision DEFAULT 0 NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    last_played_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT quest_progress_completed_at_iff_completed CHECK ((completed = (completed_at IS NOT NULL))),
    CONSTRAINT quest_progress_completion_percentage_range CHECK (((completion_percentage >= 0) AND (completion_percentage <= 100))),
    CONSTRAINT quest_progress_current_step_non_negative CHECK ((current_step >= 0)),
    CONSTRAINT quest_progress_educational_progress_is_object CHECK ((jsonb_typeof(educational_progress) = 'object'::text)),
    CONSTRAINT quest_progress_nodes_completed_non_negative CHECK ((nodes_completed >= 0)),
    CONSTRAINT quest_progress_nodes_completed_within_total CHECK (((nodes_completed <= total_nodes) OR (total_nodes = 0))),
    CONSTRAINT quest_progress_reveal_moments_viewed_non_negative CHECK ((reveal_moments_viewed >= 0)),
    CONSTRAINT quest_progress_session_count_non_negative CHECK ((session_count >= 0)),
    CONSTRAINT quest_progress_session_data_is_object CHECK ((jsonb_typeof(session_data) = 'object'::text)),
    CONSTRAINT quest_progress_total_nodes_non_negative CHECK ((total_nodes >= 0)),
    CONSTRAINT quest_progress_total_time_minutes_non_negative CHECK ((total_time_minutes >= (0)::double precision)),
    CONSTRAINT quest_progress_version_positive CHECK ((version > 0)),
    CONSTRAINT quest_progress_xp_earned_non_negative CHECK ((xp_earned >= 0))
);

ALTER TABLE ONLY app_public.quest_progress FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_progress OWNER TO app_owner;

--
-- Name: TABLE quest_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_progress IS 'A child''s progress in one quest (one row per child and quest). Raw play: only the child and aggregate-only functions read it.';

--
-- Name: COLUMN quest_progress.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.id IS 'The progress row''s id.';

--
-- Name: COLUMN quest_progress.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.child_id IS 'The child playing.';

--
-- Name: COLUMN quest_progress.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.quest_id IS 'The quest played.';

--
-- Name: COLUMN quest_progress.current_node_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.current_node_id IS 'The graph node the child is at.';

--
-- Name: COLUMN quest_progress.current_step; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.current_step IS 'Linear step counter.';

--
-- Name: COLUMN quest_progress.nodes_completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.nodes_completed IS 'Nodes completed so far.';

--
-- Name: COLUMN quest_progress.total_nodes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.total_nodes IS 'Nodes in the quest when play started.';

--
-- Name: COLUMN quest_progress.completion_percentage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.completion_percentage IS 'Percent complete, 0-100.';

--
-- Name: COLUMN quest_progress.completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.completed IS 'Whether the child finished the quest.';

--
-- Name: COLUMN quest_progress.session_data; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.session_data IS 'Play state: visited nodes, choices made, XP, badges, reveal moments seen.';

--
-- Name: COLUMN quest_progress.educational_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.educational_progress IS 'Educational progress by skill.';

--
-- Name: COLUMN quest_progress.xp_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.xp_earned IS 'Experience points earned.';

--
-- Name: COLUMN quest_progress.badges_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.badges_earned IS 'Badges earned.';

--
-- Name: COLUMN quest_progress.reveal_moments_viewed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.reveal_moments_viewed IS 'Family reveal moments the child has seen.';

--
-- Name: COLUMN quest_progress.session_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.session_count IS 'Play sessions.';

--
-- Name: COLUMN quest_progress.total_time_minutes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.total_time_minutes IS 'Total time played, in minutes.';

--
-- Name: COLUMN quest_progress.started_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.started_at IS 'When the child started.';

--
-- Name: COLUMN quest_progress.completed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.completed_at IS 'When the child finished (set exactly when completed).';

--
-- Name: COLUMN quest_progress.last_played_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.last_played_at IS 'Last activity (seed 001''s last_activity_at, seed 002''s last_played_at).';

--
-- Name: COLUMN quest_progress.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.created_at IS 'When the row was created.';

--
-- Name: COLUMN quest_progress.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN quest_progress.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_progress.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: update_quest_progress(uuid, integer, text, boolean, integer, text[], integer, jsonb, double precision); Type: FUNCTION; Schema: app_public; Owner: app_owner
--

CREATE FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text DEFAULT NULL::text, completed boolean DEFAULT false, xp_earned integer DEFAULT NULL::integer, badges_earned text[] DEFAULT NULL::text[], reveal_moments_viewed integer DEFAULT NULL::integer, educational_progress jsonb DEFAULT NULL::jsonb, minutes_played double precision DEFAULT 0) RETURNS app_public.quest_progress
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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
$$;

ALTER FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision) OWNER TO app_owner;

--
-- Name: FUNCTION update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision); Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision) IS '@arg quest_id The quest being played.
@arg nodes_completed Nodes completed so far (0 to the quest''s nodes).
@arg current_node_id The node the child is at.
@arg completed Whether the child finished.
@arg xp_earned Experience points so far.
@arg badges_earned Badges so far.
@arg reveal_moments_viewed Reveal moments seen so far.
@arg educational_progress Progress by skill.
@arg minutes_played Minutes played in this session.
The child records progress in a quest they can play (one row per child and quest; each call is a play session). On first completion, linked parents are notified if the child shares completion.';

--
-- Name: audit_log; Type: VIEW; Schema: app_private; Owner: app_owner
--

CREATE VIEW app_private.audit_log WITH (security_invoker='true') AS
 SELECT audit_log.id,
    audit_log.at,
    audit_log.db_role,
    audit_log.acting_user_id,
    audit_log.action,
    audit_log.subject_table,
    audit_log.subject_id,
    audit_log.child_id,
    audit_log.data_type,
    audit_log.decision,
    audit_log.details
   FROM app_audit.audit_log;

ALTER TABLE app_private.audit_log OWNER TO app_owner;

--
-- Name: VIEW audit_log; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON VIEW app_private.audit_log IS 'app_audit.audit_log, for reading (owner only): the log itself belongs to app_audit_owner.';

--
-- Name: erasure_code_key; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.erasure_code_key (
    only_row boolean DEFAULT true NOT NULL,
    key bytea DEFAULT public.gen_random_bytes(32) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT erasure_code_key_length CHECK ((length(key) = 32)),
    CONSTRAINT erasure_code_key_one_row CHECK (only_row)
);

ALTER TABLE app_private.erasure_code_key OWNER TO app_owner;

--
-- Name: TABLE erasure_code_key; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.erasure_code_key IS 'The HMAC key of erasure confirmation codes (data_deletion_requests.verification_token_hash), random, one row; read by the owner''s functions only.';

--
-- Name: COLUMN erasure_code_key.only_row; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.erasure_code_key.only_row IS 'Always true: the table has one row.';

--
-- Name: COLUMN erasure_code_key.key; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.erasure_code_key.key IS '32 random bytes.';

--
-- Name: COLUMN erasure_code_key.created_at; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.erasure_code_key.created_at IS 'When the key was made.';

--
-- Name: job_requests; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.job_requests (
    job_key text NOT NULL,
    requested_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE app_private.job_requests OWNER TO app_owner;

--
-- Name: TABLE job_requests; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.job_requests IS 'Keyed jobs requested and not yet taken by a run (app_jobs.request_job writes, app_jobs.take_job_requests clears). Source: issue 18 item 1, graphile/worker#580.';

--
-- Name: personal_data_owners; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.personal_data_owners (
    table_name text NOT NULL,
    owner_column text NOT NULL
);

ALTER TABLE app_private.personal_data_owners OWNER TO app_owner;

--
-- Name: TABLE personal_data_owners; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.personal_data_owners IS 'For each app_public table, the column(s) whose user the row belongs to (export_my_data reads them). A test fails when a column referencing users is neither here nor explained.';

--
-- Name: quest_releases; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.quest_releases (
    quest_id uuid NOT NULL,
    figure_group text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    members uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    inputs_digest bytea,
    figures jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT quest_releases_figure_group_known CHECK ((figure_group = ANY (ARRAY['progress'::text, 'play_frequency'::text, 'analytics'::text, 'children'::text]))),
    CONSTRAINT quest_releases_figures_is_object CHECK ((jsonb_typeof(figures) = 'object'::text))
);

ALTER TABLE app_private.quest_releases OWNER TO app_owner;

--
-- Name: TABLE quest_releases; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.quest_releases IS 'The released cross-child figures of each quest, per figure group (progress, play_frequency, analytics, children): the window, the children counted (emptied when withheld), a digest of the exact inputs, and the noisy figures. Owner only.';

--
-- Name: retention_notices; Type: TABLE; Schema: app_private; Owner: app_owner
--

CREATE TABLE app_private.retention_notices (
    user_id uuid NOT NULL,
    notified_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE app_private.retention_notices OWNER TO app_owner;

--
-- Name: TABLE retention_notices; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON TABLE app_private.retention_notices IS 'Users told that their account will be erased for inactivity (one row each, while the notice stands): written and removed by app_jobs.request_erasure_of_inactive_users only.';

--
-- Name: COLUMN retention_notices.user_id; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.retention_notices.user_id IS 'The user who was told.';

--
-- Name: COLUMN retention_notices.notified_at; Type: COMMENT; Schema: app_private; Owner: app_owner
--

COMMENT ON COLUMN app_private.retention_notices.notified_at IS 'When the notice was given; erasure comes 30 days later if no activity follows.';

--
-- Name: child_privacy; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.child_privacy (
    child_id uuid NOT NULL,
    share_progress boolean DEFAULT false NOT NULL,
    share_educational_progress boolean DEFAULT false NOT NULL,
    share_play_frequency boolean DEFAULT false NOT NULL,
    share_quest_details boolean DEFAULT false NOT NULL,
    share_emotional_state boolean DEFAULT false NOT NULL,
    share_analytics boolean DEFAULT false NOT NULL,
    consent_given_by_child boolean DEFAULT false NOT NULL,
    consent_version text,
    consent_timestamp timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT child_privacy_consent_version_shape CHECK ((consent_version ~ '^\d+(\.\d+)*$'::text)),
    CONSTRAINT child_privacy_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.child_privacy FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.child_privacy OWNER TO app_owner;

--
-- Name: TABLE child_privacy; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.child_privacy IS 'What a child shares with their linked parents by default: one row per child, every flag false until the child says otherwise.';

--
-- Name: COLUMN child_privacy.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.child_id IS 'The child (a user of kind child) these defaults belong to.';

--
-- Name: COLUMN child_privacy.share_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_progress IS 'Share quest completion with the parent.';

--
-- Name: COLUMN child_privacy.share_educational_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_educational_progress IS 'Share educational progress.';

--
-- Name: COLUMN child_privacy.share_play_frequency; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_play_frequency IS 'Share how often the child plays.';

--
-- Name: COLUMN child_privacy.share_quest_details; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_quest_details IS 'Share quest-level details (which nodes, how long).';

--
-- Name: COLUMN child_privacy.share_emotional_state; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_emotional_state IS 'Share the child''s emotional state.';

--
-- Name: COLUMN child_privacy.share_analytics; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.share_analytics IS 'Share aggregated analytics.';

--
-- Name: COLUMN child_privacy.consent_given_by_child; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.consent_given_by_child IS 'Whether the child has answered the consent screen at all.';

--
-- Name: COLUMN child_privacy.consent_version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.consent_version IS 'Version of the consent text the child answered ("1.0", "1.1", ...).';

--
-- Name: COLUMN child_privacy.consent_timestamp; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.consent_timestamp IS 'When the child last changed their consent.';

--
-- Name: COLUMN child_privacy.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.created_at IS 'When the row was created.';

--
-- Name: COLUMN child_privacy.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN child_privacy.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.child_privacy.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: consent_events; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.consent_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    child_id uuid NOT NULL,
    quest_id uuid,
    flag text NOT NULL,
    old_value boolean,
    new_value boolean NOT NULL,
    consent_version text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT consent_events_flag_known CHECK ((flag = ANY (ARRAY['consent_given_by_child'::text, 'share_progress'::text, 'share_educational_progress'::text, 'share_play_frequency'::text, 'share_quest_details'::text, 'share_emotional_state'::text, 'share_analytics'::text]))),
    CONSTRAINT consent_events_is_a_change CHECK ((old_value IS DISTINCT FROM new_value))
);

ALTER TABLE ONLY app_public.consent_events FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.consent_events OWNER TO app_owner;

--
-- Name: TABLE consent_events; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.consent_events IS 'Append-only history of every consent change a child made (which flag, old and new value, when, which consent text).';

--
-- Name: COLUMN consent_events.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.id IS 'The event''s id.';

--
-- Name: COLUMN consent_events.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.child_id IS 'The child who changed their consent.';

--
-- Name: COLUMN consent_events.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.quest_id IS 'The quest, when a per-quest override changed; null for the child''s defaults, and once the quest is deleted (the event stays the child''s; an audit row says when).';

--
-- Name: COLUMN consent_events.flag; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.flag IS 'Which flag changed.';

--
-- Name: COLUMN consent_events.old_value; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.old_value IS 'The value before (null when the row was created).';

--
-- Name: COLUMN consent_events.new_value; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.new_value IS 'The value after.';

--
-- Name: COLUMN consent_events.consent_version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.consent_version IS 'Version of the consent text in force.';

--
-- Name: COLUMN consent_events.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.consent_events.created_at IS 'When the change happened.';

--
-- Name: family_links; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.family_links (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    parent_id uuid NOT NULL,
    child_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT family_links_not_self CHECK ((parent_id <> child_id))
);

ALTER TABLE ONLY app_public.family_links FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.family_links OWNER TO app_owner;

--
-- Name: TABLE family_links; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.family_links IS 'Which parent is linked to which child. Links are created and removed, never edited.';

--
-- Name: COLUMN family_links.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.family_links.id IS 'The link''s id.';

--
-- Name: COLUMN family_links.parent_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.family_links.parent_id IS 'The parent (a user of kind parent).';

--
-- Name: COLUMN family_links.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.family_links.child_id IS 'The child (a user of kind child).';

--
-- Name: COLUMN family_links.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.family_links.created_at IS 'When the link was made.';

--
-- Name: goals; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.goals (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    track_type app_public.track_type,
    title text NOT NULL,
    specific text,
    measurable text,
    achievable text,
    relevant text,
    time_bound date,
    status app_public.goal_status DEFAULT 'active'::app_public.goal_status NOT NULL,
    progress integer DEFAULT 0 NOT NULL,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT goals_completed_at_iff_completed CHECK (((status = 'completed'::app_public.goal_status) = (completed_at IS NOT NULL))),
    CONSTRAINT goals_progress_range CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT goals_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255))),
    CONSTRAINT goals_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.goals FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.goals OWNER TO app_owner;

--
-- Name: TABLE goals; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.goals IS 'A parent''s SMART goals.';

--
-- Name: COLUMN goals.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.id IS 'The goal''s id.';

--
-- Name: COLUMN goals.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.user_id IS 'The parent.';

--
-- Name: COLUMN goals.track_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.track_type IS 'The recovery track the goal serves, if any.';

--
-- Name: COLUMN goals.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.title IS 'Short title.';

--
-- Name: COLUMN goals.specific; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.specific IS 'S: what exactly will be done.';

--
-- Name: COLUMN goals.measurable; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.measurable IS 'M: how progress is measured.';

--
-- Name: COLUMN goals.achievable; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.achievable IS 'A: why it is within reach.';

--
-- Name: COLUMN goals.relevant; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.relevant IS 'R: why it matters for the recovery.';

--
-- Name: COLUMN goals.time_bound; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.time_bound IS 'T: the deadline.';

--
-- Name: COLUMN goals.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.status IS 'Active, completed or abandoned.';

--
-- Name: COLUMN goals.progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.progress IS 'Percent done, 0-100.';

--
-- Name: COLUMN goals.completed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.completed_at IS 'When it was completed (set exactly when completed).';

--
-- Name: COLUMN goals.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.created_at IS 'When the goal was set.';

--
-- Name: COLUMN goals.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN goals.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.goals.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: metrics_snapshots; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.metrics_snapshots (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    snapshot_date date NOT NULL,
    mood_average double precision,
    sessions_count integer DEFAULT 0 NOT NULL,
    messages_count integer DEFAULT 0 NOT NULL,
    letters_written integer DEFAULT 0 NOT NULL,
    goals_completed integer DEFAULT 0 NOT NULL,
    quests_created integer DEFAULT 0 NOT NULL,
    metrics jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT metrics_snapshots_goals_completed_non_negative CHECK ((goals_completed >= 0)),
    CONSTRAINT metrics_snapshots_letters_written_non_negative CHECK ((letters_written >= 0)),
    CONSTRAINT metrics_snapshots_messages_count_non_negative CHECK ((messages_count >= 0)),
    CONSTRAINT metrics_snapshots_metrics_is_object CHECK ((jsonb_typeof(metrics) = 'object'::text)),
    CONSTRAINT metrics_snapshots_mood_average_range CHECK (((mood_average >= (1)::double precision) AND (mood_average <= (10)::double precision))),
    CONSTRAINT metrics_snapshots_quests_created_non_negative CHECK ((quests_created >= 0)),
    CONSTRAINT metrics_snapshots_sessions_count_non_negative CHECK ((sessions_count >= 0))
);

ALTER TABLE ONLY app_public.metrics_snapshots FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.metrics_snapshots OWNER TO app_owner;

--
-- Name: TABLE metrics_snapshots; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.metrics_snapshots IS 'A parent''s daily metrics for the PAS dashboard (computed by a scheduled job).';

--
-- Name: COLUMN metrics_snapshots.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.id IS 'The snapshot''s id.';

--
-- Name: COLUMN metrics_snapshots.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.user_id IS 'The parent.';

--
-- Name: COLUMN metrics_snapshots.snapshot_date; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.snapshot_date IS 'The day the snapshot describes (one per day).';

--
-- Name: COLUMN metrics_snapshots.mood_average; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.mood_average IS 'Average mood that day, 1-10.';

--
-- Name: COLUMN metrics_snapshots.sessions_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.sessions_count IS 'Therapy sessions that day.';

--
-- Name: COLUMN metrics_snapshots.messages_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.messages_count IS 'Messages that day.';

--
-- Name: COLUMN metrics_snapshots.letters_written; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.letters_written IS 'Letters written that day.';

--
-- Name: COLUMN metrics_snapshots.goals_completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.goals_completed IS 'Goals completed that day.';

--
-- Name: COLUMN metrics_snapshots.quests_created; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.quests_created IS 'Quests created that day.';

--
-- Name: COLUMN metrics_snapshots.metrics; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.metrics IS 'Further metrics by name.';

--
-- Name: COLUMN metrics_snapshots.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.metrics_snapshots.created_at IS 'When the snapshot was computed.';

--
-- Name: milestones; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.milestones (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    track_id uuid NOT NULL,
    milestone_type text NOT NULL,
    title text NOT NULL,
    description text,
    xp_reward integer DEFAULT 0 NOT NULL,
    badge text,
    achieved_at timestamp with time zone DEFAULT now() NOT NULL,
    acknowledged boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT milestones_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255))),
    CONSTRAINT milestones_type_length CHECK (((length(milestone_type) >= 1) AND (length(milestone_type) <= 100))),
    CONSTRAINT milestones_xp_reward_non_negative CHECK ((xp_reward >= 0))
);

ALTER TABLE ONLY app_public.milestones FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.milestones OWNER TO app_owner;

--
-- Name: TABLE milestones; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.milestones IS 'Milestones a parent reached in a recovery track (first quest, ten quests, seven-day streak, child completed a quest).';

--
-- Name: COLUMN milestones.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.id IS 'The milestone''s id.';

--
-- Name: COLUMN milestones.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.user_id IS 'The parent.';

--
-- Name: COLUMN milestones.track_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.track_id IS 'The track it belongs to (one of the parent''s own).';

--
-- Name: COLUMN milestones.milestone_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.milestone_type IS 'Kind of milestone (first_quest, 10_quests, streak_7, child_completed).';

--
-- Name: COLUMN milestones.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.title IS 'Title of the celebration.';

--
-- Name: COLUMN milestones.description; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.description IS 'What was achieved.';

--
-- Name: COLUMN milestones.xp_reward; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.xp_reward IS 'Experience points awarded.';

--
-- Name: COLUMN milestones.badge; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.badge IS 'Badge awarded.';

--
-- Name: COLUMN milestones.achieved_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.achieved_at IS 'When it was reached.';

--
-- Name: COLUMN milestones.acknowledged; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.acknowledged IS 'Whether the parent has seen the celebration.';

--
-- Name: COLUMN milestones.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.milestones.created_at IS 'When the row was stored.';

--
-- Name: notifications; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.notifications (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    body text,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    read_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    source_key text,
    CONSTRAINT notifications_data_is_object CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT notifications_kind_length CHECK (((length(kind) >= 1) AND (length(kind) <= 100))),
    CONSTRAINT notifications_source_key_length CHECK (((length(source_key) >= 1) AND (length(source_key) <= 200))),
    CONSTRAINT notifications_title_length CHECK (((length(title) >= 1) AND (length(title) <= 255)))
);

ALTER TABLE ONLY app_public.notifications FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.notifications OWNER TO app_owner;

--
-- Name: TABLE notifications; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.notifications IS 'Notifications to a user (a child''s consent changed, a consented quest was completed, a milestone, ...).';

--
-- Name: COLUMN notifications.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.id IS 'The notification''s id.';

--
-- Name: COLUMN notifications.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.user_id IS 'The recipient.';

--
-- Name: COLUMN notifications.kind; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.kind IS 'Kind (consent_changed, quest_completed, milestone, ...).';

--
-- Name: COLUMN notifications.title; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.title IS 'Title.';

--
-- Name: COLUMN notifications.body; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.body IS 'Text.';

--
-- Name: COLUMN notifications.data; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.data IS 'Structured details (ids, counts); never a child''s raw play.';

--
-- Name: COLUMN notifications.read_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.read_at IS 'When the recipient read it.';

--
-- Name: COLUMN notifications.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.created_at IS 'When it was created.';

--
-- Name: COLUMN notifications.source_key; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.notifications.source_key IS 'What a job wrote the notification for (e.g. consent_event:<id>), so a rerun does not repeat it; null for others.';

--
-- Name: psychologist_reviews; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.psychologist_reviews (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    quest_id uuid NOT NULL,
    psychologist_id uuid,
    parent_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    status app_public.review_status DEFAULT 'pending'::app_public.review_status NOT NULL,
    emotional_safety_score integer,
    therapeutic_correctness_score integer,
    age_appropriateness_score integer,
    reveal_timing_score integer,
    overall_rating integer,
    is_approved boolean DEFAULT false NOT NULL,
    feedback_text text,
    strengths text[],
    improvements text[],
    red_flags text[],
    notes_for_parent text,
    notes_for_community text,
    playthrough_duration_minutes integer,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT psychologist_reviews_age_appropriateness_score_range CHECK (((age_appropriateness_score >= 1) AND (age_appropriateness_score <= 5))),
    CONSTRAINT psychologist_reviews_approval_needs_all_scores CHECK (((NOT is_approved) OR ((status = 'completed'::app_public.review_status) AND (emotional_safety_score IS NOT NULL) AND (therapeutic_correctness_score IS NOT NULL) AND (age_appropriateness_score IS NOT NULL) AND (reveal_timing_score IS NOT NULL)))),
    CONSTRAINT psychologist_reviews_completed_at_when_done CHECK (((status = ANY (ARRAY['completed'::app_public.review_status, 'declined'::app_public.review_status])) = (completed_at IS NOT NULL))),
    CONSTRAINT psychologist_reviews_emotional_safety_score_range CHECK (((emotional_safety_score >= 1) AND (emotional_safety_score <= 5))),
    CONSTRAINT psychologist_reviews_overall_rating_range CHECK (((overall_rating >= 1) AND (overall_rating <= 5))),
    CONSTRAINT psychologist_reviews_playthrough_duration_non_negative CHECK ((playthrough_duration_minutes >= 0)),
    CONSTRAINT psychologist_reviews_reveal_timing_score_range CHECK (((reveal_timing_score >= 1) AND (reveal_timing_score <= 5))),
    CONSTRAINT psychologist_reviews_therapeutic_correctness_score_range CHECK (((therapeutic_correctness_score >= 1) AND (therapeutic_correctness_score <= 5))),
    CONSTRAINT psychologist_reviews_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.psychologist_reviews FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.psychologist_reviews OWNER TO app_owner;

--
-- Name: TABLE psychologist_reviews; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.psychologist_reviews IS 'A psychologist''s professional review of a quest, requested by its parent: four 1-5 scales, approval, feedback.';

--
-- Name: COLUMN psychologist_reviews.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.id IS 'The review''s id.';

--
-- Name: COLUMN psychologist_reviews.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.quest_id IS 'The quest under review.';

--
-- Name: COLUMN psychologist_reviews.psychologist_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.psychologist_id IS 'The psychologist assigned (null while unassigned or after they erased their account).';

--
-- Name: COLUMN psychologist_reviews.parent_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.parent_id IS 'The parent who requested the review.';

--
-- Name: COLUMN psychologist_reviews.status; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.status IS 'Pending, in progress, completed or declined.';

--
-- Name: COLUMN psychologist_reviews.emotional_safety_score; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.emotional_safety_score IS 'Emotional safety, 1-5.';

--
-- Name: COLUMN psychologist_reviews.therapeutic_correctness_score; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.therapeutic_correctness_score IS 'Therapeutic correctness, 1-5.';

--
-- Name: COLUMN psychologist_reviews.age_appropriateness_score; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.age_appropriateness_score IS 'Age appropriateness, 1-5.';

--
-- Name: COLUMN psychologist_reviews.reveal_timing_score; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.reveal_timing_score IS 'Timing of the family reveal, 1-5.';

--
-- Name: COLUMN psychologist_reviews.overall_rating; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.overall_rating IS 'Overall rating 1-5 (the average of the four scales).';

--
-- Name: COLUMN psychologist_reviews.is_approved; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.is_approved IS 'Approved: needs a completed review with all four scores.';

--
-- Name: COLUMN psychologist_reviews.feedback_text; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.feedback_text IS 'The psychologist''s feedback.';

--
-- Name: COLUMN psychologist_reviews.strengths; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.strengths IS 'What works well.';

--
-- Name: COLUMN psychologist_reviews.improvements; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.improvements IS 'What could be better.';

--
-- Name: COLUMN psychologist_reviews.red_flags; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.red_flags IS 'Serious concerns (e.g. a manipulation pattern).';

--
-- Name: COLUMN psychologist_reviews.notes_for_parent; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.notes_for_parent IS 'Private notes for the parent.';

--
-- Name: COLUMN psychologist_reviews.notes_for_community; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.notes_for_community IS 'Public notes shown with the review badge.';

--
-- Name: COLUMN psychologist_reviews.playthrough_duration_minutes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.playthrough_duration_minutes IS 'How long the psychologist''s playthrough took.';

--
-- Name: COLUMN psychologist_reviews.requested_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.requested_at IS 'When the parent asked for the review.';

--
-- Name: COLUMN psychologist_reviews.started_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.started_at IS 'When the psychologist started.';

--
-- Name: COLUMN psychologist_reviews.completed_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.completed_at IS 'When the review was completed or declined (seed 002''s reviewed_at).';

--
-- Name: COLUMN psychologist_reviews.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.created_at IS 'When the row was created.';

--
-- Name: COLUMN psychologist_reviews.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN psychologist_reviews.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.psychologist_reviews.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: quest_analytics; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_analytics (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    quest_id uuid NOT NULL,
    total_starts integer,
    total_completions integer,
    completion_rate double precision,
    avg_completion_time integer,
    median_completion_time integer,
    avg_xp_earned double precision,
    avg_badges_earned double precision,
    reveal_view_rate double precision,
    node_completion_rates jsonb,
    node_average_times jsonb,
    nodes_completed integer,
    total_nodes integer DEFAULT 0 NOT NULL,
    completion_percentage integer,
    educational_progress jsonb,
    play_count integer,
    distinct_children integer,
    last_played timestamp with time zone,
    last_updated timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    total_time_minutes double precision,
    window_start timestamp with time zone,
    CONSTRAINT quest_analytics_avg_badges_earned_non_negative CHECK ((avg_badges_earned >= (0)::double precision)),
    CONSTRAINT quest_analytics_avg_completion_time_non_negative CHECK ((avg_completion_time >= 0)),
    CONSTRAINT quest_analytics_avg_xp_earned_non_negative CHECK ((avg_xp_earned >= (0)::double precision)),
    CONSTRAINT quest_analytics_completion_percentage_range CHECK (((completion_percentage >= 0) AND (completion_percentage <= 100))),
    CONSTRAINT quest_analytics_completion_rate_range CHECK (((completion_rate >= (0)::double precision) AND (completion_rate <= (1)::double precision))),
    CONSTRAINT quest_analytics_completions_within_starts CHECK (((total_completions >= 0) AND (total_completions <= total_starts))),
    CONSTRAINT quest_analytics_distinct_children_non_negative CHECK ((distinct_children >= 0)),
    CONSTRAINT quest_analytics_educational_progress_is_object CHECK ((jsonb_typeof(educational_progress) = 'object'::text)),
    CONSTRAINT quest_analytics_median_completion_time_non_negative CHECK ((median_completion_time >= 0)),
    CONSTRAINT quest_analytics_node_average_times_is_object CHECK ((jsonb_typeof(node_average_times) = 'object'::text)),
    CONSTRAINT quest_analytics_node_completion_rates_is_object CHECK ((jsonb_typeof(node_completion_rates) = 'object'::text)),
    CONSTRAINT quest_analytics_nodes_completed_non_negative CHECK ((nodes_completed >= 0)),
    CONSTRAINT quest_analytics_play_count_non_negative CHECK ((play_count >= 0)),
    CONSTRAINT quest_analytics_reveal_view_rate_range CHECK (((reveal_view_rate >= (0)::double precision) AND (reveal_view_rate <= (1)::double precision))),
    CONSTRAINT quest_analytics_total_nodes_non_negative CHECK ((total_nodes >= 0)),
    CONSTRAINT quest_analytics_total_starts_non_negative CHECK ((total_starts >= 0)),
    CONSTRAINT quest_analytics_total_time_minutes_non_negative CHECK ((total_time_minutes >= (0)::double precision))
);

ALTER TABLE ONLY app_public.quest_analytics FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_analytics OWNER TO app_owner;

--
-- Name: TABLE quest_analytics; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_analytics IS 'The current release of one quest''s cross-child figures (docs/privacy.md, "Aggregates for parents"): computed once per UTC day by the refresh job, with differential-privacy noise, each figure over the children who consented to its kind and have a real family, null when fewer than 5 of them (or withheld after one of them stopped counting). Never an individual child''s data.';

--
-- Name: COLUMN quest_analytics.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.id IS 'The row''s id.';

--
-- Name: COLUMN quest_analytics.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.quest_id IS 'The quest (one row per quest).';

--
-- Name: COLUMN quest_analytics.total_starts; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.total_starts IS 'Children who started (progress consent), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.total_completions; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.total_completions IS 'Children who completed (progress consent), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.completion_rate; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.completion_rate IS 'total_completions / total_starts (0 to 1; progress consent); null when not released.';

--
-- Name: COLUMN quest_analytics.avg_completion_time; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.avg_completion_time IS 'Average seconds to complete (progress consent; each child''s time capped at 4 hours), from a noisy sum over noisy completions; null when not released.';

--
-- Name: COLUMN quest_analytics.median_completion_time; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.median_completion_time IS 'Not released: a median is one child''s value. Always null.';

--
-- Name: COLUMN quest_analytics.avg_xp_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.avg_xp_earned IS 'Average XP per child (analytics consent; each child capped at 1000), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.avg_badges_earned; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.avg_badges_earned IS 'Not released (no privacy budget is spent on it). Always null.';

--
-- Name: COLUMN quest_analytics.reveal_view_rate; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.reveal_view_rate IS 'Share of children who reached a reveal moment (0 to 1; analytics consent), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.node_completion_rates; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.node_completion_rates IS 'Not released (per-node figures of small groups are single children''s). Always null.';

--
-- Name: COLUMN quest_analytics.node_average_times; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.node_average_times IS 'Not released (per-node figures of small groups are single children''s). Always null.';

--
-- Name: COLUMN quest_analytics.nodes_completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.nodes_completed IS 'Average nodes completed per child (progress consent), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.total_nodes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.total_nodes IS 'Nodes in the quest.';

--
-- Name: COLUMN quest_analytics.completion_percentage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.completion_percentage IS 'Average percent completed per child, 0-100 (progress consent), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.educational_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.educational_progress IS 'Not released across children (educational progress is shown for a single child only). Always null.';

--
-- Name: COLUMN quest_analytics.play_count; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.play_count IS 'Play sessions of all counted children (play-frequency consent; each child capped at 50), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.distinct_children; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.distinct_children IS 'Children counted in at least one released figure, noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.last_played; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.last_played IS 'Not released across children (a latest time is one child''s). Always null.';

--
-- Name: COLUMN quest_analytics.last_updated; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.last_updated IS 'When a job last wrote the row.';

--
-- Name: COLUMN quest_analytics.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.created_at IS 'When the row was created.';

--
-- Name: COLUMN quest_analytics.total_time_minutes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.total_time_minutes IS 'Minutes played by all counted children (play-frequency consent; each child capped at 600), noisy; null when not released.';

--
-- Name: COLUMN quest_analytics.window_start; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_analytics.window_start IS 'The release window (a UTC day) these figures belong to; they stay frozen until the next one.';

--
-- Name: quest_nodes; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_nodes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    quest_id uuid NOT NULL,
    node_key text NOT NULL,
    node_type text,
    "position" integer NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quest_nodes_position_non_negative CHECK (("position" >= 0))
);

ALTER TABLE ONLY app_public.quest_nodes FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_nodes OWNER TO app_owner;

--
-- Name: TABLE quest_nodes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_nodes IS 'The nodes of each quest''s graph as rows, kept in step with quests.graph_structure by trigger (never written directly).';

--
-- Name: COLUMN quest_nodes.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.id IS 'The node row''s id.';

--
-- Name: COLUMN quest_nodes.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.quest_id IS 'The quest the node belongs to.';

--
-- Name: COLUMN quest_nodes.node_key; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.node_key IS 'The node''s "id" inside graph_structure.';

--
-- Name: COLUMN quest_nodes.node_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.node_type IS 'The node''s "type" in the graph (question, story, reveal, ...).';

--
-- Name: COLUMN quest_nodes."position"; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes."position" IS 'The node''s place in the graph''s node list, from 0.';

--
-- Name: COLUMN quest_nodes.data; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.data IS 'The node''s "data" in the graph.';

--
-- Name: COLUMN quest_nodes.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.created_at IS 'When the node first appeared in the graph.';

--
-- Name: COLUMN quest_nodes.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_nodes.updated_at IS 'When the node last changed in the graph.';

--
-- Name: quest_privacy; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_privacy (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    child_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid NOT NULL,
    share_progress boolean DEFAULT false NOT NULL,
    share_educational_progress boolean DEFAULT false NOT NULL,
    share_play_frequency boolean DEFAULT false NOT NULL,
    share_quest_details boolean DEFAULT false NOT NULL,
    share_emotional_state boolean DEFAULT false NOT NULL,
    share_analytics boolean DEFAULT false NOT NULL,
    consent_version text,
    consent_timestamp timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT quest_privacy_consent_version_shape CHECK ((consent_version ~ '^\d+(\.\d+)*$'::text)),
    CONSTRAINT quest_privacy_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.quest_privacy FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_privacy OWNER TO app_owner;

--
-- Name: TABLE quest_privacy; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_privacy IS 'A child''s consent for one quest, overriding their child_privacy defaults for it (all flags false by default).';

--
-- Name: COLUMN quest_privacy.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.id IS 'The override''s id.';

--
-- Name: COLUMN quest_privacy.child_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.child_id IS 'The child whose consent this is.';

--
-- Name: COLUMN quest_privacy.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.quest_id IS 'The quest the override applies to.';

--
-- Name: COLUMN quest_privacy.share_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_progress IS 'Share completion of this quest.';

--
-- Name: COLUMN quest_privacy.share_educational_progress; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_educational_progress IS 'Share educational progress in this quest.';

--
-- Name: COLUMN quest_privacy.share_play_frequency; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_play_frequency IS 'Share how often this quest is played.';

--
-- Name: COLUMN quest_privacy.share_quest_details; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_quest_details IS 'Share node-level details of this quest.';

--
-- Name: COLUMN quest_privacy.share_emotional_state; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_emotional_state IS 'Share the emotional state recorded in this quest.';

--
-- Name: COLUMN quest_privacy.share_analytics; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.share_analytics IS 'Share aggregated analytics of this quest.';

--
-- Name: COLUMN quest_privacy.consent_version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.consent_version IS 'Version of the consent text the child answered.';

--
-- Name: COLUMN quest_privacy.consent_timestamp; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.consent_timestamp IS 'When the child last changed this override.';

--
-- Name: COLUMN quest_privacy.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.created_at IS 'When the override was created.';

--
-- Name: COLUMN quest_privacy.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN quest_privacy.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_privacy.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: quest_ratings; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.quest_ratings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid NOT NULL,
    rating integer NOT NULL,
    review_text text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT quest_ratings_rating_range CHECK (((rating >= 1) AND (rating <= 5))),
    CONSTRAINT quest_ratings_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.quest_ratings FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.quest_ratings OWNER TO app_owner;

--
-- Name: TABLE quest_ratings; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.quest_ratings IS 'Marketplace ratings: one per user and quest, 1-5 stars.';

--
-- Name: COLUMN quest_ratings.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.id IS 'The rating''s id.';

--
-- Name: COLUMN quest_ratings.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.user_id IS 'Who rated.';

--
-- Name: COLUMN quest_ratings.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.quest_id IS 'The quest rated.';

--
-- Name: COLUMN quest_ratings.rating; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.rating IS 'Stars, 1-5.';

--
-- Name: COLUMN quest_ratings.review_text; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.review_text IS 'Optional review.';

--
-- Name: COLUMN quest_ratings.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.created_at IS 'When the rating was given.';

--
-- Name: COLUMN quest_ratings.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN quest_ratings.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.quest_ratings.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: user_quest_library; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.user_quest_library (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    quest_id uuid NOT NULL,
    folder text,
    notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_quest_library_folder_length CHECK (((length(folder) >= 1) AND (length(folder) <= 100)))
);

ALTER TABLE ONLY app_public.user_quest_library FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.user_quest_library OWNER TO app_owner;

--
-- Name: TABLE user_quest_library; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.user_quest_library IS 'Quests a user added to their library from the marketplace (once each).';

--
-- Name: COLUMN user_quest_library.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.id IS 'The entry''s id.';

--
-- Name: COLUMN user_quest_library.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.user_id IS 'The user.';

--
-- Name: COLUMN user_quest_library.quest_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.quest_id IS 'The quest.';

--
-- Name: COLUMN user_quest_library.folder; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.folder IS 'Folder (favorites, in_progress, completed, or the user''s own).';

--
-- Name: COLUMN user_quest_library.notes; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.notes IS 'The user''s notes.';

--
-- Name: COLUMN user_quest_library.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_quest_library.created_at IS 'When it was added (seed 001''s added_at).';

--
-- Name: user_tracks; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.user_tracks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid DEFAULT app_public.current_user_id() NOT NULL,
    track_type app_public.track_type NOT NULL,
    current_phase app_public.track_phase DEFAULT 'awareness'::app_public.track_phase NOT NULL,
    completion_percentage integer DEFAULT 0 NOT NULL,
    total_actions integer DEFAULT 0 NOT NULL,
    total_activities integer DEFAULT 0 NOT NULL,
    completed_activities integer DEFAULT 0 NOT NULL,
    milestones_completed text[] DEFAULT '{}'::text[] NOT NULL,
    next_action jsonb,
    last_activity_at timestamp with time zone,
    phase_started_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    CONSTRAINT user_tracks_completed_within_total CHECK (((completed_activities >= 0) AND (completed_activities <= total_activities))),
    CONSTRAINT user_tracks_completion_percentage_range CHECK (((completion_percentage >= 0) AND (completion_percentage <= 100))),
    CONSTRAINT user_tracks_next_action_is_object CHECK ((jsonb_typeof(next_action) = 'object'::text)),
    CONSTRAINT user_tracks_total_actions_non_negative CHECK ((total_actions >= 0)),
    CONSTRAINT user_tracks_total_activities_non_negative CHECK ((total_activities >= 0)),
    CONSTRAINT user_tracks_version_positive CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.user_tracks FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.user_tracks OWNER TO app_owner;

--
-- Name: TABLE user_tracks; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.user_tracks IS 'A parent''s progress in each of the four recovery tracks (one row per track).';

--
-- Name: COLUMN user_tracks.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.id IS 'The track row''s id.';

--
-- Name: COLUMN user_tracks.user_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.user_id IS 'The parent.';

--
-- Name: COLUMN user_tracks.track_type; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.track_type IS 'Which of the four tracks.';

--
-- Name: COLUMN user_tracks.current_phase; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.current_phase IS 'Awareness, expression, action or mastery.';

--
-- Name: COLUMN user_tracks.completion_percentage; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.completion_percentage IS 'Percent done within the current phase, 0-100.';

--
-- Name: COLUMN user_tracks.total_actions; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.total_actions IS 'Actions done in this track.';

--
-- Name: COLUMN user_tracks.total_activities; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.total_activities IS 'Activities offered in this track.';

--
-- Name: COLUMN user_tracks.completed_activities; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.completed_activities IS 'Activities completed (at most total_activities).';

--
-- Name: COLUMN user_tracks.milestones_completed; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.milestones_completed IS 'Milestone types reached (first_quest_created, 10_days_streak, ...).';

--
-- Name: COLUMN user_tracks.next_action; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.next_action IS 'Suggested next action: {"type", "suggestion", "estimated_time"}.';

--
-- Name: COLUMN user_tracks.last_activity_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.last_activity_at IS 'Last activity in the track.';

--
-- Name: COLUMN user_tracks.phase_started_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.phase_started_at IS 'When the current phase began.';

--
-- Name: COLUMN user_tracks.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.created_at IS 'When the track started.';

--
-- Name: COLUMN user_tracks.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN user_tracks.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.user_tracks.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: users; Type: TABLE; Schema: app_public; Owner: app_owner
--

CREATE TABLE app_public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind app_public.user_kind NOT NULL,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    telegram_id bigint,
    email public.citext,
    parent_name text,
    child_name text,
    child_age integer,
    learning_profile jsonb,
    mode app_public.user_mode DEFAULT 'educational'::app_public.user_mode NOT NULL,
    recovery_tracks jsonb,
    primary_track app_public.track_type,
    recovery_week integer,
    recovery_day integer,
    data_consent boolean DEFAULT false NOT NULL,
    data_retention_days integer DEFAULT 365 NOT NULL,
    last_active_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_child_age_range CHECK (((child_age >= 3) AND (child_age <= 18))),
    CONSTRAINT users_child_fields_only_for_children CHECK (((kind = 'child'::app_public.user_kind) OR ((child_name IS NULL) AND (child_age IS NULL)))),
    CONSTRAINT users_child_name_length CHECK (((length(child_name) >= 1) AND (length(child_name) <= 255))),
    CONSTRAINT users_data_retention_days_range CHECK (((data_retention_days >= 1) AND (data_retention_days <= 3650))),
    CONSTRAINT users_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 100))),
    CONSTRAINT users_email_shape CHECK ((email OPERATOR(public.~) '^[^@\s]+@[^@\s]+\.[^@\s]+$'::public.citext)),
    CONSTRAINT users_learning_profile_is_object CHECK ((jsonb_typeof(learning_profile) = 'object'::text)),
    CONSTRAINT users_parent_fields_only_for_parents CHECK (((kind = 'parent'::app_public.user_kind) OR ((parent_name IS NULL) AND (recovery_tracks IS NULL) AND (primary_track IS NULL) AND (recovery_week IS NULL) AND (recovery_day IS NULL)))),
    CONSTRAINT users_parent_name_length CHECK (((length(parent_name) >= 1) AND (length(parent_name) <= 255))),
    CONSTRAINT users_recovery_day_range CHECK (((recovery_day >= 1) AND (recovery_day <= 7))),
    CONSTRAINT users_recovery_tracks_is_object CHECK ((jsonb_typeof(recovery_tracks) = 'object'::text)),
    CONSTRAINT users_recovery_week_non_negative CHECK ((recovery_week >= 0)),
    CONSTRAINT users_telegram_id_positive CHECK ((telegram_id > 0)),
    CONSTRAINT users_version_check CHECK ((version > 0))
);

ALTER TABLE ONLY app_public.users FORCE ROW LEVEL SECURITY;

ALTER TABLE app_public.users OWNER TO app_owner;

--
-- Name: TABLE users; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON TABLE app_public.users IS 'Everyone who uses either app: parents, children, psychologists and admins.';

--
-- Name: COLUMN users.id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.id IS 'The user''s id; also the `sub` of their JWT and the value of app.user_id.';

--
-- Name: COLUMN users.kind; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.kind IS 'Parent, child, psychologist or admin.';

--
-- Name: COLUMN users.display_name; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.display_name IS 'The name shown in the apps (1 to 100 characters).';

--
-- Name: COLUMN users.created_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.created_at IS 'When the user was created.';

--
-- Name: COLUMN users.updated_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.updated_at IS 'When the row last changed (set by trigger).';

--
-- Name: COLUMN users.version; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.version IS 'Optimistic-locking version: send it back on update; a stale one is refused.';

--
-- Name: COLUMN users.telegram_id; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.telegram_id IS 'The Telegram user id the PAS bot talks to (unique).';

--
-- Name: COLUMN users.email; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.email IS 'Email address, case-insensitive and unique.';

--
-- Name: COLUMN users.parent_name; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.parent_name IS 'A parent''s name, used to personalise the bot and quests.';

--
-- Name: COLUMN users.child_name; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.child_name IS 'A child''s name as the quests use it.';

--
-- Name: COLUMN users.child_age; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.child_age IS 'A child''s age in years (3 to 18).';

--
-- Name: COLUMN users.learning_profile; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.learning_profile IS 'A child''s learning preferences: visual/logical preference (0-1), attention span, difficulties, strengths.';

--
-- Name: COLUMN users.mode; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.mode IS 'Educational or therapeutic mode.';

--
-- Name: COLUMN users.recovery_tracks; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.recovery_tracks IS 'A parent''s recovery-track summary as the bot keeps it (the normalised rows are user_tracks).';

--
-- Name: COLUMN users.primary_track; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.primary_track IS 'The recovery track a parent focuses on.';

--
-- Name: COLUMN users.recovery_week; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.recovery_week IS 'Week of a parent''s recovery programme (0 before it starts).';

--
-- Name: COLUMN users.recovery_day; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.recovery_day IS 'Day within the recovery week (1 to 7).';

--
-- Name: COLUMN users.data_consent; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.data_consent IS 'Whether the user consented to data processing.';

--
-- Name: COLUMN users.data_retention_days; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.data_retention_days IS 'How many days the user''s data is kept (1 to 3650; enforced by a scheduled job).';

--
-- Name: COLUMN users.last_active_at; Type: COMMENT; Schema: app_public; Owner: app_owner
--

COMMENT ON COLUMN app_public.users.last_active_at IS 'When the user was last seen active: marked hourly by the API, and brought forward by the daily retention review from the traces of their own writes (any path). Since account creation or the start of tracking.';

--
-- Name: encrypted_columns encrypted_columns_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.encrypted_columns
    ADD CONSTRAINT encrypted_columns_pkey PRIMARY KEY (table_name, column_name);

--
-- Name: erasure_code_key erasure_code_key_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.erasure_code_key
    ADD CONSTRAINT erasure_code_key_pkey PRIMARY KEY (only_row);

--
-- Name: job_requests job_requests_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.job_requests
    ADD CONSTRAINT job_requests_pkey PRIMARY KEY (job_key);

--
-- Name: personal_data_owners personal_data_owners_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.personal_data_owners
    ADD CONSTRAINT personal_data_owners_pkey PRIMARY KEY (table_name, owner_column);

--
-- Name: quest_releases quest_releases_one_per_quest_and_group; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.quest_releases
    ADD CONSTRAINT quest_releases_one_per_quest_and_group PRIMARY KEY (quest_id, figure_group);

--
-- Name: retention_notices retention_notices_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.retention_notices
    ADD CONSTRAINT retention_notices_pkey PRIMARY KEY (user_id);

--
-- Name: user_data_keys user_data_keys_pkey; Type: CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.user_data_keys
    ADD CONSTRAINT user_data_keys_pkey PRIMARY KEY (user_id);

--
-- Name: achievements achievements_once_per_child_type_and_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.achievements
    ADD CONSTRAINT achievements_once_per_child_type_and_quest UNIQUE NULLS NOT DISTINCT (child_id, achievement_type, quest_id);

--
-- Name: achievements achievements_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.achievements
    ADD CONSTRAINT achievements_pkey PRIMARY KEY (id);

--
-- Name: child_privacy child_privacy_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.child_privacy
    ADD CONSTRAINT child_privacy_pkey PRIMARY KEY (child_id);

--
-- Name: child_progress child_progress_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.child_progress
    ADD CONSTRAINT child_progress_pkey PRIMARY KEY (id);

--
-- Name: consent_events consent_events_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.consent_events
    ADD CONSTRAINT consent_events_pkey PRIMARY KEY (id);

--
-- Name: creative_projects creative_projects_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.creative_projects
    ADD CONSTRAINT creative_projects_pkey PRIMARY KEY (id);

--
-- Name: data_deletion_requests data_deletion_requests_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.data_deletion_requests
    ADD CONSTRAINT data_deletion_requests_pkey PRIMARY KEY (id);

--
-- Name: family_links family_links_parent_child_key; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.family_links
    ADD CONSTRAINT family_links_parent_child_key UNIQUE (parent_id, child_id);

--
-- Name: family_links family_links_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.family_links
    ADD CONSTRAINT family_links_pkey PRIMARY KEY (id);

--
-- Name: goals goals_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.goals
    ADD CONSTRAINT goals_pkey PRIMARY KEY (id);

--
-- Name: letters letters_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.letters
    ADD CONSTRAINT letters_pkey PRIMARY KEY (id);

--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);

--
-- Name: metrics_snapshots metrics_snapshots_one_per_user_and_day; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.metrics_snapshots
    ADD CONSTRAINT metrics_snapshots_one_per_user_and_day UNIQUE (user_id, snapshot_date);

--
-- Name: metrics_snapshots metrics_snapshots_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.metrics_snapshots
    ADD CONSTRAINT metrics_snapshots_pkey PRIMARY KEY (id);

--
-- Name: milestones milestones_once_per_track; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.milestones
    ADD CONSTRAINT milestones_once_per_track UNIQUE (track_id, milestone_type);

--
-- Name: milestones milestones_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.milestones
    ADD CONSTRAINT milestones_pkey PRIMARY KEY (id);

--
-- Name: notifications notifications_once_per_source; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.notifications
    ADD CONSTRAINT notifications_once_per_source UNIQUE (user_id, source_key);

--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

--
-- Name: psychological_profiles psychological_profiles_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychological_profiles
    ADD CONSTRAINT psychological_profiles_pkey PRIMARY KEY (user_id);

--
-- Name: psychologist_reviews psychologist_reviews_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychologist_reviews
    ADD CONSTRAINT psychologist_reviews_pkey PRIMARY KEY (id);

--
-- Name: quest_analytics quest_analytics_one_per_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_analytics
    ADD CONSTRAINT quest_analytics_one_per_quest UNIQUE (quest_id);

--
-- Name: quest_analytics quest_analytics_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_analytics
    ADD CONSTRAINT quest_analytics_pkey PRIMARY KEY (id);

--
-- Name: quest_builder_sessions quest_builder_sessions_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_builder_sessions
    ADD CONSTRAINT quest_builder_sessions_pkey PRIMARY KEY (id);

--
-- Name: quest_nodes quest_nodes_one_per_graph_node; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_nodes
    ADD CONSTRAINT quest_nodes_one_per_graph_node UNIQUE (quest_id, node_key);

--
-- Name: quest_nodes quest_nodes_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_nodes
    ADD CONSTRAINT quest_nodes_pkey PRIMARY KEY (id);

--
-- Name: quest_privacy quest_privacy_one_per_child_and_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_privacy
    ADD CONSTRAINT quest_privacy_one_per_child_and_quest UNIQUE (child_id, quest_id);

--
-- Name: quest_privacy quest_privacy_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_privacy
    ADD CONSTRAINT quest_privacy_pkey PRIMARY KEY (id);

--
-- Name: quest_progress quest_progress_one_per_child_and_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_progress
    ADD CONSTRAINT quest_progress_one_per_child_and_quest UNIQUE (child_id, quest_id);

--
-- Name: quest_progress quest_progress_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_progress
    ADD CONSTRAINT quest_progress_pkey PRIMARY KEY (id);

--
-- Name: quest_ratings quest_ratings_one_per_user_and_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_ratings
    ADD CONSTRAINT quest_ratings_one_per_user_and_quest UNIQUE (user_id, quest_id);

--
-- Name: quest_ratings quest_ratings_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_ratings
    ADD CONSTRAINT quest_ratings_pkey PRIMARY KEY (id);

--
-- Name: quests quests_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quests
    ADD CONSTRAINT quests_pkey PRIMARY KEY (id);

--
-- Name: therapy_sessions therapy_sessions_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.therapy_sessions
    ADD CONSTRAINT therapy_sessions_pkey PRIMARY KEY (id);

--
-- Name: user_quest_library user_quest_library_one_per_user_and_quest; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_quest_library
    ADD CONSTRAINT user_quest_library_one_per_user_and_quest UNIQUE (user_id, quest_id);

--
-- Name: user_quest_library user_quest_library_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_quest_library
    ADD CONSTRAINT user_quest_library_pkey PRIMARY KEY (id);

--
-- Name: user_tracks user_tracks_id_user_id_key; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_tracks
    ADD CONSTRAINT user_tracks_id_user_id_key UNIQUE (id, user_id);

--
-- Name: user_tracks user_tracks_one_per_user_and_type; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_tracks
    ADD CONSTRAINT user_tracks_one_per_user_and_type UNIQUE (user_id, track_type);

--
-- Name: user_tracks user_tracks_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_tracks
    ADD CONSTRAINT user_tracks_pkey PRIMARY KEY (id);

--
-- Name: users users_email_unique; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.users
    ADD CONSTRAINT users_email_unique UNIQUE (email);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: users users_telegram_id_unique; Type: CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.users
    ADD CONSTRAINT users_telegram_id_unique UNIQUE (telegram_id);

--
-- Name: quest_releases_members_idx; Type: INDEX; Schema: app_private; Owner: app_owner
--

CREATE INDEX quest_releases_members_idx ON app_private.quest_releases USING gin (members);

--
-- Name: user_data_keys_master_key_id_idx; Type: INDEX; Schema: app_private; Owner: app_owner
--

CREATE INDEX user_data_keys_master_key_id_idx ON app_private.user_data_keys USING btree (master_key_id);

--
-- Name: achievements_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX achievements_quest_id_idx ON app_public.achievements USING btree (quest_id) WHERE (quest_id IS NOT NULL);

--
-- Name: child_progress_child_id_occurred_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX child_progress_child_id_occurred_at_idx ON app_public.child_progress USING btree (child_id, occurred_at);

--
-- Name: child_progress_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX child_progress_created_at_idx ON app_public.child_progress USING btree (created_at);

--
-- Name: child_progress_quest_id_node_key_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX child_progress_quest_id_node_key_idx ON app_public.child_progress USING btree (quest_id, node_key);

--
-- Name: consent_events_child_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX consent_events_child_id_created_at_idx ON app_public.consent_events USING btree (child_id, created_at);

--
-- Name: consent_events_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX consent_events_quest_id_idx ON app_public.consent_events USING btree (quest_id) WHERE (quest_id IS NOT NULL);

--
-- Name: creative_projects_one_per_goal; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE UNIQUE INDEX creative_projects_one_per_goal ON app_public.creative_projects USING btree (goal_id) WHERE (goal_id IS NOT NULL);

--
-- Name: creative_projects_one_per_letter; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE UNIQUE INDEX creative_projects_one_per_letter ON app_public.creative_projects USING btree (letter_id) WHERE (letter_id IS NOT NULL);

--
-- Name: creative_projects_one_per_quest; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE UNIQUE INDEX creative_projects_one_per_quest ON app_public.creative_projects USING btree (quest_id) WHERE (quest_id IS NOT NULL);

--
-- Name: creative_projects_user_id_type_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX creative_projects_user_id_type_status_idx ON app_public.creative_projects USING btree (user_id, project_type, status);

--
-- Name: data_deletion_requests_due_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX data_deletion_requests_due_idx ON app_public.data_deletion_requests USING btree (verified_at, id) WHERE (status = 'verified'::app_public.deletion_request_status);

--
-- Name: data_deletion_requests_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX data_deletion_requests_status_idx ON app_public.data_deletion_requests USING btree (status, requested_at);

--
-- Name: data_deletion_requests_user_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX data_deletion_requests_user_id_idx ON app_public.data_deletion_requests USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: family_links_child_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX family_links_child_id_idx ON app_public.family_links USING btree (child_id);

--
-- Name: goals_completed_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX goals_completed_at_idx ON app_public.goals USING btree (completed_at) WHERE (completed_at IS NOT NULL);

--
-- Name: goals_user_id_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX goals_user_id_status_idx ON app_public.goals USING btree (user_id, status);

--
-- Name: letters_child_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX letters_child_id_idx ON app_public.letters USING btree (child_id) WHERE (child_id IS NOT NULL);

--
-- Name: letters_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX letters_created_at_idx ON app_public.letters USING btree (created_at);

--
-- Name: letters_user_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX letters_user_id_created_at_idx ON app_public.letters USING btree (user_id, created_at DESC);

--
-- Name: messages_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX messages_created_at_idx ON app_public.messages USING btree (created_at);

--
-- Name: messages_session_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX messages_session_id_created_at_idx ON app_public.messages USING btree (session_id, created_at) WHERE (session_id IS NOT NULL);

--
-- Name: messages_user_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX messages_user_id_created_at_idx ON app_public.messages USING btree (user_id, created_at);

--
-- Name: milestones_milestone_type_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX milestones_milestone_type_idx ON app_public.milestones USING btree (milestone_type);

--
-- Name: milestones_track_id_user_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX milestones_track_id_user_id_idx ON app_public.milestones USING btree (track_id, user_id);

--
-- Name: milestones_user_id_achieved_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX milestones_user_id_achieved_at_idx ON app_public.milestones USING btree (user_id, achieved_at DESC);

--
-- Name: notifications_about_child_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX notifications_about_child_idx ON app_public.notifications USING btree (((data ->> 'child_id'::text))) WHERE (data ? 'child_id'::text);

--
-- Name: notifications_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX notifications_created_at_idx ON app_public.notifications USING btree (created_at);

--
-- Name: notifications_unread_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX notifications_unread_idx ON app_public.notifications USING btree (user_id) WHERE (read_at IS NULL);

--
-- Name: notifications_user_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX notifications_user_id_created_at_idx ON app_public.notifications USING btree (user_id, created_at DESC);

--
-- Name: psychologist_reviews_completed_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_completed_at_idx ON app_public.psychologist_reviews USING btree (completed_at);

--
-- Name: psychologist_reviews_is_approved_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_is_approved_idx ON app_public.psychologist_reviews USING btree (is_approved);

--
-- Name: psychologist_reviews_parent_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_parent_id_idx ON app_public.psychologist_reviews USING btree (parent_id);

--
-- Name: psychologist_reviews_psychologist_id_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_psychologist_id_status_idx ON app_public.psychologist_reviews USING btree (psychologist_id, status);

--
-- Name: psychologist_reviews_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_quest_id_idx ON app_public.psychologist_reviews USING btree (quest_id);

--
-- Name: psychologist_reviews_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX psychologist_reviews_status_idx ON app_public.psychologist_reviews USING btree (status, requested_at);

--
-- Name: quest_builder_sessions_expires_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_builder_sessions_expires_at_idx ON app_public.quest_builder_sessions USING btree (expires_at);

--
-- Name: quest_builder_sessions_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_builder_sessions_quest_id_idx ON app_public.quest_builder_sessions USING btree (quest_id) WHERE (quest_id IS NOT NULL);

--
-- Name: quest_builder_sessions_user_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_builder_sessions_user_id_created_at_idx ON app_public.quest_builder_sessions USING btree (user_id, created_at);

--
-- Name: quest_nodes_quest_id_position_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_nodes_quest_id_position_idx ON app_public.quest_nodes USING btree (quest_id, "position");

--
-- Name: quest_privacy_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_privacy_quest_id_idx ON app_public.quest_privacy USING btree (quest_id);

--
-- Name: quest_progress_completed_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_progress_completed_idx ON app_public.quest_progress USING btree (quest_id, completed);

--
-- Name: quest_progress_last_played_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_progress_last_played_at_idx ON app_public.quest_progress USING btree (last_played_at);

--
-- Name: quest_progress_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_progress_quest_id_idx ON app_public.quest_progress USING btree (quest_id);

--
-- Name: quest_ratings_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quest_ratings_quest_id_idx ON app_public.quest_ratings USING btree (quest_id);

--
-- Name: quests_author_id_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_author_id_created_at_idx ON app_public.quests USING btree (author_id, created_at DESC);

--
-- Name: quests_child_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_child_id_idx ON app_public.quests USING btree (child_id) WHERE (child_id IS NOT NULL);

--
-- Name: quests_created_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_created_at_idx ON app_public.quests USING btree (created_at);

--
-- Name: quests_marketplace_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_marketplace_idx ON app_public.quests USING btree (rating DESC, plays_count DESC) WHERE (is_public AND (moderation_status = 'approved'::app_public.moderation_status) AND psychologist_reviewed AND (status <> 'deleted'::app_public.quest_status));

--
-- Name: quests_moderation_queue_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_moderation_queue_idx ON app_public.quests USING btree (moderation_status, created_at);

--
-- Name: quests_psychological_module_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_psychological_module_idx ON app_public.quests USING btree (psychological_module);

--
-- Name: quests_psychologist_review_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_psychologist_review_id_idx ON app_public.quests USING btree (psychologist_review_id) WHERE (psychologist_review_id IS NOT NULL);

--
-- Name: quests_status_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_status_idx ON app_public.quests USING btree (status);

--
-- Name: quests_tags_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_tags_idx ON app_public.quests USING gin (tags);

--
-- Name: quests_title_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX quests_title_idx ON app_public.quests USING btree (title);

--
-- Name: therapy_sessions_active_expires_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX therapy_sessions_active_expires_at_idx ON app_public.therapy_sessions USING btree (expires_at) WHERE (status = 'active'::app_public.therapy_session_status);

--
-- Name: therapy_sessions_expires_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX therapy_sessions_expires_at_idx ON app_public.therapy_sessions USING btree (expires_at) WHERE (status = 'active'::app_public.therapy_session_status);

--
-- Name: therapy_sessions_started_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX therapy_sessions_started_at_idx ON app_public.therapy_sessions USING btree (started_at);

--
-- Name: therapy_sessions_user_id_started_at_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX therapy_sessions_user_id_started_at_idx ON app_public.therapy_sessions USING btree (user_id, started_at DESC);

--
-- Name: user_quest_library_quest_id_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX user_quest_library_quest_id_idx ON app_public.user_quest_library USING btree (quest_id);

--
-- Name: user_tracks_current_phase_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX user_tracks_current_phase_idx ON app_public.user_tracks USING btree (current_phase);

--
-- Name: users_mode_idx; Type: INDEX; Schema: app_public; Owner: app_owner
--

CREATE INDEX users_mode_idx ON app_public.users USING btree (mode);

--
-- Name: consent_events _100_append_only; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_append_only BEFORE DELETE OR UPDATE ON app_public.consent_events FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent_events__append_only();

--
-- Name: psychologist_reviews _100_assign_only_psychologists; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_assign_only_psychologists BEFORE INSERT OR UPDATE OF psychologist_id ON app_public.psychologist_reviews FOR EACH ROW WHEN ((new.psychologist_id IS NOT NULL)) EXECUTE FUNCTION app_private.tg__assign_only_psychologists();

--
-- Name: family_links _100_check_kinds; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_check_kinds BEFORE INSERT OR UPDATE ON app_public.family_links FOR EACH ROW EXECUTE FUNCTION app_private.tg_family_links__check_kinds();

--
-- Name: child_privacy _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: creative_projects _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.creative_projects FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: data_deletion_requests _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.data_deletion_requests FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: goals _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.goals FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: letters _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.letters FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: psychological_profiles _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: psychologist_reviews _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quest_builder_sessions _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quest_privacy _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quest_progress _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quest_ratings _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.quest_ratings FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quests _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE OF id, author_id, child_id, title, description, graph_structure, yaml_content, psychological_module, location, difficulty, age_range, estimated_duration, tags, status, is_public, moderation_status, moderation_reason, moderation_issues, moderated_at, psychologist_reviewed, psychologist_review_id, reviewed_at, reveal_count, last_reveal_at, family_photos_count, family_memories_count, deployed_to_inner_edu, inner_edu_quest_id, deployed_at, published_at, deleted_at, created_at, updated_at, version ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: therapy_sessions _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: user_tracks _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE ON app_public.user_tracks FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: users _100_row_metadata; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _100_row_metadata BEFORE UPDATE OF id, kind, display_name, created_at, updated_at, version, telegram_id, email, parent_name, child_name, child_age, learning_profile, mode, recovery_tracks, primary_track, recovery_week, recovery_day, data_consent, data_retention_days ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__row_metadata();

--
-- Name: quests _110_no_self_moderation; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _110_no_self_moderation BEFORE INSERT OR UPDATE OF moderation_status ON app_public.quests FOR EACH ROW WHEN ((new.moderation_status <> 'pending'::app_public.moderation_status)) EXECUTE FUNCTION app_private.tg_quests__no_self_moderation();

--
-- Name: psychologist_reviews _110_not_by_the_author; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _110_not_by_the_author BEFORE INSERT OR UPDATE OF quest_id, psychologist_id, status, is_approved ON app_public.psychologist_reviews FOR EACH ROW WHEN ((new.psychologist_id IS NOT NULL)) EXECUTE FUNCTION app_private.tg_psychologist_reviews__not_by_the_author();

--
-- Name: quest_ratings _110_not_by_the_author; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _110_not_by_the_author BEFORE INSERT OR UPDATE OF quest_id, user_id ON app_public.quest_ratings FOR EACH ROW WHEN ((app_public.current_user_id() IS NOT NULL)) EXECUTE FUNCTION app_private.tg_quest_ratings__not_by_the_author();

--
-- Name: quests _120_content_edit_needs_moderation; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _120_content_edit_needs_moderation BEFORE UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__content_edit_needs_moderation();

--
-- Name: psychologist_reviews _120_quest_unchanged_since_start; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _120_quest_unchanged_since_start BEFORE UPDATE OF status ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start();

--
-- Name: quests _150_lifecycle_timestamps; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _150_lifecycle_timestamps BEFORE INSERT OR UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__lifecycle_timestamps();

--
-- Name: quest_progress _200_as_played; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _200_as_played BEFORE INSERT OR UPDATE OF nodes_completed, completed, completed_at, quest_id ON app_public.quest_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg_quest_progress__as_played();

--
-- Name: quests _200_derive_from_graph; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _200_derive_from_graph BEFORE INSERT OR UPDATE OF graph_structure, title, yaml_content ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__derive_from_graph();

--
-- Name: psychologist_reviews _200_overall_rating; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _200_overall_rating BEFORE INSERT OR UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__overall_rating();

--
-- Name: child_privacy _200_stamp; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _200_stamp BEFORE INSERT OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__stamp();

--
-- Name: quest_privacy _200_stamp; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _200_stamp BEFORE INSERT OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__stamp();

--
-- Name: users _500_create_child_privacy; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _500_create_child_privacy AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__create_child_privacy();

--
-- Name: quest_nodes _800_change_needs_moderation; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _800_change_needs_moderation AFTER INSERT OR DELETE OR UPDATE ON app_public.quest_nodes FOR EACH ROW EXECUTE FUNCTION app_private.tg_quest_nodes__change_needs_moderation();

--
-- Name: child_privacy _800_record_events; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _800_record_events AFTER INSERT OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__record_events();

--
-- Name: quest_privacy _800_record_events; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _800_record_events AFTER INSERT OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg_consent__record_events();

--
-- Name: psychologist_reviews _800_show_on_quest; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _800_show_on_quest AFTER INSERT OR UPDATE OF status, is_approved ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg_psychologist_reviews__show_on_quest();

--
-- Name: child_privacy _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.child_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: family_links _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.family_links FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: psychologist_reviews _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.psychologist_reviews FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: quest_privacy _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.quest_privacy FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: quests _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: users _900_audit; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE OF id, kind, display_name, created_at, updated_at, version, telegram_id, email, parent_name, child_name, child_age, learning_profile, mode, recovery_tracks, primary_track, recovery_week, recovery_day, data_consent, data_retention_days ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit_write();

--
-- Name: letters _900_encrypt_content; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_content BEFORE INSERT OR UPDATE OF content ON app_public.letters FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'content', 'text', 'required');

--
-- Name: messages _900_encrypt_content; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_content BEFORE INSERT OR UPDATE OF content ON app_public.messages FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'content', 'non-empty text', 'required');

--
-- Name: quest_builder_sessions _900_encrypt_conversation_history; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_conversation_history BEFORE INSERT OR UPDATE OF conversation_history ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'conversation_history', 'array', 'required');

--
-- Name: psychological_profiles _900_encrypt_crisis_history; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_crisis_history BEFORE INSERT OR UPDATE OF crisis_history ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'crisis_history', 'array', 'required');

--
-- Name: psychological_profiles _900_encrypt_emotional_trends; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_emotional_trends BEFORE INSERT OR UPDATE OF emotional_trends ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'emotional_trends', 'array', 'required');

--
-- Name: child_progress _900_encrypt_payload; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_payload BEFORE INSERT OR UPDATE OF payload ON app_public.child_progress FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('child_id', 'payload', 'object', 'optional');

--
-- Name: quest_builder_sessions _900_encrypt_quest_context; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_quest_context BEFORE INSERT OR UPDATE OF quest_context ON app_public.quest_builder_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'quest_context', 'object', 'optional');

--
-- Name: therapy_sessions _900_encrypt_state; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_state BEFORE INSERT OR UPDATE OF state ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'state', 'object', 'required');

--
-- Name: therapy_sessions _900_encrypt_summary; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_summary BEFORE INSERT OR UPDATE OF summary ON app_public.therapy_sessions FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'summary', 'text', 'optional');

--
-- Name: psychological_profiles _900_encrypt_toxic_patterns; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_toxic_patterns BEFORE INSERT OR UPDATE OF toxic_patterns ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'toxic_patterns', 'array', 'required');

--
-- Name: psychological_profiles _900_encrypt_triggers; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_encrypt_triggers BEFORE INSERT OR UPDATE OF triggers ON app_public.psychological_profiles FOR EACH ROW EXECUTE FUNCTION app_private.tg__encrypt_p2('user_id', 'triggers', 'array', 'required');

--
-- Name: consent_events _900_notify_parents; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_notify_parents AFTER INSERT ON app_public.consent_events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg_consent_events__notify_parents();

--
-- Name: quests _900_sync_nodes; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _900_sync_nodes AFTER INSERT OR UPDATE OF graph_structure ON app_public.quests FOR EACH ROW EXECUTE FUNCTION app_private.tg_quests__sync_nodes();

--
-- Name: child_privacy _905_withhold_figures; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures AFTER UPDATE ON app_public.child_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: family_links _905_withhold_figures; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures AFTER DELETE ON app_public.family_links REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: users _905_withhold_figures; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures AFTER DELETE ON app_public.users REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: quest_privacy _905_withhold_figures_on_delete; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures_on_delete AFTER DELETE ON app_public.quest_privacy REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: quest_privacy _905_withhold_figures_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures_on_insert AFTER INSERT ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: quest_privacy _905_withhold_figures_on_update; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _905_withhold_figures_on_update AFTER UPDATE ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__withhold_figures();

--
-- Name: quest_ratings _910_refresh_analytics_on_delete; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_delete AFTER DELETE ON app_public.quest_ratings REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: achievements _910_refresh_analytics_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.achievements REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: child_progress _910_refresh_analytics_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.child_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_privacy _910_refresh_analytics_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_progress _910_refresh_analytics_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_ratings _910_refresh_analytics_on_insert; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_insert AFTER INSERT ON app_public.quest_ratings REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: child_privacy _910_refresh_analytics_on_update; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.child_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_refresh_for_consent();

--
-- Name: quest_privacy _910_refresh_analytics_on_update; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_privacy REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_progress _910_refresh_analytics_on_update; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_progress REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_ratings _910_refresh_analytics_on_update; Type: TRIGGER; Schema: app_public; Owner: app_owner
--

CREATE TRIGGER _910_refresh_analytics_on_update AFTER UPDATE ON app_public.quest_ratings REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg__enqueue_quest_refresh();

--
-- Name: quest_releases quest_releases_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.quest_releases
    ADD CONSTRAINT quest_releases_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: retention_notices retention_notices_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.retention_notices
    ADD CONSTRAINT retention_notices_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_data_keys user_data_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: app_private; Owner: app_owner
--

ALTER TABLE ONLY app_private.user_data_keys
    ADD CONSTRAINT user_data_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: achievements achievements_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.achievements
    ADD CONSTRAINT achievements_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: achievements achievements_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.achievements
    ADD CONSTRAINT achievements_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: child_privacy child_privacy_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.child_privacy
    ADD CONSTRAINT child_privacy_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: child_progress child_progress_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.child_progress
    ADD CONSTRAINT child_progress_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: child_progress child_progress_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.child_progress
    ADD CONSTRAINT child_progress_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: consent_events consent_events_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.consent_events
    ADD CONSTRAINT consent_events_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: consent_events consent_events_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.consent_events
    ADD CONSTRAINT consent_events_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE SET NULL;

--
-- Name: creative_projects creative_projects_goal_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.creative_projects
    ADD CONSTRAINT creative_projects_goal_id_fkey FOREIGN KEY (goal_id) REFERENCES app_public.goals(id) ON DELETE CASCADE;

--
-- Name: creative_projects creative_projects_letter_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.creative_projects
    ADD CONSTRAINT creative_projects_letter_id_fkey FOREIGN KEY (letter_id) REFERENCES app_public.letters(id) ON DELETE CASCADE;

--
-- Name: creative_projects creative_projects_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.creative_projects
    ADD CONSTRAINT creative_projects_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: creative_projects creative_projects_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.creative_projects
    ADD CONSTRAINT creative_projects_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: data_deletion_requests data_deletion_requests_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.data_deletion_requests
    ADD CONSTRAINT data_deletion_requests_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: family_links family_links_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.family_links
    ADD CONSTRAINT family_links_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: family_links family_links_parent_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.family_links
    ADD CONSTRAINT family_links_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: goals goals_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.goals
    ADD CONSTRAINT goals_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: letters letters_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.letters
    ADD CONSTRAINT letters_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: letters letters_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.letters
    ADD CONSTRAINT letters_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: messages messages_session_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.messages
    ADD CONSTRAINT messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES app_public.therapy_sessions(id) ON DELETE CASCADE;

--
-- Name: messages messages_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.messages
    ADD CONSTRAINT messages_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: metrics_snapshots metrics_snapshots_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.metrics_snapshots
    ADD CONSTRAINT metrics_snapshots_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: milestones milestones_track_is_the_users; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.milestones
    ADD CONSTRAINT milestones_track_is_the_users FOREIGN KEY (track_id, user_id) REFERENCES app_public.user_tracks(id, user_id) ON DELETE CASCADE;

--
-- Name: milestones milestones_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.milestones
    ADD CONSTRAINT milestones_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: notifications notifications_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: psychological_profiles psychological_profiles_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychological_profiles
    ADD CONSTRAINT psychological_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: psychologist_reviews psychologist_reviews_parent_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychologist_reviews
    ADD CONSTRAINT psychologist_reviews_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: psychologist_reviews psychologist_reviews_psychologist_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychologist_reviews
    ADD CONSTRAINT psychologist_reviews_psychologist_id_fkey FOREIGN KEY (psychologist_id) REFERENCES app_public.users(id) ON DELETE SET NULL;

--
-- Name: psychologist_reviews psychologist_reviews_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.psychologist_reviews
    ADD CONSTRAINT psychologist_reviews_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_analytics quest_analytics_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_analytics
    ADD CONSTRAINT quest_analytics_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_builder_sessions quest_builder_sessions_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_builder_sessions
    ADD CONSTRAINT quest_builder_sessions_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE SET NULL;

--
-- Name: quest_builder_sessions quest_builder_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_builder_sessions
    ADD CONSTRAINT quest_builder_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quest_nodes quest_nodes_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_nodes
    ADD CONSTRAINT quest_nodes_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_privacy quest_privacy_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_privacy
    ADD CONSTRAINT quest_privacy_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quest_privacy quest_privacy_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_privacy
    ADD CONSTRAINT quest_privacy_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_progress quest_progress_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_progress
    ADD CONSTRAINT quest_progress_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quest_progress quest_progress_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_progress
    ADD CONSTRAINT quest_progress_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_ratings quest_ratings_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_ratings
    ADD CONSTRAINT quest_ratings_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: quest_ratings quest_ratings_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quest_ratings
    ADD CONSTRAINT quest_ratings_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quests quests_author_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quests
    ADD CONSTRAINT quests_author_id_fkey FOREIGN KEY (author_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quests quests_child_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quests
    ADD CONSTRAINT quests_child_id_fkey FOREIGN KEY (child_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: quests quests_psychologist_review_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.quests
    ADD CONSTRAINT quests_psychologist_review_id_fkey FOREIGN KEY (psychologist_review_id) REFERENCES app_public.psychologist_reviews(id) ON DELETE SET NULL;

--
-- Name: therapy_sessions therapy_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.therapy_sessions
    ADD CONSTRAINT therapy_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_quest_library user_quest_library_quest_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_quest_library
    ADD CONSTRAINT user_quest_library_quest_id_fkey FOREIGN KEY (quest_id) REFERENCES app_public.quests(id) ON DELETE CASCADE;

--
-- Name: user_quest_library user_quest_library_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_quest_library
    ADD CONSTRAINT user_quest_library_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: user_tracks user_tracks_user_id_fkey; Type: FK CONSTRAINT; Schema: app_public; Owner: app_owner
--

ALTER TABLE ONLY app_public.user_tracks
    ADD CONSTRAINT user_tracks_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE;

--
-- Name: achievements; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.achievements ENABLE ROW LEVEL SECURITY;

--
-- Name: letters child_is_mine; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY child_is_mine ON app_public.letters AS RESTRICTIVE TO pas_bot_user USING (true) WITH CHECK (((child_id IS NULL) OR (child_id IN ( SELECT app_hidden.my_child_ids() AS my_child_ids))));

--
-- Name: child_privacy; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.child_privacy ENABLE ROW LEVEL SECURITY;

--
-- Name: child_progress; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.child_progress ENABLE ROW LEVEL SECURITY;

--
-- Name: consent_events; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.consent_events ENABLE ROW LEVEL SECURITY;

--
-- Name: creative_projects; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.creative_projects ENABLE ROW LEVEL SECURITY;

--
-- Name: data_deletion_requests; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.data_deletion_requests ENABLE ROW LEVEL SECURITY;

--
-- Name: family_links; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.family_links ENABLE ROW LEVEL SECURITY;

--
-- Name: goals; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.goals ENABLE ROW LEVEL SECURITY;

--
-- Name: achievements insert_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY insert_own ON app_public.achievements FOR INSERT TO inner_edu_user WITH CHECK (((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND ((quest_id IS NULL) OR (EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = achievements.quest_id))))));

--
-- Name: child_progress insert_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY insert_own ON app_public.child_progress FOR INSERT TO inner_edu_user WITH CHECK (((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = child_progress.quest_id)))));

--
-- Name: quest_progress insert_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY insert_own ON app_public.quest_progress FOR INSERT TO inner_edu_user WITH CHECK (((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = quest_progress.quest_id)))));

--
-- Name: quests insert_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY insert_own ON app_public.quests FOR INSERT TO pas_bot_user WITH CHECK (((author_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (( SELECT app_hidden.current_user_kind() AS current_user_kind) = 'parent'::app_public.user_kind) AND ((child_id IS NULL) OR (child_id IN ( SELECT app_hidden.my_child_ids() AS my_child_ids)))));

--
-- Name: quest_privacy insert_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY insert_own_as_child ON app_public.quest_privacy FOR INSERT TO inner_edu_user WITH CHECK (((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = quest_privacy.quest_id)))));

--
-- Name: letters; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.letters ENABLE ROW LEVEL SECURITY;

--
-- Name: notifications mark_own_read; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY mark_own_read ON app_public.notifications FOR UPDATE TO inner_edu_user, pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: messages; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.messages ENABLE ROW LEVEL SECURITY;

--
-- Name: metrics_snapshots; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.metrics_snapshots ENABLE ROW LEVEL SECURITY;

--
-- Name: milestones; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.milestones ENABLE ROW LEVEL SECURITY;

--
-- Name: notifications; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.notifications ENABLE ROW LEVEL SECURITY;

--
-- Name: psychological_profiles only_parents; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY only_parents ON app_public.psychological_profiles AS RESTRICTIVE FOR INSERT TO pas_bot_user WITH CHECK ((( SELECT app_hidden.current_user_kind() AS current_user_kind) = 'parent'::app_public.user_kind));

--
-- Name: creative_projects own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.creative_projects TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: data_deletion_requests own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.data_deletion_requests FOR SELECT TO inner_edu_user, pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: goals own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.goals TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: letters own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.letters TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: messages own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.messages TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: metrics_snapshots own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.metrics_snapshots TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: milestones own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.milestones TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: notifications own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.notifications FOR SELECT TO inner_edu_user, pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: psychological_profiles own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.psychological_profiles TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_builder_sessions own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.quest_builder_sessions TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_ratings own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.quest_ratings TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK (((user_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (quest_id IN ( SELECT quests.id
   FROM app_public.quests))));

--
-- Name: therapy_sessions own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.therapy_sessions TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: user_quest_library own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.user_quest_library TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK (((user_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (quest_id IN ( SELECT quests.id
   FROM app_public.quests))));

--
-- Name: user_tracks own_rows; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY own_rows ON app_public.user_tracks TO pas_bot_user USING ((user_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((user_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: psychological_profiles; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.psychological_profiles ENABLE ROW LEVEL SECURITY;

--
-- Name: psychologist_reviews; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.psychologist_reviews ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_analytics; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_analytics ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_builder_sessions; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_builder_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_builder_sessions quest_is_mine; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY quest_is_mine ON app_public.quest_builder_sessions AS RESTRICTIVE TO pas_bot_user USING (true) WITH CHECK (((quest_id IS NULL) OR (quest_id IN ( SELECT quests.id
   FROM app_public.quests
  WHERE (quests.author_id = ( SELECT app_public.current_user_id() AS current_user_id))))));

--
-- Name: quest_nodes; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_nodes ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_privacy; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_privacy ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_progress; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_progress ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_ratings; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quest_ratings ENABLE ROW LEVEL SECURITY;

--
-- Name: quests; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.quests ENABLE ROW LEVEL SECURITY;

--
-- Name: psychologist_reviews request_for_own_quest; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY request_for_own_quest ON app_public.psychologist_reviews FOR INSERT TO pas_bot_user WITH CHECK (((parent_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (quest_id IN ( SELECT quests.id
   FROM app_public.quests
  WHERE (quests.author_id = ( SELECT app_public.current_user_id() AS current_user_id))))));

--
-- Name: psychologist_reviews review_as_psychologist; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY review_as_psychologist ON app_public.psychologist_reviews FOR UPDATE TO pas_bot_user USING ((psychologist_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((psychologist_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: family_links select_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_as_child ON app_public.family_links FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quests select_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_as_child ON app_public.quests FOR SELECT TO inner_edu_user USING ((((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (status = 'deployed'::app_public.quest_status)) OR (is_public AND (moderation_status = 'approved'::app_public.moderation_status) AND (status <> 'deleted'::app_public.quest_status))));

--
-- Name: family_links select_as_parent; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_as_parent ON app_public.family_links FOR SELECT TO pas_bot_user USING ((parent_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quests select_as_parent; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_as_parent ON app_public.quests FOR SELECT TO pas_bot_user USING (((author_id = ( SELECT app_public.current_user_id() AS current_user_id)) OR (is_public AND (moderation_status = 'approved'::app_public.moderation_status) AND (status <> 'deleted'::app_public.quest_status)) OR (id IN ( SELECT app_hidden.my_review_quest_ids() AS my_review_quest_ids)) OR ((moderation_status = 'pending'::app_public.moderation_status) AND (status <> 'deleted'::app_public.quest_status) AND (( SELECT app_hidden.current_user_kind() AS current_user_kind) = 'admin'::app_public.user_kind))));

--
-- Name: psychologist_reviews select_as_parent_or_reviewer; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_as_parent_or_reviewer ON app_public.psychologist_reviews FOR SELECT TO pas_bot_user USING (((parent_id = ( SELECT app_public.current_user_id() AS current_user_id)) OR (psychologist_id = ( SELECT app_public.current_user_id() AS current_user_id))));

--
-- Name: child_privacy select_linked_as_parent; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_linked_as_parent ON app_public.child_privacy FOR SELECT TO pas_bot_user USING ((child_id IN ( SELECT app_hidden.my_child_ids() AS my_child_ids)));

--
-- Name: quest_privacy select_linked_as_parent; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_linked_as_parent ON app_public.quest_privacy FOR SELECT TO pas_bot_user USING ((child_id IN ( SELECT app_hidden.my_child_ids() AS my_child_ids)));

--
-- Name: achievements select_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own ON app_public.achievements FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: child_progress select_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own ON app_public.child_progress FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_progress select_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own ON app_public.quest_progress FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: users select_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own ON app_public.users FOR SELECT TO inner_edu_user, pas_bot_user USING ((id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: child_privacy select_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own_as_child ON app_public.child_privacy FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: consent_events select_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own_as_child ON app_public.consent_events FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_privacy select_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_own_as_child ON app_public.quest_privacy FOR SELECT TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_nodes select_visible; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY select_visible ON app_public.quest_nodes FOR SELECT TO inner_edu_user, pas_bot_user USING ((EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = quest_nodes.quest_id))));

--
-- Name: messages session_is_mine; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY session_is_mine ON app_public.messages AS RESTRICTIVE FOR INSERT TO pas_bot_user WITH CHECK (((session_id IS NULL) OR (EXISTS ( SELECT 1
   FROM app_public.therapy_sessions s
  WHERE (s.id = messages.session_id)))));

--
-- Name: therapy_sessions; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.therapy_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: quest_progress update_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY update_own ON app_public.quest_progress FOR UPDATE TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK (((child_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND (EXISTS ( SELECT 1
   FROM app_public.quests q
  WHERE (q.id = quest_progress.quest_id)))));

--
-- Name: quests update_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY update_own ON app_public.quests FOR UPDATE TO pas_bot_user USING ((author_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK (((author_id = ( SELECT app_public.current_user_id() AS current_user_id)) AND ((child_id IS NULL) OR (child_id IN ( SELECT app_hidden.my_child_ids() AS my_child_ids)))));

--
-- Name: users update_own; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY update_own ON app_public.users FOR UPDATE TO inner_edu_user, pas_bot_user USING ((id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: child_privacy update_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY update_own_as_child ON app_public.child_privacy FOR UPDATE TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: quest_privacy update_own_as_child; Type: POLICY; Schema: app_public; Owner: app_owner
--

CREATE POLICY update_own_as_child ON app_public.quest_privacy FOR UPDATE TO inner_edu_user USING ((child_id = ( SELECT app_public.current_user_id() AS current_user_id))) WITH CHECK ((child_id = ( SELECT app_public.current_user_id() AS current_user_id)));

--
-- Name: user_quest_library; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.user_quest_library ENABLE ROW LEVEL SECURITY;

--
-- Name: user_tracks; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.user_tracks ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: app_public; Owner: app_owner
--

ALTER TABLE app_public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA app_hidden; Type: ACL; Schema: -; Owner: app_owner
--

GRANT USAGE ON SCHEMA app_hidden TO pas_bot_user;
GRANT USAGE ON SCHEMA app_hidden TO inner_edu_user;

--
-- Name: SCHEMA app_jobs; Type: ACL; Schema: -; Owner: app_owner
--

GRANT USAGE ON SCHEMA app_jobs TO app_worker;

--
-- Name: SCHEMA app_ops; Type: ACL; Schema: -; Owner: app_owner
--

GRANT USAGE ON SCHEMA app_ops TO app_authenticator;
GRANT USAGE ON SCHEMA app_ops TO app_worker;

--
-- Name: SCHEMA app_public; Type: ACL; Schema: -; Owner: app_owner
--

GRANT USAGE ON SCHEMA app_public TO pas_bot_user;
GRANT USAGE ON SCHEMA app_public TO inner_edu_user;

--
-- Name: FUNCTION current_user_kind(); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.current_user_kind() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.current_user_kind() TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.current_user_kind() TO inner_edu_user;

--
-- Name: FUNCTION decrypt_child_progress_payload(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_child_progress_payload(row_key uuid) TO inner_edu_user;

--
-- Name: FUNCTION decrypt_letters_content(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_letters_content(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_letters_content(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_messages_content(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_messages_content(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_messages_content(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_psychological_profiles_crisis_history(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_crisis_history(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_psychological_profiles_emotional_trends(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_emotional_trends(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_psychological_profiles_toxic_patterns(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_toxic_patterns(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_psychological_profiles_triggers(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_psychological_profiles_triggers(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_quest_builder_sessions_conversation_history(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_quest_builder_sessions_conversation_history(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_quest_builder_sessions_quest_context(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_quest_builder_sessions_quest_context(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_therapy_sessions_state(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_therapy_sessions_state(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION decrypt_therapy_sessions_summary(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.decrypt_therapy_sessions_summary(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION may_select_child_progress(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_child_progress(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_child_progress(row_key uuid) TO inner_edu_user;

--
-- Name: FUNCTION may_select_letters(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_letters(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_letters(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION may_select_messages(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_messages(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_messages(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION may_select_psychological_profiles(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_psychological_profiles(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION may_select_quest_builder_sessions(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_quest_builder_sessions(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION may_select_therapy_sessions(row_key uuid); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.may_select_therapy_sessions(row_key uuid) TO pas_bot_user;

--
-- Name: FUNCTION my_child_ids(); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.my_child_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.my_child_ids() TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.my_child_ids() TO inner_edu_user;

--
-- Name: FUNCTION my_review_quest_ids(); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.my_review_quest_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.my_review_quest_ids() TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.my_review_quest_ids() TO inner_edu_user;

--
-- Name: FUNCTION quest_graph_from_yaml(yaml text); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.quest_graph_from_yaml(yaml text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.quest_graph_from_yaml(yaml text) TO pas_bot_user;

--
-- Name: FUNCTION quest_graph_problem(graph jsonb); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.quest_graph_problem(graph jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.quest_graph_problem(graph jsonb) TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.quest_graph_problem(graph jsonb) TO inner_edu_user;

--
-- Name: FUNCTION quest_yaml(title text, graph jsonb); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.quest_yaml(title text, graph jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.quest_yaml(title text, graph jsonb) TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.quest_yaml(title text, graph jsonb) TO inner_edu_user;

--
-- Name: FUNCTION yaml_item(item jsonb); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.yaml_item(item jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.yaml_item(item jsonb) TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.yaml_item(item jsonb) TO inner_edu_user;

--
-- Name: FUNCTION yaml_scalar(value jsonb); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.yaml_scalar(value jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.yaml_scalar(value jsonb) TO pas_bot_user;
GRANT ALL ON FUNCTION app_hidden.yaml_scalar(value jsonb) TO inner_edu_user;

--
-- Name: FUNCTION yaml_value(text text, line_number integer); Type: ACL; Schema: app_hidden; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_hidden.yaml_value(text text, line_number integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_hidden.yaml_value(text text, line_number integer) TO pas_bot_user;

--
-- Name: FUNCTION detect_milestones(); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.detect_milestones() FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.detect_milestones() TO app_worker;

--
-- Name: FUNCTION enforce_retention(); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.enforce_retention() FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.enforce_retention() TO app_worker;

--
-- Name: FUNCTION erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.erase_next_verified_user(OUT request_id uuid, OUT completed boolean, OUT attempts integer, OUT error_kind text, OUT next_attempt_at timestamp with time zone, OUT withdrawn boolean) TO app_worker;

--
-- Name: FUNCTION expire_sessions(); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.expire_sessions() FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.expire_sessions() TO app_worker;

--
-- Name: FUNCTION notify_consent_changes(event_ids uuid[]); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.notify_consent_changes(event_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.notify_consent_changes(event_ids uuid[]) TO app_worker;

--
-- Name: FUNCTION refresh_quest_analytics(quest_id uuid); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.refresh_quest_analytics(quest_id uuid) TO app_worker;

--
-- Name: FUNCTION refresh_quest_analytics_batch(after_id uuid, batch_size integer); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.refresh_quest_analytics_batch(after_id uuid, batch_size integer) TO app_worker;

--
-- Name: FUNCTION request_erasure_of_inactive_users(); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.request_erasure_of_inactive_users() FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.request_erasure_of_inactive_users() TO app_worker;

--
-- Name: FUNCTION request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.request_job(identifier text, payload json, job_key text, run_at timestamp with time zone, job_key_mode text, max_attempts integer) TO app_worker;

--
-- Name: FUNCTION rewrap_data_keys(batch_size integer); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.rewrap_data_keys(batch_size integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.rewrap_data_keys(batch_size integer) TO app_worker;

--
-- Name: FUNCTION snapshot_metrics(day date); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.snapshot_metrics(day date) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.snapshot_metrics(day date) TO app_worker;

--
-- Name: FUNCTION take_job_requests(job_key text); Type: ACL; Schema: app_jobs; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_jobs.take_job_requests(job_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_jobs.take_job_requests(job_key text) TO app_worker;

--
-- Name: FUNCTION acting_kind_problem(acting_role text, user_id uuid); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.acting_kind_problem(acting_role text, user_id uuid) TO app_authenticator;

--
-- Name: FUNCTION data_keys_by_master_key(); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.data_keys_by_master_key() FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.data_keys_by_master_key() TO app_authenticator;
GRANT ALL ON FUNCTION app_ops.data_keys_by_master_key() TO app_worker;

--
-- Name: FUNCTION erasure_queue(OUT queued integer, OUT failing integer); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) TO app_authenticator;
GRANT ALL ON FUNCTION app_ops.erasure_queue(OUT queued integer, OUT failing integer) TO app_worker;

--
-- Name: FUNCTION job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) TO app_authenticator;
GRANT ALL ON FUNCTION app_ops.job_counts(OUT runnable integer, OUT waiting integer, OUT running integer, OUT failed integer) TO app_worker;

--
-- Name: FUNCTION privacy_checks_after(after_id bigint); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.privacy_checks_after(after_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.privacy_checks_after(after_id bigint) TO app_authenticator;

--
-- Name: FUNCTION readiness(OUT latest_migration text, OUT live_workers integer); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.readiness(OUT latest_migration text, OUT live_workers integer) TO app_authenticator;

--
-- Name: FUNCTION record_activity(user_id uuid); Type: ACL; Schema: app_ops; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_ops.record_activity(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_ops.record_activity(user_id uuid) TO app_authenticator;

--
-- Name: FUNCTION acting_kind_problem(acting_role text, kind app_public.user_kind); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.acting_kind_problem(acting_role text, kind app_public.user_kind) FROM PUBLIC;

--
-- Name: FUNCTION acting_role(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.acting_role() FROM PUBLIC;

--
-- Name: FUNCTION acting_user(expected app_public.user_kind); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.acting_user(expected app_public.user_kind) FROM PUBLIC;

--
-- Name: FUNCTION advance_track(parent uuid, track app_public.track_type); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.advance_track(parent uuid, track app_public.track_type) FROM PUBLIC;

--
-- Name: FUNCTION audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.audit(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) FROM PUBLIC;

--
-- Name: FUNCTION audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.audit_read(action text, subject_table text, subject_id uuid, child_id uuid, data_type text, decision text, details jsonb) FROM PUBLIC;

--
-- Name: FUNCTION caller_reads_past_rls(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.caller_reads_past_rls() FROM PUBLIC;

--
-- Name: FUNCTION child_visible_columns(tbl regclass); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.child_visible_columns(tbl regclass) FROM PUBLIC;

--
-- Name: FUNCTION consent_flag(child_id uuid, flag text, quest_id uuid); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.consent_flag(child_id uuid, flag text, quest_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION counts_in_release(child_id uuid, quest_id uuid, figure_group text); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.counts_in_release(child_id uuid, quest_id uuid, figure_group text) FROM PUBLIC;

--
-- Name: FUNCTION create_p2_reader(c app_private.encrypted_columns); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.create_p2_reader(c app_private.encrypted_columns) FROM PUBLIC;

--
-- Name: FUNCTION current_master_key(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.current_master_key() FROM PUBLIC;

--
-- Name: FUNCTION data_key_for_writing(owner uuid); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.data_key_for_writing(owner uuid) FROM PUBLIC;

--
-- Name: FUNCTION decrypt_p2(owner uuid, ciphertext bytea); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.decrypt_p2(owner uuid, ciphertext bytea) FROM PUBLIC;

--
-- Name: FUNCTION encrypt_p2(owner uuid, plaintext text); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.encrypt_p2(owner uuid, plaintext text) FROM PUBLIC;

--
-- Name: FUNCTION enqueue_quest_refresh(quest_ids uuid[]); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.enqueue_quest_refresh(quest_ids uuid[]) FROM PUBLIC;

--
-- Name: FUNCTION erasure_code_canonical(code text); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.erasure_code_canonical(code text) FROM PUBLIC;

--
-- Name: FUNCTION erasure_code_hash(code text); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.erasure_code_hash(code text) FROM PUBLIC;

--
-- Name: FUNCTION geometric_noise(epsilon double precision); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.geometric_noise(epsilon double precision) FROM PUBLIC;

--
-- Name: FUNCTION laplace_noise(scale double precision); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.laplace_noise(scale double precision) FROM PUBLIC;

--
-- Name: FUNCTION last_activity(user_ids uuid[]); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.last_activity(user_ids uuid[]) FROM PUBLIC;

--
-- Name: FUNCTION master_key_id(master_key text); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.master_key_id(master_key text) FROM PUBLIC;

--
-- Name: FUNCTION milestones_reached(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.milestones_reached() FROM PUBLIC;

--
-- Name: FUNCTION new_erasure_code(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.new_erasure_code() FROM PUBLIC;

--
-- Name: FUNCTION project_release(quest_id uuid); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.project_release(quest_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION release_quest_figures(quest_id uuid, at timestamp with time zone); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.release_quest_figures(quest_id uuid, at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION retention_review(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.retention_review() FROM PUBLIC;

--
-- Name: FUNCTION session_master_keys(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.session_master_keys() FROM PUBLIC;

--
-- Name: FUNCTION store_encrypted(c app_private.encrypted_columns); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.store_encrypted(c app_private.encrypted_columns) FROM PUBLIC;

--
-- Name: FUNCTION tg__assign_only_psychologists(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__assign_only_psychologists() FROM PUBLIC;

--
-- Name: FUNCTION tg__audit_write(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__audit_write() FROM PUBLIC;

--
-- Name: FUNCTION tg__encrypt_p2(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__encrypt_p2() FROM PUBLIC;

--
-- Name: FUNCTION tg__enqueue_quest_refresh(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__enqueue_quest_refresh() FROM PUBLIC;

--
-- Name: FUNCTION tg__enqueue_refresh_for_consent(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__enqueue_refresh_for_consent() FROM PUBLIC;

--
-- Name: FUNCTION tg__row_metadata(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__row_metadata() FROM PUBLIC;

--
-- Name: FUNCTION tg__withhold_figures(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg__withhold_figures() FROM PUBLIC;

--
-- Name: FUNCTION tg_consent__record_events(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_consent__record_events() FROM PUBLIC;

--
-- Name: FUNCTION tg_consent__stamp(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_consent__stamp() FROM PUBLIC;

--
-- Name: FUNCTION tg_consent_events__append_only(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_consent_events__append_only() FROM PUBLIC;

--
-- Name: FUNCTION tg_consent_events__notify_parents(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_consent_events__notify_parents() FROM PUBLIC;

--
-- Name: FUNCTION tg_family_links__check_kinds(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_family_links__check_kinds() FROM PUBLIC;

--
-- Name: FUNCTION tg_jobs__keyed_job_needs_request(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_jobs__keyed_job_needs_request() FROM PUBLIC;

--
-- Name: FUNCTION tg_psychologist_reviews__not_by_the_author(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_psychologist_reviews__not_by_the_author() FROM PUBLIC;

--
-- Name: FUNCTION tg_psychologist_reviews__overall_rating(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_psychologist_reviews__overall_rating() FROM PUBLIC;

--
-- Name: FUNCTION tg_psychologist_reviews__quest_unchanged_since_start(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_psychologist_reviews__quest_unchanged_since_start() FROM PUBLIC;

--
-- Name: FUNCTION tg_psychologist_reviews__show_on_quest(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_psychologist_reviews__show_on_quest() FROM PUBLIC;

--
-- Name: FUNCTION tg_quest_nodes__change_needs_moderation(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quest_nodes__change_needs_moderation() FROM PUBLIC;

--
-- Name: FUNCTION tg_quest_progress__as_played(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quest_progress__as_played() FROM PUBLIC;

--
-- Name: FUNCTION tg_quest_ratings__not_by_the_author(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quest_ratings__not_by_the_author() FROM PUBLIC;

--
-- Name: FUNCTION tg_quests__content_edit_needs_moderation(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quests__content_edit_needs_moderation() FROM PUBLIC;

--
-- Name: FUNCTION tg_quests__derive_from_graph(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quests__derive_from_graph() FROM PUBLIC;

--
-- Name: FUNCTION tg_quests__lifecycle_timestamps(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quests__lifecycle_timestamps() FROM PUBLIC;

--
-- Name: FUNCTION tg_quests__no_self_moderation(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quests__no_self_moderation() FROM PUBLIC;

--
-- Name: FUNCTION tg_quests__sync_nodes(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_quests__sync_nodes() FROM PUBLIC;

--
-- Name: FUNCTION tg_users__create_child_privacy(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.tg_users__create_child_privacy() FROM PUBLIC;

--
-- Name: FUNCTION uniform_noise(); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.uniform_noise() FROM PUBLIC;

--
-- Name: FUNCTION unwrap_data_key(owner uuid); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.unwrap_data_key(owner uuid) FROM PUBLIC;

--
-- Name: FUNCTION unwrapped(stored app_private.user_data_keys); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.unwrapped(stored app_private.user_data_keys) FROM PUBLIC;

--
-- Name: FUNCTION withhold_figures_counting(child_ids uuid[]); Type: ACL; Schema: app_private; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_private.withhold_figures_counting(child_ids uuid[]) FROM PUBLIC;

--
-- Name: FUNCTION current_user_id(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.current_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.current_user_id() TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.current_user_id() TO inner_edu_user;

--
-- Name: TABLE psychological_profiles; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.psychological_profiles TO pas_bot_user;

--
-- Name: COLUMN psychological_profiles.communication_style; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(communication_style),UPDATE(communication_style) ON TABLE app_public.psychological_profiles TO pas_bot_user;

--
-- Name: COLUMN psychological_profiles.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.psychological_profiles TO pas_bot_user;

--
-- Name: FUNCTION add_coping_strategy(strategy text); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.add_coping_strategy(strategy text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.add_coping_strategy(strategy text) TO pas_bot_user;

--
-- Name: FUNCTION can_share_with_parent(child_id uuid, data_type text, quest_id uuid); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid) TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.can_share_with_parent(child_id uuid, data_type text, quest_id uuid) TO inner_edu_user;

--
-- Name: TABLE child_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.node_key; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(node_key) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.event_type; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(event_type) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.duration_seconds; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(duration_seconds) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.xp_earned; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(xp_earned) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.payload; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(payload) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: COLUMN child_progress.occurred_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(occurred_at) ON TABLE app_public.child_progress TO inner_edu_user;

--
-- Name: FUNCTION child_progress_payload(r app_public.child_progress); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.child_progress_payload(r app_public.child_progress) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.child_progress_payload(r app_public.child_progress) TO inner_edu_user;

--
-- Name: TABLE data_deletion_requests; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.data_deletion_requests TO pas_bot_user;
GRANT SELECT ON TABLE app_public.data_deletion_requests TO inner_edu_user;

--
-- Name: FUNCTION confirm_data_deletion(request_id uuid, verification_code text); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.confirm_data_deletion(request_id uuid, verification_code text) TO inner_edu_user;

--
-- Name: TABLE creative_projects; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.creative_projects TO pas_bot_user;

--
-- Name: COLUMN creative_projects.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(status) ON TABLE app_public.creative_projects TO pas_bot_user;

--
-- Name: COLUMN creative_projects.progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(progress) ON TABLE app_public.creative_projects TO pas_bot_user;

--
-- Name: COLUMN creative_projects.completed_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(completed_at) ON TABLE app_public.creative_projects TO pas_bot_user;

--
-- Name: COLUMN creative_projects.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.creative_projects TO pas_bot_user;

--
-- Name: FUNCTION create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.create_creative_project(project_type app_public.creative_project_type, quest_id uuid, letter_id uuid, goal_id uuid) TO pas_bot_user;

--
-- Name: TABLE quests; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.quests TO pas_bot_user;
GRANT SELECT ON TABLE app_public.quests TO inner_edu_user;

--
-- Name: COLUMN quests.child_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(child_id),UPDATE(child_id) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.title; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(title),UPDATE(title) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.description; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(description),UPDATE(description) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.graph_structure; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(graph_structure),UPDATE(graph_structure) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.psychological_module; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(psychological_module),UPDATE(psychological_module) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.location; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(location),UPDATE(location) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.difficulty; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(difficulty),UPDATE(difficulty) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.age_range; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(age_range),UPDATE(age_range) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.estimated_duration; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(estimated_duration),UPDATE(estimated_duration) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.tags; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(tags),UPDATE(tags) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(status) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.is_public; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(is_public),UPDATE(is_public) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: COLUMN quests.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.quests TO pas_bot_user;

--
-- Name: FUNCTION create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.create_quest(title text, graph_structure jsonb, child_id uuid, description text, psychological_module text, location text, difficulty app_public.quest_difficulty, age_range text, estimated_duration integer, tags text[], is_public boolean) TO pas_bot_user;

--
-- Name: FUNCTION export_my_data(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.export_my_data() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.export_my_data() TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.export_my_data() TO inner_edu_user;

--
-- Name: FUNCTION get_or_create_profile(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.get_or_create_profile() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.get_or_create_profile() TO pas_bot_user;

--
-- Name: FUNCTION get_quest_analytics(quest_id uuid); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.get_quest_analytics(quest_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.get_quest_analytics(quest_id uuid) TO pas_bot_user;

--
-- Name: FUNCTION get_recommendations(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.get_recommendations() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.get_recommendations() TO pas_bot_user;

--
-- Name: TABLE letters; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.child_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(child_id),UPDATE(child_id) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.title; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(title),UPDATE(title) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.content; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(content),UPDATE(content) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(status),UPDATE(status) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.sent_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(sent_at),UPDATE(sent_at) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: COLUMN letters.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.letters TO pas_bot_user;

--
-- Name: FUNCTION letters_content(r app_public.letters); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.letters_content(r app_public.letters) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.letters_content(r app_public.letters) TO pas_bot_user;

--
-- Name: FUNCTION marketplace_quests(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.marketplace_quests() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.marketplace_quests() TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.marketplace_quests() TO inner_edu_user;

--
-- Name: TABLE messages; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.messages TO pas_bot_user;

--
-- Name: COLUMN messages.session_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(session_id) ON TABLE app_public.messages TO pas_bot_user;

--
-- Name: COLUMN messages.role; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(role) ON TABLE app_public.messages TO pas_bot_user;

--
-- Name: COLUMN messages.content; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(content) ON TABLE app_public.messages TO pas_bot_user;

--
-- Name: FUNCTION messages_content(r app_public.messages); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.messages_content(r app_public.messages) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.messages_content(r app_public.messages) TO pas_bot_user;

--
-- Name: FUNCTION moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.moderate_quest(quest_id uuid, version integer, decision app_public.moderation_status, reason text, issues jsonb) TO pas_bot_user;

--
-- Name: FUNCTION my_children(); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.my_children() FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.my_children() TO pas_bot_user;

--
-- Name: FUNCTION psychological_profiles_crisis_history(r app_public.psychological_profiles); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.psychological_profiles_crisis_history(r app_public.psychological_profiles) TO pas_bot_user;

--
-- Name: FUNCTION psychological_profiles_emotional_trends(r app_public.psychological_profiles); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.psychological_profiles_emotional_trends(r app_public.psychological_profiles) TO pas_bot_user;

--
-- Name: FUNCTION psychological_profiles_toxic_patterns(r app_public.psychological_profiles); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.psychological_profiles_toxic_patterns(r app_public.psychological_profiles) TO pas_bot_user;

--
-- Name: FUNCTION psychological_profiles_triggers(r app_public.psychological_profiles); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.psychological_profiles_triggers(r app_public.psychological_profiles) TO pas_bot_user;

--
-- Name: TABLE quest_builder_sessions; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(quest_id) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.current_stage; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(current_stage),UPDATE(current_stage) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.conversation_history; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(conversation_history),UPDATE(conversation_history) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.current_graph; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(current_graph),UPDATE(current_graph) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.quest_context; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_context),UPDATE(quest_context) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: COLUMN quest_builder_sessions.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.quest_builder_sessions TO pas_bot_user;

--
-- Name: FUNCTION quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.quest_builder_sessions_conversation_history(r app_public.quest_builder_sessions) TO pas_bot_user;

--
-- Name: FUNCTION quest_builder_sessions_quest_context(r app_public.quest_builder_sessions); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.quest_builder_sessions_quest_context(r app_public.quest_builder_sessions) TO pas_bot_user;

--
-- Name: TABLE achievements; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.achievement_type; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(achievement_type) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.title; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(title) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.description; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(description) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.badge; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(badge) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.xp_reward; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(xp_reward) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: COLUMN achievements.unlocked_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(unlocked_at) ON TABLE app_public.achievements TO inner_edu_user;

--
-- Name: FUNCTION record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.record_achievement(quest_id uuid, achievement_type text, title text, description text, badge text, xp_reward integer) TO inner_edu_user;

--
-- Name: FUNCTION request_data_deletion(reason text); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.request_data_deletion(reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.request_data_deletion(reason text) TO pas_bot_user;
GRANT ALL ON FUNCTION app_public.request_data_deletion(reason text) TO inner_edu_user;

--
-- Name: FUNCTION save_quest_yaml(quest_id uuid, yaml_content text, version integer); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.save_quest_yaml(quest_id uuid, yaml_content text, version integer) TO pas_bot_user;

--
-- Name: FUNCTION set_quest_status(quest_id uuid, status app_public.quest_status, version integer); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.set_quest_status(quest_id uuid, status app_public.quest_status, version integer) TO pas_bot_user;

--
-- Name: TABLE therapy_sessions; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(status),UPDATE(status) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.topic; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(topic),UPDATE(topic) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.state; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(state),UPDATE(state) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.mood_before; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(mood_before),UPDATE(mood_before) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.mood_after; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(mood_after),UPDATE(mood_after) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.summary; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(summary),UPDATE(summary) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.ended_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(ended_at),UPDATE(ended_at) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: COLUMN therapy_sessions.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.therapy_sessions TO pas_bot_user;

--
-- Name: FUNCTION therapy_sessions_state(r app_public.therapy_sessions); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.therapy_sessions_state(r app_public.therapy_sessions) TO pas_bot_user;

--
-- Name: FUNCTION therapy_sessions_summary(r app_public.therapy_sessions); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.therapy_sessions_summary(r app_public.therapy_sessions) TO pas_bot_user;

--
-- Name: FUNCTION update_profile_emotions(emotional_data jsonb); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.update_profile_emotions(emotional_data jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.update_profile_emotions(emotional_data jsonb) TO pas_bot_user;

--
-- Name: FUNCTION update_project_progress(project_id uuid, progress integer); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.update_project_progress(project_id uuid, progress integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.update_project_progress(project_id uuid, progress integer) TO pas_bot_user;

--
-- Name: TABLE quest_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.current_node_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(current_node_id),UPDATE(current_node_id) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.current_step; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(current_step),UPDATE(current_step) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.nodes_completed; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(nodes_completed),UPDATE(nodes_completed) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.total_nodes; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(total_nodes),UPDATE(total_nodes) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.completion_percentage; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(completion_percentage),UPDATE(completion_percentage) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.completed; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(completed),UPDATE(completed) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.session_data; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(session_data),UPDATE(session_data) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.educational_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(educational_progress),UPDATE(educational_progress) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.xp_earned; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(xp_earned),UPDATE(xp_earned) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.badges_earned; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(badges_earned),UPDATE(badges_earned) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.reveal_moments_viewed; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(reveal_moments_viewed),UPDATE(reveal_moments_viewed) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.session_count; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(session_count),UPDATE(session_count) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.total_time_minutes; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(total_time_minutes),UPDATE(total_time_minutes) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.completed_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(completed_at),UPDATE(completed_at) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.last_played_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(last_played_at),UPDATE(last_played_at) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: COLUMN quest_progress.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.quest_progress TO inner_edu_user;

--
-- Name: FUNCTION update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision); Type: ACL; Schema: app_public; Owner: app_owner
--

REVOKE ALL ON FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION app_public.update_quest_progress(quest_id uuid, nodes_completed integer, current_node_id text, completed boolean, xp_earned integer, badges_earned text[], reveal_moments_viewed integer, educational_progress jsonb, minutes_played double precision) TO inner_edu_user;

--
-- Name: TABLE child_privacy; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.child_privacy TO pas_bot_user;
GRANT SELECT ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_progress) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_educational_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_educational_progress) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_play_frequency; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_play_frequency) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_quest_details; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_quest_details) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_emotional_state; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_emotional_state) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.share_analytics; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(share_analytics) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.consent_given_by_child; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(consent_given_by_child) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.consent_version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(consent_version) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: COLUMN child_privacy.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.child_privacy TO inner_edu_user;

--
-- Name: TABLE consent_events; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.consent_events TO inner_edu_user;

--
-- Name: TABLE family_links; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.family_links TO pas_bot_user;
GRANT SELECT ON TABLE app_public.family_links TO inner_edu_user;

--
-- Name: TABLE goals; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.track_type; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(track_type),UPDATE(track_type) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.title; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(title),UPDATE(title) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.specific; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(specific),UPDATE(specific) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.measurable; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(measurable),UPDATE(measurable) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.achievable; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(achievable),UPDATE(achievable) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.relevant; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(relevant),UPDATE(relevant) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.time_bound; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(time_bound),UPDATE(time_bound) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(status),UPDATE(status) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(progress),UPDATE(progress) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.completed_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(completed_at),UPDATE(completed_at) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: COLUMN goals.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.goals TO pas_bot_user;

--
-- Name: TABLE metrics_snapshots; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.metrics_snapshots TO pas_bot_user;

--
-- Name: TABLE milestones; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.milestones TO pas_bot_user;

--
-- Name: COLUMN milestones.acknowledged; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(acknowledged) ON TABLE app_public.milestones TO pas_bot_user;

--
-- Name: TABLE notifications; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.notifications TO pas_bot_user;
GRANT SELECT ON TABLE app_public.notifications TO inner_edu_user;

--
-- Name: COLUMN notifications.read_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(read_at) ON TABLE app_public.notifications TO pas_bot_user;
GRANT UPDATE(read_at) ON TABLE app_public.notifications TO inner_edu_user;

--
-- Name: TABLE psychologist_reviews; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.psychologist_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(psychologist_id) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.status; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(status) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.emotional_safety_score; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(emotional_safety_score) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.therapeutic_correctness_score; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(therapeutic_correctness_score) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.age_appropriateness_score; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(age_appropriateness_score) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.reveal_timing_score; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(reveal_timing_score) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.overall_rating; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(overall_rating) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.is_approved; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(is_approved) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.feedback_text; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(feedback_text) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.strengths; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(strengths) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.improvements; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(improvements) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.red_flags; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(red_flags) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.notes_for_parent; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(notes_for_parent) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.notes_for_community; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(notes_for_community) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.playthrough_duration_minutes; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(playthrough_duration_minutes) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.started_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(started_at) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.completed_at; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(completed_at) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: COLUMN psychologist_reviews.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.psychologist_reviews TO pas_bot_user;

--
-- Name: TABLE quest_nodes; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.quest_nodes TO pas_bot_user;
GRANT SELECT ON TABLE app_public.quest_nodes TO inner_edu_user;

--
-- Name: TABLE quest_privacy; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.quest_privacy TO pas_bot_user;
GRANT SELECT ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_progress),UPDATE(share_progress) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_educational_progress; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_educational_progress),UPDATE(share_educational_progress) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_play_frequency; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_play_frequency),UPDATE(share_play_frequency) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_quest_details; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_quest_details),UPDATE(share_quest_details) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_emotional_state; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_emotional_state),UPDATE(share_emotional_state) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.share_analytics; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(share_analytics),UPDATE(share_analytics) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.consent_version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(consent_version),UPDATE(consent_version) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: COLUMN quest_privacy.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.quest_privacy TO inner_edu_user;

--
-- Name: TABLE quest_ratings; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.quest_ratings TO pas_bot_user;

--
-- Name: COLUMN quest_ratings.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.quest_ratings TO pas_bot_user;

--
-- Name: COLUMN quest_ratings.rating; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(rating),UPDATE(rating) ON TABLE app_public.quest_ratings TO pas_bot_user;

--
-- Name: COLUMN quest_ratings.review_text; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(review_text),UPDATE(review_text) ON TABLE app_public.quest_ratings TO pas_bot_user;

--
-- Name: COLUMN quest_ratings.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.quest_ratings TO pas_bot_user;

--
-- Name: TABLE user_quest_library; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT,DELETE ON TABLE app_public.user_quest_library TO pas_bot_user;

--
-- Name: COLUMN user_quest_library.quest_id; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(quest_id) ON TABLE app_public.user_quest_library TO pas_bot_user;

--
-- Name: COLUMN user_quest_library.folder; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(folder),UPDATE(folder) ON TABLE app_public.user_quest_library TO pas_bot_user;

--
-- Name: COLUMN user_quest_library.notes; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT INSERT(notes),UPDATE(notes) ON TABLE app_public.user_quest_library TO pas_bot_user;

--
-- Name: TABLE user_tracks; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.user_tracks TO pas_bot_user;

--
-- Name: TABLE users; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT SELECT ON TABLE app_public.users TO pas_bot_user;
GRANT SELECT ON TABLE app_public.users TO inner_edu_user;

--
-- Name: COLUMN users.display_name; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(display_name) ON TABLE app_public.users TO pas_bot_user;
GRANT UPDATE(display_name) ON TABLE app_public.users TO inner_edu_user;

--
-- Name: COLUMN users.version; Type: ACL; Schema: app_public; Owner: app_owner
--

GRANT UPDATE(version) ON TABLE app_public.users TO pas_bot_user;
GRANT UPDATE(version) ON TABLE app_public.users TO inner_edu_user;

--
-- PostgreSQL database dump complete
--
