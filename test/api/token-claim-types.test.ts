// Tokens with claims of the wrong type or out of range (issue 18 item 4, found by its break-this review).
// jsonwebtoken checks `iat`'s type only when `maxAge` is given (verify.js), so a validly signed token
// whose `iat` is not a number reaches tokenLifetimeProblem, where `exp - iat` is NaN and NaN > limit is
// false: an `exp` in the year 3000 was accepted until verifyAppToken checked it. (jwt.sign refuses a non-numeric iat, so the token is
// signed by hand, as any other signer could.)
import { createHmac } from "node:crypto";
import { verifyAppToken } from "../../src/http/auth.ts";
import { withOwnerDb } from "../helpers/db.ts";
import { createUser, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer, type TestServer } from "../helpers/http.ts";

let server: TestServer;
let parent: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  await withOwnerDb(async (owner) => {
    parent = await createUser(owner, "parent", "Parent");
  });
});

afterAll(async () => {
  await server?.close();
});

const YEAR_3000 = Date.UTC(3000, 0, 1) / 1000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** An HS256 JWT with exactly these claims, signed with pas_bot's secret. */
function handSigned(claims: Record<string, unknown>): string {
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createHmac("sha256", server.secrets.pas_bot).update(head).digest("base64url")}`;
}

describe.each([
  ["a string", "soon"],
  ["an object", {}],
  ["the string NaN", "NaN"],
])("iat is %s, exp in the year 3000", (_kind, iat) => {
  test("verifyAppToken refuses it", () => {
    expect(() => verifyAppToken(handSigned({ sub: parent.id, iat, exp: YEAR_3000 }), server.secrets)).toThrow(/lives too long|iat/);
  });

  test("over HTTP: 401, not 200", async () => {
    const { status, body } = await graphql(server, "{ currentUserId }", { token: handSigned({ sub: parent.id, iat, exp: YEAR_3000 }) });
    expect({ status, data: body.data ?? null }).toEqual({ status: 401, data: null });
  });
});

// A validly signed token whose `exp` is so far in the past (or `nbf` so far ahead) that no Date holds it:
// jsonwebtoken's TokenExpiredError / NotBeforeError carry an Invalid Date, and verifyAppToken's message calls
// toISOString() on it (RangeError), which is no AuthError: requireAppToken hands it to Express (500) instead of 401.
describe.each([
  ["exp -1e13 (expired before any Date)", { exp: -1e13 }],
  ["nbf 1e13 (valid after any Date)", { nbf: 1e13, exp: Math.floor(Date.now() / 1000) + 600 }],
])("%s", (_kind, claims) => {
  test("verifyAppToken refuses it with an AuthError", () => {
    expect(() => verifyAppToken(handSigned({ sub: parent.id, ...claims }), server.secrets)).toThrow(/expired|not valid before/);
  });

  test("over HTTP: 401 UNAUTHENTICATED, JSON, no stack", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${handSigned({ sub: parent.id, ...claims })}` },
      body: JSON.stringify({ query: "{ currentUserId }" }),
    });
    const text = await response.text();
    expect({ status: response.status, type: response.headers.get("content-type"), body: text.slice(0, 300) }).toEqual({
      status: 401,
      type: expect.stringMatching(/^application\/json/),
      body: expect.stringContaining('"UNAUTHENTICATED"'),
    });
  });
});
