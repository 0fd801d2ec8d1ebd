// functions/ is the single source of truth for our functions and triggers (src/db/functions.ts): the
// catalog check passes on the migrated template, and fails, naming the object and the file, when a
// function or trigger is in no file, in two, or live as no file says.
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { applyFunctions, checkFunctionCatalog, FUNCTIONS_DIR } from "../../src/db/functions.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { readSqlFolder } from "../../src/db/sqlFolder.ts";
import { UserError } from "../../src/errors/index.ts";
import { ownerUrl, roleUrl, testConfig, withOwnerDb, withRootDb } from "../helpers/db.ts";
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

test("a function dropped by a later file but still defined in its own fails the check", async () => {
  await withFunctionsCopy(async (dir) => {
    await writeFile(path.join(dir, "999_dropped_late.sql"), "drop function if exists app_ops.readiness();\n");
    await withRootDb(async (client) => {
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([
        "function app_ops.readiness(): dropped by functions/999_dropped_late.sql but defined in functions/910_operations.sql",
        "function app_ops.readiness(): is dropped by functions/999_dropped_late.sql but still in the database",
      ]);
    });
  });
});

test("a return type changed with its drop line in functions/000_dropped.sql: drift before the migrate, agreement after", async () => {
  await withFunctionsCopy(async (dir) => {
    await withRootDb(async (client) => {
      const before = "create or replace function app_private.widened() returns integer language sql as 'select 1';\n";
      await client.query(before);
      await writeFile(path.join(dir, "999_widened.sql"), before);
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([]);

      // An OUT column added: `create or replace` alone fails ("cannot change return type of existing function").
      await writeFile(path.join(dir, "999_widened.sql"), "create or replace function app_private.widened(out a integer, out b integer) language sql as 'select 1, 2';\n");
      await appendFile(path.join(dir, "000_dropped.sql"), "drop function if exists app_private.widened();\n");
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([
        "function app_private.widened(): the live definition differs from functions/999_widened.sql",
      ]);

      // What migrate does: every file, in name order, in one transaction.
      for (const file of await readSqlFolder(dir, "functions")) await client.query(file.sql);
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([]);
    });
  });
});

// As migrate does, the check runs policies/000_reset.sql first: a helper the policies call can be dropped
// and made again without `cascade`.
test("a policy helper dropped by functions/000_dropped.sql and made again by its file passes the check", async () => {
  await withFunctionsCopy(async (dir) => {
    await appendFile(path.join(dir, "000_dropped.sql"), "drop function if exists app_hidden.my_child_ids();\n");
    await withRootDb(async (client) => {
      expect(await checkFunctionCatalog(client, { dir, auditLog: true })).toEqual([]);
    });
  });
});

test("a disabled trigger is drift: its file creates it enabled", async () => {
  await withRootDb(async (client) => {
    await client.query("alter table app_public.consent_events disable trigger _100_append_only");
    expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual([
      "trigger _100_append_only on app_public.consent_events: is disabled but enabled by functions/120_consent_and_analytics.sql",
    ]);
  });
});

test("a function of ours in public (the owner's schema) is in no file; pgcrypto's, the extension's, are not checked", async () => {
  await withRootDb(async (client) => {
    await client.query("create function public.by_hand() returns integer language sql security definer as 'select 1'");
    expect(await checkFunctionCatalog(client, { auditLog: true })).toEqual(["function public.by_hand(): defined in no file"]);
  });
});

test("a file that cannot be applied is named", async () => {
  await withFunctionsCopy(async (dir) => {
    await writeFile(path.join(dir, "999_broken.sql"), "create or replace function app_private.broken() returns integer language sql as 'select nope';\n");
    await withRootDb(async (client) => {
      const failure = checkFunctionCatalog(client, { dir, auditLog: true });
      await expect(failure).rejects.toThrow(/^functions\/999_broken\.sql: column "nope" does not exist$/);
      await expect(failure).rejects.toBeInstanceOf(UserError);
    });
  });
});

/** Runs `npm run db:functions -- --check` against `databaseUrl` (an empty DATA_DIR: no embedded cluster); its exit code and output. */
async function runCheckCommand(dataDir: string, databaseUrl: string): Promise<{ code: number | null; output: string }> {
  const { ROOT_DATABASE_URL: _r, TEST_DATABASE_URL: _t, DATABASE_URL: _d, ...rest } = process.env;
  const run = spawnNpm(["run", "-s", "db:functions", "--", "--check"], { ...rest, NODE_ENV: "development", DATA_DIR: dataDir, DATABASE_URL: databaseUrl });
  return { code: await run.exited, output: run.output() };
}

test("`npm run db:functions -- --check` as a role that is not the owner fails in one line naming the file and the fix", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-db-functions-"));
  try {
    const { code, output } = await runCheckCommand(dataDir, roleUrl("app_worker"));
    expect(code).toBe(1);
    expect(output).toMatch(/^UserError: (policies|functions)\/\d+_\w+\.sql: permission denied .* \(the check applies the files: run it as the owner, DATABASE_URL's user\)$/m);
    expect(output).not.toMatch(/^\s+at /m);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("`npm run db:functions -- --check` exits 1 with one line per drifting function; re-applying functions/ puts it right", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-db-functions-"));
  const check = () => runCheckCommand(dataDir, ownerUrl);
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

// policies/000_reset.sql runs before functions/, so nothing there needs `cascade`; and what `cascade` would take
// along besides policies (a CHECK constraint, a column default) is made by migrations, never again.
test("no file of functions/ uses cascade", async () => {
  const files = await readSqlFolder(FUNCTIONS_DIR, "functions");
  const withCascade = files
    .filter((file) => /\bcascade\b/i.test(file.sql.replace(/--[^\n]*/g, "")))
    .map((file) => `${file.name}: uses cascade, which would drop what depends on the function (a CHECK, a default) for good; change such a function in a migration (CONVENTIONS.md, "Functions live in functions/")`);
  expect(withCascade).toEqual([]);
});
