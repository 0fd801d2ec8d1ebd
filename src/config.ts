// Configuration from the environment (names fixed by ../shared/CONTRACT.md).
// Development fills missing secrets from a generated file in the data folder;
// production never does: a missing secret is a start-up error.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "./errors.ts";

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

/** The shortest secret production takes where length is what protects it (JWT secrets, the master key). */
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

export class ConfigError extends UserError {
  override name = "ConfigError";
}

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
  /** Connection pool size of the GraphQL server (app_authenticator). */
  poolMax: number;
  /** TRUSTED_DOCUMENTS_DIR: when set, /graphql runs only the documents stored there (`<sha256>.graphql`). */
  trustedDocumentsDir: string | undefined;
  /** METRICS_PORT: when set, a standalone worker serves /metrics and /healthz there (0: any free port). */
  metricsPort: number | undefined;
  /** LOG_LEVEL: the JSON logs' level. */
  logLevel: LogLevel;
  /** DATA_ENCRYPTION_KEY_PREVIOUS: the master key being rotated out, while its data keys are re-wrapped. */
  previousDataEncryptionKey: string | undefined;
  secret(name: SecretName): string;
}

const EMBEDDED_DATABASE = "pas_in_peace";
const EMBEDDED_OWNER = "app_owner";

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === "production";
  const dataDir = path.resolve(env.DATA_DIR ?? path.join(PROJECT_ROOT, ".data"));
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
    ? parseDatabaseUrl("DATABASE_URL", env.DATABASE_URL).href
    : `postgres://${EMBEDDED_OWNER}:${secrets.get("EMBEDDED_OWNER_PASSWORD")}@localhost:${embedded!.port}/${EMBEDDED_DATABASE}`;
  const rootUrl = env.ROOT_DATABASE_URL
    ? parseDatabaseUrl("ROOT_DATABASE_URL", env.ROOT_DATABASE_URL).href
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
    trustedDocumentsDir: env.TRUSTED_DOCUMENTS_DIR ? path.resolve(env.TRUSTED_DOCUMENTS_DIR) : undefined,
    metricsPort: env.METRICS_PORT ? parseIntSetting(env, "METRICS_PORT", 0, 0, 65535) : undefined,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    previousDataEncryptionKey: env.DATA_ENCRYPTION_KEY_PREVIOUS || undefined,
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
      if (!(e instanceof ConfigError)) throw e;
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

function parseDatabaseUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected postgres://user:password@host:port/database).`);
  }
  if (!/^postgres(ql)?:$/.test(url.protocol) || !url.username || url.pathname.length < 2) {
    throw new ConfigError(`${name} must look like postgres://user:password@host:port/database.`);
  }
  return url;
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
        throw new ConfigError(`${name} must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters long in production.`);
      }
      return fromEnv;
    }
    if (this.production) {
      throw new ConfigError(`Missing required environment variable ${name} (NODE_ENV=production).`);
    }
    return this.developmentSecrets()[name]!;
  }

  private developmentSecrets(): Partial<Record<SecretName, string>> {
    if (!this.generated) {
      const stored: Partial<Record<SecretName, string>> = existsSync(this.file)
        ? JSON.parse(readFileSync(this.file, "utf8"))
        : {};
      const missing = SECRET_NAMES.filter((name) => !stored[name]);
      for (const name of missing) stored[name] = randomBytes(24).toString("base64url");
      if (missing.length > 0) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        writeFileSync(this.file, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
      }
      this.generated = stored;
    }
    return this.generated;
  }
}
