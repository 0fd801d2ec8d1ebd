// Issue 14, item 6: a P2 reading function returns plaintext only for a row that
// exists and that the calling role may select now, and says nothing about any
// other row — whatever row value, uuid or ciphertext the caller builds.
import type pg from "pg";
import { actingAs, withRootDb } from "../helpers/db.ts";
import { buildWorld, W } from "../helpers/world.ts";

interface EncryptedColumn {
  table_name: string;
  column_name: string;
  owner_column: string;
}

/** Who may read each table, and as whom: family A owns the victims' rows, family B attacks. */
const OWNERS: Record<string, { role: "pas_bot_user" | "inner_edu_user"; victim: string; attacker: string }> = {
  child_progress: { role: "inner_edu_user", victim: W.childA, attacker: W.childB },
};
const ownersOf = (table: string) => OWNERS[table] ?? { role: "pas_bot_user" as const, victim: W.parentA, attacker: W.parentB };

/** The world, with every optional P2 column of family A filled too. */
async function worldWithEveryValue(client: pg.ClientBase): Promise<EncryptedColumn[]> {
  await buildWorld(client);
  await client.query("update app_public.therapy_sessions set summary = 'summary of A' where user_id = $1", [W.parentA]);
  await client.query("update app_public.quest_builder_sessions set quest_context = '{\"about\": \"A\"}' where user_id = $1", [W.parentA]);
  return (await client.query<EncryptedColumn>("select table_name, column_name, owner_column from app_private.encrypted_columns order by 1, 2")).rows;
}

/** One stored row of `owner` in `table` whose P2 column holds a value, as JSON (bytea as \x text). */
async function storedRow(client: pg.ClientBase, c: EncryptedColumn, owner: string): Promise<Record<string, unknown>> {
  const { rows } = await client.query(
    `select to_jsonb(t) as row from app_public.${c.table_name} t where t.${c.owner_column} = $1 and t.${c.column_name}_encrypted is not null limit 1`,
    [owner],
  );
  expect(rows).toHaveLength(1);
  return rows[0].row;
}

/** Calls the reading function on a row value the caller built from JSON. */
async function readBuilt(client: pg.ClientBase, c: EncryptedColumn, row: Record<string, unknown>): Promise<unknown> {
  const { rows } = await client.query(
    `select app_public.${c.table_name}_${c.column_name}(jsonb_populate_record(null::app_public.${c.table_name}, $1::jsonb)) as value`,
    [row],
  );
  return rows[0].value;
}

test("every reading function returns null for another user's row that the caller rebuilt, ciphertext and all", async () => {
  await withRootDb(async (client) => {
    const columns = await worldWithEveryValue(client);
    const answers: Record<string, unknown> = {};
    for (const c of columns) {
      const { role, victim, attacker } = ownersOf(c.table_name);
      const stolen = await storedRow(client, c, victim);
      answers[`${c.table_name}.${c.column_name}`] = await actingAs(client, role, attacker, () => readBuilt(client, c, stolen));
    }
    expect(answers).toEqual(Object.fromEntries(columns.map((c) => [`${c.table_name}.${c.column_name}`, null])));
  });
});

test("a caller's own row decrypts what is stored, not the ciphertext the caller put in the row value", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const letters = { table_name: "letters", column_name: "content", owner_column: "user_id" };
    await actingAs(client, "pas_bot_user", W.parentB, () => client.query("insert into app_public.letters (content) values ('B writes this')"));
    const othersCiphertext = (await storedRow(client, letters, W.parentB)).content_encrypted;
    const mine = await storedRow(client, letters, W.parentA);
    const read = await actingAs(client, "pas_bot_user", W.parentA, () => readBuilt(client, letters, { ...mine, content_encrypted: othersCiphertext }));
    expect(read).toBe("Dear child");
    // A row made earlier in the same statement reads too (a GraphQL mutation's payload, get_or_create_profile()).
    const made = await actingAs(client, "pas_bot_user", W.parentA, async () =>
      (await client.query("insert into app_public.letters (content) values ('just written') returning app_public.letters_content(letters) as content")).rows,
    );
    expect(made).toEqual([{ content: "just written" }]);
  });
});

test("no answer tells whether a uuid has private data: unknown ids, ids without a key and bad ciphertext all give null", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const letters = { table_name: "letters", column_name: "content", owner_column: "user_id" };
    const victims = await storedRow(client, letters, W.parentA);
    const garbage = "\\x" + "c3".repeat(40);
    const probes = {
      // (Before the fix: KEY03, "no data key", for a user without one; KEY04 for one with a key.)
      unknownRow: { ...victims, id: "f0000000-0000-4000-8000-000000000009", user_id: "f0000000-0000-4000-8000-00000000000a", content_encrypted: garbage },
      userWithoutKey: { ...victims, id: "f0000000-0000-4000-8000-000000000009", user_id: W.psychologist, content_encrypted: garbage },
      userWithKey: { ...victims, content_encrypted: garbage },
    };
    const answers = await actingAs(client, "pas_bot_user", W.parentB, async () => {
      const out: Record<string, unknown> = {};
      for (const [name, row] of Object.entries(probes)) out[name] = await readBuilt(client, letters, row);
      return out;
    });
    expect(answers).toEqual({ unknownRow: null, userWithoutKey: null, userWithKey: null });
  });
});

test("the decrypting helper, callable by the app role, decrypts only a stored row of the acting user", async () => {
  await withRootDb(async (client) => {
    await buildWorld(client);
    const { rows } = await client.query("select id from app_public.letters where user_id = $1", [W.parentA]);
    const letterOfA = rows[0].id;
    const asParent = (parent: string) =>
      actingAs(client, "pas_bot_user", parent, async () =>
        (await client.query("select app_hidden.decrypt_letters_content($1) as value", [letterOfA])).rows[0].value,
      );
    expect(await asParent(W.parentB)).toBeNull();
    expect(await asParent(W.parentA)).toBe("Dear child");
    // A row the caller cannot see any more reads as nothing, at once.
    await client.query("delete from app_public.letters where id = $1", [letterOfA]);
    expect(await asParent(W.parentA)).toBeNull();
  });
});

test("the reading functions run with the caller's rights, and only their helpers see the data keys", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query(`
      select e.table_name || '_' || e.column_name as reader,
             (select p.prosecdef from pg_proc p where p.oid = format('app_public.%I(app_public.%I)', e.table_name || '_' || e.column_name, e.table_name)::regprocedure) as reader_definer,
             (select p.prosecdef from pg_proc p where p.oid = format('app_hidden.%I', 'may_select_' || e.table_name)::regproc) as probe_definer,
             (select p.prosecdef from pg_proc p where p.oid = format('app_hidden.%I', 'decrypt_' || e.table_name || '_' || e.column_name)::regproc) as helper_definer
      from app_private.encrypted_columns e order by 1`);
    expect(rows.filter((r) => r.reader_definer || r.probe_definer || !r.helper_definer)).toEqual([]);
  });
});
