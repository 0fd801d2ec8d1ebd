import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import path from "node:path";
import { authenticatorConnectionString, ConfigError, loadConfig, PROJECT_ROOT, readReplicaConnectionString, requireSecrets, ROLES, roleConnectionString } from "../../src/config.ts";
import { AuthError, appSecretsFrom } from "../../src/http/auth.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";

const execFileAsync = promisify(execFile);

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-config-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const PRODUCTION_DB = { NODE_ENV: "production", DATABASE_URL: "postgres://owner:pw@db.internal:5432/app" };

test("production without DATABASE_URL refuses to start rather than embed a database", () => {
  expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dataDir })).toThrow(
    new ConfigError("DATABASE_URL is required when NODE_ENV=production: the embedded database is for development only."),
  );
});

test("production names every missing secret at once and generates none", async () => {
  const config = loadConfig({ ...PRODUCTION_DB, DATA_DIR: dataDir, PAS_BOT_JWT_SECRET: "x".repeat(32) });
  expect(() =>
    requireSecrets(config, ["PAS_BOT_JWT_SECRET", "INNER_EDU_JWT_SECRET", "WORKER_DB_PASSWORD"]),
  ).toThrow(/Missing required environment variable\(s\): INNER_EDU_JWT_SECRET, WORKER_DB_PASSWORD\./);
  await expect(stat(path.join(dataDir, "dev-secrets.json"))).rejects.toThrow(/ENOENT/);
});

test("production refuses a short JWT secret, and calls it short, not missing", () => {
  const config = loadConfig({ ...PRODUCTION_DB, DATA_DIR: dataDir, PAS_BOT_JWT_SECRET: "short" });
  expect(() => config.secret("PAS_BOT_JWT_SECRET")).toThrow(/^PAS_BOT_JWT_SECRET is too short \(5 < 32 characters\)/);
  expect(() => requireSecrets(config, ["PAS_BOT_JWT_SECRET", "INNER_EDU_JWT_SECRET"])).toThrow(/^PAS_BOT_JWT_SECRET is too short \(5 < 32 characters\)/);
});

test("the master keys: short ones refused in production; the previous one must be another key", () => {
  const short = loadConfig({ ...PRODUCTION_DB, DATA_DIR: dataDir, DATA_ENCRYPTION_KEY: "short" });
  expect(() => masterKeys(short)).toThrow(
    new ConfigError("DATA_ENCRYPTION_KEY is too short (5 < 32 characters): production needs at least 32, e.g. from `openssl rand -base64 32`."),
  );
  const key = "k".repeat(32);
  const same = loadConfig({ ...PRODUCTION_DB, DATA_DIR: dataDir, DATA_ENCRYPTION_KEY: key, DATA_ENCRYPTION_KEY_PREVIOUS: key });
  expect(() => masterKeys(same)).toThrow(/DATA_ENCRYPTION_KEY_PREVIOUS is the same as DATA_ENCRYPTION_KEY/);
  const rotating = loadConfig({ ...PRODUCTION_DB, DATA_DIR: dataDir, DATA_ENCRYPTION_KEY: key, DATA_ENCRYPTION_KEY_PREVIOUS: "p".repeat(32) });
  expect(masterKeys(rotating)).toEqual({ current: key, previous: "p".repeat(32) });
  // Development generates one, like the other secrets.
  expect(masterKeys(loadConfig({ DATA_DIR: dataDir })).current).toHaveLength(32);
});

test("development generates secrets once, privately, and reuses them", async () => {
  const first = loadConfig({ DATA_DIR: dataDir });
  const secret = first.secret("PAS_BOT_JWT_SECRET");
  const file = path.join(dataDir, "dev-secrets.json");
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(JSON.parse(await readFile(file, "utf8")).PAS_BOT_JWT_SECRET).toBe(secret);
  expect(loadConfig({ DATA_DIR: dataDir }).secret("PAS_BOT_JWT_SECRET")).toBe(secret);
  // The environment always wins over the generated file.
  expect(loadConfig({ DATA_DIR: dataDir, PAS_BOT_JWT_SECRET: "from-env" }).secret("PAS_BOT_JWT_SECRET")).toBe("from-env");
});

test("a secrets file an older run left readable by others is made owner-only", async () => {
  const file = path.join(dataDir, "dev-secrets.json");
  await writeFile(file, JSON.stringify({ PAS_BOT_JWT_SECRET: "kept" }), { mode: 0o644 });
  await chmod(file, 0o644);
  expect(loadConfig({ DATA_DIR: dataDir }).secret("PAS_BOT_JWT_SECRET")).toBe("kept");
  expect((await stat(file)).mode & 0o777).toBe(0o600);
});

test("a blank DATA_DIR is the default folder, never the working directory", () => {
  expect(loadConfig({ DATA_DIR: "" }).embedded!.dataDir).toBe(path.join(PROJECT_ROOT, ".data"));
});

// Two first commands on a new data folder (say `npm start` and `db:seed` typed at once) must agree on the
// secrets, the embedded superuser's password among them: one initdb uses it, the other connects with it.
test("commands creating the development secrets at the same moment all get the same ones", async () => {
  const script = `import { loadConfig } from "./src/config.ts"; console.log(loadConfig().secret("EMBEDDED_SUPERUSER_PASSWORD"));`;
  const runs = Array.from({ length: 6 }, () =>
    execFileAsync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: PROJECT_ROOT,
      // Without the test run's secrets in the environment, which would win over the file.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_SECRET$|_PASSWORD$|_KEY$/.test(name))), DATA_DIR: dataDir },
    }),
  );
  const passwords = new Set((await Promise.all(runs)).map((run) => run.stdout.trim()));
  expect(passwords.size).toBe(1);
  expect(JSON.parse(await readFile(path.join(dataDir, "dev-secrets.json"), "utf8")).EMBEDDED_SUPERUSER_PASSWORD).toBe([...passwords][0]);
});

test("without DATABASE_URL the embedded cluster is used, with a superuser URL for roles", () => {
  const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: "6543" });
  expect(config.embedded).toEqual({ dataDir, port: 6543 });
  expect(config.ownerUrl).toMatch(/^postgres:\/\/app_owner:[^@]+@localhost:6543\/pas_in_peace$/);
  expect(config.rootUrl).toMatch(/^postgres:\/\/postgres:[^@]+@localhost:6543\/postgres$/);
});

test("with DATABASE_URL nothing is embedded and roles are left to ROOT_DATABASE_URL", () => {
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: "postgres://owner:pw@db:5432/app" });
  expect(config.embedded).toBeUndefined();
  expect(config.rootUrl).toBeUndefined();
});

test("TLS settings of DATABASE_URL reach every role's connection", () => {
  const tls = "sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fdb-ca.pem";
  const config = loadConfig({ ...PRODUCTION_DB, DATABASE_URL: `${PRODUCTION_DB.DATABASE_URL}?${tls}`, ...Object.fromEntries(
    ["PAS_BOT_JWT_SECRET", "INNER_EDU_JWT_SECRET", "PAS_BOT_DB_PASSWORD", "INNER_EDU_DB_PASSWORD", "AUTHENTICATOR_DB_PASSWORD", "WORKER_DB_PASSWORD"]
      .map((name, i) => [name, `${name.toLowerCase()}-${i}-long-enough-secret-value`]),
  ) });
  expect(new URL(config.ownerUrl).search).toBe(`?${tls}`);
  for (const role of Object.values(ROLES)) {
    const url = new URL(roleConnectionString(config, role));
    expect([role, url.username, url.searchParams.get("sslmode"), url.searchParams.get("sslrootcert")]).toEqual([role, role, "verify-full", "/etc/ssl/db-ca.pem"]);
  }
});

test.each([
  [{ PORT: "http" }, /PORT must be an integer from 0 to 65535, got "http"/],
  [{ METRICS_PORT: "-1" }, /METRICS_PORT must be an integer from 0 to 65535, got "-1"/],
  [{ PG_POOL_TIMEOUT_MS: "0" }, /PG_POOL_TIMEOUT_MS must be an integer from 100 to 600000, got "0"/],
  [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/],
  [{ DATABASE_URL: "mysql://x@y/z" }, /DATABASE_URL must look like postgres:\/\//],
  [{ DATABASE_URL: "not a url" }, /DATABASE_URL is not a URL/],
])("bad settings fail clearly: %o", (env, message) => {
  expect(() => loadConfig({ DATA_DIR: dataDir, ...env })).toThrow(message);
});

test("PG_PREPARED_STATEMENTS: on unless false (PgBouncer < 1.21 in transaction mode, docs/scaling.md §4)", () => {
  expect(loadConfig({ DATA_DIR: dataDir }).preparedStatements).toBe(true);
  expect(loadConfig({ DATA_DIR: dataDir, PG_PREPARED_STATEMENTS: "false" }).preparedStatements).toBe(false);
  expect(() => loadConfig({ DATA_DIR: dataDir, PG_PREPARED_STATEMENTS: "off" })).toThrow(/PG_PREPARED_STATEMENTS must be true or false, got "off"/);
});

test("PG_POOL_TIMEOUT_MS bounds the wait for a database connection: 3 s unless set", () => {
  expect(loadConfig({ DATA_DIR: dataDir }).poolTimeoutMs).toBe(3000);
  expect(loadConfig({ DATA_DIR: dataDir, PG_POOL_TIMEOUT_MS: "750" }).poolTimeoutMs).toBe(750);
});

test("READ_REPLICA_URL: unset by default; a postgres URL, given app_authenticator's password when it has none", () => {
  expect(loadConfig({ DATA_DIR: dataDir }).readReplicaUrl).toBeUndefined();
  expect(readReplicaConnectionString(loadConfig({ DATA_DIR: dataDir }))).toBeUndefined();
  expect(() => loadConfig({ DATA_DIR: dataDir, READ_REPLICA_URL: "replica:5432" })).toThrow(/READ_REPLICA_URL must look like postgres:\/\//);
  const withPassword = loadConfig({ DATA_DIR: dataDir, READ_REPLICA_URL: "postgres://app_authenticator:given@standby:5432/app" });
  expect(readReplicaConnectionString(withPassword)).toBe("postgres://app_authenticator:given@standby:5432/app");
  const without = loadConfig({ DATA_DIR: dataDir, READ_REPLICA_URL: "postgres://app_authenticator@standby:5432/app", AUTHENTICATOR_DB_PASSWORD: "p@ss" });
  expect(readReplicaConnectionString(without)).toBe("postgres://app_authenticator:p%40ss@standby:5432/app");
});

test("API_DATABASE_URL: the API's app_authenticator pool goes there (PgBouncer); unset, DATABASE_URL's server", () => {
  const db = { DATA_DIR: dataDir, DATABASE_URL: "postgres://owner:pw@db:5432/app", AUTHENTICATOR_DB_PASSWORD: "p@ss" };
  expect(authenticatorConnectionString(loadConfig(db))).toBe("postgres://app_authenticator:p%40ss@db:5432/app");
  const bounced = loadConfig({ ...db, API_DATABASE_URL: "postgres://app_authenticator@pgbouncer:6432/app" });
  expect(authenticatorConnectionString(bounced)).toBe("postgres://app_authenticator:p%40ss@pgbouncer:6432/app");
  // The owner's (migrations) and the worker's stay on DATABASE_URL: they need session features.
  expect(bounced.ownerUrl).toBe("postgres://owner:pw@db:5432/app");
  expect(new URL(roleConnectionString(bounced, ROLES.worker)).host).toBe("db:5432");
  expect(() => loadConfig({ ...db, API_DATABASE_URL: "pgbouncer:6432" })).toThrow(/API_DATABASE_URL must look like postgres:\/\//);
});

test("the two apps' JWT secrets must differ", () => {
  expect(() => appSecretsFrom(() => "same-secret")).toThrow(AuthError);
});
