// functions/ is the single source of truth for our functions and triggers (src/db/functions.ts): the
// catalog check passes on the migrated template, and fails, naming the object and the file, when a
// function or trigger is in no file, in two, or live as no file says.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { applyFunctions, checkFunctionCatalog, FUNCTIONS_DIR } from "../../src/db/functions.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { ownerUrl, testConfig, withOwnerDb, withRootDb } from "../helpers/db.ts";
import { spawnNpm } from "../helpers/process.ts";

/** Runs `fn` with a copy of functions/ in a temporary folder, removed afterwards. */
async function withFunctionsCopy<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "pas-functions-"));
  try {
    await cp(FUNCTIONS_DIR, dir, { recursive: true });
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The live definition of a function, as a statement a file could hold. */
async function definitionOf(client: pg.ClientBase, signature: string): Promise<string> {
  const { rows } = await client.query<{ sql: string }>("select pg_get_functiondef($1::regprocedure) || ';' as sql", [signature]);
  return rows[0]!.sql;
}

test("on the migrated template every function and trigger (app_audit's too) is defined in exactly one file, as it is live", async () => {
  await withRootDb(async (client) => {
    expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual([]);
  });
});

test("a function or trigger defined in no file fails the check", async () => {
  await withRootDb(async (client) => {
    await client.query("create function app_private.in_no_file() returns integer language sql as 'select 1'");
    await client.query(
      "create trigger _999_in_no_file before update on app_public.goals for each row execute function app_private.tg__row_metadata()",
    );
    expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual([
      "function app_private.in_no_file(): defined in no file",
      "trigger _999_in_no_file on app_public.goals: defined in no file",
    ]);
  });
});

test("a function defined in two files fails the check, naming both", async () => {
  await withFunctionsCopy(async (dir) => {
    await withRootDb(async (client) => {
      await writeFile(path.join(dir, "999_duplicate.sql"), await definitionOf(client, "app_public.my_children()"));
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([
        "function app_public.my_children(): defined in 2 files: functions/100_identity_and_rows.sql, functions/999_duplicate.sql",
      ]);
    });
  });
});

test("a live definition that differs from its file fails the check: body, comment, trigger", async () => {
  await withRootDb(async (client) => {
    const changed = (await definitionOf(client, "app_public.my_children()")).replace("$function$\n", "$function$\n-- changed by hand\n");
    await client.query(changed);
    await client.query("comment on function app_ops.readiness() is 'changed by hand'");
    await client.query(
      "create or replace trigger _100_row_metadata before update or insert on app_public.goals for each row execute function app_private.tg__row_metadata()",
    );
    expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual([
      "function app_ops.readiness(): the live definition differs from functions/910_operations.sql",
      "function app_public.my_children(): the live definition differs from functions/100_identity_and_rows.sql",
      "trigger _100_row_metadata on app_public.goals: the live definition differs from functions/100_identity_and_rows.sql",
    ]);
  });
});

test("a function in a file but not yet in the database, or dropped by functions/000_dropped.sql, fails the check", async () => {
  await withFunctionsCopy(async (dir) => {
    await writeFile(path.join(dir, "999_new.sql"), "create or replace function app_private.not_migrated() returns integer language sql as 'select 1';\n");
    await writeFile(path.join(dir, "000_dropped.sql"), "drop function if exists app_private.to_be_dropped();\n");
    await withRootDb(async (client) => {
      await client.query("create function app_private.to_be_dropped() returns integer language sql as 'select 1'");
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([
        "function app_private.not_migrated(): is in functions/999_new.sql but not in the database",
        "function app_private.to_be_dropped(): is dropped by functions/000_dropped.sql but still in the database",
      ]);
    });
  });
});

test("a function dropped by functions/000_dropped.sql but still defined in its file fails the check", async () => {
  await withFunctionsCopy(async (dir) => {
    await writeFile(path.join(dir, "000_dropped.sql"), "drop function if exists app_ops.readiness();\n");
    await withRootDb(async (client) => {
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([
        "function app_ops.readiness(): dropped by functions/000_dropped.sql but defined in functions/910_operations.sql",
      ]);
    });
  });
});

test("a file that cannot be applied is named", async () => {
  await withFunctionsCopy(async (dir) => {
    await writeFile(path.join(dir, "999_broken.sql"), "create or replace function app_private.broken() returns integer language sql as 'select nope';\n");
    await withRootDb(async (client) => {
      await expect(checkFunctionCatalog(client, { dir, auditLog: true })).rejects.toThrow(/^functions\/999_broken\.sql: column "nope" does not exist$/);
    });
  });
});

test("`npm run db:functions -- --check` exits 1 with one line per drifting function; re-applying functions/ puts it right", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-db-functions-"));
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  const check = async () => {
    const run = spawnNpm(["run", "-s", "db:functions", "--", "--check"], { ...rest, NODE_ENV: "development", DATA_DIR: dataDir, DATABASE_URL: ownerUrl });
    return { code: await run.exited, output: run.output() };
  };
  try {
    await withOwnerDb(async (owner) => {
      await owner.query((await definitionOf(owner, "app_public.my_children()")).replace("$function$\n", "$function$\n-- changed by hand\n"));
    });
    const drifted = await check();
    expect(drifted.code).toBe(1);
    expect(drifted.output).toContain(
      "functions/ and the database disagree:\nfunction app_public.my_children(): the live definition differs from functions/100_identity_and_rows.sql\n",
    );

    await applyFunctions(ownerUrl);
    const restored = await check();
    expect(restored).toEqual({ code: 0, output: expect.stringContaining("functions/ and the database agree") });
  } finally {
    await applyFunctions(ownerUrl);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("every migrate re-applies functions/: a function and a trigger changed by hand are put right", async () => {
  try {
    await withOwnerDb(async (owner) => {
      await owner.query((await definitionOf(owner, "app_public.my_children()")).replace("$function$\n", "$function$\n-- changed by hand\n"));
      await owner.query("drop trigger _100_row_metadata on app_public.goals");
    });
    await migrateDatabase(testConfig(), () => {});
    await withRootDb(async (client) => {
      expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual([]);
    });
  } finally {
    await applyFunctions(ownerUrl);
  }
});
