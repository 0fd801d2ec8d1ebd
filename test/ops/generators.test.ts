// Commands that only generate files from the schema build it in a scratch database of their own
// (src/tools/scratchDatabase.ts): the database DATABASE_URL names is neither migrated nor left with
// a scratch copy beside it, and what they write is what the tests compare with.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { describeDatabase, urlForDatabase } from "../../src/config.ts";
import { SDL_FILE } from "../../src/graphql/sdl.ts";
import { testConfig } from "../helpers/db.ts";
import { spawnNpm } from "../helpers/process.ts";

/** Starting node and migrating a database from nothing: tens of seconds on 2 shared cores. */
const SLOW = 240_000;

let dir: string;
let root: pg.Client;
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
    dir = await mkdtemp(path.join(tmpdir(), "generators-"));
    root = new pg.Client({ connectionString: config.rootUrl });
    await root.connect();
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
