// What the fault run starts and breaks: an embedded PostgreSQL of its own (restarted with a fast or an
// immediate shutdown), and the API as a real `npm start` process on it (with its in-process worker), in a
// process group of its own so that it can be SIGKILLed whole.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type SecretName, SECRET_NAMES } from "../../src/config.ts";
import { clusterDirOf, type EmbeddedCluster, runningPostmaster, startEmbeddedCluster } from "../../src/db/embeddedPostgres.ts";
import { isAlive } from "../../src/db/embedded/postmaster.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { configFor } from "../helpers/config.ts";
import { type NpmRun, spawnNpm, until, untilReady } from "../helpers/process.ts";
import { freePort } from "../setup/testCluster.ts";

export interface Stack {
  dataDir: string;
  ownerUrl: string;
  rootUrl: string;
  secrets: Record<SecretName, string>;
  /** The owner's pool, for seeding and for the checks afterwards (errors of dropped connections ignored). */
  owner: pg.Pool;
  /** Restarts PostgreSQL: `fast` (SIGINT to the postmaster) or `immediate` (SIGQUIT: no checkpoint, crash recovery
   * on the next start), kept stopped `downMs`, then started again on the same data; resolves once it accepts connections. */
  restartDatabase(mode: "fast" | "immediate", downMs: number, log: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(log: (line: string) => void): Promise<Stack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-faults-"));
  await chmod(dataDir, 0o755);
  const options = { dataDir, port: await freePort(), superuserPassword: randomBytes(18).toString("base64url") };
  let cluster: EmbeddedCluster = await startEmbeddedCluster(options);
  log(`PostgreSQL started on port ${options.port} (data in ${dataDir})`);
  const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, randomBytes(33).toString("base64url")])) as Record<SecretName, string>;
  const ownerUrl = `postgres://app_owner:${secrets.EMBEDDED_OWNER_PASSWORD}@localhost:${options.port}/pas_faults`;
  await migrateDatabase(configFor(ownerUrl, cluster.rootUrl, { secret: (name) => secrets[name] }), () => {});
  log("database migrated");
  const owner = new pg.Pool({ connectionString: ownerUrl, max: 4 });
  owner.on("error", () => {}); // the restarts drop these connections on purpose

  return {
    dataDir,
    ownerUrl,
    rootUrl: cluster.rootUrl,
    secrets,
    owner,
    async restartDatabase(mode, downMs, say) {
      if (mode === "fast") {
        await cluster.stop();
      } else {
        const running = runningPostmaster(clusterDirOf(dataDir));
        if (!running) throw new Error("no postmaster to shut down");
        process.kill(running.pid, "SIGQUIT");
        await until("the postmaster to exit after SIGQUIT", async () => !isAlive(running.pid), { intervalMs: 20 });
        await cluster.stop(); // gone already: this only drops its exit hook
      }
      say(`PostgreSQL stopped (${mode} shutdown)`);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      cluster = await startEmbeddedCluster(options);
      say("PostgreSQL accepts connections again");
    },
    async close() {
      await owner.end().catch(() => {});
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Api {
  base: string;
  run: NpmRun;
  /** SIGTERM to the process group, and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL to the process group (npm and node), and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * `npm start` against the stack's database, as development with every secret given; `extra` adds settings.
 * When it exits without being told to, `say` gets a line with its exit code and the end of its output.
 */
export async function startApi(stack: Stack, say: (line: string) => void, extra: Record<string, string> = {}): Promise<Api> {
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(rest).filter(([name]) => !/_SECRET$|_PASSWORD$/.test(name))),
    ...stack.secrets,
    NODE_ENV: "development",
    DATABASE_URL: stack.ownerUrl,
    ROOT_DATABASE_URL: stack.rootUrl,
    DATA_DIR: path.join(stack.dataDir, "app"),
    PORT: String(port),
    LOG_LEVEL: "warn",
    ...extra,
  };
  const run = spawnNpm(["start"], env);
  let told = false;
  void run.exited.then((code) => {
    if (!told) say(`the API process exited on its own (code ${code}); its last lines:\n${run.output().trimEnd().split("\n").slice(-15).join("\n")}`);
  });
  await untilReady(run);
  const signal = async (name: NodeJS.Signals) => {
    told = true;
    if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.child.pid!, name);
    await run.exited;
  };
  return { base: `http://localhost:${port}`, run, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}
