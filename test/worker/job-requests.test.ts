// Keyed jobs lose no request (issue 18, item 1; graphile/worker issue 580). The race is forced, not
// waited for: one connection holds the job's row as graphile-worker's get_job does while it locks the job,
// another writes and queues meanwhile, and the run is started by hand on the job that was locked. No sleeps:
// each step waits for PostgreSQL to report who blocks whom.
import type { JobHelpers, Task } from "graphile-worker";
import { Logger, makeWorkerUtils } from "graphile-worker";
import type pg from "pg";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { workerTaskList } from "../../src/worker/tasks.ts";
import { ownerUrl, poolFor, roleUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { pidOf, waitsOn } from "../helpers/locks.ts";
import { createQuest } from "../helpers/quests.ts";
import { runDueJobs } from "../helpers/worker.ts";

const tasks = workerTaskList(masterKeys(testConfig()));
const refreshKey = (quest: string) => `refresh_quest_analytics:${quest}`;

interface JobRow {
  id: string;
  task_identifier: string;
  payload: unknown;
  key: string | null;
}

/** A connection of its own (released by the caller): one per actor of the race. */
const connect = (url: string): Promise<pg.PoolClient> => poolFor(url).connect();

/** Runs `job` with the worker's real task list, as graphile-worker does once it has locked the job (as app_worker). */
function runAsWorker(job: JobRow): Promise<unknown> {
  const worker = poolFor(roleUrl("app_worker"));
  const helpers = {
    job,
    logger: new Logger(() => () => {}),
    query: (text: string, values?: unknown[]) => worker.query(text, values),
    withPgClient: async <T>(fn: (client: pg.PoolClient) => Promise<T>) => {
      const client = await worker.connect();
      try {
        return await fn(client);
      } finally {
        client.release();
      }
    },
  } as unknown as JobHelpers;
  return Promise.resolve((tasks[job.task_identifier] as Task)(job.payload, helpers));
}

const ratingOf = (quest: string): Promise<number> =>
  withOwnerDb(async (owner) => (await owner.query("select rating from app_public.quests where id = $1", [quest])).rows[0].rating);

const unlockedJobsFor = (key: string): Promise<number> =>
  withOwnerDb(
    async (owner) => (await owner.query("select count(*)::int as n from graphile_worker.jobs where key = $1 and locked_at is null", [key])).rows[0].n,
  );

/**
 * A public quest another parent (`rater`) rated 3, refreshed; then a refresh queued (committed) and locked as
 * get_job locks it, in `locker`'s open transaction.
 */
async function questWithJobBeingLocked(locker: pg.ClientBase): Promise<{ quest: string; rater: TestUser; job: JobRow }> {
  const { rater, quest } = await withOwnerDb(async (owner) => {
    const quest = (await createQuest(owner, await createUser(owner, "parent"), { is_public: true, moderation_status: "approved" })).id;
    const rater = await createUser(owner, "parent");
    await owner.query("insert into app_public.quest_ratings (user_id, quest_id, rating) values ($1, $2, 3)", [rater.id, quest]);
    return { rater, quest };
  });
  await runDueJobs();
  expect(await ratingOf(quest)).toBe(3);
  await withOwnerDb((owner) => owner.query("select app_private.enqueue_quest_refresh(array[$1::uuid])", [quest]));
  await locker.query("begin");
  // What graphile-worker's get_job does to the job it takes (src/sql/getJobs.ts), left uncommitted for now.
  const { rows } = await locker.query<{ id: string }>(
    `update graphile_worker._private_jobs set locked_at = now(), locked_by = 'job-requests-test', attempts = attempts + 1
     where key = $1 and locked_at is null returning id`,
    [refreshKey(quest)],
  );
  expect(rows).toHaveLength(1);
  const job = await withOwnerDb(
    async (owner) =>
      (
        await owner.query<JobRow>(
          `select j.id, t.identifier as task_identifier, j.payload, j.key
           from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where j.id = $1`,
          [rows[0]!.id],
        )
      ).rows[0]!,
  );
  return { quest, rater, job };
}

/**
 * `rater` changes their rating of `quest` to `stars` in `writer`'s open transaction, as pas_bot's direct SQL
 * would; returns the statement, not awaited (it may wait on a lock). It fails unless it updated the row.
 */
async function rateInOpenTransaction(writer: pg.ClientBase, rater: TestUser, quest: string, stars: number): Promise<{ statement: Promise<void> }> {
  await writer.query("begin");
  await writer.query("select set_config('app.user_id', $1, true)", [rater.id]);
  const statement = writer
    .query("update app_public.quest_ratings set rating = $3 where user_id = $1 and quest_id = $2", [rater.id, quest, stars])
    .then(({ rowCount }) => void expect(rowCount).toBe(1));
  return { statement };
}

/** `fn` with a locker (the worker's get_job, as the owner) and a writer (pas_bot's direct SQL) connection. */
async function withLockerAndWriter(fn: (locker: pg.PoolClient, writer: pg.PoolClient) => Promise<void>): Promise<void> {
  const locker = await connect(ownerUrl);
  const writer = await connect(roleUrl("pas_bot_user"));
  try {
    await fn(locker, writer);
  } finally {
    await locker.query("rollback").catch(() => {});
    await writer.query("rollback").catch(() => {});
    locker.release();
    writer.release();
  }
}

test("a write whose add_job meets the job being locked is still seen by that run (graphile/worker#580)", () =>
  withLockerAndWriter(async (locker, writer) => {
    const { quest, rater, job } = await questWithJobBeingLocked(locker);
    // The rating becomes 5: the trigger queues the refresh, and add_job's upsert waits on the job row the
    // worker is locking ...
    const rated = await rateInOpenTransaction(writer, rater, quest, 5);
    expect(await waitsOn(rated.statement, await pidOf(locker))).toBe("waits");
    // ... the worker commits its lock, so add_job finds the job locked and queues nothing.
    await locker.query("commit");
    await rated.statement;
    expect(await unlockedJobsFor(refreshKey(quest))).toBe(0);
    // The run starts while the write is still uncommitted: it must wait for it, not read the old rating.
    const run = runAsWorker(job);
    expect(await waitsOn(run, await pidOf(writer))).toBe("waits");
    await writer.query("commit");
    await run;
    expect(await ratingOf(quest)).toBe(5);
  }));

test("a write made while the run is under way queues a new run", () =>
  withLockerAndWriter(async (locker, writer) => {
    const { quest, rater, job } = await questWithJobBeingLocked(locker);
    await locker.query("commit");
    // The run takes its requests and refreshes; its job is still locked (not completed) when the rater
    // changes their rating to 4 and commits.
    await runAsWorker(job);
    await (await rateInOpenTransaction(writer, rater, quest, 4)).statement;
    await writer.query("commit");
    // add_job found the job locked, so it queued another run; that one sees the 4.
    expect(await unlockedJobsFor(refreshKey(quest))).toBe(1);
    await runDueJobs();
    expect(await ratingOf(quest)).toBe(4);
  }));

test.each(Object.keys(tasks))("a keyed run of %s waits for the transactions that requested it", async (identifier) => {
  const requester = await connect(ownerUrl);
  const key = `job-requests-test:${identifier}`;
  try {
    await requester.query("begin");
    // A request in flight (the run waits on the request, whether or not the job row exists).
    await requester.query("insert into app_private.job_requests (job_key) values ($1)", [key]);
    const run = runAsWorker({ id: "0", task_identifier: identifier, payload: {}, key });
    expect(await waitsOn(run, await pidOf(requester))).toBe("waits");
    await requester.query("commit");
    await run;
    const left = await withOwnerDb((owner) => owner.query("select from app_private.job_requests where job_key = $1", [key]));
    expect(left.rowCount).toBe(0);
  } finally {
    await requester.query("rollback").catch(() => {});
    requester.release();
  }
});

test("a request needs a job key, and queues the job with it", async () => {
  await withOwnerDb(async (owner) => {
    await expect(owner.query("select app_jobs.request_job('probe', '{}', null)")).rejects.toMatchObject({ code: "22004" });
    await expect(owner.query("select app_jobs.request_job('probe', '{}', '')")).rejects.toMatchObject({ code: "22004" });
    await owner.query("select app_jobs.request_job('probe', '{\"n\": 1}', 'job-requests-test:probe', max_attempts => 2)");
    const { rows } = await owner.query(
      `select j.max_attempts, j.payload, exists (select from app_private.job_requests r where r.job_key = j.key) as requested
       from graphile_worker._private_jobs j where j.key = 'job-requests-test:probe'`,
    );
    expect(rows).toEqual([{ max_attempts: 2, payload: { n: 1 }, requested: true }]);
    await owner.query("select graphile_worker.remove_job('job-requests-test:probe')");
  });
});

test.each([
  ["add_job with a named job_key", "select graphile_worker.add_job('probe', '{}', job_key => 'job-requests-test:named')"],
  ["add_job with the key as its sixth argument", "select graphile_worker.add_job('probe', '{}', null, now(), 10, 'job-requests-test:positional')"],
  [
    "add_jobs with a keyed spec",
    "select graphile_worker.add_jobs(array[row('probe', '{}', null, now(), 10, 'job-requests-test:spec', null, null)::graphile_worker.job_spec])",
  ],
])("a keyed job queued around request_job is refused: %s", async (_how, sql) => {
  await withOwnerDb(async (owner) => {
    await expect(owner.query(sql)).rejects.toMatchObject({ code: "JOB01", message: expect.stringContaining("app_jobs.request_job") });
    // Without a key, add_job is fine (consent notifications are queued so).
    await owner.query("begin");
    await owner.query("select graphile_worker.add_job('probe', '{}')");
    await owner.query("rollback");
  });
});

test("graphile-worker's own addJob with a jobKey is refused too, and request_job refuses unsafe_dedupe", async () => {
  const utils = await makeWorkerUtils({ connectionString: roleUrl("app_worker") });
  try {
    await expect(utils.addJob("probe", {}, { jobKey: "job-requests-test:utils" })).rejects.toMatchObject({ code: "JOB01" });
  } finally {
    await utils.release();
  }
  await withOwnerDb((owner) =>
    expect(owner.query("select app_jobs.request_job('probe', '{}', 'job-requests-test:dedupe', job_key_mode => 'unsafe_dedupe')")).rejects.toMatchObject({
      code: "22023",
    }),
  );
});

test("add_job with a job key is refused even while another transaction's request of that key waits for its run", () =>
  withOwnerDb(async (owner) => {
    const key = "job-requests-test:pending";
    // A request, committed (as a child's play does), not yet taken by a run ...
    await owner.query("select app_jobs.request_job('probe', '{}', $1, run_at => now() + interval '1 hour')", [key]);
    // ... does not let a careless service queue around request_job with the same key.
    await expect(owner.query("select graphile_worker.add_job('probe', '{}', job_key => $1)", [key])).rejects.toMatchObject({ code: "JOB01" });
    await owner.query("select graphile_worker.remove_job($1)", [key]);
  }));
