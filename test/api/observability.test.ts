// What the operator sees: /healthz, /readyz, /metrics and the JSON logs — and
// what the logs must never hold (tokens, variables, names, letters).
import pg from "pg";
import { signAppToken } from "../../src/http/auth.ts";
import { latestCommittedMigration } from "../../src/http/readiness.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { startWorker } from "../../src/worker/runner.ts";
import { committedAs, rootUrl, roleUrl, testConfig, testMasterKey, withOwnerDb } from "../helpers/db.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { startTestServer, type TestServer } from "../helpers/http.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { until } from "../helpers/process.ts";
import { createQuest, SMALL_GRAPH } from "../helpers/quests.ts";


const CHILD_NAME = "Misha Observability";
const LETTER = "I miss you every day, the letter says";

let server: TestServer;
let logs: ReturnType<typeof capturingLogger>;
let parent: TestUser;
let child: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  logs = capturingLogger();
  server = await startTestServer({ logger: logs.logger, privacyPollMs: 60_000 });
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent", "Parent");
    child = await createUser(owner, "child", CHILD_NAME);
    stranger = await createUser(owner, "parent", "Stranger");
    await linkFamily(owner, parent, child);
  });
});

afterAll(async () => {
  await server?.close();
});

const metricsText = async (s: TestServer) => (await fetch(`${s.url}/metrics`)).text();
const metricValue = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test("/healthz: 200 while the process serves", async () => {
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

describe("/readyz", () => {
  test("ready: the database answers and holds every migration of this code", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    const migration = latestCommittedMigration();
    expect(await response.json()).toEqual({
      ready: true,
      database: "ok",
      dataKeysUnwrappable: {},
      migrations: { expected: migration, applied: migration, current: true },
      liveWorkers: 0,
    });
  });

  test("a live worker process is required, and seen come and go", async () => {
    const strict = await startTestServer({ requireWorker: true });
    const readyz = async () => {
      const response = await fetch(`${strict.url}/readyz`);
      return { status: response.status, body: (await response.json()) as { liveWorkers: number } };
    };
    const waitFor = (status: number) =>
      until(`/readyz ${status}`, async () => {
        const answer = await readyz();
        return answer.status === status && answer;
      }, { timeoutMs: 5_000, intervalMs: 50 });
    try {
      expect(await readyz()).toMatchObject({ status: 503, body: { ready: false, liveWorkers: 0 } });
      const worker = await startWorker({ connectionString: roleUrl("app_worker"), masterKeys: masterKeys(testConfig()), taskList: {}, cronItems: [] });
      try {
        expect(await waitFor(200)).toMatchObject({ status: 200, body: { ready: true, liveWorkers: 1 } });
      } finally {
        await worker.stop();
      }
      expect(await waitFor(503)).toMatchObject({ status: 503, body: { liveWorkers: 0 } });
    } finally {
      await strict.close();
    }
  });

  test("503 when the database does not answer, and ready again by itself", async () => {
    const root = new pg.Client({ connectionString: rootUrl });
    await root.connect();
    const { rows } = await root.query<{ db: string }>("select current_database() as db");
    const db = root.escapeIdentifier(rows[0]!.db);
    try {
      await root.query(`revoke connect on database ${db} from app_authenticator`);
      await root.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where usename = 'app_authenticator' and datname = current_database()",
      );
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      // The pool's first attempt meets its terminated connection, a new one is refused: either way, the reason.
      const body = (await response.json()) as { ready: boolean; database: string };
      expect(body.ready).toBe(false);
      expect(body.database).toMatch(/permission denied|terminating connection/);
      // The process itself is fine: no reason to restart it.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await root.query(`grant connect on database ${db} to app_authenticator`);
      await root.end();
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe("/metrics and the logs", () => {
  test("a created quest is counted, timed by operation, and logged without its variables or the token", async () => {
    const before = await metricsText(server);
    const token = signAppToken("pas_bot", parent.id, server.secrets);
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "req-42" },
      body: JSON.stringify({
        query: `mutation ($child: UUID!, $graph: JSON!, $content: String!) {
          createQuest(input: { title: "A quest for you", graphStructure: $graph, childId: $child }) { result { id } }
          createLetter(input: { letter: { title: "To you", content: $content, childId: $child } }) { letter { id } } }`,
        variables: { child: child.id, graph: SMALL_GRAPH, content: LETTER },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-42");
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();

    const after = await metricsText(server);
    const delta = (series: string) => (metricValue(after, series) ?? 0) - (metricValue(before, series) ?? 0);
    expect(delta("quest_creations_total")).toBe(1);
    expect(delta('query_duration_seconds_count{operation="mutation createLetter,createQuest",outcome="ok"}')).toBe(1);
    expect(delta('http_requests_total{method="POST",route="/graphql",status="200"}')).toBe(1);
    expect(metricValue(after, "database_connections_active")).toBeGreaterThanOrEqual(0);
    expect(metricValue(after, 'worker_jobs_queued{state="runnable"}')).toBeGreaterThanOrEqual(0);
    expect(after).toMatch(/^process_cpu_seconds_total /m);

    // Every line of a request carries its id.
    const mine = logs.lines.filter((l) => (l.req as { id?: string } | undefined)?.id === "req-42");
    expect(mine.find((l) => l.msg === "quest created")).toMatchObject({ level: "info", event: "createQuest", outcome: "ok" });
    expect(mine.find((l) => l.msg === "request completed")).toMatchObject({ req: { method: "POST", path: "/graphql" }, res: { statusCode: 200 } });
    const everything = logs.raw.join("");
    for (const secret of [token, "Bearer", CHILD_NAME, LETTER, child.id, testMasterKey()]) expect(everything).not.toContain(secret);
  });

  test("a failing request's private text reaches no output: masked errors are logged by kind, not by what they quote", async () => {
    // A NUL byte makes PostgreSQL refuse the value (22P05 in JSON, 22021 in text) with an error that quotes
    // it (WHERE, the document): grafserv's default mask printed all of it with console.error.
    const token = signAppToken("pas_bot", parent.id, server.secrets);
    const post = (body: object) =>
      fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const NEAR_NUL = "meet me at 12 Elm Street";
    const printed: string[] = [];
    const consoleMethods = ["error", "warn", "log", "info"] as const;
    const saved = consoleMethods.map((name) => console[name]);
    for (const name of consoleMethods) console[name] = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
    const stderrWrite = process.stderr.write;
    process.stderr.write = ((chunk: unknown) => (printed.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const viaVariables = await post({
        query: `mutation ($h: JSON) { createQuestBuilderSession(input: { questBuilderSession: { conversationHistory: $h } }) { questBuilderSession { id } } }`,
        variables: { h: [{ role: "user", content: `${LETTER}, ${NEAR_NUL}\u0000 end` }] },
      });
      const inline = await post({
        query: `mutation { createLetter(input: { letter: { title: "To you", content: "${LETTER}, ${NEAR_NUL}\\u0000 call me" } }) { letter { id } } }`,
      });
      for (const response of [viaVariables, inline]) {
        const body = (await response.json()) as { errors?: Array<{ message: string }> };
        expect(body.errors?.[0]?.message).toMatch(/^An error occurred \(logged with/);
      }
    } finally {
      consoleMethods.forEach((name, i) => (console[name] = saved[i]!));
      process.stderr.write = stderrWrite;
    }
    // PostgreSQL quotes the text around the bad byte (WHERE), grafserv's default printed the whole document.
    for (const output of [printed.join("\n"), logs.raw.join("")]) {
      expect(output).not.toContain(NEAR_NUL);
      expect(output).not.toContain(LETTER);
    }
    const masked = logs.lines.filter((l) => l.msg === "masked GraphQL error");
    expect(masked.map((l) => (l.error as { code?: string }).code).sort()).toEqual(["22021", "22P05"]);
  });

  test("fields named like personal columns are redacted wherever a log line carries them", () => {
    const { logger, raw } = capturingLogger();
    logger.info({ displayName: CHILD_NAME, row: { content: LETTER, display_name: CHILD_NAME }, questId: "kept" }, "a line");
    expect(raw.join("")).not.toContain(CHILD_NAME);
    expect(raw.join("")).not.toContain(LETTER);
    expect(raw.join("")).toContain("kept");
  });

  test("a caller's request id that is not one is replaced by a fresh one", async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "not an id!" } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("privacy checks of every client are counted, and each denial is a warning naming no one", async () => {
    const quest = await withOwnerDb((owner) => createQuest(owner, parent, { child_id: child.id }));
    const before = await metricsText(server);
    // Direct SQL, not GraphQL: the stranger asks for another parent's quest (denied), the author for theirs.
    for (const [who, expected] of [[stranger, "not_found"], [parent, "not_consented"]] as const) {
      const { rows } = await committedAs("pas_bot_user", who.id, (sql) =>
        sql.query("select consent_status from app_public.get_quest_analytics($1)", [quest.id]),
      );
      expect(rows[0].consent_status).toBe(expected);
    }
    await server.service.privacyWatch.poll();
    const after = await metricsText(server);
    const delta = (series: string) => (metricValue(after, series) ?? 0) - (metricValue(before, series) ?? 0);
    expect(delta('privacy_checks_total{result="denied"}')).toBe(2);
    const warnings = logs.lines.filter((l) => l.event === "privacy_check_denied" && l.subject_id === quest.id);
    expect(warnings).toEqual([
      expect.objectContaining({ level: "warn", action: "get_quest_analytics", db_role: "pas_bot_user", acting_user_id: stranger.id }),
      expect.objectContaining({ level: "warn", action: "get_quest_analytics", db_role: "pas_bot_user", acting_user_id: parent.id }),
    ]);
    expect(JSON.stringify(warnings)).not.toContain(CHILD_NAME);
  });
});
