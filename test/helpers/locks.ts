// Forcing interleavings without sleeps: each step waits for PostgreSQL to report who blocks whom.
import type pg from "pg";
import { withOwnerDb } from "./db.ts";
import { until } from "./process.ts";

export const pidOf = async (client: pg.ClientBase): Promise<number> => (await client.query("select pg_backend_pid() as pid")).rows[0].pid;

/** Whether some backend waits on a lock `holderPid` holds. */
export const somebodyWaitsOn = (holderPid: number): Promise<boolean> =>
  withOwnerDb(async (owner) =>
    (await owner.query("select exists (select from pg_stat_activity where $1 = any (pg_blocking_pids(pid))) as waits", [holderPid])).rows[0]
      .waits,
  );

/** Resolves "waits" once `work` (already started) waits on a lock `holderPid` holds, or "finished" if it ends first. */
export async function waitsOn(work: Promise<unknown>, holderPid: number): Promise<"waits" | "finished"> {
  let finished = false;
  void work.then(
    () => (finished = true),
    () => (finished = true),
  );
  return until("it to wait for the lock holder or finish", async () => (finished ? "finished" : (await somebodyWaitsOn(holderPid)) ? "waits" : undefined), {
    intervalMs: 10,
    timeoutMs: 20_000,
  });
}
