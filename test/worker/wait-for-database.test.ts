// The worker's pool waits out an unreachable database on connect (src/worker/waitForDatabase.ts): graphile-worker
// does not await its writes of a job's outcome, so a refused connect there would end the process.
import type pg from "pg";
import { connectsWaitForDatabase } from "../../src/worker/waitForDatabase.ts";

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const client = { release() {} } as unknown as pg.PoolClient;

/** A stand-in pool whose connect() answers from `outcomes` in turn (an Error rejects). */
function poolAnswering(...outcomes: Array<Error | pg.PoolClient>): { pool: pg.Pool; attempts: () => number } {
  let attempts = 0;
  const pool = {
    connect: (callback?: unknown) => {
      if (callback) throw new Error("the callback form is not the one tested here");
      const outcome = outcomes[Math.min(attempts++, outcomes.length - 1)]!;
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
  } as unknown as pg.Pool;
  return { pool, attempts: () => attempts };
}

test("a connect refused while the database restarts is tried again until it succeeds, told once", async () => {
  const { pool, attempts } = poolAnswering(refused(), refused(), Object.assign(new Error("the database system is starting up"), { code: "57P03" }), client);
  const told: unknown[] = [];
  connectsWaitForDatabase(pool, { giveUp: () => false, intervalMs: 1, onWait: (e) => told.push(e) });
  await expect(pool.connect()).resolves.toBe(client);
  expect(attempts()).toBe(4);
  expect(told).toHaveLength(1);
});

test("any other error, or a worker that gives up, fails the connect at once", async () => {
  const denied = Object.assign(new Error('password authentication failed for user "app_worker"'), { code: "28P01" });
  const wrongPassword = poolAnswering(denied, client);
  connectsWaitForDatabase(wrongPassword.pool, { giveUp: () => false, intervalMs: 1 });
  await expect(wrongPassword.pool.connect()).rejects.toBe(denied);
  expect(wrongPassword.attempts()).toBe(1);

  const stopping = poolAnswering(refused(), client);
  connectsWaitForDatabase(stopping.pool, { giveUp: () => true, intervalMs: 1 });
  await expect(stopping.pool.connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });
  expect(stopping.attempts()).toBe(1);
});
