// Issue 16 §2: the embedded cluster's life on any machine. A host locale that does not
// exist, a first start killed during initdb, the superuser password on disk during
// initdb, owner-only files, and Ctrl-C reaching only our process (PostgreSQL runs in a
// process group of its own), which stops HTTP, the worker, then the database.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type EmbeddedCluster, startEmbeddedCluster } from "../../src/db/embeddedPostgres.ts";
import { embeddedEnv, postgresProcessesUsing, spawnNpm, until, untilReady } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

/** Each test runs initdb once or twice (seconds each on 2 shared cores), some a whole `npm start`. */
const SLOW = 240_000;

const folders: string[] = [];
async function folder(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  folders.push(dir);
  // Open to all, as older versions needed it: a start must make it owner-only itself.
  await chmod(dir, 0o755);
  return dir;
}

afterAll(async () => {
  for (const dir of folders) {
    expect(await postgresProcessesUsing(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  }
});

/** Runs `fn` with these variables set in this process's environment (which the cluster's children inherit). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

test("a host locale this machine lacks (LANG=LC_ALL=en_GB.UTF-8) does not stop the first start", async () => {
  const dataDir = await folder("pas-locale-");
  const port = await freePort();
  const cluster = await withEnv({ LANG: "en_GB.UTF-8", LC_ALL: "en_GB.UTF-8" }, () =>
    startEmbeddedCluster({ dataDir, port, superuserPassword: randomBytes(18).toString("base64url") }),
  );
  try {
    // The cluster's locale is the one initdb was told, whatever the host's.
    expect(await clusterLocale(cluster)).toEqual({ encoding: "UTF8", provider: "b", locale: "C.UTF-8", collate: "C" });
  } finally {
    await cluster.stop();
  }
}, SLOW);

async function clusterLocale(cluster: EmbeddedCluster): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: cluster.rootUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select current_setting('server_encoding') as encoding, datlocprovider as provider, datlocale as locale, datcollate as collate
       from pg_database where datname = 'postgres'`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

test.each(["the node process", "the whole process group"])(
  "a first start killed during initdb (SIGKILL to %s) does not stop the next start",
  async (victim) => {
    const dataDir = await folder("pas-killed-initdb-");
    const env = await embeddedEnv(dataDir);
    const first = spawnNpm(["start"], env);
    // initdb has begun writing the cluster (PG_VERSION comes first), and has seconds of work left.
    await until("initdb to begin", async () => (await filesNamed(dataDir, "PG_VERSION")).length > 0, {
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    if (victim === "the node process") {
      // npm runs the app with `exec`: its only child is the node process. initdb lives on, orphaned.
      const [node] = (await readFile(`/proc/${first.child.pid}/task/${first.child.pid}/children`, "utf8")).trim().split(" ");
      process.kill(Number(node), "SIGKILL");
    } else {
      process.kill(-first.child.pid!, "SIGKILL");
    }
    await first.exited;

    const next = spawnNpm(["start"], env);
    await untilReady(next);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
    // What the killed start left is gone: no staging folder, no password file.
    expect((await readdir(dataDir)).sort()).toEqual(["dev-secrets.json", "postgres", "postgres.log"]);
  },
  SLOW,
);

/** Paths of the files called `name` anywhere under `dir`. */
async function filesNamed(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  return entries.filter((entry) => path.basename(entry) === name);
}

/** Runs `npm run db:migrate` (the first command a newcomer runs) on `env` and returns its exit code and non-empty output lines. */
async function migrateOnce(env: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: string[] }> {
  const run = spawnNpm(["run", "--silent", "db:migrate"], env);
  const code = await run.exited;
  return { code, lines: run.output().split("\n").filter((line) => line.trim() !== "") };
}

test("EMBEDDED_PG_PORT taken by another program: one line says so before initdb, not postgres's log", async () => {
  const dataDir = await folder("pas-port-taken-");
  const other = createServer();
  const port = await freePort();
  // Another program on loopback, where the embedded cluster listens (another PostgreSQL, say).
  await new Promise<void>((resolve) => other.listen(port, "127.0.0.1", resolve));
  try {
    const { code, lines } = await migrateOnce(await embeddedEnv(dataDir, { EMBEDDED_PG_PORT: String(port) }));
    expect(code).not.toBe(0);
    expect(lines).toEqual([expect.stringContaining(`EMBEDDED_PG_PORT ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port.`)]);
  } finally {
    other.close();
  }
  // Checked before anything was created: no cluster to trip over later.
  expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
}, SLOW);

// Only root runs PostgreSQL as another OS user (`postgres`), who may be barred from a folder above the data folder.
(process.getuid!() === 0 ? test : test.skip)(
  "as root, a DATA_DIR under a folder the postgres OS user cannot enter (mktemp -d's 0700): one line names it and what to do",
  async () => {
    const parent = await folder("pas-barred-");
    await chmod(parent, 0o700);
    const dataDir = path.join(parent, "data");
    const { code, lines } = await migrateOnce(await embeddedEnv(dataDir));
    expect(code).not.toBe(0);
    expect(lines).toEqual([
      expect.stringContaining(`may not enter ${parent}, above DATA_DIR ${dataDir}: run \`chmod o+x ${parent}\`, or set DATA_DIR to a folder outside it.`),
    ]);
    expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
  },
  SLOW,
);

test("a half-made cluster an older version left: recreated when it provably holds no data, else named for deletion", async () => {
  const options = async (dataDir: string) => ({ dataDir, port: await freePort(), superuserPassword: randomBytes(18).toString("base64url") });
  // initdb stopped after its first files (older versions wrote straight into <dataDir>/postgres).
  const empty = await folder("pas-half-empty-");
  await mkdir(path.join(empty, "postgres", "base"), { recursive: true });
  await writeFile(path.join(empty, "postgres", "PG_VERSION"), "18\n");
  const cluster = await startEmbeddedCluster(await options(empty));
  await cluster.stop();

  // Data files but no postgresql.conf: it may hold data, so the start refuses and says what to delete.
  const partial = await folder("pas-half-data-");
  await mkdir(path.join(partial, "postgres", "global"), { recursive: true });
  await mkdir(path.join(partial, "postgres", "base", "1"), { recursive: true });
  await writeFile(path.join(partial, "postgres", "PG_VERSION"), "18\n");
  await writeFile(path.join(partial, "postgres", "global", "pg_control"), "");
  await expect(startEmbeddedCluster(await options(partial))).rejects.toThrow(
    `If it holds nothing you need, delete it (rm -rf ${path.join(partial, "postgres")})`,
  );
  expect(await postgresProcessesUsing(partial)).toEqual([]);
}, SLOW);

test("the superuser password is never in a file another local user may read; data folder, secrets and log are owner-only", async () => {
  const dataDir = await folder("pas-secret-");
  const temp = await folder("pas-tmp-");
  const password = randomBytes(18).toString("base64url");

  // Every file (of a password file's size) holding the password, under the temp folder of the
  // process and its data folder, with its mode: polled from the first start's beginning to Ready.
  const holders = new Map<string, number>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const root of [temp, dataDir]) {
        for (const entry of await readdir(root, { recursive: true }).catch(() => [] as string[])) {
          const file = path.join(root, entry);
          const info = await stat(file).catch(() => undefined);
          if (!info?.isFile() || info.size > 4096) continue;
          if ((await readFile(file, "utf8").catch(() => "")).includes(password)) holders.set(file, info.mode & 0o777);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const run = spawnNpm(["start"], await embeddedEnv(dataDir, { TMPDIR: temp, EMBEDDED_SUPERUSER_PASSWORD: password }));
  try {
    await untilReady(run);
  } finally {
    watching = false;
    await watch;
    run.child.kill("SIGTERM");
    await run.exited;
  }

  const readableByOthers = [...holders].filter(([file, mode]) => file.startsWith(temp) || (mode & 0o077) !== 0);
  expect(readableByOthers).toEqual([]);
  // The watch did see initdb's password file (owner-only), which is gone once initdb is done.
  expect(holders.size).toBeGreaterThan(0);
  expect([...holders.keys()].filter((file) => existsSync(file))).toEqual([]);

  const mode = async (file: string) => (await stat(path.join(dataDir, file))).mode & 0o777;
  // Under root, PostgreSQL's OS user (group) may pass through the data folder to its cluster; nobody may list it.
  expect(await mode(".")).toBe(process.getuid!() === 0 ? 0o710 : 0o700);
  expect(await mode("postgres")).toBe(0o700);
  expect(await mode("postgres.log")).toBe(0o600);
  expect(await mode("dev-secrets.json")).toBe(0o600);
  expect(await readFile(path.join(dataDir, "postgres.log"), "utf8")).not.toContain(password);
}, SLOW);

test("Ctrl-C reaches only our process: HTTP, worker, then database stop in order, quietly, and one line says so", async () => {
  const dataDir = await folder("pas-ctrl-c-");
  // --silent: npm's own header would be the only plain line on stdout.
  const env = await embeddedEnv(dataDir);
  const run = spawnNpm(["start", "--silent"], env);
  let stdout = "";
  let stderr = "";
  run.child.stdout!.on("data", (chunk) => (stdout += chunk));
  run.child.stderr!.on("data", (chunk) => (stderr += chunk));
  await untilReady(run);
  const logStart = (await stat(path.join(dataDir, "postgres.log"))).size;
  const sessions = await clientSessions(dataDir, env.EMBEDDED_PG_PORT!);

  // The terminal signals the whole foreground process group; PostgreSQL is not in it.
  process.kill(-run.child.pid!, "SIGINT");
  const code = await run.exited;
  if (code !== 0) console.error(run.output());
  expect(code).toBe(0);
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);

  expect(run.output()).not.toMatch(/UNLISTEN|connection lost|terminating connection/i);
  // The server shut down once the HTTP server's and the worker's sessions had ended: the only one it
  // ended itself is npm start's claim on the cluster (src/db/clusterClaims.ts), held until the stop.
  const serverLog = (await readFile(path.join(dataDir, "postgres.log"))).subarray(logStart).toString("utf8");
  expect(serverLog).toContain("database system is shut down");
  expect(serverLog).not.toMatch(/unexpected EOF|connection to client lost/);
  const ended = [...serverLog.matchAll(/\[(\d+)\] FATAL: +terminating connection/g)].map((m) => sessions.get(Number(m[1])) ?? `unknown pid ${m[1]}`);
  expect(ended.filter((name) => !name.startsWith("npm start"))).toEqual([]);
  expect(stderr.trim().split("\n").at(-1)).toBe("Stopped (HTTP server, worker, embedded PostgreSQL).");
  // stdout is JSON log lines only; what is said to the person (the Ready block, stopping, stopped) is on stderr.
  const notJson = stdout.split("\n").filter((line) => line.trim() !== "" && !isJson(line));
  expect(notJson).toEqual([]);
  expect(stderr).toContain("Ready in");

}, SLOW);

/** The client sessions of the cluster of `dataDir` now: pid → application_name. */
async function clientSessions(dataDir: string, port: string): Promise<Map<number, string>> {
  const { EMBEDDED_SUPERUSER_PASSWORD: password } = JSON.parse(await readFile(path.join(dataDir, "dev-secrets.json"), "utf8"));
  const client = new pg.Client({ host: "localhost", port: Number(port), user: "postgres", password, database: "postgres" });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number; name: string }>(
      "select pid, application_name as name from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
    );
    return new Map(rows.map((row) => [row.pid, row.name]));
  } finally {
    await client.end();
  }
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

test("Ctrl-C while the first start migrates: only 'stopping' and 'Stopped' are said, and no postgres is left", async () => {
  const dataDir = await folder("pas-ctrl-c-migrating-");
  const run = spawnNpm(["start", "--silent"], await embeddedEnv(dataDir));
  // The migration step has begun: its connections are open when our stop reaches the database.
  await until("the first migration to run", async () => /Running migration/.test(run.output()) || run.child.exitCode !== null, {
    timeoutMs: 150_000,
    intervalMs: 20,
  });
  process.kill(-run.child.pid!, "SIGINT");
  const code = await run.exited;
  const said = run.output().split("\n").filter((line) => line.trim() !== "" && !isJson(line));
  expect({ code, said }).toEqual({ code: 0, said: ["SIGINT received: stopping…", expect.stringMatching(/^Stopped( \(.*\))?\.$/)] });
  expect(await postgresProcessesUsing(dataDir)).toEqual([]);
}, SLOW);
