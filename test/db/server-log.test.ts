// Issue 14, item 10: no P2 value and no master key reaches PostgreSQL's log, by
// any path a session of our roles can take; the embedded cluster's log and
// data are readable by their owner only.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { ROLES } from "../../src/config.ts";
import { AUDIT_ROLES, SERVER_LOG_SETTINGS } from "../../src/db/roles.ts";
import { signAppToken } from "../../src/http/auth.ts";
import { ownerUrl, roleUrl, testMasterKey, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer } from "../helpers/http.ts";

const LOGIN_ROLES = ["app_owner", ...Object.values(ROLES)];
// Every role that logs in carries the settings: also the audit writer (dblink's connection, no password of ours here).
const SETTINGS_ROLES = [...LOGIN_ROLES, AUDIT_ROLES.writer];
const urlOf = (role: string) => (role === "app_owner" ? ownerUrl : roleUrl(role as (typeof ROLES)[keyof typeof ROLES]));

// The embedded cluster (src/db/embeddedPostgres.ts) keeps its data in <dir>/postgres and its log
// in <dir>/postgres.log. A server named by ROOT_DATABASE_URL (CI's PostgreSQL 15 pass) keeps its
// log where this process may not read it: those checks are skipped there.
const dataDirectory = await (async () => {
  const root = new pg.Client({ connectionString: process.env.TEST_ROOT_URL });
  await root.connect();
  try {
    return (await root.query<{ data_directory: string }>("show data_directory")).rows[0]!.data_directory;
  } finally {
    await root.end();
  }
})();
const logFile = path.join(path.dirname(dataDirectory), "postgres.log");
const embedded = path.basename(dataDirectory) === "postgres" && existsSync(logFile);
const testEmbedded = embedded ? test : test.skip;

test("every login role carries the settings that keep what it sends out of the server log", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(
      `select r.rolname, coalesce(s.setconfig, '{}') as setconfig from pg_roles r
       left join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0
       where r.rolname = any ($1) order by 1`,
      [SETTINGS_ROLES],
    );
    const expected = Object.entries(SERVER_LOG_SETTINGS).map(([name, value]) => `${name}=${value}`);
    expect(rows.map((r) => [r.rolname, r.setconfig.filter((s: string) => expected.includes(s)).sort()])).toEqual(
      [...SETTINGS_ROLES].sort().map((role) => [role, [...expected].sort()]),
    );
  });
  const session = new pg.Client({ connectionString: roleUrl(ROLES.pasBot) });
  await session.connect();
  try {
    const { rows } = await session.query(
      "select current_setting('log_min_messages') as messages, current_setting('log_min_error_statement') as statement, current_setting('track_activities') as activities",
    );
    expect(rows).toEqual([{ messages: "fatal", statement: "panic", activities: "off" }]);
  } finally {
    await session.end();
  }
});

/** Waits until a line only the superuser's session logs is in the log file: what our sessions logged before it is there too. */
async function logUpTo(sentinel: string): Promise<string> {
  await withRootDb((client) => client.query(`do $$ begin raise log '${sentinel}'; end $$`));
  for (let waited = 0; waited < 20_000; waited += 100) {
    const text = await readFile(logFile, "utf8");
    if (text.includes(sentinel)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The log line ${sentinel} never reached ${logFile}`);
}

testEmbedded("failing statements that carry a letter's text and a master key leave neither in the server log, from any login role or GraphQL", async () => {
  const letter = `letter-text-${randomBytes(6).toString("hex")}`;
  const key = `master-key-${randomBytes(6).toString("hex")}`;
  const parent = await withOwnerDb((owner) => createUser(owner, "parent"));
  const failures: string[] = [];
  const fail = async (session: pg.Client, sql: string, params?: unknown[]) => {
    await session.query(sql, params).then(
      () => failures.push(`did not fail: ${sql}`),
      () => undefined,
    );
  };
  for (const role of LOGIN_ROLES) {
    const session = new pg.Client({ connectionString: urlOf(role) });
    await session.connect();
    try {
      // The whole string (STATEMENT), a value quoted by the error message.
      await fail(session, `select set_config('app.data_encryption_key', '${key}', true); select '${letter}'::uuid`);
      // A bind parameter quoted by the message.
      await fail(session, "select set_config('app.data_encryption_key', $1, true), $2::uuid", [key, letter]);
      // DETAIL and CONTEXT quoting the value.
      await fail(session, `select '{"a": ${letter}}'::jsonb`);
      await fail(session, `do $$ begin perform set_config('app.data_encryption_key', '${key}', true); perform '${letter}'::uuid; end $$`);
      if (role === ROLES.pasBot) {
        // "Failing row contains (…)": a check violated by a row with the letter's title.
        await fail(
          session,
          `begin; select set_config('app.user_id', '${parent.id}', true), set_config('app.data_encryption_key', '${testMasterKey()}', true);
           insert into app_public.letters (title, content, status) values ('${letter}', '${letter}', 'sent')`,
        );
        await session.query("rollback");
      }
    } finally {
      await session.end();
    }
  }
  const server = await startTestServer();
  try {
    const token = signAppToken("pas_bot", parent.id, server.secrets);
    const refused = await graphql(server, "mutation ($text: String!) { createLetter(input: { letter: { title: $text, content: $text, status: SENT } }) { letter { id } } }", {
      token,
      variables: { text: letter },
    });
    expect(refused.body.errors).toBeDefined();
  } finally {
    await server.close();
  }
  expect(failures).toEqual([]);

  const log = await logUpTo(`sentinel-${randomBytes(6).toString("hex")}`);
  expect({ letter: log.includes(letter), key: log.includes(key), masterKey: log.includes(testMasterKey()) }).toEqual({
    letter: false,
    key: false,
    masterKey: false,
  });
});

test("pg_stat_activity keeps no query text of our sessions (nor, after a crash, the postmaster's report)", async () => {
  const mark = `activity-${randomBytes(6).toString("hex")}`;
  const session = new pg.Client({ connectionString: roleUrl(ROLES.pasBot) });
  await session.connect();
  try {
    const { rows } = await session.query(`select pg_backend_pid() as pid, '${mark}' as mark`);
    const activity = await withRootDb(async (client) => (await client.query("select query from pg_stat_activity where pid = $1", [rows[0].pid])).rows);
    expect(activity).toHaveLength(1);
    expect(activity[0].query).not.toContain(mark);
  } finally {
    await session.end();
  }
});

testEmbedded("the embedded cluster's log and data files are readable by their owner only", async () => {
  const openToOthers: string[] = [];
  const check = async (file: string) => {
    // (The server may remove a temporary file while this walks.)
    const mode = (await stat(file).catch(() => undefined))?.mode ?? 0;
    if (mode & 0o077) openToOthers.push(`${file} ${(mode & 0o777).toString(8)}`);
  };
  await check(logFile);
  await check(dataDirectory);
  for (const entry of await readdir(dataDirectory, { recursive: true })) await check(path.join(dataDirectory, entry));
  expect(openToOthers).toEqual([]);
});
