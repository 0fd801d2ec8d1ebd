// The PostGraphile v5 preset both apps share: Amber, simplified inflection,
// pg-aggregates off by default (tables opt in through behaviors), app_public only,
// no Relay node ids.
import type {} from "postgraphile/grafserv/express/v4";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { PgAggregatesPreset } from "@graphile/pg-aggregates";
import persisted from "@grafserv/persisted";
import type pg from "pg";
import { AggregateDocsPlugin } from "./aggregateDocsPlugin.ts";
import { BehaviorsPlugin } from "./behaviors.ts";
import { FunctionDocsPlugin } from "./functionDocsPlugin.ts";
import { GRAPHIQL_CONFIG } from "./graphiql.ts";
import { makeHardeningPlugin } from "./hardening.ts";
import { makeMaskError } from "./maskError.ts";
import type { ReadReplicaRouter } from "./readReplica.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import { makeTelemetryPlugin } from "../observability/graphqlTelemetry.ts";
import { type MasterKeys, masterKeySettings } from "../privacy/masterKeys.ts";

export { MAX_QUERY_DEPTH } from "./hardening.ts";

// A CommonJS module: the plugin is its `exports.default`.
const PersistedPlugin = persisted.default;

/**
 * Aggregates expose a child's play if left on: a table gets them only by an explicit
 * `+aggregates` behavior (behaviors.ts), and then only for the columns it names.
 */
export const DEFAULT_BEHAVIOR =
  "-aggregates -groupedAggregates -aggregates:filterBy -aggregates:orderBy -aggregate -groupBy -groupedAggregates:having";

/** With no Relay `id` to clash with, a column named `id` keeps its name instead of becoming `rowId`. */
const KeepIdColumnNamePlugin: GraphileConfig.Plugin = {
  name: "KeepIdColumnNamePlugin",
  version: "1.0.0",
  inflection: {
    replace: {
      _attributeName(previous, _options, details) {
        return previous!({ ...details, skipRowId: true });
      },
    },
  },
};

export const MAX_REQUEST_BYTES = 256 * 1024;
export const STATEMENT_TIMEOUT = "10s";

/** Who a request acts as: the database role it runs under and the user `app.user_id` names. */
export interface RequestIdentity {
  role: string;
  userId: string;
}

/**
 * `identityOf` is given by the HTTP layer (src/http/app.ts), which verified the request's token
 * before the request got here: the identity flows down, JWT → role → `app.user_id` → RLS, and this
 * module imports nothing from src/http. It returns undefined for a request nobody verified.
 */
export function makePreset(options: {
  pool: pg.Pool;
  identityOf: (requestContext: Partial<Grafast.RequestContext>) => RequestIdentity | undefined;
  production: boolean;
  /** Given to every request's transaction, for the P2 columns (masterKeys.ts). */
  masterKeys: MasterKeys;
  statementTimeout?: string;
  trustedDocumentsDir?: string;
  /** The database role each app's requests run as, when not the app's own (the benchmark's RLS-bypassing twins). */
  roleFor?: (appRole: string) => string;
  /** Chooses the pool of each operation (READ_REPLICA_URL: readReplica.ts); unset, every statement runs on `pool`. */
  readReplica?: ReadReplicaRouter;
  /** Times, counts and logs every operation (the HTTP service's; the schema export has none). */
  telemetry?: { metrics: Metrics; logger: Logger };
}): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, PgAggregatesPreset],
    // Rows are identified by their uuid `id`, the same value direct SQL and JWT `sub` use;
    // Relay global node ids would hide it, so the Node interface is off (as in graphile/starter).
    disablePlugins: ["NodePlugin"],
    plugins: [
      KeepIdColumnNamePlugin,
      FunctionDocsPlugin,
      AggregateDocsPlugin,
      BehaviorsPlugin,
      makeHardeningPlugin(options),
      ...(options.trustedDocumentsDir ? [PersistedPlugin] : []),
      ...(options.telemetry ? [makeTelemetryPlugin(options.telemetry.metrics, options.telemetry.logger)] : []),
    ],
    pgServices: [makePgService({ pool: options.pool, schemas: ["app_public"] })],
    schema: {
      defaultBehavior: DEFAULT_BEHAVIOR,
    },
    // GraphiQL (served only outside production): a pasted token survives reloads (graphiql.ts).
    ruru: GRAPHIQL_CONFIG,
    grafserv: {
      graphqlPath: "/graphql",
      graphiql: !options.production,
      graphiqlPath: "/graphiql",
      graphiqlOnGraphQLGET: false,
      // GET requests could be forged from other sites; the apps POST.
      graphqlOverGET: false,
      // Bytes of request body; a quest graph is far smaller.
      maxRequestLength: MAX_REQUEST_BYTES,
      watch: false,
      maskError: makeMaskError(options.telemetry?.logger ?? createLogger()),
      // Trusted documents: first-party clients send `documentId` (the document's sha256)
      // instead of `query`; any other document is refused.
      ...(options.trustedDocumentsDir
        ? { persistedOperationsDirectory: options.trustedDocumentsDir, allowUnpersistedOperation: false }
        : {}),
    },
    grafast: {
      context(requestContext, args) {
        const identity = options.identityOf(requestContext);
        if (!identity) {
          // requireAppToken guards every route to the schema; reaching here unauthenticated is a bug.
          throw new Error("GraphQL request without a verified identity");
        }
        return {
          pgSettings: {
            role: options.roleFor ? options.roleFor(identity.role) : identity.role,
            "app.user_id": identity.userId,
            // No request holds the database longer than this.
            statement_timeout: options.statementTimeout ?? STATEMENT_TIMEOUT,
            ...masterKeySettings(options.masterKeys),
          },
          // The primary's withPgClient (PgContextPlugin's, already in the context) or the replica's.
          ...options.readReplica?.contextFor(args, (args.contextValue as Grafast.Context).withPgClient, identity.userId),
        };
      },
    },
  };
}
