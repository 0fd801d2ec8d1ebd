import { buildSchema, getIntrospectionQuery, parse, validate } from "postgraphile/graphql";
import { signAppToken } from "../../src/http/auth.ts";
import { depthLimitRule } from "../../src/graphql/hardening.ts";
import { MAX_QUERY_DEPTH, MAX_REQUEST_BYTES, STATEMENT_TIMEOUT } from "../../src/graphql/preset.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";

let development: TestServer;
let production: TestServer;
let token: string;

beforeAll(async () => {
  // Two probes in this file's database only: what a request's transaction is set to, and a slow call.
  await withOwnerDb((owner) =>
    owner.query(`
      create function app_public.setting_for_test(name text) returns text language sql stable as $$ select current_setting(name) $$;
      create function app_public.sleep_for_test(seconds double precision) returns boolean language sql volatile
        as $$ select pg_sleep(seconds) is not null $$;
      grant execute on function app_public.setting_for_test(text), app_public.sleep_for_test(double precision) to pas_bot_user;
    `));
  development = await startTestServer();
  production = await startTestServer({ production: true });
  token = signAppToken("pas_bot", crypto.randomUUID(), development.secrets);
});
afterAll(async () => {
  await development?.close();
  await production?.close();
});

const nested = (depth: number) => "{ " + "query { ".repeat(depth - 1) + "currentUserId" + " }".repeat(depth);

test(`an operation deeper than ${MAX_QUERY_DEPTH} levels is refused before it runs`, async () => {
  expect((await graphql(development, nested(MAX_QUERY_DEPTH), { token })).body.errors).toBeUndefined();
  const { body } = await graphql(development, nested(MAX_QUERY_DEPTH + 1), { token });
  expect(body.errors[0]).toMatchObject({
    message: `This operation is ${MAX_QUERY_DEPTH + 1} levels deep; the limit is ${MAX_QUERY_DEPTH}.`,
    extensions: { code: "DEPTH_LIMIT_EXCEEDED" },
  });
  // Fragments count too.
  const viaFragment = `query { ...deep } fragment deep on Query ${nested(MAX_QUERY_DEPTH + 1)}`;
  expect((await graphql(development, viaFragment, { token })).body.errors[0].extensions.code).toBe("DEPTH_LIMIT_EXCEEDED");
});

// What GraphiQL (ruru) sends for its Docs panel: the standard query, with every option it may turn on.
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

describe("the depth rule on its own", () => {
  // PostGraphile's root has `query: Query`, the simplest way to nest deeply.
  const schema = buildSchema("type Query { query: Query!, currentUserId: String }");
  const depthErrors = (source: string) =>
    validate(schema, parse(source), [depthLimitRule(MAX_QUERY_DEPTH)]).map((e) => e.message);
  const refusal = (depth: number) => `This operation is ${depth} levels deep; the limit is ${MAX_QUERY_DEPTH}.`;

  test("GraphiQL's introspection queries pass, though deeper than the limit", () => {
    expect(depthErrors(getIntrospectionQuery())).toEqual([]);
    expect(depthErrors(GRAPHIQL_INTROSPECTION)).toEqual([]);
  });

  test("real fields are counted in full, beside introspection, in fragments and under aliases", () => {
    expect(depthErrors(nested(MAX_QUERY_DEPTH))).toEqual([]);
    expect(depthErrors(nested(MAX_QUERY_DEPTH + 1))).toEqual([refusal(MAX_QUERY_DEPTH + 1)]);
    // Introspection beside real data does not hide the data's depth.
    const mixed = `{ __schema { queryType { name } } __type(name: "Query") { fields { type { ofType { name } } } } ${nested(MAX_QUERY_DEPTH + 1).slice(2)}`;
    expect(depthErrors(mixed)).toEqual([refusal(MAX_QUERY_DEPTH + 1)]);
    // An alias named like a meta field is still the real field.
    const aliased = `{ __schema: ${nested(MAX_QUERY_DEPTH + 1).slice(2)}`;
    expect(depthErrors(aliased)).toEqual([refusal(MAX_QUERY_DEPTH + 1)]);
    const viaFragments = `{ query { ...deep } } fragment deep on Query { ... on Query ${nested(MAX_QUERY_DEPTH)} }`;
    expect(depthErrors(viaFragments)).toEqual([refusal(MAX_QUERY_DEPTH + 1)]);
  });
});

test("introspection works in development and is refused in production", async () => {
  const query = "{ __schema { queryType { name } } }";
  expect((await graphql(development, query, { token })).body.data.__schema.queryType.name).toBe("Query");
  // GraphiQL's own query, against the real schema.
  const full = await graphql(development, GRAPHIQL_INTROSPECTION, { token });
  expect(full.body.errors).toBeUndefined();
  expect(full.body.data.__schema.types.map((t: { name: string }) => t.name)).toContain("Query");
  // Nesting inside introspection is still bounded: graphql's MaxIntrospectionDepthRule refuses this one.
  const runaway = "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
  expect((await graphql(development, runaway, { token })).body.errors[0].message).toBe("Maximum introspection depth exceeded");
  const { body } = await graphql(production, query, { token: signAppToken("pas_bot", crypto.randomUUID(), production.secrets) });
  expect(body.errors[0].message).toMatch(/introspection/i);
  expect(body.data).toBeUndefined();
});

test("an oversized request is refused, and GraphQL over GET is not served", async () => {
  const big = `{ currentUserId } # ${"x".repeat(MAX_REQUEST_BYTES)}`;
  const response = await fetch(`${development.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: big }),
  });
  expect(response.status).toBe(413);
  const get = await fetch(`${development.url}/graphql?query=${encodeURIComponent("{ currentUserId }")}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(get.status).toBe(405);
});

test(`every request runs under statement_timeout ${STATEMENT_TIMEOUT}; one that runs past it is cancelled with QUERY_CANCELED`, async () => {
  const { body } = await graphql(production, `{ settingForTest(name: "statement_timeout") }`, {
    token: signAppToken("pas_bot", crypto.randomUUID(), production.secrets),
  });
  expect(body).toEqual({ data: { settingForTest: STATEMENT_TIMEOUT } });

  const impatient = await startTestServer({ statementTimeout: "200ms" });
  try {
    const slow = await graphql(impatient, "mutation { sleepForTest(input: { seconds: 5 }) { result } }", { token });
    expect(slow.body.errors).toEqual([
      expect.objectContaining({ message: "canceling statement due to statement timeout", extensions: { code: "QUERY_CANCELED" } }),
    ]);
    const quick = await graphql(impatient, "mutation { sleepForTest(input: { seconds: 0.01 }) { result } }", { token });
    expect(quick.body).toEqual({ data: { sleepForTest: { result: true } } });
  } finally {
    await impatient.close();
  }
});
