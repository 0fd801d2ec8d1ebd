// Configuration from the environment (the names and defaults: README.md, "Environment").
// Development fills missing secrets from a generated file in the data folder;
// production never does: a missing secret is a start-up error.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "./errors/index.ts";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Fixed role names (contract: "Roles and identity"). The owner is whoever DATABASE_URL names. */
export const ROLES = {
  authenticator: "app_authenticator",
  pasBot: "pas_bot_user",
  innerEdu: "inner_edu_user",
  worker: "app_worker",
} as const;

export type RoleName = (typeof ROLES)[keyof typeof ROLES];

/** Which secret holds each fixed role's password. */
export const ROLE_PASSWORD_SECRET = {
  app_authenticator: "AUTHENTICATOR_DB_PASSWORD",
  pas_bot_user: "PAS_BOT_DB_PASSWORD",
  inner_edu_user: "INNER_EDU_DB_PASSWORD",
  app_worker: "WORKER_DB_PASSWORD",
} as const satisfies Record<RoleName, string>;

/** The two apps a JWT can belong to, and the database role each one runs as. */
export const APPS = {
  pas_bot: { role: ROLES.pasBot, secretName: "PAS_BOT_JWT_SECRET" },
  inner_edu: { role: ROLES.innerEdu, secretName: "INNER_EDU_JWT_SECRET" },
} as const;
export type AppName = keyof typeof APPS;

export const SECRET_NAMES = [
  "PAS_BOT_JWT_SECRET",
  "INNER_EDU_JWT_SECRET",
  "PAS_BOT_DB_PASSWORD",
  "INNER_EDU_DB_PASSWORD",
  "AUTHENTICATOR_DB_PASSWORD",
  "WORKER_DB_PASSWORD",
  // app_audit_writer's: only db:migrate (with ROOT_DATABASE_URL) uses it, to set it and store it in the database.
  "AUDIT_WRITER_DB_PASSWORD",
  // The master key of P2 encryption at rest (src/privacy/masterKeys.ts).
  "DATA_ENCRYPTION_KEY",
  // Only used when the embedded cluster is the database.
  "EMBEDDED_SUPERUSER_PASSWORD",
  "EMBEDDED_OWNER_PASSWORD",
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** JWT_MAX_LIFETIME_SECONDS's default: 7 days, the longest life of the tokens we mint (src/http/auth.ts). */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The shortest secret production takes where length is what protects it (JWT secrets, the master key). */
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

export class ConfigError extends UserError {
  override name = "ConfigError";
}

/** A secret production needs and the environment lacks (requireSecrets lists them all at once). */
class MissingSecretError extends ConfigError {}

export interface EmbeddedSettings {
  dataDir: string;
  port: number;
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}".`);
}

export interface Config {
  production: boolean;
  httpPort: number;
  /** DATABASE_URL: the owner's connection (unset: the embedded cluster's). */
  ownerUrl: string;
  /** ROOT_DATABASE_URL: a superuser, used only to create roles and the database. */
  rootUrl: string | undefined;
  /** Set when no DATABASE_URL was given: the cluster start.ts must run. */
  embedded: EmbeddedSettings | undefined;
  /** Connection pool size of the GraphQL server (app_authenticator), per API process: API_PROCESSES × PG_POOL_MAX in all. */
  poolMax: number;
  /**
   * API_PROCESSES: how many API processes `npm start` runs, sharing PORT through node:cluster (src/http/cluster.ts);
   * 1 to 64, default the cores node may use (os.availableParallelism()). 1: one process, no cluster.
   */
  apiProcesses: number;
  /**
   * READ_REPLICA_URL: app_authenticator's connection string on a streaming replica of the database (without a password,
   * AUTHENTICATOR_DB_PASSWORD's is used). When set, read-only GraphQL operations that write nothing run there
   * (src/graphql/readReplica.ts, docs/scaling.md §3); unset, everything runs on the primary.
   */
  readReplicaUrl: string | undefined;
  /** PG_POOL_TIMEOUT_MS: how long a GraphQL request waits for a database connection (a free one, or a new one made) before it gets 503. */
  poolTimeoutMs: number;
  /**
   * PG_PREPARED_STATEMENTS (default true): whether the API prepares its queries as named statements. false behind
   * PgBouncer older than 1.21 in transaction mode, which cannot keep them (docs/scaling.md §4).
   */
  preparedStatements: boolean;
  /**
   * API_DATABASE_URL: app_authenticator's connection string for the API's GraphQL pool, e.g. through PgBouncer in
   * transaction mode (docs/scaling.md §4); without a password it gets AUTHENTICATOR_DB_PASSWORD's. Unset: DATABASE_URL's
   * server. The owner, the worker and migrations always use DATABASE_URL (they need session features).
   */
  apiDatabaseUrl: string | undefined;
  /** TRUSTED_DOCUMENTS_DIR: when set, /graphql runs only the documents stored there (`<sha256>.graphql`). */
  trustedDocumentsDir: string | undefined;
  /** METRICS_PORT: when set, a standalone worker serves /metrics and /healthz there (0: any free port). */
  metricsPort: number | undefined;
  /** LOG_LEVEL: the JSON logs' level. */
  logLevel: LogLevel;
  /** WORKER_IN_PROCESS: whether `npm start` runs graphile-worker beside the server (false: `npm run worker` runs elsewhere). */
  workerInProcess: boolean;
  /** DATA_ENCRYPTION_KEY_PREVIOUS: the master key being rotated out, while its data keys are re-wrapped. */
  previousDataEncryptionKey: string | undefined;
  /** JWT_MAX_LIFETIME_SECONDS: the longest life the API accepts in a token (exp − iat, or exp − now without iat). */
  jwtMaxLifetimeSeconds: number;
  secret(name: SecretName): string;
}

/** PG_POOL_TIMEOUT_MS's default: well under the statement timeout (10 s), long enough for a burst to drain. */
export const DEFAULT_POOL_TIMEOUT_MS = 3000;

const EMBEDDED_DATABASE = "pas_in_peace";
const EMBEDDED_OWNER = "app_owner";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === "production";
  // A blank DATA_DIR is unset: path.resolve("") is the working directory, which would put secrets in the checkout.
  const dataDir = path.resolve(env.DATA_DIR || path.join(PROJECT_ROOT, ".data"));
  const secrets = new SecretSource(env, production, path.join(dataDir, "dev-secrets.json"));

  if (!env.DATABASE_URL && production) {
    throw new ConfigError(
      "DATABASE_URL is required when NODE_ENV=production: the embedded database is for development only.",
    );
  }
  const embedded = env.DATABASE_URL
    ? undefined
    : { dataDir, port: parseIntSetting(env, "EMBEDDED_PG_PORT", 5433, 1, 65535) };
  const ownerUrl = env.DATABASE_URL
    ? parseDatabaseUrl("DATABASE_URL", env.DATABASE_URL, env.DATABASE_PASSWORD).href
    : `postgres://${EMBEDDED_OWNER}:${secrets.get("EMBEDDED_OWNER_PASSWORD")}@localhost:${embedded!.port}/${EMBEDDED_DATABASE}`;
  const rootUrl = env.ROOT_DATABASE_URL
    ? parseDatabaseUrl("ROOT_DATABASE_URL", env.ROOT_DATABASE_URL, env.ROOT_DATABASE_PASSWORD).href
    : embedded
      ? `postgres://postgres:${secrets.get("EMBEDDED_SUPERUSER_PASSWORD")}@localhost:${embedded.port}/postgres`
      : undefined;

  return {
    production,
    httpPort: parseIntSetting(env, "PORT", 5678, 0, 65535),
    ownerUrl,
    rootUrl,
    embedded,
    poolMax: parseIntSetting(env, "PG_POOL_MAX", 20, 1, 1000),
    apiProcesses: parseIntSetting(env, "API_PROCESSES", Math.min(availableParallelism(), 64), 1, 64),
    poolTimeoutMs: parseIntSetting(env, "PG_POOL_TIMEOUT_MS", DEFAULT_POOL_TIMEOUT_MS, 100, 600_000),
    preparedStatements: parseBooleanSetting(env, "PG_PREPARED_STATEMENTS", true),
    apiDatabaseUrl: env.API_DATABASE_URL ? parseDatabaseUrl("API_DATABASE_URL", env.API_DATABASE_URL, undefined).href : undefined,
    readReplicaUrl: env.READ_REPLICA_URL ? parseDatabaseUrl("READ_REPLICA_URL", env.READ_REPLICA_URL, undefined).href : undefined,
    trustedDocumentsDir: env.TRUSTED_DOCUMENTS_DIR ? path.resolve(env.TRUSTED_DOCUMENTS_DIR) : undefined,
    metricsPort: env.METRICS_PORT ? parseIntSetting(env, "METRICS_PORT", 0, 0, 65535) : undefined,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    workerInProcess: parseBooleanSetting(env, "WORKER_IN_PROCESS", true),
    previousDataEncryptionKey: env.DATA_ENCRYPTION_KEY_PREVIOUS || undefined,
    // 1 minute to 30 days: a JWT cannot be revoked before it expires.
    jwtMaxLifetimeSeconds: parseIntSetting(env, "JWT_MAX_LIFETIME_SECONDS", DEFAULT_JWT_MAX_LIFETIME_SECONDS, 60, 30 * 24 * 3600),
    secret: (name) => secrets.get(name),
  };
}

/** Throws one error naming every missing secret, so production fails once with the whole list. */
export function requireSecrets(config: Config, names: readonly SecretName[]): void {
  const missing: string[] = [];
  for (const name of names) {
    try {
      config.secret(name);
    } catch (e) {
      if (!(e instanceof MissingSecretError)) throw e;
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `Missing required environment variable(s): ${missing.join(", ")}. ` +
        "With NODE_ENV=production no secret is ever generated.",
    );
  }
}

/** Database name and owner role come from the owner URL. */
export function describeDatabase(ownerUrl: string): { database: string; owner: string } {
  const url = new URL(ownerUrl);
  return { database: decodeURIComponent(url.pathname.slice(1)), owner: decodeURIComponent(url.username) };
}

/** The same server and database as `url`, logged in as another role. */
export function urlForRole(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.href;
}

/** The app database, logged in as one of the fixed roles with its password. */
export function roleConnectionString(config: Config, role: RoleName): string {
  return urlForRole(config.ownerUrl, role, config.secret(ROLE_PASSWORD_SECRET[role]));
}

/** An app_authenticator URL given by a setting, with AUTHENTICATOR_DB_PASSWORD filled in when it has no password. */
function withAuthenticatorPassword(config: Config, given: string): string {
  const url = new URL(given);
  if (!url.password) url.password = encodeURIComponent(config.secret(ROLE_PASSWORD_SECRET[ROLES.authenticator]));
  return url.href;
}

/** READ_REPLICA_URL as the API connects with it: app_authenticator's password filled in when the URL has none. */
export function readReplicaConnectionString(config: Config): string | undefined {
  return config.readReplicaUrl ? withAuthenticatorPassword(config, config.readReplicaUrl) : undefined;
}

/** The API's app_authenticator connection: API_DATABASE_URL (its password AUTHENTICATOR_DB_PASSWORD's unless it has one), else DATABASE_URL's server. */
export function authenticatorConnectionString(config: Config): string {
  return config.apiDatabaseUrl ? withAuthenticatorPassword(config, config.apiDatabaseUrl) : roleConnectionString(config, ROLES.authenticator);
}

/** The same server as `url`, another database. */
export function urlForDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.href;
}

/** ROOT_DATABASE_URL; `why` completes "… needs a superuser" when none is known. */
export function superuserUrl(config: Config, why: string): string {
  if (!config.rootUrl) throw new ConfigError(`${why}, which needs a superuser: set ROOT_DATABASE_URL.`);
  return config.rootUrl;
}

/** The app database, logged in as the superuser (see superuserUrl). */
export function appDatabaseAsSuperuser(config: Config, why: string): string {
  return urlForDatabase(superuserUrl(config, why), describeDatabase(config.ownerUrl).database);
}

/**
 * A connection URL setting, checked. `password` (DATABASE_PASSWORD / ROOT_DATABASE_PASSWORD), when
 * given, replaces the URL's password, encoded here: a generated secret (base64: / + =) need not be
 * URL-encoded by hand. Errors are ConfigErrors; when the user or password seems to hold a reserved
 * character, they say to URL-encode it.
 */
function parseDatabaseUrl(name: string, value: string, password: string | undefined): URL {
  const hint = reservedCharacterHint(name, value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected postgres://user:password@host:port/database).${hint}`);
  }
  if (!/^postgres(ql)?:$/.test(url.protocol) || !url.username || url.pathname.length < 2) {
    throw new ConfigError(`${name} must look like postgres://user:password@host:port/database.${hint}`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new ConfigError(`${name}: the user or password holds a "%" that is not followed by two hex digits.${hint}`);
  }
  if (password) url.password = encodeURIComponent(password);
  return url;
}

/** The advice for a URL whose user or password (before the last "@") holds a character a URL reserves. */
function reservedCharacterHint(name: string, value: string): string {
  const scheme = value.indexOf("://");
  const userinfo = scheme < 0 ? "" : value.slice(scheme + 3, Math.max(value.lastIndexOf("@"), scheme + 3));
  if (!/[/?#@%\s]/.test(userinfo)) return "";
  const passwordSetting = name.replace(/_URL$/, "_PASSWORD");
  return (
    ` Its user or password seems to hold a reserved character (/ ? # @ % or a space): URL-encode it ` +
    `(node -p 'encodeURIComponent(process.argv[1])' '<password>'), or leave it out of ${name} and set ${passwordSetting}.`
  );
}

function parseBooleanSetting(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ConfigError(`${name} must be true or false, got "${raw}".`);
}

function parseIntSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

/**
 * Secrets from the environment; in development, missing ones are generated
 * once into a 0600 file in the (gitignored) data folder and reused.
 */
class SecretSource {
  private generated: Partial<Record<SecretName, string>> | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly production: boolean;
  private readonly file: string;

  constructor(env: NodeJS.ProcessEnv, production: boolean, file: string) {
    this.env = env;
    this.production = production;
    this.file = file;
  }

  get(name: SecretName): string {
    const fromEnv = this.env[name];
    if (fromEnv) {
      if (this.production && (name.endsWith("_JWT_SECRET") || name === "DATA_ENCRYPTION_KEY") && fromEnv.length < MIN_PRODUCTION_SECRET_LENGTH) {
        throw new ConfigError(
          `${name} is too short (${fromEnv.length} < ${MIN_PRODUCTION_SECRET_LENGTH} characters): production needs at least ` +
            `${MIN_PRODUCTION_SECRET_LENGTH}, e.g. from \`openssl rand -base64 32\`.`,
        );
      }
      return fromEnv;
    }
    if (this.production) {
      throw new MissingSecretError(`Missing required environment variable ${name} (NODE_ENV=production).`);
    }
    return this.developmentSecrets()[name]!;
  }

  private developmentSecrets(): Partial<Record<SecretName, string>> {
    this.generated ??= this.loadOrCreateDevelopmentSecrets();
    return this.generated;
  }

  /**
   * Reads the development secrets, adding any that are missing. Two first commands on a new data folder
   * must end with the same secrets (the embedded superuser's password among them): the file is created
   * whole by an exclusive link, and the command that loses the race reads the winner's file.
   */
  private loadOrCreateDevelopmentSecrets(): Partial<Record<SecretName, string>> {
    const existed = existsSync(this.file);
    const stored: Partial<Record<SecretName, string>> = existed ? JSON.parse(readFileSync(this.file, "utf8")) : {};
    // Owner-only, also when an older run left it readable by others.
    if (existed) chmodSync(this.file, 0o600);
    const missing = SECRET_NAMES.filter((name) => !stored[name]);
    if (missing.length === 0) return stored;
    for (const name of missing) stored[name] = randomBytes(24).toString("base64url");
    mkdirSync(path.dirname(this.file), { recursive: true });
    const staged = `${this.file}.${process.pid}.tmp`;
    writeFileSync(staged, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
    try {
      if (existed) renameSync(staged, this.file);
      else linkSync(staged, this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      return JSON.parse(readFileSync(this.file, "utf8"));
    } finally {
      rmSync(staged, { force: true });
    }
    return stored;
  }

}
