import type { Task } from "graphile-worker";
import { masterKeys } from "../src/privacy/masterKeys.ts";
import { startWorker } from "../src/worker/runner.ts";
import { roleUrl, testConfig, withOwnerDb } from "./helpers/db.ts";
import { until } from "./helpers/process.ts";

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
