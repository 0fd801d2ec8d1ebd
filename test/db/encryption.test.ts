// P2 data encrypted at rest (migration 000017): what the owner finds in the raw
// tables, what the apps read, what a missing, wrong or erased key does, and
// master key rotation by the worker.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { signAppToken } from "../../src/http/auth.ts";
import { columnsOfClass } from "../../src/privacy/dataClasses.ts";
import { masterKeyId, useMasterKeys } from "../../src/privacy/masterKeys.ts";
import { startWorker } from "../../src/worker/runner.ts";
import { workerTaskList } from "../../src/worker/tasks.ts";
import { actingAs, committedAs, expectError, poolFor, rootUrl, roleUrl, testMasterKey, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer } from "../helpers/http.ts";
import { askServer, testIf } from "../helpers/server.ts";
import { runDueJobs } from "../helpers/worker.ts";
import { buildWorld, W } from "../helpers/world.ts";

const MARK = "plain-words-7f3a";
const otherKey = () => randomBytes(24).toString("base64url");

interface EncryptedColumn {
  table_name: string;
  column_name: string;
  owner_column: string;
  required: boolean;
}

async function encryptedColumns(client: pg.ClientBase): Promise<EncryptedColumn[]> {
  return (await client.query<EncryptedColumn>("select * from app_private.encrypted_columns order by table_name, column_name")).rows;
}

/** A P2 value with MARK in every column, written as the apps write: parent A and child A. */
async function writeMarkedValues(client: pg.ClientBase): Promise<void> {
  await buildWorld(client);
  await actingAs(client, "pas_bot_user", W.parentA, async () => {
    await client.query("insert into app_public.letters (content) values ($1)", [`Dear ${MARK}`]);
    const session = await client.query("insert into app_public.therapy_sessions (state, summary) values ($1, $2) returning id", [
      { step: MARK },
      `summary ${MARK}`,
    ]);
    await client.query("insert into app_public.messages (session_id, role, content) values ($1, 'user', $2)", [session.rows[0].id, MARK]);
    await client.query("insert into app_public.quest_builder_sessions (conversation_history, quest_context) values ($1, $2)", [
      JSON.stringify([{ role: "user", content: MARK }]),
      { child_interests: MARK },
    ]);
    await client.query("select app_public.update_profile_emotions($1)", [{ mood: 5, note: MARK }]);
  });
  // Written by the bot's analysis, not by an app role: as the owner would.
  await client.query(
    "update app_public.psychological_profiles set crisis_history = $2, triggers = $2, toxic_patterns = $2 where user_id = $1",
    [W.parentA, JSON.stringify([MARK])],
  );
  await actingAs(client, "inner_edu_user", W.childA, () =>
    client.query("insert into app_public.child_progress (quest_id, node_key, event_type, payload) values ($1, 'n1', 'choice_made', $2)", [
      W.questA,
      { answer: MARK },
    ]),
  );
}

test("the encrypted columns are exactly the P2 columns of src/privacy/dataClasses.ts", async () => {
  await withRootDb(async (client) => {
    const registered = (await encryptedColumns(client)).map((c) => `${c.table_name}.${c.column_name}`);
    expect(registered).toEqual(columnsOfClass("P2").sort());
  });
});

test("the raw tables hold only ciphertext; each app reads the plaintext of the rows it may see", async () => {
  await withRootDb(async (client) => {
    await writeMarkedValues(client);
    const offenders: unknown[] = [];
    for (const c of await encryptedColumns(client)) {
      const { rows } = await client.query(
        `select t::text as whole, encode(t.${c.column_name}_encrypted, 'escape') as bytes, t.${c.column_name} is null as kept_null,
                t.${c.column_name}_encrypted is not null as encrypted
         from app_public.${c.table_name} t`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const plaintext = row.whole.includes(MARK) || (row.bytes ?? "").includes(MARK);
        if (plaintext || !row.kept_null || (c.required && !row.encrypted)) offenders.push({ column: `${c.table_name}.${c.column_name}`, row });
      }
    }
    expect(offenders).toEqual([]);
    // A load with triggers off cannot store plaintext either.
    await client.query("set local session_replication_role = replica");
    const bypass = await expectError(client, "insert into app_public.letters (user_id, content, content_encrypted) values ($1, 'plain', '')", [W.parentA]);
    expect(bypass).toMatchObject({ code: "23514", constraint: "letters_content_stored_encrypted" });
    await client.query("set local session_replication_role = origin");

    const parentReads = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (
        await client.query(`
          select (select array_agg(app_public.letters_content(l) order by l.created_at) from app_public.letters l) as letters,
                 (select array_agg(app_public.messages_content(m)) from app_public.messages m) as messages,
                 (select app_public.psychological_profiles_crisis_history(p) from app_public.psychological_profiles p) as crisis,
                 (select app_public.therapy_sessions_state(s) from app_public.therapy_sessions s where s.summary_encrypted is not null) as state`)
      ).rows[0],
    );
    expect(parentReads).toEqual({
      letters: ["Dear child", `Dear ${MARK}`],
      messages: expect.arrayContaining([MARK]),
      crisis: [MARK],
      state: { step: MARK },
    });
    const childReads = await actingAs(client, "inner_edu_user", W.childA, async () =>
      (await client.query("select app_public.child_progress_payload(p) as payload from app_public.child_progress p where p.payload_encrypted is not null")).rows,
    );
    expect(childReads).toEqual(expect.arrayContaining([{ payload: { answer: MARK } }]));

    // The other family sees none of those rows, so decrypts none; the child's play stays the child's.
    const stranger = await actingAs(client, "pas_bot_user", W.parentB, async () =>
      (await client.query("select app_public.letters_content(l) as content from app_public.letters l")).rows,
    );
    expect(stranger).toEqual([{ content: "Dear child" }]);
    await actingAs(client, "pas_bot_user", W.parentA, async () =>
      expect((await expectError(client, "select app_public.child_progress_payload(p) from app_public.child_progress p")).message).toMatch(/permission denied/),
    );
  });
});

test("a bad value is refused before encryption, naming the column", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await actingAs(client, "pas_bot_user", W.parentA, async () => {
      const empty = await expectError(client, "insert into app_public.messages (role, content) values ('user', '')");
      expect(empty).toMatchObject({ code: "23514", constraint: "messages_content_shape", message: "messages.content must be a non-empty text" });
      const missing = await expectError(client, "insert into app_public.messages (role) values ('user')");
      expect(missing).toMatchObject({ code: "23502", column: "content" });
      const notAnObject = await expectError(client, "insert into app_public.therapy_sessions (state) values ('[1]')");
      expect(notAnObject.message).toBe("therapy_sessions.state must be a JSON object");
      // An update that leaves the column out keeps the stored value.
      await client.query("update app_public.letters set title = 'Renamed' where user_id = $1", [W.parentA]);
      const { rows } = await client.query("select app_public.letters_content(l) as content from app_public.letters l");
      expect(rows).toEqual([{ content: "Dear child" }]);
    });
  });
});

test("without a master key, or with another one, reads and writes fail clearly instead of returning anything", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    await actingAs(client, "pas_bot_user", W.parentA, async () => {
      await client.query("select set_config('app.data_encryption_key', '', true)");
      const read = await expectError(client, "select app_public.letters_content(l) from app_public.letters l");
      expect(read).toMatchObject({ code: "KEY01", message: expect.stringMatching(/^No master key in this transaction/) });
      const write = await expectError(client, "insert into app_public.letters (content) values ('x')");
      expect(write.code).toBe("KEY01");

      const wrong = otherKey();
      await client.query("select set_config('app.data_encryption_key', $1, true)", [wrong]);
      const misread = await expectError(client, "select app_public.letters_content(l) from app_public.letters l");
      expect(misread.code).toBe("KEY02");
      expect(misread.message).toBe(
        `The data key of user ${W.parentA} is wrapped with master key ${masterKeyId(testMasterKey())}, and this transaction holds ${masterKeyId(wrong)}: ` +
          "DATA_ENCRYPTION_KEY is not the key this database uses (while rotating, give the old one as DATA_ENCRYPTION_KEY_PREVIOUS).",
      );
      expect(misread.message).not.toContain(wrong);
    });
  });
});

test("a ciphertext decrypts only with its owner's data key; altered, it fails", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const { rows } = await client.query("select content_encrypted as c from app_public.letters where user_id = $1", [W.parentA]);
    const ciphertext: Buffer = rows[0].c;
    expect((await client.query("select app_private.decrypt_p2($1, $2) as p", [W.parentA, ciphertext])).rows[0].p).toBe("Dear child");
    const moved = await expectError(client, "select app_private.decrypt_p2($1, $2)", [W.parentB, ciphertext]);
    expect(moved).toMatchObject({ code: "KEY04", message: `A P2 value of user ${W.parentB} does not decrypt with their data key: it was altered, or it is another user's.` });
    const altered = Buffer.from(ciphertext);
    altered[altered.length - 5]! ^= 0xff;
    expect((await expectError(client, "select app_private.decrypt_p2($1, $2)", [W.parentA, altered])).code).toBe("KEY04");
  });
});

test("crypto-shredding: the data key goes with the user, and any copy of their ciphertext becomes unreadable", async () => {
  await withRootDb(async (client) => {
    const parent = await createUser(client, "parent");
    await actingAs(client, "pas_bot_user", parent.id, () => client.query("insert into app_public.letters (content) values ('gone soon')"));
    // A copy, as a backup of the data would hold it.
    await client.query("create temporary table backup_copy as select user_id, content_encrypted from app_public.letters where user_id = $1", [parent.id]);
    // (The erasure job deletes the user the same way: gdpr.test.ts.)
    await client.query("delete from app_public.users where id = $1", [parent.id]);
    expect((await client.query("select count(*)::int as n from app_private.user_data_keys where user_id = $1", [parent.id])).rows[0].n).toBe(0);
    const shredded = await expectError(client, "select app_private.decrypt_p2(user_id, content_encrypted) from backup_copy");
    expect(shredded).toMatchObject({
      code: "KEY03",
      message: `The data key of user ${parent.id} no longer exists (their data was erased): this ciphertext cannot be read.`,
    });
  });
});

test("GraphQL: both apps write and read plaintext; the database holds ciphertext; a server with the wrong key is not ready", async () => {
  const parent = await withOwnerDb((owner) => createUser(owner, "parent"));
  const server = await startTestServer();
  try {
    const token = signAppToken("pas_bot", parent.id, server.secrets);
    const created = await graphql(server, `mutation ($content: String!) { createLetter(input: { letter: { title: "T", content: $content } }) { letter { id content } } }`, {
      token,
      variables: { content: `Dear ${MARK}` },
    });
    expect(created.body.errors).toBeUndefined();
    const letter = created.body.data.createLetter.letter;
    expect(letter.content).toBe(`Dear ${MARK}`);
    const updated = await graphql(server, `mutation ($id: UUID!) { updateLetter(input: { id: $id, patch: { content: "Changed" } }) { letter { content title } } }`, {
      token,
      variables: { id: letter.id },
    });
    expect(updated.body.data.updateLetter.letter).toEqual({ content: "Changed", title: "T" });
    const listed = await graphql(server, "{ letters { nodes { content } } }", { token });
    expect(listed.body.data.letters.nodes).toEqual([{ content: "Changed" }]);

    const stored = await withOwnerDb(async (owner) => (await owner.query("select l::text as whole from app_public.letters l where id = $1", [letter.id])).rows[0].whole);
    expect(stored).not.toContain("Changed");

    const wrongKey = await startTestServer({ masterKeys: { current: otherKey() } });
    try {
      const readiness = await fetch(`${wrongKey.url}/readyz`);
      expect(readiness.status).toBe(503);
      expect(((await readiness.json()) as { dataKeysUnwrappable: Record<string, number> }).dataKeysUnwrappable).toMatchObject({
        [masterKeyId(testMasterKey())]: expect.any(Number),
      });
      // The client learns nothing but that it failed; the log has the reason.
      const refused = await graphql(wrongKey, "{ letters { nodes { content } } }", { token });
      expect(refused.body.data?.letters ?? null).toBeNull();
      expect(refused.body.errors[0].message).toMatch(/^An error occurred/);
    } finally {
      await wrongKey.close();
    }
  } finally {
    await server.close();
  }
});

// A service started with a mistyped DATA_ENCRYPTION_KEY must not make data keys only it can unwrap (the new
// user's values would be locked away, and every server's /readyz would turn red over them).
test("a master key this database does not use makes no data key (KEY05); during a rotation the previous key vouches for the new one", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const newcomer = await createUser(client, "parent");
    const next = otherKey();
    const dataKeys = async () =>
      (await client.query("select master_key_id from app_private.user_data_keys where user_id = $1", [newcomer.id])).rows;
    await actingAs(client, "pas_bot_user", newcomer.id, async () => {
      const mistyped = otherKey();
      await client.query("select set_config('app.data_encryption_key', $1, true)", [mistyped]);
      const refused = await expectError(client, "insert into app_public.letters (content) values ('x')");
      expect(refused).toMatchObject({ code: "KEY05", message: expect.stringContaining(`(id ${masterKeyId(mistyped)}) wraps none of this database's data keys`) });
      expect(refused.message).not.toContain(mistyped);

      await client.query("select set_config('app.data_encryption_key', $1, true), set_config('app.data_encryption_key_previous', $2, true)", [
        next,
        testMasterKey(),
      ]);
      await client.query("insert into app_public.letters (content) values ('x')");
    });
    expect(await dataKeys()).toEqual([{ master_key_id: masterKeyId(next) }]);
  });
});

test("master key rotation: a worker given the previous key queues the job, which re-wraps every data key; then only the new key reads", async () => {
  const [parent, another] = await withOwnerDb(async (owner) => [await createUser(owner, "parent"), await createUser(owner, "parent")]);
  for (const user of [parent, another]) {
    await committedAs("pas_bot_user", user.id, (sql) => sql.query("insert into app_public.letters (content) values ($1)", [`for ${user.id}`]));
  }
  const previous = testMasterKey();
  const current = otherKey();

  try {
    const worker = await startWorker({ connectionString: roleUrl("app_worker"), masterKeys: { current, previous }, taskList: {}, cronItems: [] });
    await worker.stop();
    const queued = await withOwnerDb(async (owner) => (await owner.query("select task_identifier from graphile_worker.jobs where key = 'rewrap_data_keys'")).rows);
    expect(queued).toEqual([{ task_identifier: "rewrap_data_keys" }]);

    const log = await runDueJobs(workerTaskList({ current, previous }));
    expect(log).toContainEqual(expect.stringMatching(new RegExp(`^info: rewrap_data_keys: \\d+ data keys re-wrapped with master key ${masterKeyId(current)}, 0 left$`)));
    const byKey = await withOwnerDb(async (owner) => (await owner.query("select master_key_id from app_ops.data_keys_by_master_key()")).rows);
    expect(byKey).toEqual([{ master_key_id: masterKeyId(current) }]);

    await withRootDb(async (client) => {
      await client.query("select set_config('app.data_encryption_key', $1, true)", [current]);
      const { rows } = await client.query("select app_public.letters_content(l) as content from app_public.letters l where user_id = $1", [parent.id]);
      expect(rows).toEqual([{ content: `for ${parent.id}` }]);
      await client.query("select set_config('app.data_encryption_key', $1, true)", [previous]);
      expect((await expectError(client, "select app_public.letters_content(l) from app_public.letters l")).code).toBe("KEY02");
    });
  } finally {
    // Rotate back, by the same job: the file's other tests, in whatever order they run, write with the run's key,
    // which must wrap this database's data keys (or a new data key is refused, KEY05).
    await withOwnerDb((owner) => owner.query("select app_jobs.request_job('rewrap_data_keys', '{}', 'rewrap_data_keys')"));
    await runDueJobs(workerTaskList({ current: previous, previous: current }));
  }
});

// The embedded clusters load pg_stat_statements; an external test server may not.
const statementsLoaded: boolean = await askServer(async (client) =>
  (await client.query("select current_setting('shared_preload_libraries') ~ 'pg_stat_statements' as on")).rows[0].on,
);

testIf(statementsLoaded, "pg_stat_statements is not loaded on this server")("the master key never reaches pg_stat_statements, whoever passes it (GraphQL, a trusted service, the worker)", async () => {
  // (Statements are recorded for the whole server since it started: the rotation test's worker too.)
  await poolFor(rootUrl).query("create extension if not exists pg_stat_statements");
  const parent = await withOwnerDb((owner) => createUser(owner, "parent"));
  const server = await startTestServer();
  try {
    const token = signAppToken("pas_bot", parent.id, server.secrets);
    await graphql(server, `mutation { createLetter(input: { letter: { content: "kept" } }) { letter { content } } }`, { token });
    await committedAs("pas_bot_user", parent.id, async (sql) => {
      await useMasterKeys(sql, { current: testMasterKey() });
      await sql.query("select app_public.letters_content(l) from app_public.letters l");
    });
  } finally {
    await server.close();
  }
  const leaks = await withRootDb(async (client) =>
    (await client.query("select query from pg_stat_statements where strpos(query, $1) > 0", [testMasterKey()])).rows,
  );
  const seen = await withRootDb(async (client) =>
    (await client.query("select count(*)::int as n from pg_stat_statements where query like '%set_config%'")).rows[0].n,
  );
  expect(seen).toBeGreaterThan(0);
  expect(leaks).toEqual([]);
});
