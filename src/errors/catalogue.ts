// Every error code a client or an operator can meet, in one place: the SQLSTATEs our SQL raises
// (and the standard ones PostgreSQL raises for our constraints and policies), the GraphQL
// `extensions.code` each maps to, and the codes the HTTP layer answers with. maskError reads it,
// docs/errors.md is its table, and test/db/errors-catalogue.test.ts checks it against the live
// database (every code raised in SQL is here; every entry is raised somewhere).

/** One error a client or operator can meet. */
export interface CatalogueEntry {
  /** The five-character SQLSTATE (ours, like `STALE`, or PostgreSQL's); null for an error only the HTTP or GraphQL layer returns. */
  sqlstate: string | null;
  /**
   * The GraphQL `extensions.code` a client switches on; null when GraphQL masks the error (the client
   * reads "An error occurred (logged with id: …)", the log has the id and the SQLSTATE).
   */
  code: string | null;
  /** The functions (`schema.name`) whose bodies raise it, and the TypeScript modules that return it; [] when only PostgreSQL does. */
  raisedBy: readonly string[];
  /** When PostgreSQL raises it by itself (a constraint, a policy, a cast, a timeout); null when only `raisedBy` does. */
  byPostgres: string | null;
  /** What it means, in one line. */
  meaning: string;
}

export const ERROR_CATALOGUE = [
  {
    sqlstate: "STALE",
    code: "STALE_VERSION",
    raisedBy: ["app_private.tg__row_metadata", "app_private.tg_psychologist_reviews__quest_unchanged_since_start"],
    byPostgres: null,
    meaning: "The update named a `version` older than the row's: read the row again and retry with its current version.",
  },
  {
    sqlstate: "ACTOR",
    code: "WRONG_APP_FOR_USER",
    raisedBy: ["app_public.current_user_id", "src/http/auth.ts"],
    byPostgres: null,
    meaning: "This app's role may not act as this user's kind (pas_bot: parents, psychologists, admins; inner_edu: children). HTTP 403 before the operation runs.",
  },
  {
    sqlstate: "42501",
    code: "PERMISSION_DENIED",
    raisedBy: [
      "app_private.acting_user",
      "app_private.tg_consent_events__append_only",
      "app_private.tg_quests__no_self_moderation",
      "app_public.create_creative_project",
      "app_public.create_quest",
      "app_public.export_my_data",
      "app_public.request_data_deletion",
    ],
    byPostgres: "a missing grant, or a row a row-level security policy refuses",
    meaning: "The acting user may not do this (not theirs, not their kind, or not granted).",
  },
  {
    sqlstate: "23514",
    code: "CHECK_VIOLATION",
    raisedBy: [
      "app_private.tg__assign_only_psychologists",
      "app_private.tg__encrypt_p2",
      "app_private.tg_family_links__check_kinds",
      "app_private.tg_psychologist_reviews__not_by_the_author",
      "app_private.tg_quest_progress__as_played",
      "app_private.tg_quest_ratings__not_by_the_author",
      "app_private.tg_quests__derive_from_graph",
    ],
    byPostgres: "a CHECK constraint",
    meaning: "A rule of the data was broken; `extensions.constraint` names the rule.",
  },
  {
    sqlstate: "23502",
    code: "NOT_NULL_VIOLATION",
    raisedBy: ["app_private.tg__encrypt_p2"],
    byPostgres: "a NOT NULL column",
    meaning: "A required value is missing.",
  },
  {
    sqlstate: "23503",
    code: "FOREIGN_KEY_VIOLATION",
    raisedBy: [],
    byPostgres: "a foreign key",
    meaning: "The row names another row that does not exist (or is still named by others).",
  },
  {
    sqlstate: "23505",
    code: "UNIQUE_VIOLATION",
    raisedBy: [],
    byPostgres: "a unique constraint or index",
    meaning: "Such a row exists already; `extensions.constraint` names the rule (e.g. one rating per user and quest).",
  },
  {
    sqlstate: "22P02",
    code: "INVALID_INPUT",
    raisedBy: ["app_hidden.quest_graph_from_yaml", "app_hidden.yaml_value", "app_public.save_quest_yaml"],
    byPostgres: "a value that does not parse as its type (a malformed uuid)",
    meaning: "The input is malformed (a quest's YAML, a value of the wrong shape).",
  },
  {
    sqlstate: "22023",
    code: "INVALID_PARAMETER",
    raisedBy: [
      "app_jobs.request_job",
      "app_private.consent_flag",
      "app_public.add_coping_strategy",
      "app_public.can_share_with_parent",
      "app_public.confirm_data_deletion",
      "app_public.moderate_quest",
      "app_public.request_data_deletion",
      "app_public.update_profile_emotions",
      "app_public.update_quest_progress",
    ],
    byPostgres: null,
    meaning: "An argument is not one the function accepts; the message lists what it accepts.",
  },
  {
    sqlstate: "P0002",
    code: "NOT_FOUND",
    raisedBy: [
      "app_public.moderate_quest",
      "app_public.record_achievement",
      "app_public.save_quest_yaml",
      "app_public.set_quest_status",
      "app_public.update_project_progress",
      "app_public.update_quest_progress",
    ],
    byPostgres: null,
    meaning: "No such row that the acting user may use (it does not exist or is not theirs).",
  },
  {
    sqlstate: "57014",
    code: "QUERY_CANCELED",
    raisedBy: [],
    byPostgres: "statement_timeout, set per GraphQL request (STATEMENT_TIMEOUT)",
    meaning: "The request asked for more than the server gives one request.",
  },
  {
    sqlstate: "22004",
    code: null,
    raisedBy: ["app_public.moderate_quest", "app_jobs.request_job"],
    byPostgres: null,
    meaning: "A required argument is null: a moderation decision must name the version of the quest the moderator read; a keyed job request must name its job key.",
  },
  {
    sqlstate: "JOB01",
    code: null,
    raisedBy: ["app_private.tg_jobs__keyed_job_needs_request"],
    byPostgres: null,
    meaning: "A keyed job was queued around app_jobs.request_job (add_job with a job key, addJob with a jobKey): graphile-worker could drop it; queue it with request_job.",
  },
  {
    sqlstate: "KEY01",
    code: null,
    raisedBy: ["app_private.current_master_key"],
    byPostgres: null,
    meaning: "The transaction holds no master key: pass DATA_ENCRYPTION_KEY as app.data_encryption_key (docs/direct-sql.md).",
  },
  {
    sqlstate: "KEY02",
    code: null,
    raisedBy: ["app_private.unwrapped"],
    byPostgres: null,
    meaning: "A data key is wrapped with a master key the transaction lacks (wrong DATA_ENCRYPTION_KEY, or a rotation without DATA_ENCRYPTION_KEY_PREVIOUS).",
  },
  {
    sqlstate: "KEY03",
    code: null,
    raisedBy: ["app_private.unwrap_data_key"],
    byPostgres: null,
    meaning: "The user's data key is gone (their data was erased): the ciphertext cannot be read.",
  },
  {
    sqlstate: "KEY04",
    code: null,
    raisedBy: ["app_private.decrypt_p2"],
    byPostgres: null,
    meaning: "A P2 value does not decrypt with its owner's data key: it was altered or belongs to another user.",
  },
  {
    sqlstate: "KEY05",
    code: null,
    raisedBy: ["app_private.data_key_for_writing"],
    byPostgres: null,
    meaning: "The transaction's master key wraps none of the database's data keys (a mistyped DATA_ENCRYPTION_KEY): no data key was made.",
  },
  {
    sqlstate: "AUDIT",
    code: null,
    raisedBy: ["app_audit.append_durable"],
    byPostgres: null,
    meaning: "The durable audit record could not be written, so nothing was released.",
  },
  {
    sqlstate: "P0001",
    code: null,
    raisedBy: ["app_private.create_p2_reader"],
    byPostgres: null,
    meaning: "A migration registered an encrypted column on a table without a one-column uuid key (a developer's error, raised at migration time).",
  },
  {
    sqlstate: null,
    code: "UNAUTHENTICATED",
    raisedBy: ["src/http/auth.ts"],
    byPostgres: null,
    meaning: "HTTP 401: no token, a malformed Authorization header, a bad signature, an expired token, one living longer than `JWT_MAX_LIFETIME_SECONDS` or issued in the future.",
  },
  {
    sqlstate: null,
    code: "UNAVAILABLE",
    raisedBy: ["src/errors/unavailable.ts"],
    byPostgres: null,
    meaning:
      "HTTP 503 with Retry-After: the database could not serve the request (`extensions.reason`: `database_unreachable` — refused, reset, shutting down, crashed or starting up: 57P01/57P02/57P03/53300/08xxx — or `pool_exhausted` — no connection came free within PG_POOL_TIMEOUT_MS); what failed was not done: try again after `extensions.retryAfterSeconds`.",
  },
  {
    sqlstate: null,
    code: "OUTCOME_UNKNOWN",
    raisedBy: ["src/errors/unavailable.ts"],
    byPostgres: null,
    meaning: "HTTP 503 with Retry-After: the connection was lost while the transaction's COMMIT was on its way, so it may or may not have been saved: read it back before repeating a write.",
  },
  {
    sqlstate: null,
    code: "DEPTH_LIMIT_EXCEEDED",
    raisedBy: ["src/graphql/hardening.ts"],
    byPostgres: null,
    meaning: "The operation nests deeper than the server allows (MAX_QUERY_DEPTH).",
  },
] as const satisfies readonly CatalogueEntry[];

/** An `extensions.code` in the catalogue: what src/http and src/graphql may answer with. */
export type ClientCode = NonNullable<(typeof ERROR_CATALOGUE)[number]["code"]>;

/** SQLSTATE → the `extensions.code` under which GraphQL shows the error's message; SQLSTATEs not here are masked. */
export const CLIENT_CODE_BY_SQLSTATE: ReadonlyMap<string, ClientCode> = new Map(
  ERROR_CATALOGUE.flatMap((entry) => (entry.sqlstate !== null && entry.code !== null ? [[entry.sqlstate, entry.code]] : [])),
);
