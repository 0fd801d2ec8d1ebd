// npm run bench:worker [-- --writes 1000] — on a database seeded with
// `npm run db:seed -- --scale N`, with the real worker in this process:
//   1. the full nightly recompute (refresh_all_quest_analytics): its duration;
//   2. a burst of progress writes through update_quest_progress, as the child's
//      app makes them: the time from each write to the end of the refresh job it
//      queued (the job's key leaves the queue). Its figures are released once per
//      UTC day, so within a day a refresh changes no figure (docs/privacy.md).
import { parseArgs } from "node:util";
import { Logger } from "graphile-worker";
import { loadConfig, ROLES, roleConnectionString } from "../config.ts";
import { startEmbeddedIfNeeded } from "../db/ensureServer.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { resilientPool } from "../db/pool.ts";
import { countSyntheticData } from "../tools/seed/synthetic.ts";
import { UserError } from "../errors/index.ts";
import { runCommand } from "../lifecycle.ts";
import { masterKeys } from "../privacy/masterKeys.ts";
import { startWorker } from "../worker/runner.ts";
import { percentile } from "../bench/percentile.ts";

/** Warnings and errors only: one line per job would drown the figures. */
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`worker ${level}: ${message}`);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runCommand(async (lifecycle) => {
  const { values } = parseArgs({
    options: {
      writes: { type: "string", default: "1000" },
      connections: { type: "string", default: "16" },
      concurrency: { type: "string", default: "2" },
    },
  });
  const [writes, connections, concurrency] = [values.writes, values.connections, values.concurrency].map(Number) as [number, number, number];
  if (![writes, connections, concurrency].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new UserError("usage: npm run bench:worker -- [--writes 1000] [--connections 16] [--concurrency 2 (worker jobs at once)]");
  }
  const config = loadConfig();
  await startEmbeddedIfNeeded(config, lifecycle);
  await migrateDatabase(config, () => {});
  const owner = resilientPool({ connectionString: config.ownerUrl, max: 2 }, "benchmark (owner)");
  const child = resilientPool({ connectionString: roleConnectionString(config, ROLES.innerEdu), max: connections }, "benchmark (child's app)");
  lifecycle.onStop("benchmark connections", async () => {
    await owner.end();
    await child.end();
  });

  const size = await countSyntheticData(owner);
  if (size.users === 0) throw new UserError("No synthetic data: run `npm run db:seed -- --scale 10` first.");
  console.log(
    `Data: ${size.users} users (scale ${size.users / 1000}), ${size.quests} quests, ${size.progress} progress rows, ` +
      `${size.events} play events. Worker concurrency ${concurrency}.`,
  );

  // Nothing else in the queue: the figures are this benchmark's own jobs.
  await owner.query("delete from graphile_worker._private_jobs");
  const worker = await startWorker({
    connectionString: roleConnectionString(config, ROLES.worker),
    masterKeys: masterKeys(config),
    concurrency,
    cronItems: [],
    logger: quietLogger,
  });
  lifecycle.onStop("worker", () => worker.stop());

  // 1. The nightly recompute, as the crontab queues it.
  const { rows: [{ existing }] } = await owner.query("select count(*)::int as existing from app_public.quest_analytics");
  const nightlyStarted = Date.now();
  await owner.query("select app_jobs.request_job('refresh_all_quest_analytics', '{}', 'bench_nightly')");
  for (;;) {
    await sleep(500);
    const { rows } = await owner.query("select last_error from graphile_worker.jobs where key = 'bench_nightly'");
    if (rows.length === 0) break;
    if (rows[0].last_error) throw new Error(`the nightly job failed: ${rows[0].last_error}`);
  }
  const nightlySeconds = (Date.now() - nightlyStarted) / 1000;
  console.log(
    `Nightly recompute: ${size.quests} quests in ${nightlySeconds.toFixed(1)} s (${Math.round(size.quests / nightlySeconds)} quests/s; ` +
      `${existing === 0 ? "first run: every row new" : "rows existed: unchanged ones are not rewritten"}).`,
  );

  // 2. The burst: plays of public quests by children who share analytics (each write queues its quest's refresh).
  const { rows: plays } = await owner.query<{ child_id: string; quest_id: string; nodes_completed: number }>(
    `select p.child_id, p.quest_id, p.nodes_completed from app_public.quest_progress p
     join app_public.quests q on q.id = p.quest_id and q.is_public and q.moderation_status = 'approved' and q.status <> 'deleted'
     where app_private.consent_flag(p.child_id, 'share_analytics', p.quest_id)
     order by hashtext(p.id::text) limit $1`,
    [writes],
  );
  if (plays.length < writes) throw new UserError(`Only ${plays.length} suitable plays; seed a larger scale.`);
  const quests = [...new Set(plays.map((p) => p.quest_id))];

  const seen = new Map<string, number[]>(); // quest → times (ms) its refresh job was seen done (not queued)
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const at = Date.now();
      const { rows } = await owner.query<{ key: string }>(
        "select key from graphile_worker.jobs where key = any ($1)",
        [quests.map((quest) => `refresh_quest_analytics:${quest}`)],
      );
      const queued = new Set(rows.map((row) => row.key.slice("refresh_quest_analytics:".length)));
      for (const quest of quests.filter((q) => !queued.has(q))) seen.set(quest, [...(seen.get(quest) ?? []), at]);
      await sleep(20);
    }
  })();

  const written: Array<{ quest: string; at: number }> = [];
  const burstStarted = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await child.connect();
      try {
        while (next < plays.length) {
          const play = plays[next++]!;
          await client.query("begin");
          await client.query("select set_config('app.user_id', $1, true)", [play.child_id]);
          await client.query("select app_public.update_quest_progress($1, $2, minutes_played => 1)", [play.quest_id, play.nodes_completed]);
          await client.query("commit");
          // After the commit: from then on the write's job is in the queue.
          written.push({ quest: play.quest_id, at: Date.now() });
        }
      } finally {
        client.release();
      }
    }),
  );
  const burstSeconds = (Date.now() - burstStarted) / 1000;

  const latencies: number[] = [];
  for (const deadline = Date.now() + 120_000; latencies.length < written.length && Date.now() < deadline; ) {
    await sleep(200);
    latencies.length = 0;
    for (const w of written) {
      const after = (seen.get(w.quest) ?? []).filter((at) => at > w.at);
      if (after.length > 0) latencies.push(Math.min(...after) - w.at);
    }
  }
  watching = false;
  await watcher;
  if (latencies.length < written.length) {
    const { rows: failing } = await owner.query(
      "select task_identifier, attempts, last_error from graphile_worker.jobs where last_error is not null limit 5",
    );
    const missing = written.filter((w) => !(seen.get(w.quest) ?? []).some((at) => at > w.at)).slice(0, 5);
    throw new Error(
      `${written.length - latencies.length} writes were not refreshed within 120 s; e.g. ${JSON.stringify(missing)}, ` +
        `seen ${JSON.stringify(missing.map((m) => seen.get(m.quest)))}; failing jobs: ${JSON.stringify(failing)}`,
    );
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `Burst: ${written.length} progress writes on ${quests.length} quests from ${connections} connections in ${burstSeconds.toFixed(1)} s ` +
      `(${Math.round(written.length / burstSeconds)} writes/s).`,
  );
  console.log(
    `Write → its refresh job done: median ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, ` +
      `max ${latencies.at(-1)!.toFixed(0)} ms (to the end of the refresh job the write queued; jobs are due 1 s after a quest's first write).`,
  );
}, "one-shot");
