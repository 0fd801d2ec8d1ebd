// Issue 16 §6: docs/direct-sql.md's Python, run exactly as written (its python blocks, in order,
// are the module direct_sql.py) by Debian's python3 with psycopg2 and SQLAlchemy, against this
// file's database holding test/helpers/world.ts's two families: RLS holds for that client too.
// test/python/direct_sql_scenarios.py drives the module and reports what each role saw.
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../src/config.ts";
import { rootUrl, roleUrl, testMasterKey, withOwnerDb } from "../helpers/db.ts";
import { askServer, testIf } from "../helpers/server.ts";
import { buildWorld, W } from "../helpers/world.ts";

// Not `python3` from the PATH (a developer's pyenv may lack the drivers): the distribution's, as CI installs them.
const PYTHON = "/usr/bin/python3";
const SCENARIOS = path.join(PROJECT_ROOT, "test/python/direct_sql_scenarios.py");
const DOC = path.join(PROJECT_ROOT, "docs/direct-sql.md");
const hasDrivers = spawnSync(PYTHON, ["-c", "import psycopg2, sqlalchemy"]).status === 0;
const pythonTest = testIf(hasDrivers, `${PYTHON} lacks psycopg2 or sqlalchemy (apt-get install python3-psycopg2 python3-sqlalchemy)`);
// The embedded cluster logs to <dir>/postgres.log beside its data (as test/db/server-log.test.ts reads it);
// a server named by ROOT_DATABASE_URL keeps its log where this process may not read it.
const dataDirectory = await askServer(async (c) => (await c.query<{ data_directory: string }>("show data_directory")).rows[0]!.data_directory);
const LOG_FILE = path.join(path.dirname(dataDirectory), "postgres.log");
const logTest = testIf(hasDrivers && path.basename(dataDirectory) === "postgres" && existsSync(LOG_FILE), "no Python drivers, or no server log to read");

interface Refusal {
  type: string;
  sqlstate: string | null;
  message: string;
}
interface Letter {
  user_id: string;
  child_id: string;
  content: string;
}
/** What direct_sql_scenarios.py prints (its keys name the scenarios). */
interface Report {
  parentA_letters: Letter[];
  parentB_letters: Letter[];
  childA_progress: string[][];
  childA_play: string[][];
  letter_to_other_child: Refusal | null;
  parent_reads_play: Refusal | null;
  insert_naming_user_id: Refusal | null;
  pas_bot_as_child: Refusal | null;
  update_other_goals_rowcount: number;
  stale_version: Refusal | null;
  psycopg2_nobody: { app_user_id: string; letters: number; goals: number; users: number };
  without_master_key: Refusal | null;
  orm_parentA_letters: Letter[];
  orm_next_transaction: { same_connection: boolean; app_user_id: string; letters: number };
  orm_without_user: Refusal | null;
  orm_letter_to_other_child: Refusal | null;
}

/** The doc's python blocks, in order: the module it describes. */
async function docModule(): Promise<string> {
  const markdown = await readFile(DOC, "utf8");
  return [...markdown.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!).join("\n\n");
}

/**
 * Runs the scenarios with `module` as direct_sql.py, connected as the doc says a service is
 * (libpq's PG* variables, the role passwords, the master key; nothing else from this environment).
 */
async function runScenarios(module: string): Promise<{ report: Report; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "pas-direct-sql-"));
  try {
    await writeFile(path.join(dir, "direct_sql.py"), module);
    const url = new URL(roleUrl("pas_bot_user"));
    const env = {
      PATH: "/usr/bin:/bin",
      PYTHONPATH: dir,
      PYTHONDONTWRITEBYTECODE: "1",
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
      PAS_BOT_DB_PASSWORD: process.env.PAS_BOT_DB_PASSWORD!,
      INNER_EDU_DB_PASSWORD: process.env.INNER_EDU_DB_PASSWORD!,
      DATA_ENCRYPTION_KEY: testMasterKey(),
    };
    const ids = JSON.stringify({ parentA: W.parentA, childA: W.childA, parentB: W.parentB, childB: W.childB });
    const { stdout, stderr } = await promisify(execFile)(PYTHON, [SCENARIOS, ids], { env, timeout: 25_000 });
    return { report: JSON.parse(stdout) as Report, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let run: { report: Report; stderr: string };
/** What the server logged while the scenarios ran. */
let serverLog = "";

beforeAll(async () => {
  // Committed, so that the Python process's own connections see the families.
  await withOwnerDb(buildWorld);
  if (!hasDrivers) return;
  // Every statement the app roles send to this file's database goes to the log, as a DBA could
  // configure it: what psycopg2 puts in SQL text is then there to see (the roles' own settings log nothing).
  const database = new URL(rootUrl).pathname.slice(1);
  await askServer(async (c) => {
    for (const role of ["pas_bot_user", "inner_edu_user"]) {
      await c.query(`alter role ${role} in database ${database} set log_statement = 'all'`);
      await c.query(`alter role ${role} in database ${database} set log_min_messages = 'log'`);
    }
  });
  const logStart = existsSync(LOG_FILE) ? (await stat(LOG_FILE)).size : 0;
  run = await runScenarios(await docModule());
  if (existsSync(LOG_FILE)) serverLog = await logSince(logStart);
}, 90_000);

/** The log from byte `start` on, once a line logged after the scenarios has reached it (so theirs have). */
async function logSince(start: number): Promise<string> {
  const sentinel = `direct-sql-sentinel-${randomBytes(6).toString("hex")}`;
  await askServer((c) => c.query(`do $$ begin raise log '${sentinel}'; end $$`));
  for (let waited = 0; waited < 20_000; waited += 100) {
    const text = (await readFile(LOG_FILE)).subarray(start).toString("utf8");
    if (text.includes(sentinel)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The log line ${sentinel} never reached ${LOG_FILE}`);
}

pythonTest("psycopg2 and SQLAlchemy: parent A reads their own letters, decrypted, and none of parent B's", async () => {
  const { report } = run;
  const ownA = [
    { user_id: W.parentA, child_id: W.childA, content: "Dear child" },
    { user_id: W.parentA, child_id: W.childA, content: "written from Python" },
  ];
  expect(report.parentA_letters).toEqual(ownA);
  expect(report.orm_parentA_letters).toEqual(ownA);
  expect(report.parentB_letters).toEqual([{ user_id: W.parentB, child_id: W.childB, content: "Dear child" }]);
});

pythonTest("the child's service (inner_edu_user) reads only the child's own play", async () => {
  expect(run.report.childA_progress).toEqual([[W.childA]]);
  expect(run.report.childA_play).toEqual([[W.childA]]);
});

pythonTest("a write for another family fails with the RLS error; other refusals are the documented ones", async () => {
  const { report } = run;
  const rls = { sqlstate: "42501", message: 'new row violates row-level security policy "child_is_mine" for table "letters"' };
  expect(report.letter_to_other_child).toMatchObject(rls);
  expect(report.orm_letter_to_other_child).toMatchObject({ type: "ProgrammingError", ...rls });
  expect(report.parent_reads_play).toMatchObject({ sqlstate: "42501", message: "permission denied for table child_progress" });
  expect(report.insert_naming_user_id).toMatchObject({ sqlstate: "42501", message: "permission denied for table letters" });
  expect(report.pas_bot_as_child).toMatchObject({ sqlstate: "ACTOR" });
  expect(report.without_master_key).toMatchObject({ sqlstate: "KEY01" });
  expect(report.stale_version).toMatchObject({
    sqlstate: "STALE",
    message: "This row of goals was changed by someone else (you sent version 0, the current version is 1): reload it and try again.",
  });
  // The silent shape: another user's rows are simply not there to update.
  expect(report.update_other_goals_rowcount).toBe(0);
  await withOwnerDb(async (owner) => {
    const { rows } = await owner.query("select title from app_public.goals where user_id = $1", [W.parentB]);
    expect(rows).toEqual([{ title: "Goal" }]);
  });
});

pythonTest("without app.user_id nothing is visible, and no identity leaks into the next transaction of a pooled connection", async () => {
  const { report } = run;
  // psycopg2: the connection parent A's transactions used, now in one that sets nobody.
  expect(report.psycopg2_nobody).toEqual({ app_user_id: "", letters: 0, goals: 0, users: 0 });
  // SQLAlchemy's pool (one connection): the backend parent A's session used, taken by code outside a session.
  expect(report.orm_next_transaction).toEqual({ same_connection: true, app_user_id: "", letters: 0 });
  // A session that does not say who acts runs no statement.
  expect(report.orm_without_user).toMatchObject({ type: "RuntimeError", sqlstate: null });
});

pythonTest("SQLAlchemy's statement log carries no parameter value and no master key", async () => {
  expect(run.stderr).toContain("insert into app_public.letters (child_id, content) values");
  expect(run.stderr).toContain("[SQL parameters hidden due to hide_parameters=True]");
  expect(run.stderr).not.toContain("not yours either");
  expect(run.stderr).not.toContain(testMasterKey());
});

logTest("the master key is never in SQL text: a server logging every statement logs the user id, not the key", async () => {
  // psycopg2 puts parameters into the SQL text, so the user id is there as a literal: statements were logged.
  expect(serverLog).toContain(`set_config('app.user_id', '${W.parentA}', true)`);
  expect(serverLog).not.toContain(testMasterKey());
});

pythonTest("the leak check catches a doc whose hook sets app.user_id for the session instead of the transaction", async () => {
  const module = await docModule();
  const sessionLevel = module.replace("set_config('app.user_id', :user_id, true)", "set_config('app.user_id', :user_id, false)");
  expect(sessionLevel).not.toBe(module);
  const { report } = await runScenarios(sessionLevel);
  expect(report.orm_next_transaction).toMatchObject({ same_connection: true, app_user_id: W.parentA });
  expect(report.orm_next_transaction.letters).toBeGreaterThan(0);
});
