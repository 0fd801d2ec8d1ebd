// A PgBouncer of the test run's own, in front of the test server: the `pgbouncer` binary from
// PATH (Debian's package: `apt-get install pgbouncer`; CI installs it), a temporary folder for
// its configuration, auth file and log, a free loopback port, no system service. PgBouncer refuses
// to run as root: then it runs as the `postgres` OS user (as the embedded cluster does).
//
// `npm run test:pgbouncer` starts one in globalSetup (pool_mode = transaction, one server
// connection per (database, user) pair) and routes the API's and the apps' direct SQL through it
// (test/helpers/db.ts, TEST_PGBOUNCER_URL); test/pgbouncer/ starts others with other settings.
// docs/scaling.md §4 explains the settings.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./testCluster.ts";

export interface PgBouncerOptions {
  /** The server PgBouncer connects to: any URL of it (only host and port are used). */
  serverUrl: string;
  /** Who may log in through it, with their passwords (its auth_file: PgBouncer checks them, then logs in with them). */
  users: Record<string, string>;
  /** default_pool_size: server connections per (database, user) pair. */
  poolSize: number;
  /** pool_mode (default "transaction"). */
  poolMode?: "session" | "transaction" | "statement";
  /** ignore_startup_parameters: start-up parameters accepted and dropped instead of refused (default none). */
  ignoreStartupParameters?: string[];
  /** admin_users: who may use its console (the `pgbouncer` database: SHOW POOLS, KILL db…). */
  adminUsers?: string[];
}

export interface PgBouncer {
  /** postgres://host:port/ of PgBouncer: give it a user, password and database (viaPgBouncer in test/helpers/db.ts). */
  url: string;
  /** Its version, e.g. [1, 18, 0]. */
  version: number[];
  /** Its log so far (connections, errors): for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** The PgBouncer on PATH (or PGBOUNCER), or undefined when none is installed. */
export function pgbouncerBinary(): string | undefined {
  if (process.env.PGBOUNCER) return process.env.PGBOUNCER;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((dir) => path.join(dir, "pgbouncer")).find((file) => existsSync(file));
}

/** `pgbouncer --version`'s first line as numbers (PgBouncer 1.18.0 → [1, 18, 0]). */
export async function pgbouncerVersion(binary: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)(binary, ["--version"]);
  const match = /PgBouncer (\d+)\.(\d+)\.(\d+)/.exec(stdout);
  if (!match) throw new Error(`Cannot read PgBouncer's version from: ${stdout.split("\n")[0]}`);
  return match.slice(1).map(Number);
}

/** Starts PgBouncer and resolves once it accepts connections; throws with its log if it exits first. */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error("PgBouncer is not installed (apt-get install pgbouncer), or set PGBOUNCER to its path.");
  const version = await pgbouncerVersion(binary);
  const server = new URL(options.serverUrl);
  const dir = await mkdtemp(path.join(tmpdir(), "pas-pgbouncer-"));
  const port = await freePort();
  const logFile = path.join(dir, "pgbouncer.log");
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  await writeFile(
    path.join(dir, "userlist.txt"),
    Object.entries(options.users).map(([user, password]) => `${quote(user)} ${quote(password)}\n`).join(""),
    { mode: 0o600 },
  );
  const settings: Record<string, string | number> = {
    listen_addr: "127.0.0.1",
    listen_port: port,
    unix_socket_dir: "",
    auth_type: "scram-sha-256",
    auth_file: path.join(dir, "userlist.txt"),
    pool_mode: options.poolMode ?? "transaction",
    default_pool_size: options.poolSize,
    max_client_conn: 500,
    // Transaction mode runs no reset query between clients (unless server_reset_query_always = 1):
    // what a transaction sets must end with it, which the tests check.
    server_reset_query: "DISCARD ALL",
    // A client waiting longer than this for the server connection gets an error, not a hang.
    query_wait_timeout: 60,
    ignore_startup_parameters: (options.ignoreStartupParameters ?? []).join(","),
    admin_users: (options.adminUsers ?? []).join(","),
    logfile: logFile,
  };
  await writeFile(
    path.join(dir, "pgbouncer.ini"),
    "[databases]\n" +
      `* = host=${server.hostname} port=${server.port || 5432}\n` +
      "[pgbouncer]\n" +
      Object.entries(settings).map(([name, value]) => `${name} = ${value}\n`).join(""),
  );
  const user = await osUser();
  if (user) for (const file of ["", "userlist.txt", "pgbouncer.ini"]) await chown(path.join(dir, file), user.uid, user.gid);

  const child = spawn(binary, [path.join(dir, "pgbouncer.ini")], { stdio: ["ignore", "ignore", "pipe"], ...user });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "") + stderr;
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (gone || Date.now() > deadline) {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
      throw new Error(`PgBouncer did not start on port ${port}:\n${log().trim().split("\n").slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `postgres://127.0.0.1:${port}/`,
    version,
    log,
    async stop() {
      // Immediate shutdown, whoever is still connected: SIGTERM up to 1.22, SIGQUIT from 1.23 (where SIGTERM waits).
      if (!gone) child.kill(version[0]! > 1 || version[1]! >= 23 ? "SIGQUIT" : "SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts TCP connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The `postgres` OS user's ids when we are root (PgBouncer refuses root); undefined otherwise. */
async function osUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const run = promisify(execFile);
  try {
    return { uid: Number((await run("id", ["-u", "postgres"])).stdout), gid: Number((await run("id", ["-g", "postgres"])).stdout) };
  } catch {
    throw new Error("PgBouncer refuses to run as root, and there is no `postgres` OS user to run it as: create one (useradd --system postgres).");
  }
}
