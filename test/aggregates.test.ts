// pg-aggregates is off by default; a table opts in with a behavior. This file's
// own database gets a throwaway table that opts in, to prove the switch works.
import { signAppToken } from "../src/http/auth.ts";
import { withOwnerDb } from "./helpers/db.ts";
import { graphql, startTestServer, type TestServer } from "./helpers/http.ts";

let server: TestServer;

beforeAll(async () => {
  await withOwnerDb((owner) => owner.query(`
    create table app_public.opt_in_probes (id uuid primary key default gen_random_uuid(), score int not null);
    alter table app_public.opt_in_probes enable row level security;
    alter table app_public.opt_in_probes force row level security;
    comment on table app_public.opt_in_probes is E'@behavior +aggregates\\nA table that opts in to aggregates.';
    grant select on app_public.opt_in_probes to pas_bot_user;
  `));
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

test("a table with `@behavior +aggregates` gets aggregates; no other connection does", async () => {
  const token = signAppToken("pas_bot", crypto.randomUUID(), server.secrets);
  const { body } = await graphql(server, "{ __schema { types { name fields { name } } } }", { token });
  const withAggregates = body.data.__schema.types
    .filter((type: { name: string; fields: Array<{ name: string }> | null }) =>
      type.fields?.some((field) => field.name === "aggregates"),
    )
    .map((type: { name: string }) => type.name);
  expect(withAggregates).toEqual(["OptInProbeConnection"]);
});
