// Issue 14, items 4 and 5: the record of a consent-gated read survives whatever the caller does with
// its transaction, and no role but a superuser can change or remove an audit row.
import pg from "pg";
import { ownerUrl, poolFor, roleUrl, rootUrl, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { createQuest } from "../helpers/quests.ts";

interface Family {
  parent: TestUser;
  child: TestUser;
  quest: { id: string };
}

/** A parent, their child and a quest for the child, committed as the owner (other sessions must see them). */
async function newFamily(): Promise<Family> {
  return withOwnerDb(async (owner) => {
    const parent = await createUser(owner, "parent");
    const child = await createUser(owner, "child");
    await linkFamily(owner, parent, child);
    return { parent, child, quest: await createQuest(owner, parent, { child_id: child.id }) };
  });
}

/** The family most tests read about; a test that needs rows no other test made makes its own. */
let family: Family;

beforeAll(async () => {
  family = await newFamily();
});

/** The two consent-gated reads, as the PAS bot's trusted service calls them. */
const READS = {
  can_share_with_parent: (f: Family) => ({ sql: "select app_public.can_share_with_parent($1, 'progress') as released", params: [f.child.id] }),
  get_quest_analytics: (f: Family) => ({ sql: "select consent_status as released from app_public.get_quest_analytics($1)", params: [f.quest.id] }),
} as const;
type ReadName = keyof typeof READS;

async function recordsOf(action: ReadName): Promise<number> {
  return withOwnerDb(async (o) =>
    (await o.query("select count(*)::int as n from app_private.audit_log where action = $1 and acting_user_id = $2", [action, family.parent.id])).rows[0].n,
  );
}

/** A session of pas_bot_user of its own (not pooled), acting as the family's parent in an open transaction. */
async function parentSession(f: Family = family): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: roleUrl("pas_bot_user") });
  await client.connect();
  await client.query("begin");
  await client.query("select set_config('app.user_id', $1, true)", [f.parent.id]);
  return client;
}

async function read(client: pg.ClientBase, name: ReadName, f: Family = family): Promise<unknown> {
  const { sql, params } = READS[name](f);
  const { rows } = await client.query(sql, params);
  return rows[0].released;
}

/** What a caller may do around the read to discard the transaction it ran in (`before` runs ahead of the read). */
const DISCARDS: Record<string, { before?: string; after: (client: pg.Client) => Promise<unknown> }> = {
  "a rollback": { after: (client) => client.query("rollback") },
  "a rollback to a savepoint taken before the read, then a commit": {
    before: "savepoint before_read",
    after: async (client) => {
      await client.query("rollback to savepoint before_read");
      await client.query("commit");
    },
  },
  "an error that aborts the transaction": {
    after: async (client) => {
      await expect(client.query("select 1 / 0")).rejects.toThrow("division by zero");
      await client.query("rollback");
    },
  },
  "a connection terminated before commit": {
    after: async (client) => {
      client.on("error", () => {});
      const { rows } = await client.query("select pg_backend_pid() as pid");
      await withRootDb((root) => root.query("select pg_terminate_backend($1, 5000)", [rows[0].pid]));
      await expect(client.query("commit")).rejects.toThrow();
    },
  },
};

describe.each(Object.keys(READS) as ReadName[])("%s: the read's record is durable", (name) => {
  test.each(Object.keys(DISCARDS))("it survives %s", async (discard) => {
    const { before: setUp, after: discardIt } = DISCARDS[discard]!;
    const before = await recordsOf(name);
    const client = await parentSession();
    try {
      if (setUp) await client.query(setUp);
      expect(await read(client, name)).not.toBeUndefined();
      await discardIt(client);
    } finally {
      await client.end().catch(() => {});
    }
    expect(await recordsOf(name)).toBe(before + 1);
  });

  test("a read in a read-only transaction is recorded too", async () => {
    const before = await recordsOf(name);
    const client = await parentSession();
    try {
      await client.query("set transaction read only");
      await read(client, name);
      await client.query("rollback");
    } finally {
      await client.end();
    }
    expect(await recordsOf(name)).toBe(before + 1);
  });
});

test("the session's audit connection is reopened when it was terminated; the next read is recorded", async () => {
  const before = await recordsOf("can_share_with_parent");
  const client = await parentSession();
  try {
    await read(client, "can_share_with_parent");
    const { rows } = await withRootDb((root) =>
      root.query("select pg_terminate_backend(pid, 5000) as done from pg_stat_activity where usename = 'app_audit_writer' and datname = current_database()"),
    );
    expect(rows.length).toBeGreaterThan(0);
    await read(client, "can_share_with_parent");
    await client.query("rollback");
  } finally {
    await client.end();
  }
  expect(await recordsOf("can_share_with_parent")).toBe(before + 2);
});

test("no record, no release: when the record cannot be written the read fails", async () => {
  // A fresh session (no audit connection yet) that sees a wrong writer password, in a transaction never committed.
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("update app_audit.writer_login set password = 'not the password'");
    await client.query("select set_config('role', 'pas_bot_user', true), set_config('app.user_id', $1, true)", [family.parent.id]);
    for (const name of Object.keys(READS) as ReadName[]) {
      await client.query("savepoint attempt");
      const { sql, params } = READS[name](family);
      await expect(client.query(sql, params)).rejects.toMatchObject({
        code: "AUDIT",
        message: "The audit record could not be written, so nothing is released: could not establish connection",
        detail: expect.stringContaining("password authentication failed"),
      });
      await client.query("rollback to savepoint attempt");
    }
  } finally {
    await client.query("rollback");
    await client.end();
  }
});

test("a write's record stays in its transaction: a rolled-back write leaves none", async () => {
  const audits = () =>
    withOwnerDb(async (o) =>
      (await o.query("select count(*)::int as n from app_private.audit_log where subject_table = 'quests' and subject_id = $1 and action = 'update'", [family.quest.id])).rows[0].n,
    );
  const before = await audits();
  const client = await parentSession();
  try {
    const { rowCount } = await client.query("update app_public.quests set title = 'Renamed' where id = $1", [family.quest.id]);
    expect(rowCount).toBe(1);
    await client.query("rollback");
  } finally {
    await client.end();
  }
  expect(await audits()).toBe(before);
});

describe("no role but a superuser can change or remove an audit row", () => {
  const ATTEMPTS = [
    // The issue's own steps, under the name the log had: the trigger off, then a delete.
    "alter table app_private.audit_log disable trigger all",
    "delete from app_private.audit_log",
    "update app_private.audit_log set decision = 'allowed'",
    "drop table app_private.audit_log",
    "update app_audit.audit_log set decision = 'allowed'",
    "delete from app_audit.audit_log",
    "truncate app_audit.audit_log",
    "alter table app_audit.audit_log disable trigger all",
    "alter table app_audit.audit_log add column note text",
    "alter table app_audit.audit_log rename to old_log",
    "alter table app_audit.audit_log owner to current_user",
    "drop table app_audit.audit_log",
    "drop schema app_audit cascade",
    "drop extension dblink cascade",
    "drop owned by app_audit_owner",
    "reassign owned by app_audit_owner to current_user",
    "set role app_audit_owner",
    "grant app_audit_owner to current_user",
    "create or replace function app_audit.append(text, uuid, text, text, uuid, uuid, text, text, jsonb) returns void language sql as 'select'",
    "select password from app_audit.writer_login",
    "select * from app_audit.dblink(app_audit.writer_connection(), 'select 1') as t(one int)",
    "select setval('app_audit.audit_log_id_seq', 1)",
  ];
  // (app_private.audit_log is now the owner's view of the log: table commands on it do not apply.)
  const REFUSED = /^(permission denied|must be owner of|must have admin option|ALTER action DISABLE TRIGGER( ALL)? cannot be performed on relation "audit_log"|"audit_log" is not a table)/;

  const sessions = { owner: () => poolFor(ownerUrl), app_worker: () => poolFor(roleUrl("app_worker")) };

  test.each(Object.keys(sessions) as (keyof typeof sessions)[])("as %s, every way is refused and every row stays", async (who) => {
    const snapshot = () => withRootDb(async (root) => (await root.query("select md5(string_agg(t::text, ',' order by id)) as digest from app_private.audit_log t")).rows[0].digest);
    const before = await snapshot();
    const client = await sessions[who]().connect();
    try {
      for (const sql of ATTEMPTS) {
        // What succeeds is committed, as an attacker would.
        await client.query("begin");
        const outcome = await client.query(sql).then(
          () => "succeeded",
          (e: pg.DatabaseError) => e.message,
        );
        await client.query(outcome === "succeeded" ? "commit" : "rollback");
        expect([sql, outcome]).toEqual([sql, expect.stringMatching(REFUSED)]);
      }
      // The old escape hatch is gone: a setting anyone can set opens nothing.
      await client.query("begin");
      await client.query("set local app.audit_retention = 'on'");
      await expect(client.query("delete from app_private.audit_log where at < now()")).rejects.toThrow(/^permission denied/);
      await client.query("rollback");
    } finally {
      client.release();
    }
    expect(await snapshot()).toBe(before);
  });

  test("the owner owns neither the table nor its schema, and is no member of their owner", async () => {
    await withRootDb(async (root) => {
      const { rows } = await root.query(
        `select pg_get_userbyid(c.relowner) as table_owner, pg_get_userbyid(n.nspowner) as schema_owner,
                (select rolcanlogin from pg_roles where rolname = 'app_audit_owner') as owner_can_login,
                (select count(*)::int from pg_auth_members where roleid = 'app_audit_owner'::regrole) as members
         from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = 'app_audit.audit_log'::regclass`,
      );
      expect(rows[0]).toEqual({ table_owner: "app_audit_owner", schema_owner: "app_audit_owner", owner_can_login: false, members: 0 });
    });
  });

  test("the owner may run four functions of app_audit, the writer only append, nobody else any", async () => {
    await withRootDb(async (root) => {
      const { rows } = await root.query(
        `select r.rolname as role, array_agg(p.proname::text order by p.proname) as functions
         from pg_roles r cross join pg_proc p
         where p.pronamespace = 'app_audit'::regnamespace and not r.rolsuper and r.rolname <> 'app_audit_owner'
           and has_function_privilege(r.oid, p.oid, 'execute') and has_schema_privilege(r.oid, 'app_audit', 'usage')
         group by r.rolname order by r.rolname`,
      );
      expect(rows).toEqual([
        { role: "app_audit_writer", functions: ["append"] },
        { role: "app_owner", functions: ["anonymise_erased_user", "append", "append_durable", "delete_expired_rows"] },
      ]);
    });
  });

  test("the superuser can", async () => {
    await withRootDb(async (root) => {
      const { rowCount } = await root.query("update app_audit.audit_log set decision = 'denied' where id = (select min(id) from app_audit.audit_log)");
      expect(rowCount).toBe(1);
      expect((await root.query("delete from app_audit.audit_log")).rowCount).toBeGreaterThan(0);
    });
  });

  test("retention deletes only rows older than a year, through its function, and records that it did", async () => {
    await withRootDb(async (root) => {
      await root.query("update app_audit.audit_log set at = now() - interval '2 years' where id = (select min(id) from app_audit.audit_log)");
      await root.query("set local role app_owner");
      const { rows } = await root.query("select app_audit.delete_expired_rows() as deleted");
      expect(rows).toEqual([{ deleted: 1 }]);
      const { rows: recorded } = await root.query("select db_role, details from app_private.audit_log where action = 'audit_retention'");
      expect(recorded).toEqual([{ db_role: "app_owner", details: { deleted: 1 } }]);
      expect((await root.query("select app_audit.delete_expired_rows() as deleted")).rows).toEqual([{ deleted: 0 }]);
    });
  });

  test("anonymisation blanks one user's ids and nothing else, and records how many", async () => {
    // A parent of its own, with both reads recorded (committed on their own, whatever the transaction does),
    // so that the user has rows to blank whichever tests ran before.
    const erased = await newFamily();
    const client = await parentSession(erased);
    try {
      for (const name of Object.keys(READS) as ReadName[]) await read(client, name, erased);
      await client.query("rollback");
    } finally {
      await client.end();
    }
    const { parent } = erased;
    await withRootDb(async (root) => {
      const columns = "id, at, db_role, action, subject_table, data_type, decision, details";
      const { rows: others } = await root.query(`select ${columns} from app_audit.audit_log where acting_user_id = $1`, [parent.id]);
      expect(others.length).toBeGreaterThan(0);
      await root.query("set local role app_owner");
      const { rows } = await root.query("select app_audit.anonymise_erased_user($1) as blanked", [parent.id]);
      expect(rows[0].blanked).toBeGreaterThanOrEqual(others.length);
      const { rows: after } = await root.query(`select ${columns} from app_audit.audit_log where id = any ($1) order by id`, [others.map((r) => r.id)]);
      expect(after).toEqual(others);
      const { rows: left } = await root.query(`select count(*)::int as n from app_audit.audit_log
         where $1 in (acting_user_id, child_id) or (subject_table in ('users', 'child_privacy') and subject_id = $1)`, [parent.id]);
      expect(left).toEqual([{ n: 0 }]);
      const { rows: recorded } = await root.query("select details, acting_user_id from app_audit.audit_log where action = 'audit_anonymise'");
      expect(recorded).toEqual([{ details: { blanked: rows[0].blanked }, acting_user_id: null }]);
    });
  });
});
