// What `npm run test:mutations` breaks, one at a time, to prove the privacy tests
// notice (test/mutations/run.ts). Each entry is one small change of our own SQL:
//   file      a policies/ file: `find` (exactly one occurrence) becomes `replace`,
//             and the policies are applied with that text;
//   function  a function by signature: `find` in its definition as the migrated
//             database has it (the latest one, whichever migration wrote it)
//             becomes `replace`, and the definition is re-run as `create or replace`;
//   sql       a statement run as the superuser after the policies.
// A `find` that is not there (any more) is an ERROR, never a pass: the catalogue
// cannot rot silently. Adding a mutation is adding one entry.

export type Mutation = { id: string; description: string } & (
  | { file: string; find: string; replace: string }
  | { function: string; find: string; replace: string }
  | { sql: string }
);

/** The test files run against every mutant (jest stops at the first failure). */
export const PRIVACY_TESTS = [
  "test/db/privacy-matrix.test.ts",
  "test/db/consent.test.ts",
  "test/db/analytics.test.ts",
  "test/db/audit.test.ts",
  "test/db/rls.test.ts",
  "test/db/catalog.test.ts",
  "test/db/privacy-property.test.ts",
  "test/db/acting-kind.test.ts",
  "test/db/flow-rules.test.ts",
  "test/db/audit-durable.test.ts",
  "test/db/p2-readers.test.ts",
  "test/db/side-channels.test.ts",
  "test/db/server-log.test.ts",
  "test/db/analytics-release.test.ts",
  "test/db/moderation.test.ts",
  "test/db/erasure.test.ts",
  "test/db/retention.test.ts",
  "test/db/gdpr.test.ts",
  // Slow (about 20 s): last, so that only what nothing else kills pays for it.
  "test/db/analytics-attack.test.ts",
];

const ME = "(select app_public.current_user_id())";

/** Adds SQL after a unique line of a policies file. */
const after = (file: string, line: string, sql: string) => ({ file, find: line, replace: `${line}\n${sql}` });

export const MUTATIONS: Mutation[] = [
  // Issue 14's four mutations that the suite used to miss.
  {
    id: "reviews-select-true",
    description: "psychologist_reviews: the select policy is `using (true)`",
    file: "policies/170_marketplace.sql",
    find: `using (parent_id = ${ME} or psychologist_id = ${ME});`,
    replace: "using (true);",
  },
  {
    id: "parent-inserts-quest-progress",
    description: "a parent may insert quest_progress for their child",
    ...after("policies/140_play.sql", "grant select on app_public.quest_progress to inner_edu_user;",
      `create policy insert_as_parent on app_public.quest_progress for insert to pas_bot_user
         with check (child_id in (select app_hidden.my_child_ids()));
       grant insert (child_id, quest_id) on app_public.quest_progress to pas_bot_user;`),
  },
  {
    id: "parent-updates-quest-privacy",
    description: "a linked parent may update the child's quest_privacy",
    ...after("policies/120_consent.sql", "grant select on app_public.quest_privacy to pas_bot_user, inner_edu_user;",
      `create policy update_as_parent on app_public.quest_privacy for update to pas_bot_user
         using (child_id in (select app_hidden.my_child_ids())) with check (child_id in (select app_hidden.my_child_ids()));
       grant update (share_analytics) on app_public.quest_privacy to pas_bot_user;`),
  },
  {
    id: "quests-update-child-not-mine",
    description: "quests: `the child must be mine` dropped from the update check",
    file: "policies/130_quests.sql",
    find: `  using (author_id = ${ME})
  with check (author_id = ${ME}
              and (child_id is null or child_id in (select app_hidden.my_child_ids())));`,
    replace: `  using (author_id = ${ME})
  with check (author_id = ${ME});`,
  },

  // Loosened policies.
  {
    id: "quests-insert-child-not-mine",
    description: "quests: `the child must be mine` dropped from the insert check",
    file: "policies/130_quests.sql",
    find: "              and (child_id is null or child_id in (select app_hidden.my_child_ids())));\ncreate policy update_own",
    replace: ");\ncreate policy update_own",
  },
  {
    id: "quests-parent-sees-unmoderated-public",
    description: "quests: a parent sees public quests that moderation has not approved",
    file: "policies/130_quests.sql",
    find: `  using (author_id = ${ME}
         or (is_public and moderation_status = 'approved' and status <> 'deleted')`,
    replace: `  using (author_id = ${ME}
         or is_public`,
  },
  {
    id: "quests-child-sees-undeployed",
    description: "quests: a child sees their personal quests before they are deployed",
    file: "policies/130_quests.sql",
    find: `using ((child_id = ${ME} and status = 'deployed')`,
    replace: `using ((child_id = ${ME})`,
  },
  {
    id: "child-privacy-parent-reads-all",
    description: "child_privacy: a parent reads every child's flags",
    file: "policies/120_consent.sql",
    find: "create policy select_linked_as_parent on app_public.child_privacy\n  for select to pas_bot_user\n  using (child_id in (select app_hidden.my_child_ids()));",
    replace: "create policy select_linked_as_parent on app_public.child_privacy\n  for select to pas_bot_user\n  using (true);",
  },
  {
    id: "child-privacy-child-updates-any",
    description: "child_privacy: a child updates any child's flags",
    file: "policies/120_consent.sql",
    find: `create policy update_own_as_child on app_public.child_privacy
  for update to inner_edu_user
  using (child_id = ${ME})`,
    replace: `create policy update_own_as_child on app_public.child_privacy
  for update to inner_edu_user
  using (true)`,
  },
  {
    id: "quest-privacy-any-quest",
    description: "quest_privacy: a child inserts an override for a quest they cannot see",
    file: "policies/120_consent.sql",
    find: "\n              and exists (select 1 from app_public.quests q where q.id = quest_privacy.quest_id));",
    replace: ");",
  },
  {
    id: "consent-events-read-all",
    description: "consent_events: a child reads every child's history",
    file: "policies/120_consent.sql",
    find: `create policy select_own_as_child on app_public.consent_events
  for select to inner_edu_user
  using (child_id = ${ME});`,
    replace: `create policy select_own_as_child on app_public.consent_events
  for select to inner_edu_user
  using (true);`,
  },
  {
    id: "quest-progress-siblings",
    description: "quest_progress: a child reads every child's progress (a sibling's too)",
    file: "policies/140_play.sql",
    find: `create policy select_own on app_public.quest_progress
  for select to inner_edu_user
  using (child_id = ${ME});`,
    replace: `create policy select_own on app_public.quest_progress
  for select to inner_edu_user
  using (true);`,
  },
  {
    id: "child-progress-any-quest",
    description: "child_progress: a child records play on a quest they cannot see",
    file: "policies/140_play.sql",
    find: "\n              and exists (select 1 from app_public.quests q where q.id = child_progress.quest_id));",
    replace: ");",
  },
  {
    id: "achievements-any-quest",
    description: "achievements: a child records an achievement on a quest they cannot see",
    file: "policies/140_play.sql",
    find: "\n              and (quest_id is null or exists (select 1 from app_public.quests q where q.id = achievements.quest_id)));",
    replace: ");",
  },
  {
    id: "parent-rows-using-true",
    description: "the parent's own work (letters, sessions, goals, …): `using (true)`",
    file: "policies/160_parent_own_rows.sql",
    find: "using (user_id = (select app_public.current_user_id()))\n         with check",
    replace: "using (true)\n         with check",
  },
  {
    id: "messages-session-not-mine",
    description: "messages: the restrictive `session is mine` policy dropped",
    file: "policies/160_parent_own_rows.sql",
    find: `create policy session_is_mine on app_public.messages as restrictive
  for insert to pas_bot_user
  with check (session_id is null or exists (select 1 from app_public.therapy_sessions s where s.id = messages.session_id));`,
    replace: "",
  },
  {
    id: "letters-child-not-mine",
    description: "letters: the restrictive `child is mine` check is `true`",
    file: "policies/160_parent_own_rows.sql",
    find: "with check (child_id is null or child_id in (select app_hidden.my_child_ids()));",
    replace: "with check (true);",
  },
  {
    id: "builder-quest-not-mine",
    description: "quest_builder_sessions: the restrictive `quest is mine` check is `true`",
    file: "policies/160_parent_own_rows.sql",
    find: `with check (quest_id is null or quest_id in (select id from app_public.quests where author_id = ${ME}));`,
    replace: "with check (true);",
  },
  {
    id: "library-any-quest",
    description: "user_quest_library: a parent files a quest they cannot see",
    file: "policies/170_marketplace.sql",
    find: `with check (user_id = ${ME} and quest_id in (select id from app_public.quests));
grant select, delete on app_public.user_quest_library`,
    replace: `with check (user_id = ${ME});
grant select, delete on app_public.user_quest_library`,
  },
  {
    id: "review-request-any-quest",
    description: "psychologist_reviews: a parent requests a review of someone else's quest",
    file: "policies/170_marketplace.sql",
    find: `\n              and quest_id in (select id from app_public.quests where author_id = ${ME}));`,
    replace: ");",
  },
  {
    id: "review-written-by-parent",
    description: "psychologist_reviews: the requesting parent may write the review",
    file: "policies/170_marketplace.sql",
    find: `  using (psychologist_id = ${ME})
  with check (psychologist_id = ${ME});`,
    replace: `  using (psychologist_id = ${ME} or parent_id = ${ME})
  with check (psychologist_id = ${ME} or parent_id = ${ME});`,
  },
  {
    id: "users-read-all",
    description: "users: everyone reads every user row",
    file: "policies/100_users.sql",
    find: `create policy select_own on app_public.users
  for select to pas_bot_user, inner_edu_user
  using (id = ${ME});`,
    replace: `create policy select_own on app_public.users
  for select to pas_bot_user, inner_edu_user
  using (true);`,
  },
  {
    id: "family-links-parent-reads-all",
    description: "family_links: a parent reads every family's links",
    file: "policies/110_family_links.sql",
    find: `using (parent_id = ${ME});`,
    replace: "using (true);",
  },
  {
    id: "notifications-read-all",
    description: "notifications: everyone reads everyone's",
    file: "policies/180_notifications_and_gdpr.sql",
    find: `create policy own_rows on app_public.notifications
  for select to pas_bot_user, inner_edu_user
  using (user_id = ${ME});`,
    replace: `create policy own_rows on app_public.notifications
  for select to pas_bot_user, inner_edu_user
  using (true);`,
  },

  // Grants.
  {
    id: "grant-quest-analytics",
    description: "quest_analytics granted to pas_bot_user (a table parents must read only through the function)",
    ...after("policies/140_play.sql", "grant execute on function app_public.get_quest_analytics(uuid) to pas_bot_user;",
      "grant select on app_public.quest_analytics to pas_bot_user;"),
  },
  {
    id: "grant-quest-moderation-column",
    description: "quests.moderation_status granted for update to the author",
    file: "policies/130_quests.sql",
    find: "tags, is_public, status, version)",
    replace: "tags, is_public, status, version, moderation_status)",
  },
  {
    id: "grant-get-quest-analytics-to-child-app",
    description: "get_quest_analytics executable by inner_edu_user",
    file: "policies/140_play.sql",
    find: "grant execute on function app_public.get_quest_analytics(uuid) to pas_bot_user;",
    replace: "grant execute on function app_public.get_quest_analytics(uuid) to pas_bot_user, inner_edu_user;",
  },

  // Consent and family-link checks inside functions.
  {
    id: "my-child-ids-all-children",
    description: "app_hidden.my_child_ids returns every linked child, whoever asks",
    function: "app_hidden.my_child_ids()",
    find: "where parent_id = app_public.current_user_id()",
    replace: "where true",
  },
  {
    id: "my-children-every-child",
    description: "my_children returns every child, not the caller's",
    function: "app_public.my_children()",
    find: "where u.id in (select app_hidden.my_child_ids())",
    replace: "where u.kind = 'child'",
  },
  {
    id: "my-review-quests-all",
    description: "app_hidden.my_review_quest_ids returns every reviewed quest",
    function: "app_hidden.my_review_quest_ids()",
    find: "where psychologist_id = app_public.current_user_id()",
    replace: "where true",
  },
  // Issue 15, section 1: moderation (test/db/moderation.test.ts).
  {
    id: "moderation-three-columns-only",
    description: "only title, description and graph send an approved quest back to moderation",
    function: "app_private.tg_quests__content_edit_needs_moderation()",
    find: "where c <> all (not_content) and",
    replace: "where c in ('title', 'description', 'graph_structure') and",
  },
  {
    id: "moderation-nodes-unwatched",
    description: "a direct change of quest_nodes keeps the quest approved",
    sql: "drop trigger _800_change_needs_moderation on app_public.quest_nodes",
  },
  {
    id: "moderation-any-version",
    description: "moderate_quest decides whatever the quest is when it runs",
    function: "app_public.moderate_quest(uuid, integer, app_public.moderation_status, text, jsonb)",
    find: "set version = moderate_quest.version,",
    replace: "set",
  },
  {
    id: "moderation-queue-hidden",
    description: "an admin cannot read the quests pending moderation",
    file: "policies/130_quests.sql",
    find: "or (moderation_status = 'pending' and status <> 'deleted' and (select app_hidden.current_user_kind()) = 'admin'));",
    replace: "or false);",
  },
  {
    id: "moderation-own-quest",
    description: "an admin may moderate their own quest",
    sql: "drop trigger _110_no_self_moderation on app_public.quests",
  },
  {
    id: "review-own-quest",
    description: "a psychologist may review their own quest",
    sql: "drop trigger _110_not_by_the_author on app_public.psychologist_reviews",
  },
  {
    id: "review-resaved-approves",
    description: "a completed review saved again approves the quest as changed since",
    function: "app_private.tg_psychologist_reviews__show_on_quest()",
    find: " and (tg_op = 'INSERT' or old.status is distinct from 'completed')",
    replace: "",
  },
  {
    id: "rating-own-quest",
    description: "a parent may rate their own quest",
    sql: "drop trigger _110_not_by_the_author on app_public.quest_ratings",
  },
  {
    id: "can-share-no-family-check",
    description: "can_share_with_parent: `the child or a linked parent` dropped",
    function: "app_public.can_share_with_parent(uuid, text, uuid)",
    find: "(child_id = app_public.current_user_id() or child_id in (select app_hidden.my_child_ids()))",
    replace: "true",
  },
  {
    id: "can-share-no-consent-check",
    description: "can_share_with_parent: the consent flag is not consulted",
    function: "app_public.can_share_with_parent(uuid, text, uuid)",
    find: "and app_private.consent_flag(child_id, 'share_' || data_type, quest_id)",
    replace: "",
  },
  {
    id: "consent-flag-ignores-override",
    description: "app_private.consent_flag ignores the quest's override",
    function: "app_private.consent_flag(uuid, text, uuid)",
    find: "if quest_id is not null then",
    replace: "if false then",
  },
  {
    id: "consent-flag-default-yes",
    description: "app_private.consent_flag: no row means yes",
    function: "app_private.consent_flag(uuid, text, uuid)",
    find: "coalesce((to_jsonb(defaults) ->> flag)::boolean, false)",
    replace: "coalesce((to_jsonb(defaults) ->> flag)::boolean, true) or true",
  },
  {
    id: "analytics-no-family-link",
    description: "get_quest_analytics: a personal quest's figures for its author, linked to the child or not",
    function: "app_public.get_quest_analytics(uuid)",
    find: "if not exists (select 1 from app_public.family_links fl",
    replace: "if false and not exists (select 1 from app_public.family_links fl",
  },

  // The acting user's kind (issue 14, item 7) and a flow rule held by a policy (item 8).
  {
    id: "pas-bot-acts-as-child",
    description: "pas_bot_user may act as a child",
    function: "app_private.acting_kind_problem(text, app_public.user_kind)",
    find: "when acting_role = 'pas_bot_user' and kind = 'child' then",
    replace: "when false then",
  },
  {
    id: "psychologist-creates-quests",
    description: "quests: `only parents create quests` dropped from the insert check",
    file: "policies/130_quests.sql",
    find: "\n              and (select app_hidden.current_user_kind()) = 'parent'",
    replace: "",
  },

  // Figures across children (issue 14, items 1, 3 and 9).
  {
    id: "release-progress-without-consent",
    description: "a release's progress figures count children whatever their share_progress",
    function: "app_private.counts_in_release(uuid, uuid, text)",
    find: "when 'progress' then app_private.consent_flag(child_id, 'share_progress', quest_id)",
    replace: "when 'progress' then true",
  },
  {
    id: "release-without-real-family",
    description: "a release counts children with no parent but the quest's author (fake accounts)",
    function: "app_private.counts_in_release(uuid, uuid, text)",
    find: "where fl.child_id = counts_in_release.child_id and fl.parent_id <> q.author_id)",
    replace: "where true)",
  },
  {
    id: "release-without-noise",
    description: "the release's epsilon raised to 1000: figures all but exact",
    function: "app_private.release_quest_figures(uuid, timestamp with time zone)",
    find: "epsilon constant float8 := 0.1;",
    replace: "epsilon constant float8 := 1000;",
  },
  {
    id: "revoke-keeps-stored-figures",
    description: "a revoke on child_privacy no longer withholds the stored figures that counted the child",
    sql: "drop trigger _905_withhold_figures on app_public.child_privacy",
  },

  // The audit log (items 4 and 5) and the releases it records.
  {
    id: "audit-read-in-callers-transaction",
    description: "a consent-gated read's record is written in the caller's transaction (a rollback undoes it)",
    function: "app_private.audit_read(text, text, uuid, uuid, text, text, jsonb)",
    find: "perform app_audit.append_durable(",
    replace: "perform app_audit.append(",
  },
  {
    id: "audit-log-owned-by-owner",
    description: "the audit table belongs to app_owner again (who may then rewrite it)",
    sql: "alter table app_audit.audit_log owner to app_owner",
  },
  {
    id: "completion-notice-unrecorded",
    description: "the completion notification releases a child's progress without an audit row",
    function: "app_public.update_quest_progress(uuid, integer, text, boolean, integer, text[], integer, jsonb, double precision)",
    find: "if told > 0 then",
    replace: "if false then",
  },

  // P2 readers (item 6). Not here, on purpose: dropping the reader's own visibility probe (every P2
  // table's rows are visible exactly to their owner, whom the decrypting helper checks too: the
  // mutant behaves the same), and the superuser step's log settings and statistics revokes of items
  // 10 and 11 (every test file's set-up re-asserts them, so a mutant is healed before any test runs;
  // test/db/server-log.test.ts and test/db/side-channels.test.ts check them against the settings' values).
  {
    id: "p2-decrypt-any-owner",
    description: "the letters decrypting helper answers for any row, not only the acting user's",
    function: "app_hidden.decrypt_letters_content(uuid)",
    find: "(t.user_id = app_public.current_user_id() or app_private.caller_reads_past_rls())",
    replace: "true",
  },

  // The acting kind for the child's app (item 7) and a flow rule held by a trigger (item 8).
  {
    id: "inner-edu-acts-as-parent",
    description: "inner_edu_user may act as a parent",
    function: "app_private.acting_kind_problem(text, app_public.user_kind)",
    find: "when acting_role = 'inner_edu_user' and kind <> 'child' then",
    replace: "when false then",
  },
  {
    id: "completion-not-final",
    description: "a child's plain update may undo a completion (trigger _200_as_played dropped)",
    sql: "drop trigger _200_as_played on app_public.quest_progress",
  },

  // Structure.
  {
    id: "letters-rls-disabled",
    description: "letters: row-level security disabled",
    sql: "alter table app_public.letters disable row level security",
  },
  {
    id: "consent-events-not-append-only",
    description: "consent_events: the append-only trigger dropped",
    sql: "drop trigger _100_append_only on app_public.consent_events",
  },
  {
    id: "consent-change-not-recorded",
    description: "child_privacy: consent changes no longer recorded as consent_events",
    sql: "drop trigger _800_record_events on app_public.child_privacy",
  },

  // Issue 15, section 2: erasure always completes (test/db/erasure.test.ts).
  {
    id: "consent-events-go-with-the-quest",
    description: "consent_events: a deleted quest's events are deleted with it again (on delete cascade), blocking its author's erasure",
    sql: `alter table app_public.consent_events drop constraint consent_events_quest_id_fkey;
          alter table app_public.consent_events add constraint consent_events_quest_id_fkey
            foreign key (quest_id) references app_public.quests (id) on delete cascade`,
  },
  {
    id: "consent-events-unlink-live-quest",
    description: "consent_events: the quest reference may be removed while the quest still exists",
    function: "app_private.tg_consent_events__append_only()",
    find: "\n     and not exists (select 1 from app_public.quests where id = old.quest_id) then",
    replace: " then",
  },
  {
    id: "consent-events-unlink-rewrites-event",
    description: "consent_events: removing the quest reference may change the rest of the event too",
    function: "app_private.tg_consent_events__append_only()",
    find: "\n     and to_jsonb(new) - 'quest_id' = to_jsonb(old) - 'quest_id'",
    replace: "",
  },
  {
    id: "erasure-failure-stops-the-run",
    description: "erase_next_verified_user: a failing erasure raises again, stopping the job's loop",
    function: "app_jobs.erase_next_verified_user()",
    find: "error_kind := sqlstate;",
    replace: "raise;",
  },
  {
    id: "erasure-ignores-backoff",
    description: "erase_next_verified_user: a failed request is retried at once, ahead of the others",
    function: "app_jobs.erase_next_verified_user()",
    find: " and (r.next_attempt_at is null or r.next_attempt_at <= now())",
    replace: "",
  },
  // Issue 15, section 3: retention never erases an active user.
  {
    id: "retention-ignores-owned-rows",
    description: "retention: the rows a user writes (direct SQL included) are not activity",
    function: "app_private.last_activity(uuid[])",
    find: "\n      union all\n      %s",
    replace: "",
  },
  {
    id: "retention-ignores-audit-log",
    description: "retention: what the audit log records a user doing is not activity",
    function: "app_private.last_activity(uuid[])",
    find: "\n      select a.acting_user_id, max(a.at), 'audit_log' from app_private.audit_log a where a.acting_user_id = any ($1) group by 1\n      union all",
    replace: "",
  },
  {
    id: "retention-erases-without-notice-period",
    description: "retention: a notified user is erased at the next run, not 30 days after the notice",
    function: "app_private.retention_review()",
    find: "c.notified_at <= now() - interval '30 days'",
    replace: "true",
  },
  {
    id: "retention-notice-outlives-activity",
    description: "retention: activity after the notice does not withdraw it",
    function: "app_private.retention_review()",
    find: "when c.notified_at is not null and l.active_at > c.notified_at then 'cancel'",
    replace: "when false then 'cancel'",
  },
  // Issue 15's second review: a trace deleted before retention reads it, an erasure waiting on a
  // lock, a review completed over a swapped quest.
  {
    id: "retention-deletes-touched-records",
    description: "enforce_retention deletes builder sessions by creation time, today's edit included",
    function: "app_jobs.enforce_retention()",
    find: "greatest(b.created_at, b.updated_at)",
    replace: "b.created_at",
  },
  {
    id: "erasure-waits-on-locks",
    description: "an erasure waits on another user's row lock for as long as it is held",
    sql: "alter function app_jobs.erase_next_verified_user() reset lock_timeout",
  },
  {
    id: "review-completes-after-a-swap",
    description: "a review completes although the quest changed after it started",
    sql: "drop trigger _120_quest_unchanged_since_start on app_public.psychologist_reviews",
  },
  // Issue 16, section 4: the typeable erasure code is short, so its tries are limited (test/db/gdpr.test.ts).
  {
    id: "erasure-code-unlimited-tries",
    description: "confirm_data_deletion takes any number of wrong codes",
    function: "app_public.confirm_data_deletion(uuid, text)",
    find: "if wrong >= max_wrong then",
    replace: "if false then",
  },
  {
    id: "erasure-code-guesses-at-once",
    description: "concurrent guesses at one erasure code are not queued, so each escapes the others' count",
    function: "app_public.confirm_data_deletion(uuid, text)",
    find: "and r.requested_at > now() - interval '24 hours'\n  for update;",
    replace: "and r.requested_at > now() - interval '24 hours';",
  },
];
