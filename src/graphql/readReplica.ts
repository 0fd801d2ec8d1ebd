// Read-only GraphQL operations on a streaming replica (READ_REPLICA_URL; docs/scaling.md §3).
//
// The rule, decided from what the server knows and never from what the client says:
// - an operation goes to the replica only when it is a `query` and every root field it selects
//   (through fragments too) is in REPLICA_ROOT_FIELDS: fields we checked write nothing. Any other root
//   field — an audited read (getQuestAnalytics, canShareWithParent), one added later and not yet
//   reviewed, `query` (which re-exposes them all) — keeps the operation on the primary; mutations
//   always run there;
// - read-your-writes: after a user's mutation, that user's reads stay on the primary until the
//   replica has replayed the primary's WAL position taken just after the mutation committed
//   (pg_current_wal_lsn() there, pg_last_wal_replay_lsn() on the replica); overlapping mutations of a
//   user are counted, and the highest position kept. Per process: with several
//   API processes (API_PROCESSES), a read served by another process than the write may lag by the
//   replica's replay delay;
// - staleness, bounded: the replica serves reads only while it is a standby (pg_is_in_recovery()) that
//   answered the last poll, within two REPLICA_POLL_MS, and had replayed, then, all the primary had written
//   one poll earlier. A read there may miss others' changes of the last ~3 × REPLICA_POLL_MS (3 s), never
//   more: a paused or broken replication, or a promoted or copied server, sends every read to the primary;
// - the replica's loss: a read the replica cannot serve (connection refused or lost, the server
//   shutting down, no free connection in time, no answer within the pool's query_timeout) runs on the primary instead, and while the replica is
//   down (rechecked every REPLICA_POLL_MS) reads go straight to the primary. A statement the replica
//   refuses because it writes (25006, or the audit log's AUDIT when its durable write was refused)
//   or cancels for a conflict with recovery (40001) is run again on the primary, so a field wrongly
//   listed costs a retry, never an error.
import type pg from "pg";
import { createWithPgClient, type NodePostgresPgClient } from "postgraphile/adaptors/pg";
import type { WithPgClient as AnyWithPgClient } from "postgraphile/@dataplan/pg";
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from "postgraphile/graphql";
import { databaseUnavailability } from "../db/pool.ts";
import type { Logger } from "../observability/logger.ts";
import { operationOf } from "./operations.ts";

/** The `withPgClient` of the pg adaptor the preset uses (node-postgres). */
type WithPgClient = AnyWithPgClient<NodePostgresPgClient>;

/**
 * Root fields of `Query` that write nothing, so an operation made only of them may run on the replica:
 * the generated table reads (under RLS, whose helpers only read), and the functions that only read:
 * marketplaceQuests (the marketplace browse), myChildren, getRecommendations, currentUserId.
 * test/replica/routing.test.ts runs each on the replica (which refuses any write) as both apps: each must answer
 * as on the primary, and none may need the retry on the primary that a write would cause.
 */
export const REPLICA_ROOT_FIELDS: ReadonlySet<string> = new Set([
  "__typename",
  "currentUserId", "getRecommendations", "marketplaceQuests", "myChildren",
  "achievement", "achievementByChildIdAndAchievementTypeAndQuestId", "achievements",
  "childPrivacies", "childPrivacy", "childProgress", "childProgresses",
  "consentEvent", "consentEvents", "creativeProject", "creativeProjects",
  "dataDeletionRequest", "dataDeletionRequests", "familyLink", "familyLinkByParentIdAndChildId", "familyLinks",
  "goal", "goals", "letter", "letters", "message", "messages",
  "metricsSnapshot", "metricsSnapshotByUserIdAndSnapshotDate", "metricsSnapshots",
  "milestone", "milestoneByTrackIdAndMilestoneType", "milestones",
  "notification", "notificationByUserIdAndSourceKey", "notifications",
  "psychologicalProfile", "psychologicalProfiles", "psychologistReview", "psychologistReviews",
  "quest", "questBuilderSession", "questBuilderSessions", "questNode", "questNodeByQuestIdAndNodeKey", "questNodes",
  "questPrivacies", "questPrivacy", "questPrivacyByChildIdAndQuestId",
  "questProgress", "questProgressByChildIdAndQuestId", "questProgresses",
  "questRating", "questRatingByUserIdAndQuestId", "questRatings", "quests",
  "therapySession", "therapySessions", "user", "userByEmail", "userByTelegramId",
  "userQuestLibraries", "userQuestLibrary", "userQuestLibraryByUserIdAndQuestId",
  "userTrack", "userTrackByIdAndUserId", "userTrackByUserIdAndTrackType", "userTracks", "users",
]);

/** Root fields of `Query` that must run on the primary, and why (a test wants every root field in one of the two lists). */
export const PRIMARY_ROOT_FIELDS: Readonly<Record<string, string>> = {
  getQuestAnalytics: "writes a durable audit row (app_private.audit_read) on every call",
  canShareWithParent: "writes a durable audit row (app_private.audit_read) on every call",
  query: "re-exposes every root field, the audited ones too",
};

/** How often the replica is asked how far it has replayed (and so whether it answers), in ms. */
export const REPLICA_POLL_MS = 1000;
/** Past this many users with writes the replica may not have replayed, every read goes to the primary (a bound on memory). */
const MAX_PENDING_USERS = 100_000;
/** A write whose WAL position could not be read keeps its user's reads on the primary this long, in ms. */
const UNKNOWN_POSITION_HOLD_MS = 60_000;
/** SQLSTATEs after which a read is run again on the primary (see the header). */
const RETRY_ON_PRIMARY = new Set(["25006", "40001", "AUDIT"]);

/** The root field names a selection set selects, through fragment spreads and inline fragments; null for an unknown fragment. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] | null {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      names.push(selection.name.value);
      continue;
    }
    let inner: SelectionSetNode;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = selection.selectionSet;
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment) return null;
      if (seen.has(name)) continue;
      seen.add(name);
      inner = fragment.selectionSet;
    }
    const more = rootFields(inner, fragments, seen);
    if (!more) return null;
    names.push(...more);
  }
  return names;
}

/**
 * Whether the operation may run on the replica: a `query` whose root fields are all in
 * REPLICA_ROOT_FIELDS. False for a mutation, a subscription, any other root field, or a document
 * the server cannot resolve (no such operation, an unknown fragment).
 */
export function runsOnReplica(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = operationOf(document, operationName);
  if (!operation || operation.operation !== "query") return false;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const names = rootFields(operation.selectionSet, fragments);
  return names !== null && names.length > 0 && names.every((name) => REPLICA_ROOT_FIELDS.has(name));
}

/** A WAL position ("16/B374D848") as a number that orders like it. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split("/");
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** What a request's GraphQL context gets from the router: the pool its statements use. */
export interface RoutedContext {
  withPgClient?: WithPgClient;
}

export interface ReadReplicaRouterOptions {
  /** app_authenticator's pool on the primary (the one the pg service was made with). */
  primaryPool: pg.Pool;
  /** app_authenticator's pool on the replica (READ_REPLICA_URL). */
  replicaPool: pg.Pool;
  logger: Logger;
  /** REPLICA_POLL_MS unless set (tests). */
  pollMs?: number;
}

/** A user's writes that the replica may not have replayed yet. */
interface PendingWrites {
  /** Mutations of this user still running, or whose WAL position is still being read. */
  inFlight: number;
  /** The highest WAL position read just after one of them finished (null: none read yet). */
  lsn: bigint | null;
  /** A finished write whose position could not be read keeps the user on the primary until then (ms since 1970). */
  holdUntil: number;
}

/**
 * Chooses, per GraphQL operation, the pool its statements run on (see the header). `contextFor` is
 * called from the preset's `grafast.context`; `stop()` ends the replica's polling (not the pools).
 */
export class ReadReplicaRouter {
  private readonly options: ReadReplicaRouterOptions;
  private readonly pollMs: number;
  private readonly replica: WithPgClient;
  private readonly pending = new Map<string, PendingWrites>();
  /** pg_last_wal_replay_lsn() at the last poll that found the replica fresh enough. */
  private replayed: bigint | null = null;
  /** The primary's pg_current_wal_lsn() at the previous poll: the replica serves reads only once it has replayed that far. */
  private primaryBefore: bigint | null = null;
  /** Until when (ms since 1970) the last poll's verdict "fresh enough" holds: two polls, so a poll that hangs ends it. */
  private freshUntil = 0;
  /** Whether the last poll found a server that is not a standby (logged once per such stretch). */
  private notStandbyReported = false;
  /** Whether the replica answered the last poll (for the available/unavailable log lines). */
  private replicaUp = true;
  private readonly timer: NodeJS.Timeout;

  constructor(options: ReadReplicaRouterOptions) {
    this.options = options;
    this.pollMs = options.pollMs ?? REPLICA_POLL_MS;
    this.replica = createWithPgClient({ pool: options.replicaPool });
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    void this.poll();
  }

  /**
   * The context entries for one operation, given the primary's `withPgClient` (PgContextPlugin's) and
   * the acting user: a replica-backed `withPgClient` for a read that may go there, a primary one that
   * records the write's WAL position for a mutation, nothing (the primary) otherwise.
   */
  contextFor(args: { document: DocumentNode; operationName?: string | null }, primary: WithPgClient, userId: string): RoutedContext {
    const operation = operationOf(args.document, args.operationName);
    if (operation?.operation === "mutation") return { withPgClient: this.recordingWrites(primary, userId) };
    if (!runsOnReplica(args.document, args.operationName) || !this.fresh() || this.mustReadOwnWrite(userId)) return {};
    return { withPgClient: this.onReplica(primary) };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Whether the replica may serve reads now: it is a standby that answered the last poll (within two
   * polls) and had replayed by then everything the primary had written one poll earlier. A read there
   * may so miss others' changes of the last ~3 × REPLICA_POLL_MS, never more; a paused or broken
   * replication, or a server that is not a standby (promoted, a copy), sends every read to the primary.
   */
  private fresh(): boolean {
    return Date.now() < this.freshUntil && this.pending.size <= MAX_PENDING_USERS;
  }

  /** Whether the user wrote something the replica has not replayed yet. */
  private mustReadOwnWrite(userId: string): boolean {
    const writes = this.pending.get(userId);
    if (!writes) return false;
    if (writes.inFlight === 0 && Date.now() >= writes.holdUntil && (writes.lsn === null || (this.replayed !== null && this.replayed >= writes.lsn))) {
      this.pending.delete(userId);
      return false;
    }
    return true;
  }

  private recordingWrites(primary: WithPgClient, userId: string): WithPgClient {
    // Counted before the write starts, so a read arriving while it runs or its position is read stays on the primary.
    const writes = this.pending.get(userId) ?? { inFlight: 0, lsn: null, holdUntil: 0 };
    writes.inFlight++;
    this.pending.set(userId, writes);
    return async (pgSettings, callback) => {
      try {
        return await primary(pgSettings, callback);
      } finally {
        // After COMMIT (or ROLLBACK): any position from now on covers the write. The highest one read is
        // kept: an older write's position arriving late never replaces a newer one's.
        this.options.primaryPool.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn").then(
          ({ rows }) => {
            const lsn = parseLsn(rows[0]!.lsn);
            if (writes.lsn === null || writes.lsn < lsn) writes.lsn = lsn;
            writes.inFlight--;
          },
          () => {
            // Unknown position: the user's reads stay on the primary for a while.
            writes.holdUntil = Date.now() + UNKNOWN_POSITION_HOLD_MS;
            writes.inFlight--;
          },
        );
      }
    };
  }

  private onReplica(primary: WithPgClient): WithPgClient {
    return async (pgSettings, callback) => {
      if (!this.replicaUp) return primary(pgSettings, callback);
      try {
        return await this.replica(pgSettings, callback);
      } catch (error) {
        const unavailable = databaseUnavailability(error);
        // pg's words when the pool's query_timeout passed without an answer (app.ts): a replica that hangs.
        const silent = (error as Error | null)?.message === "Query read timeout";
        if (unavailable || silent) {
          if (silent || unavailable?.reason === "database_unreachable") this.markDown(error);
          return primary(pgSettings, callback);
        }
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === "string" && RETRY_ON_PRIMARY.has(code)) {
          this.options.logger.warn({ event: "replica_read_retried", code }, "a read the replica refused ran on the primary");
          return primary(pgSettings, callback);
        }
        throw error;
      }
    };
  }

  private markDown(error: unknown): void {
    this.freshUntil = 0;
    if (!this.replicaUp) return;
    this.replicaUp = false;
    this.options.logger.warn({ event: "replica_unavailable", err: (error as Error).message }, "read replica unavailable: reads go to the primary");
  }

  /**
   * Every REPLICA_POLL_MS: the primary's WAL position, and the replica's replay position and whether it is a
   * standby. Its answer (or not) is also the replica's health; see fresh() for what makes it serve reads.
   * Public for tests, which may drive it themselves (with a `pollMs` too long to fire).
   */
  async poll(): Promise<void> {
    const asked = Date.now();
    let primaryNow: bigint | null = null;
    try {
      const { rows } = await this.options.primaryPool.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
      primaryNow = parseLsn(rows[0]!.lsn);
    } catch {
      // The primary's own trouble is reported elsewhere; without its position the replica cannot be judged.
    }
    try {
      const { rows } = await this.options.replicaPool.query<{ standby: boolean; lsn: string | null }>(
        "select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn",
      );
      const replayed = rows[0]?.standby && rows[0].lsn ? parseLsn(rows[0].lsn) : null;
      if (!this.replicaUp) {
        this.replicaUp = true;
        this.options.logger.info({ event: "replica_available" }, "read replica answers again");
      }
      // The first poll has no earlier position of the primary: then the one read just now must be reached.
      const mustReach = this.primaryBefore ?? primaryNow;
      const fresh = replayed !== null && mustReach !== null && replayed >= mustReach;
      if (fresh) {
        this.replayed = replayed;
        this.freshUntil = asked + 2 * this.pollMs;
      } else {
        this.freshUntil = 0;
      }
      if (replayed === null && !this.notStandbyReported) {
        this.options.logger.warn({ event: "replica_not_standby" }, "READ_REPLICA_URL is not a standby in recovery: reads go to the primary");
      }
      this.notStandbyReported = replayed === null;
    } catch (error) {
      this.markDown(error);
    }
    if (primaryNow !== null) this.primaryBefore = primaryNow;
    // A user's entry is no longer needed once the replica has replayed past it; while the replica is not
    // fresh, once its position is below what the replica must reach before it serves reads again.
    const cover = Date.now() < this.freshUntil ? this.replayed : this.primaryBefore;
    const now = Date.now();
    for (const [userId, writes] of this.pending) {
      if (writes.inFlight === 0 && now >= writes.holdUntil && (writes.lsn === null || (cover !== null && cover >= writes.lsn))) {
        this.pending.delete(userId);
      }
    }
  }
}
