// pg-aggregates: off by default, on for the parent's own dashboard tables only
// (behaviors.ts), and then over the rows RLS lets the parent read.
import { signAppToken } from "../../src/http/auth.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";

let server: TestServer;
let anna: TestUser;
let boris: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  await withOwnerDb(async (owner) => {
    anna = await createUser(owner, "parent");
    boris = await createUser(owner, "parent");
    await owner.query(
      `insert into app_public.goals (user_id, title, status, progress, track_type) values
         ($1, 'Write weekly', 'active', 40, 'child_connection'), ($1, 'Call school', 'active', 20, 'self_work'),
         ($1, 'Old plan', 'abandoned', 10, null), ($2, 'Boris''s goal', 'active', 90, 'self_work')`,
      [anna.id, boris.id],
    );
    await owner.query(
      `insert into app_public.metrics_snapshots (user_id, snapshot_date, mood_average, letters_written) values
         ($1, '2026-11-01', 4, 1), ($1, '2026-11-02', 6, 3), ($2, '2026-11-01', 9, 7)`,
      [anna.id, boris.id],
    );
  });
});

afterAll(async () => {
  await server?.close();
});

test("exactly the parent's dashboard tables have aggregates", async () => {
  const token = signAppToken("pas_bot", anna.id, server.secrets);
  const { body } = await graphql(server, "{ __schema { types { name fields { name } } } }", { token });
  const withAggregates = body.data.__schema.types
    .filter((type: { fields: Array<{ name: string }> | null }) => type.fields?.some((field) => field.name === "aggregates"))
    .map((type: { name: string }) => type.name)
    .sort();
  expect(withAggregates).toEqual(["GoalConnection", "MetricsSnapshotConnection", "QuestRatingConnection", "UserTrackConnection"]);
});

test("a parent's aggregates and groups count only their own rows", async () => {
  const token = signAppToken("pas_bot", anna.id, server.secrets);
  const { body } = await graphql(
    server,
    `{
      goals {
        aggregates { sum { progress } average { progress } max { progress } }
        groupedAggregates(groupBy: STATUS) { keys sum { progress } }
      }
      metricsSnapshots {
        groupedAggregates(groupBy: SNAPSHOT_DATE) { keys average { moodAverage } sum { lettersWritten } }
      }
    }`,
    { token },
  );
  expect(body.errors).toBeUndefined();
  expect(body.data.goals.aggregates).toEqual({ sum: { progress: "70" }, average: { progress: "23.3333333333333333" }, max: { progress: 40 } });
  expect(body.data.goals.groupedAggregates).toEqual(
    expect.arrayContaining([{ keys: ["active"], sum: { progress: "60" } }, { keys: ["abandoned"], sum: { progress: "10" } }]),
  );
  expect(body.data.goals.groupedAggregates).toHaveLength(2);
  expect(body.data.metricsSnapshots.groupedAggregates).toEqual(
    expect.arrayContaining([
      { keys: ["2026-11-01"], average: { moodAverage: 4 }, sum: { lettersWritten: "1" } },
      { keys: ["2026-11-02"], average: { moodAverage: 6 }, sum: { lettersWritten: "3" } },
    ]),
  );
  expect(body.data.metricsSnapshots.groupedAggregates).toHaveLength(2);
});

test("the child's app reaches no aggregate of PAS data", async () => {
  const child = signAppToken("inner_edu", crypto.randomUUID(), server.secrets);
  const { body } = await graphql(server, "{ goals { aggregates { sum { progress } } } }", { token: child });
  expect(body.errors[0].extensions.code).toBe("PERMISSION_DENIED");
});
