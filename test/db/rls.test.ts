import { becomeRoot, becomeUser, expectError, withRootDb } from "../helpers/db.ts";
import { createUser, linkFamily } from "../helpers/fixtures.ts";

test("every table in app_public has row-level security enabled and forced", async () => {
  await withRootDb(async (client) => {
    const { rows } = await client.query<{ table: string; enabled: boolean; forced: boolean }>(
      `select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
       from pg_class c where c.relnamespace = 'app_public'::regnamespace and c.relkind in ('r', 'p')
       order by 1`,
    );
    expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(["family_links", "users"]));
    expect(rows.filter((r) => !r.enabled || !r.forced)).toEqual([]);
  });
});

describe("current_user_id()", () => {
  test.each([
    ["unset", null],
    ["empty", ""],
  ])("is null when app.user_id is %s", async (_label, value) => {
    await withRootDb(async (client) => {
      if (value !== null) await client.query("select set_config('app.user_id', $1, true)", [value]);
      const { rows } = await client.query("select app_public.current_user_id() as id");
      expect(rows[0].id).toBeNull();
    });
  });

  test("reads the acting user from the transaction-local setting", async () => {
    await withRootDb(async (client) => {
      const parent = await createUser(client, "parent");
      await becomeUser(client, "pas_bot_user", parent.id);
      const { rows } = await client.query("select app_public.current_user_id() as id");
      expect(rows[0].id).toBe(parent.id);
    });
  });
});

describe("users", () => {
  test.each(["pas_bot_user", "inner_edu_user"] as const)("%s sees only the acting user's own row", async (role) => {
    await withRootDb(async (client) => {
      const me = await createUser(client, role === "pas_bot_user" ? "parent" : "child");
      await createUser(client, "parent");
      await createUser(client, "child");
      await becomeUser(client, role, me.id);
      const { rows } = await client.query("select id from app_public.users");
      expect(rows).toEqual([{ id: me.id }]);
    });
  });

  test("nobody acting sees no user", async () => {
    await withRootDb(async (client) => {
      await createUser(client, "parent");
      await becomeUser(client, "pas_bot_user", null);
      const { rows } = await client.query("select id from app_public.users");
      expect(rows).toEqual([]);
    });
  });

  test("renaming someone else is silently filtered: no row changes", async () => {
    await withRootDb(async (client) => {
      const me = await createUser(client, "parent");
      const other = await createUser(client, "parent", "Other");
      await becomeUser(client, "pas_bot_user", me.id);
      const { rowCount } = await client.query("update app_public.users set display_name = 'Hacked' where id = $1", [
        other.id,
      ]);
      expect(rowCount).toBe(0);
      await becomeRoot(client);
      const { rows } = await client.query("select display_name from app_public.users where id = $1", [other.id]);
      expect(rows[0].display_name).toBe("Other");
    });
  });

  test("a column outside the update grant is refused: permission denied", async () => {
    await withRootDb(async (client) => {
      const me = await createUser(client, "parent");
      await becomeUser(client, "pas_bot_user", me.id);
      const error = await expectError(client, "update app_public.users set kind = 'admin' where id = $1", [me.id]);
      expect(error.message).toMatch(/permission denied for table users/);
    });
  });

  test("the apps cannot create users directly: permission denied", async () => {
    await withRootDb(async (client) => {
      await becomeUser(client, "inner_edu_user", null);
      const error = await expectError(client, "insert into app_public.users (kind, display_name) values ('admin', 'x')");
      expect(error.message).toMatch(/permission denied for table users/);
    });
  });

  test("an update naming a stale version fails clearly; naming the current one bumps it", async () => {
    await withRootDb(async (client) => {
      const me = await createUser(client, "parent");
      await becomeUser(client, "pas_bot_user", me.id);
      const { rows } = await client.query(
        "update app_public.users set display_name = 'New', version = 1 where id = $1 returning version, updated_at > created_at as touched",
        [me.id],
      );
      expect(rows[0]).toEqual({ version: 2, touched: true });
      const error = await expectError(client, "update app_public.users set display_name = 'Late', version = 1 where id = $1", [
        me.id,
      ]);
      expect(error.code).toBe("STALE");
      expect(error.message).toMatch(/changed by someone else \(you sent version 1, the current version is 2\)/);
    });
  });
});

describe("family_links", () => {
  test("a parent sees their links through pas_bot_user; the child sees them through inner_edu_user", async () => {
    await withRootDb(async (client) => {
      const parent = await createUser(client, "parent");
      const child = await createUser(client, "child");
      const stranger = await createUser(client, "parent");
      await linkFamily(client, parent, child);
      await linkFamily(client, stranger, await createUser(client, "child"));

      const visible = async (role: "pas_bot_user" | "inner_edu_user", userId: string) => {
        await becomeUser(client, role, userId);
        const { rows } = await client.query("select parent_id, child_id from app_public.family_links");
        await becomeRoot(client);
        return rows;
      };
      const link = [{ parent_id: parent.id, child_id: child.id }];
      expect(await visible("pas_bot_user", parent.id)).toEqual(link);
      expect(await visible("inner_edu_user", child.id)).toEqual(link);
      // Neither acts through the other app at all (issue 14 item 7: test/db/acting-kind.test.ts).
      for (const [role, user] of [["inner_edu_user", parent.id], ["pas_bot_user", child.id]] as const) {
        await becomeUser(client, role, user);
        expect((await expectError(client, "select parent_id, child_id from app_public.family_links")).code).toBe("ACTOR");
        await becomeRoot(client);
      }
    });
  });

  test("a link must join a parent to a child", async () => {
    await withRootDb(async (client) => {
      const a = await createUser(client, "parent");
      const b = await createUser(client, "parent");
      const error = await expectError(client, "insert into app_public.family_links (parent_id, child_id) values ($1, $2)", [
        a.id,
        b.id,
      ]);
      expect(error.code).toBe("23514");
      expect(error.message).toBe("A family link joins a parent to a child (got parent and parent).");
    });
  });

  test("the apps cannot create links directly: permission denied", async () => {
    await withRootDb(async (client) => {
      const parent = await createUser(client, "parent");
      const child = await createUser(client, "child");
      await becomeUser(client, "pas_bot_user", parent.id);
      const error = await expectError(client, "insert into app_public.family_links (parent_id, child_id) values ($1, $2)", [
        parent.id,
        child.id,
      ]);
      expect(error.message).toMatch(/permission denied for table family_links/);
    });
  });
});

test("no app role may read app_private or graphile_worker", async () => {
  await withRootDb(async (client) => {
    for (const role of ["pas_bot_user", "inner_edu_user"] as const) {
      await becomeUser(client, role, null);
      for (const sql of ["select app_private.tg__row_metadata()", "select count(*) from graphile_worker.jobs"]) {
        const error = await expectError(client, sql);
        expect(error.message).toMatch(/permission denied for schema (app_private|graphile_worker)/);
      }
      await becomeRoot(client);
    }
  });
});
