// The worker-liveness fault of the fault run (test/faults/workerLiveness.ts), as a test: liveness connections killed
// again and again while jobs run, every worker sweeping for dead workers all the time.
import { workerLivenessFault } from "../faults/workerLiveness.ts";

test("workers whose liveness connections keep dropping run every job exactly once", async () => {
  const row = await workerLivenessFault();
  expect(row).toMatchObject({ sent: 80, acknowledged: 80, checked: 80, lost: 0 });
  // The fault did happen, and no live worker was taken for dead.
  expect(row.errors["liveness connection lost"]).toBeGreaterThan(0);
  expect(row.errors["declared dead (jobs released)"]).toBeUndefined();
}, 120_000);
