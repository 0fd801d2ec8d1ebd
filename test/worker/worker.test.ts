import type { Task } from "graphile-worker";
import { workerLoggerFrom } from "../../src/observability/workerLogger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { startWorker } from "../../src/worker/runner.ts";
import { roleUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { until } from "../helpers/process.ts";

test("the in-process worker runs jobs while logged in as app_worker", async () => {
  const seen: Array<{ payload: unknown; role: string }> = [];
  let jobDone!: () => void;
  const done = new Promise<void>((resolve) => (jobDone = resolve));
  const probe: Task = async (payload, helpers) => {
    const { rows } = await helpers.query<{ role: string }>("select current_user as role");
    seen.push({ payload, role: rows[0]!.role });
    jobDone();
  };

  const runner = await startWorker({ connectionString: roleUrl("app_worker"), masterKeys: masterKeys(testConfig()), taskList: { probe }, cronItems: [] });
  try {
    // Jobs are queued by the owner (later: security-definer functions), never by the apps.
    await withOwnerDb(async (owner) => {
      await owner.query("select graphile_worker.add_job('probe', json_build_object('n', 1))");
      await done;
      expect(seen).toEqual([{ payload: { n: 1 }, role: "app_worker" }]);

      // Completed jobs leave the queue.
      const queued = async () => (await owner.query("select count(*)::int as n from graphile_worker.jobs")).rows[0].n as number;
      await until("the queue to empty", async () => (await queued()) === 0, { timeoutMs: 5_000, intervalMs: 100 });
      expect(await queued()).toBe(0);
    });
  } finally {
    await runner.stop();
  }
});

/** What graphile-worker's migrate sends after a breaking migration (node_modules/graphile-worker/dist/migrate.js). */
const BREAKING = JSON.stringify({ migrationNumber: 999, breaking: true });

test("a worker that stopped on its own says why, and stopping it then is not an error", async () => {
  const { logger } = capturingLogger();
  const worker = await startWorker({
    connectionString: roleUrl("app_worker"),
    masterKeys: masterKeys(testConfig()),
    taskList: {},
    cronItems: [],
    logger: workerLoggerFrom(logger),
  });
  // graphile-worker also sets process.exitCode = 57 on this notice, for a process it runs alone; here it
  // would become the exit code of the whole jest run.
  const exitCodeBefore = process.exitCode;
  try {
    // startWorker resolves before graphile-worker's LISTEN is in place, and a notice sent before it is lost
    // (on PostgreSQL 15 it was, and the test waited forever): send it until the worker hears it.
    const why = await until("the worker to stop on the notice", async () => {
      await withOwnerDb((owner) => owner.query("select pg_notify('worker:migrate', $1)", [BREAKING]));
      return Promise.race([worker.stoppedOnItsOwn, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250))]);
    });
    expect(why).toBe("another process applied a breaking migration of graphile-worker's schema (revision 999)");
    // Before the fix: "Runner is already stopped".
    await expect(worker.stop()).resolves.toBeUndefined();
  } finally {
    process.exitCode = exitCodeBefore;
    // After a failed assertion the worker still runs, and would keep jest from exiting.
    await worker.stop().catch(() => {});
  }
});
