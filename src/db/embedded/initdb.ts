// Creating the embedded cluster so that an interrupted first start leaves nothing a
// later start trips over: initdb writes into a staging folder next to the cluster,
// which becomes <dataDir>/postgres by one rename once initdb has succeeded. The
// superuser password reaches initdb through a file in that staging folder
// (owner-only, like the folder), never through the system temp folder.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { EmbeddedPostgresError } from "./errors.ts";
import { isAlive } from "./postmaster.ts";

/** The OS user PostgreSQL runs as when we are root (it refuses to run as root). */
export interface OsUser {
  uid: number;
  gid: number;
}

export interface InitdbOptions {
  /** `<dataDir>/postgres`; the staging folders are its siblings `<dataDir>/initdb-<pid>-*`. */
  clusterDir: string;
  initdb: string;
  superuserPassword: string;
  /** Set when we are root: initdb runs as this user, who must own what it writes. */
  user: OsUser | undefined;
  /** The children's environment (no locale variables: see embeddedPostgres.ts). */
  env: NodeJS.ProcessEnv;
  /** initdb's output goes here (the cluster's log). */
  logFd: number;
  /** The end of the log, for an error message. */
  logTail: () => string;
}

// initdb's flags beyond the data folder and the superuser: a locale that exists everywhere, whatever
// the host's LANG (the builtin provider's C.UTF-8: code-point order, Unicode case mapping).
const INITDB_FLAGS = [
  "--encoding=UTF8",
  "--locale=C",
  "--locale-provider=builtin",
  "--builtin-locale=C.UTF-8",
  "--auth=scram-sha-256",
  "--username=postgres",
  "--no-instructions",
];

/**
 * Makes sure `clusterDir` holds a complete cluster: removes what interrupted starts left (staging
 * folders whose start is gone, and a cluster folder that never got as far as a control file, which
 * therefore holds no data), then runs initdb if there is no cluster. Throws EmbeddedPostgresError
 * when initdb fails (with the end of its output), or when the cluster folder is incomplete but may
 * hold data (saying what to delete).
 */
export async function ensureInitialised(options: InitdbOptions): Promise<void> {
  const { clusterDir } = options;
  await removeLeftoverStaging(path.dirname(clusterDir));
  switch (clusterState(clusterDir)) {
    case "complete":
      return;
    case "incomplete":
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL cluster in ${clusterDir} is incomplete (it has data files, but global/pg_control, ` +
          "PG_VERSION or postgresql.conf is missing): an interrupted first start of an older version, or files removed by hand. " +
          `If it holds nothing you need, delete it (rm -rf ${clusterDir}) and start again: a new one is created.`,
      );
    case "never-bootstrapped":
      console.error(`Removing ${clusterDir}: an interrupted first start left it without a control file, so it holds no data.`);
      await rm(clusterDir, { recursive: true, force: true });
      break;
    case "absent":
      break;
  }
  await initialise(options);
}

type ClusterState = "absent" | "complete" | "incomplete" | "never-bootstrapped";

function clusterState(clusterDir: string): ClusterState {
  if (!existsSync(clusterDir)) return "absent";
  const has = (file: string) => existsSync(path.join(clusterDir, file));
  // initdb writes global/pg_control as the bootstrap starts, before any database exists.
  if (!has("global/pg_control")) return has("base") && readdirSync(path.join(clusterDir, "base")).length > 0 ? "incomplete" : "never-bootstrapped";
  return has("PG_VERSION") && has("postgresql.conf") ? "complete" : "incomplete";
}

async function initialise(options: InitdbOptions): Promise<void> {
  const { clusterDir, user } = options;
  // Named after this process, so that a concurrent start leaves it alone while we live.
  const staging = await mkdtemp(path.join(path.dirname(clusterDir), `initdb-${process.pid}-`));
  const pwfile = path.join(staging, "pwfile");
  const pgdata = path.join(staging, "postgres");
  try {
    // mkdtemp makes it 0700; under root it is the postgres user's, who alone (with root) may read the password.
    await writeFile(pwfile, options.superuserPassword + "\n", { mode: 0o600, flag: "wx" });
    if (user) {
      await chown(staging, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
    }
    const child = spawn(options.initdb, [`--pgdata=${pgdata}`, `--pwfile=${pwfile}`, ...INITDB_FLAGS], {
      env: options.env,
      stdio: ["ignore", options.logFd, options.logFd],
      ...user,
    });
    await writeFile(path.join(staging, "initdb.pid"), `${child.pid}\n`);
    // A crash of this process must not leave initdb running on into a folder nobody will use.
    const killInitdb = () => void child.kill("SIGKILL");
    process.on("exit", killInitdb);
    const code = await exitCode(child).finally(() => process.off("exit", killInitdb));
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        `initdb failed (exit ${code}) creating the embedded PostgreSQL cluster for ${clusterDir}. ` +
          `Its output:\n${options.logTail()}`,
      );
    }
    await rm(pwfile);
    try {
      await rename(pgdata, clusterDir);
    } catch (e) {
      // A concurrent start created it first: use theirs.
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code!)) throw e;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function exitCode(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
}

/**
 * Removes the staging folders of starts that are gone (killed during initdb). An initdb such a
 * start left running (a SIGKILLed node does not take its children along) is killed first: it is
 * recognised by its pid in the folder and the folder's path on its command line.
 */
async function removeLeftoverStaging(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    const owner = /^initdb-(\d+)-/.exec(name)?.[1];
    if (owner === undefined || (Number(owner) !== process.pid && isAlive(Number(owner)))) continue;
    const staging = path.join(dataDir, name);
    const initdbPid = Number(await readFile(path.join(staging, "initdb.pid"), "utf8").catch(() => ""));
    if (initdbPid > 0) {
      const cmdline = await readFile(`/proc/${initdbPid}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes(staging)) {
        console.error(`Stopping the initdb (pid ${initdbPid}) an interrupted start left running in ${staging}.`);
        try {
          process.kill(initdbPid, "SIGKILL");
        } catch {
          // Gone meanwhile.
        }
        for (let waited = 0; isAlive(initdbPid) && waited < 5_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    // An initdb killed a moment ago may leave its bootstrap backend writing for an instant: retry.
    await rm(staging, { recursive: true, force: true, maxRetries: 10 });
  }
}
