// Issue 18: a PostgreSQL release with known row-level security bugs (CVE-2024-10976, CVE-2023-2455: a plan
// built under one role's policies reused under another's, the API's very setting) is refused, as is one
// older than 15. The decision on a table of versions; the check with the version mocked (a stub client, and a
// fake server speaking PostgreSQL's protocol, through checkDatabaseConnection, the one place every command
// that connects first goes through); and the real servers here (18 embedded, CI's 15) pass.
// The commands themselves refusing: server-version.slow.test.ts.
import pg from "pg";
import { configFor } from "../helpers/config.ts";
import { rootUrl } from "../helpers/db.ts";
import { type FakePostgres, startFakePostgres } from "../helpers/fakePostgres.ts";
import { checkDatabaseConnection } from "../../src/db/connectionCheck.ts";
import {
  assertSafeServerVersion,
  judgeServerVersion,
  parseServerVersion,
  SERVER_VERSION_QUERY,
  ServerVersionError,
  serverVersionProblem,
} from "../../src/db/serverVersion.ts";

describe("which releases are safe", () => {
  // [server_version or server_version_num, safe]
  const TABLE: [string | number, boolean][] = [
    ["14.13", false],
    [140013, false],
    ["9.6.24", false],
    [90624, false],
    ["15.0", false],
    ["15.8", false],
    [150008, false],
    ["15.9", false],
    ["15.10", true],
    [150010, true],
    ["150018", true],
    [150018, true],
    ["15.10 (Debian 15.10-1.pgdg120+1)", true],
    ["15.9 (Ubuntu 15.9-1.pgdg22.04+1)", false],
    ["16.5", false],
    [160005, false],
    ["16.6", true],
    ["17.0", false],
    ["17beta1", false],
    [170000, false],
    ["17.1", false],
    ["17.2", true],
    [170002, true],
    ["18beta1", true],
    ["18.0", true],
    [180000, true],
    ["18.4", true],
    [180004, true],
    ["19devel", true],
  ];
  test.each(TABLE)("%p: safe %p", (version, safe) => {
    const parsed = parseServerVersion(version);
    expect(parsed).toBeDefined();
    expect(judgeServerVersion(parsed!).safe).toBe(safe);
  });

  test("odd forms are read as major.minor; text that is no version is not", () => {
    expect(parseServerVersion("15.10 (Debian 15.10-1)")).toEqual({ major: 15, minor: 10 });
    expect(parseServerVersion(" 150018 ")).toEqual({ major: 15, minor: 18 });
    expect(parseServerVersion("16.6.1")).toEqual({ major: 16, minor: 6 });
    expect(parseServerVersion("18beta1")).toEqual({ major: 18, minor: 0 });
    expect(parseServerVersion("90624")).toEqual({ major: 9, minor: 6 });
    expect(parseServerVersion("")).toBeUndefined();
    expect(parseServerVersion("CockroachDB")).toBeUndefined();
  });

  test("the minimum named is that major's first fixed minor", () => {
    expect(judgeServerVersion({ major: 15, minor: 9 })).toEqual({ safe: false, kind: "rls bugs", minimum: "15.10" });
    expect(judgeServerVersion({ major: 16, minor: 0 })).toEqual({ safe: false, kind: "rls bugs", minimum: "16.6" });
    expect(judgeServerVersion({ major: 17, minor: 1 })).toEqual({ safe: false, kind: "rls bugs", minimum: "17.2" });
    expect(judgeServerVersion({ major: 14, minor: 99 })).toMatchObject({ safe: false, kind: "too old" });
  });
});

describe("the refusal, in one line", () => {
  test("an unsafe minor: the version found, why, the minimum for its major, the fix", () => {
    expect(serverVersionProblem("150008", "15.8 (Debian 15.8-1.pgdg120+1)", " at db:5432 (DATABASE_URL)")).toBe(
      "PostgreSQL 15.8 (Debian 15.8-1.pgdg120+1) at db:5432 (DATABASE_URL) has known row-level security bugs " +
        "(CVE-2024-10976, CVE-2023-2455: a plan built under one role's policies can be reused under another's, and the API's " +
        "pooled connections switch between pas_bot_user and inner_edu_user). Upgrade the server to PostgreSQL 15.10 or later: " +
        "a minor release, the same data directory and a restart.",
    );
  });

  test("15.9, 16.5, 17.1 had the fix with a regression: the line says so", () => {
    expect(serverVersionProblem("170001", "17.1")).toContain("Upgrade the server to PostgreSQL 17.2 or later (17.1's fix came with a regression that 17.2 repaired)");
    expect(serverVersionProblem("160005", "16.5")).toContain("(16.5's fix came with a regression that 16.6 repaired)");
    expect(serverVersionProblem("160004", "16.4")).not.toContain("regression");
  });

  test("older than 15: too old, every minimum named", () => {
    expect(serverVersionProblem("140013", "14.13")).toBe(
      "PostgreSQL 14.13 is too old: this project needs PostgreSQL 15.10, 16.6 or 17.2 (or later in the same series), or 18 or newer. " +
        "Upgrade the server to a newer major release (pg_upgrade, or a dump and restore).",
    );
  });

  test("a version it cannot read is refused, not passed", () => {
    expect(serverVersionProblem("", "CockroachDB")).toBe(
      'Cannot tell which release PostgreSQL CockroachDB is (server_version_num ""): this project needs PostgreSQL 15.10, 16.6 or 17.2 ' +
        "(or later in the same series), or 18 or newer.",
    );
  });

  test("safe releases: no problem; server_version_num decides over the text", () => {
    for (const [num, shown] of [["150010", "15.10"], ["180004", "18.4"], ["170002", "17.2 (Debian)"], ["150018", "15.18"]]) {
      expect(serverVersionProblem(num!, shown!)).toBeUndefined();
    }
    expect(serverVersionProblem("150008", "15.10")).toContain("Upgrade the server to PostgreSQL 15.10");
  });
});

describe("assertSafeServerVersion", () => {
  const stub = (num: string, version: string) => {
    const asked: string[] = [];
    return {
      asked,
      client: { query: async (sql: string) => (asked.push(sql), { rows: [{ num, version }] }) } as unknown as pg.ClientBase,
    };
  };

  test("asks the server, and throws a ServerVersionError for an unsafe release", async () => {
    const { asked, client } = stub("160005", "16.5");
    const refusal = assertSafeServerVersion(client, " at db:5432 (ROOT_DATABASE_URL)");
    await expect(refusal).rejects.toBeInstanceOf(ServerVersionError);
    await expect(refusal).rejects.toThrow(/^PostgreSQL 16\.5 at db:5432 \(ROOT_DATABASE_URL\) has known row-level security bugs .* PostgreSQL 16\.6 or later/);
    expect(asked).toEqual([SERVER_VERSION_QUERY]);
  });

  test("passes a safe release", async () => {
    await expect(assertSafeServerVersion(stub("150010", "15.10").client)).resolves.toBeUndefined();
  });

  test("this run's real server passes (18 embedded, or CI's 15)", async () => {
    const client = new pg.Client({ connectionString: rootUrl });
    await client.connect();
    try {
      await expect(assertSafeServerVersion(client)).resolves.toBeUndefined();
    } finally {
      await client.end();
    }
  });
});

describe("checkDatabaseConnection refuses an unsafe server (a fake one speaking PostgreSQL's protocol)", () => {
  let fake: FakePostgres | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const urlOf = (port: number) => `postgres://app_owner:pw@127.0.0.1:${port}/app`;

  test("DATABASE_URL on 15.8: refused with the one line that names the server and the setting", async () => {
    fake = await startFakePostgres("150008", "15.8");
    const config = configFor(urlOf(fake.port), "", { rootUrl: undefined });
    await expect(checkDatabaseConnection(config)).rejects.toThrow(
      new ServerVersionError(serverVersionProblem("150008", "15.8", ` at 127.0.0.1:${fake.port} (DATABASE_URL)`)!),
    );
    expect(fake.queries).toEqual([SERVER_VERSION_QUERY]);
  });

  test("ROOT_DATABASE_URL, and the worker's own login, are checked the same way", async () => {
    fake = await startFakePostgres("170001", "17.1");
    const config = configFor(urlOf(fake.port), urlOf(fake.port));
    await expect(checkDatabaseConnection(config)).rejects.toThrow(`PostgreSQL 17.1 at 127.0.0.1:${fake.port} (ROOT_DATABASE_URL) has known`);
    const worker = { setting: "DATABASE_URL and WORKER_DB_PASSWORD", url: urlOf(fake.port) };
    await expect(checkDatabaseConnection(config, worker)).rejects.toThrow(
      `PostgreSQL 17.1 at 127.0.0.1:${fake.port} (DATABASE_URL and WORKER_DB_PASSWORD) has known`,
    );
  });

  test("a safe release passes", async () => {
    fake = await startFakePostgres("150010", "15.10 (Debian 15.10-1.pgdg120+1)");
    await expect(checkDatabaseConnection(configFor(urlOf(fake.port), "", { rootUrl: undefined }))).resolves.toBeUndefined();
    expect(fake.queries).toEqual([SERVER_VERSION_QUERY]);
  });
});
