// The worker under faults, with real worker processes against a PostgreSQL of
// this file's own (so it can be restarted): a worker SIGKILLed in the middle of
// a job, and the database restarting under a running worker.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Config, ROLES, roleConnectionString } from "../../src/config.ts";
import { type EmbeddedCluster, startEmbeddedCluster } from "../../src/db/embeddedPostgres.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { startWorker } from "../../src/worker/runner.ts";
import { configFor } from "../helpers/config.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";
import { spawnNpm, type NpmRun, until } from "../helpers/process.ts";
import { createQuest } from "../helpers/quests.ts";
import { freePort } from "../setup/testCluster.ts";

const SLOW = 120_000;

let dataDir: string;
let clusterOptions: { dataDir: string; port: number; superuserPassword: string };
let cluster: EmbeddedCluster;
let config: Config;
let owner: pg.Pool;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "pas-worker-faults-"));
  await chmod(dataDir, 0o755);
  clusterOptions = { dataDir, port: await freePort(), superuserPassword: randomBytes(18).toString("base64url") };
  cluster = await startEmbeddedCluster(clusterOptions);
  config = configFor(
    `postgres://app_owner:${randomBytes(18).toString("hex")}@localhost:${clusterOptions.port}/pas_faults`,
    cluster.rootUrl,
    { poolMax: 2 },
  );
  await migrateDatabase(config, () => {});
  owner = new pg.Pool({ connectionString: config.ownerUrl, max: 3 });
  owner.on("error", () => {}); // the restart test drops these connections on purpose
}, SLOW);

afterAll(async () => {
  await owner?.end();
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm run worker`, as a deployment runs it, in its own process group. */
function spawnWorker(extraEnv: Record<string, string> = {}): NpmRun {
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, ...rest } = process.env;
  return spawnNpm(["run", "worker"], { ...rest, NODE_ENV: "development", DATABASE_URL: config.ownerUrl, DATA_DIR: path.join(dataDir, "app"), ...extraEnv });
}

/** A public quest a consenting child just played: its refresh job is queued and due now. */
async function questWithQueuedRefresh(): Promise<string> {
  const client = await owner.connect();
  try {
    const parent = await createUser(client, "parent");
    const child = await createUser(client, "child");
    await linkFamily(client, parent, child);
    await client.query("update app_public.child_privacy set share_analytics = true where child_id = $1", [child.id]);
    const quest = (await createQuest(client, parent, { is_public: true, moderation_status: "approved" })).id;
    await client.query(
      "insert into app_public.quest_progress (child_id, quest_id, nodes_completed, total_nodes, session_count) values ($1, $2, 2, 3, 7)",
      [child.id, quest],
    );
    await client.query("update graphile_worker._private_jobs set run_at = now() where run_at > now()");
    return quest;
  } finally {
    client.release();
  }
}

const refreshKey = (quest: string) => `refresh_quest_analytics:${quest}`;

/** Whether the quest's release for today's window was written (one child: no figure is released). */
const refreshed = (quest: string) =>
  owner
    .query("select window_start = date_trunc('day', now(), 'UTC') as released from app_public.quest_analytics where quest_id = $1", [quest])
    .then((r) => r.rows[0] as { released: boolean } | undefined);

test("a worker SIGKILLed in the middle of a job: its job is released and run again, with the right result", async () => {
  // Hold the job inside the database: it blocks on this lock once it starts writing.
  const blocker = await owner.connect();
  await blocker.query("begin");
  await blocker.query("lock table app_public.quest_analytics in access exclusive mode");
  const quest = await questWithQueuedRefresh();

  const doomed = spawnWorker();
  let lockedBy: string;
  try {
    lockedBy = await until("the job to be taken", async () =>
      (await owner.query("select locked_by from graphile_worker.jobs where key = $1 and locked_by is not null", [refreshKey(quest)])).rows[0]?.locked_by as string | undefined);
    process.kill(-doomed.child.pid!, "SIGKILL");
    await doomed.exited;
  } finally {
    await blocker.query("rollback");
    blocker.release();
  }
  // The dead worker's lock stays on the job: graphile-worker alone would wait four hours.
  // (By key: a scheduled job may come due while the test runs — `npm run worker` has the real crontab.)
  const { rows } = await owner.query("select locked_by from graphile_worker.jobs where key = $1", [refreshKey(quest)]);
  expect(rows).toEqual([{ locked_by: lockedBy }]);

  const survivor = await startWorker({
    connectionString: roleConnectionString(config, ROLES.worker),
    masterKeys: masterKeys(config),
    cronItems: [],
    deadWorkerSweep: { intervalMs: 200, minLockAgeMs: 500, graceMs: 1000 },
  });
  try {
    await until("the job to run again", async () =>
      (await owner.query("select count(*)::int as n from graphile_worker.jobs")).rows[0].n === 0);
    expect(await refreshed(quest)).toEqual({ released: true });
  } finally {
    await survivor.stop();
  }
}, SLOW);

test("a live worker's long job is left alone by other workers' sweeps", async () => {
  const blocker = await owner.connect();
  await blocker.query("begin");
  await blocker.query("lock table app_public.quest_analytics in access exclusive mode");
  const fastSweep = { intervalMs: 100, minLockAgeMs: 200, graceMs: 1000 };
  const quest = await questWithQueuedRefresh();
  const busy = await startWorker({ connectionString: roleConnectionString(config, ROLES.worker), masterKeys: masterKeys(config), cronItems: [], deadWorkerSweep: fastSweep });
  let other: Awaited<ReturnType<typeof startWorker>> | undefined;
  // The workers stop however the test ends: a failed one must not leave their sweeps running.
  try {
    try {
      const lockedBy = await until("the job to be taken", async () =>
        (await owner.query("select locked_by from graphile_worker.jobs where key = $1 and locked_by is not null", [refreshKey(quest)])).rows[0]?.locked_by as string | undefined);
      other = await startWorker({ connectionString: roleConnectionString(config, ROLES.worker), masterKeys: masterKeys(config), cronItems: [], deadWorkerSweep: fastSweep });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { rows } = await owner.query("select locked_by from graphile_worker.jobs where key = $1", [refreshKey(quest)]);
      expect(rows).toEqual([{ locked_by: lockedBy }]);
    } finally {
      await blocker.query("rollback");
      blocker.release();
    }
    await until("the job to finish", async () => (await owner.query("select count(*)::int as n from graphile_worker.jobs")).rows[0].n === 0);
    expect(await refreshed(quest)).toEqual({ released: true });
  } finally {
    await other?.stop();
    await busy.stop();
  }
}, SLOW);

test("the database restarting under a running worker: it reconnects and carries on, nothing lost", async () => {
  const worker = spawnWorker({ METRICS_PORT: "0" });
  try {
    await until("the worker to start", async () => /graphile-worker running as app_worker/.test(worker.output()));
    const metricsUrl = await until("the metrics server", async () => worker.output().match(/metrics on (http:\S+)/)?.[1]);
    const before = await questWithQueuedRefresh();
    await until("the first job", () => refreshed(before));
    // The standalone worker's own /metrics counts it, and sees the queue.
    const metrics = await until("the job to be counted", async () => {
      const text = await (await fetch(metricsUrl)).text();
      return /^worker_jobs_total\{result="succeeded"\} [1-9]/m.test(text) && text;
    });
    expect(metrics).toMatch(/^worker_jobs_queued\{state="runnable"\} \d+/m);

    await cluster.stop();
    cluster = await startEmbeddedCluster(clusterOptions);

    // Written after the restart: the worker must pick it up on its own.
    const after = await until("the database to accept writes again", () => questWithQueuedRefresh());
    expect(await until("the job queued after the restart", () => refreshed(after))).toEqual({ released: true });
    expect(worker.child.exitCode).toBeNull();
  } finally {
    process.kill(-worker.child.pid!, "SIGTERM");
  }
  expect(await worker.exited).toBe(0);
}, SLOW);
