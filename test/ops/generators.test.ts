// Commands that only generate files from the schema build it in a scratch database of their own
// (src/tools/scratchDatabase.ts): the database DATABASE_URL names is neither migrated nor left with
// a scratch copy beside it, and what they write is what the tests compare with.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { PROJECT_ROOT, ROLE_PASSWORD_SECRET, ROLES, describeDatabase, urlForDatabase, urlForRole } from "../../src/config.ts";
import { oneMigrationAtATime } from "../../src/db/migrate.ts";
import { AUDIT_ROLES } from "../../src/db/roles.ts";
import { SDL_FILE } from "../../src/graphql/sdl.ts";
import { testConfig } from "../helpers/db.ts";
import { runNpm, spawnNpm, until } from "../helpers/process.ts";

/** Starting node and migrating a database from nothing: tens of seconds on 2 shared cores. */
const SLOW = 240_000;

let dir: string;
let root: pg.Client;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "generators-"));
  root = new pg.Client({ connectionString: testConfig().rootUrl });
  await root.connect();
});
afterAll(async () => {
  await root?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The names of the databases on the test server whose name starts with `prefix`. */
async function databasesNamed(prefix: string): Promise<string[]> {
  const { rows } = await root.query<{ datname: string }>("select datname from pg_database where starts_with(datname, $1) order by 1", [prefix]);
  return rows.map((row) => row.datname);
}

test(
  "npm run schema:export writes the tests' schema and leaves an empty app database empty",
  async () => {
    const config = testConfig();
    // An app database the user made but never migrated: the owner's, and nothing in it.
    const { database: fileDatabase, owner } = describeDatabase(config.ownerUrl);
    const untouched = `${fileDatabase}_untouched`;
    await root.query(`create database ${root.escapeIdentifier(untouched)} owner ${root.escapeIdentifier(owner)}`);
    try {
      const output = path.join(dir, "schema.graphql");
      const run = spawnNpm(["run", "schema:export", "--", "--output", output], {
        ...process.env,
        DATABASE_URL: urlForDatabase(config.ownerUrl, untouched),
        ROOT_DATABASE_URL: config.rootUrl,
        DATA_DIR: dir,
      });
      const timer = setTimeout(() => process.kill(-run.child.pid!, "SIGTERM"), SLOW - 10_000);
      const code = await run.exited;
      clearTimeout(timer);
      expect({ code, output: run.output() }).toMatchObject({ code: 0 });
      expect(await readFile(output, "utf8")).toBe(await readFile(SDL_FILE, "utf8"));

      const inDb = new pg.Client({ connectionString: urlForDatabase(config.rootUrl!, untouched) });
      await inDb.connect();
      try {
        const { rows } = await inDb.query<{ nspname: string }>(
          "select nspname from pg_namespace where nspname like 'app\\_%' or nspname like 'graphile\\_%' order by 1",
        );
        expect(rows).toEqual([]);
      } finally {
        await inDb.end();
      }
      // The scratch database is gone: only the file's own and the untouched one remain.
      expect(await databasesNamed(fileDatabase)).toEqual([fileDatabase, untouched]);
    } finally {
      await root.query(`drop database if exists ${root.escapeIdentifier(untouched)} with (force)`);
    }
  },
  SLOW,
);

/**
 * `npm run schema:export -- --output <output>` against this file's database, with DATA_DIR `dataDir`, and the
 * secrets named in `without` left out of the environment (so generated into DATA_DIR, as on a new machine).
 */
function exportSchema(output: string, { dataDir = dir, without = [] as string[] } = {}) {
  const config = testConfig();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: config.ownerUrl, ROOT_DATABASE_URL: config.rootUrl, DATA_DIR: dataDir };
  for (const name of without) delete env[name];
  return runNpm(["run", "schema:export", "--", "--output", output], env, SLOW - 20_000);
}

/** Whether `url` logs in. */
async function logsIn(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// The reviewer's case: DATABASE_URL and ROOT_DATABASE_URL name a running deployment's server, DATA_DIR is new, so
// this run's role secrets are freshly generated ones: the deployment's roles must keep the passwords they have.
test(
  "a generator changes no role's password: the ones the roles had still log in",
  async () => {
    const config = testConfig();
    const run = await exportSchema(path.join(dir, "roles.graphql"), {
      dataDir: await mkdtemp(path.join(dir, "data-")),
      without: [...Object.values(ROLE_PASSWORD_SECRET), "AUDIT_WRITER_DB_PASSWORD"],
    });
    expect(run).toMatchObject({ code: 0 });
    const logins = Object.fromEntries(
      await Promise.all(
        [...Object.values(ROLES).map((role) => [role, config.secret(ROLE_PASSWORD_SECRET[role])]), [AUDIT_ROLES.writer, config.secret("AUDIT_WRITER_DB_PASSWORD")]].map(
          async ([role, password]) => [role, await logsIn(urlForRole(config.ownerUrl, role!, password!))],
        ),
      ),
    );
    expect(logins).toEqual({ ...Object.fromEntries(Object.values(ROLES).map((role) => [role, true])), [AUDIT_ROLES.writer]: true });
  },
  SLOW,
);

test(
  "a database named like a scratch database of old (<db>_schema), with data, is left alone",
  async () => {
    const config = testConfig();
    const lookalike = `${describeDatabase(config.ownerUrl).database}_schema`;
    await root.query(`create database ${root.escapeIdentifier(lookalike)}`);
    try {
      const inDb = new pg.Client({ connectionString: urlForDatabase(config.rootUrl!, lookalike) });
      await inDb.connect();
      await inDb.query("create table precious as select 42 as answer");
      await inDb.end();
      expect(await exportSchema(path.join(dir, "lookalike.graphql"))).toMatchObject({ code: 0 });
      const after = new pg.Client({ connectionString: urlForDatabase(config.rootUrl!, lookalike) });
      await after.connect();
      try {
        expect((await after.query("select answer from precious")).rows).toEqual([{ answer: 42 }]);
      } finally {
        await after.end();
      }
    } finally {
      await root.query(`drop database if exists ${root.escapeIdentifier(lookalike)} with (force)`);
    }
  },
  SLOW,
);

test(
  "two generators at once both succeed, each in a scratch database of its own",
  async () => {
    const database = describeDatabase(testConfig().ownerUrl).database;
    const outputs = [path.join(dir, "first.graphql"), path.join(dir, "second.graphql")];
    // The test holds the migration lock until both runs wait for it: each has made its scratch database by then.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holding = oneMigrationAtATime(testConfig(), () => {
      locked();
      return held;
    });
    await lockTaken;
    const running = outputs.map((output) => exportSchema(output));
    let scratches: string[];
    try {
      await until("both runs waiting for the migration lock", async () => {
        const { rows } = await root.query<{ waiting: number }>("select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted");
        return rows[0]!.waiting === 2;
      });
      scratches = (await databasesNamed(database)).filter((name) => name !== database);
    } finally {
      release();
      await holding;
    }
    expect(scratches).toHaveLength(2);
    const runs = await Promise.all(running);
    expect(runs.map(({ code, output }) => ({ code, output }))).toMatchObject([{ code: 0 }, { code: 0 }]);
    for (const output of outputs) expect(await readFile(output, "utf8")).toBe(await readFile(SDL_FILE, "utf8"));
    // Both dropped their own: only this file's database is left of its name.
    expect(await databasesNamed(database)).toEqual([database]);
  },
  SLOW,
);

// A copy of the project (node_modules linked) gets the broken file: the checkout's migrations/current/ is what every
// other test run's template is built from.
test(
  "a failing migrations/current/ file stops the generator with one line naming it",
  async () => {
    const config = testConfig();
    const copy = await mkdtemp(path.join(dir, "project-"));
    for (const entry of ["src", "migrations", "functions", "policies", ".gmrc", "package.json", "tsconfig.json"]) {
      await cp(path.join(PROJECT_ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    await symlink(path.join(PROJECT_ROOT, "node_modules"), path.join(copy, "node_modules"));
    await writeFile(path.join(copy, "migrations", "current", "2-broken.sql"), "select 1 / 0;\n");
    const run = spawnNpm(["--prefix", copy, "run", "schema:export", "--", "--output", path.join(dir, "broken.graphql")], {
      ...process.env,
      DATABASE_URL: config.ownerUrl,
      ROOT_DATABASE_URL: config.rootUrl,
      DATA_DIR: dir,
    });
    const timer = setTimeout(() => process.kill(-run.child.pid!, "SIGTERM"), SLOW - 10_000);
    const code = await run.exited;
    clearTimeout(timer);
    const problems = run.output().split("\n").filter((line) => /error|division|^\s+at /i.test(line));
    expect({ code, problems }).toEqual({ code: 1, problems: ["SqlFileError: migrations/current/2-broken.sql: division by zero"] });
  },
  SLOW,
);
