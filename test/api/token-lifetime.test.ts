// Issue 18: a validly signed token must not live longer than JWT_MAX_LIFETIME_SECONDS (default 7 days, what
// `npm run token` mints at most) — measured as exp − iat, or exp − now when it has no iat — and must not have
// been issued in the future (beyond IAT_CLOCK_SKEW_SECONDS). Over HTTP: 401 UNAUTHENTICATED with a clear message.
import jwt from "jsonwebtoken";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createHttpService } from "../../src/http/app.ts";
import { AuthError, IAT_CLOCK_SKEW_SECONDS, MAX_TOKEN_SECONDS, signAppToken, verifyAppToken } from "../../src/http/auth.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { roleUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
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

const now = () => Math.floor(Date.now() / 1000);
const YEAR_3000 = Date.UTC(3000, 0, 1) / 1000;
const DAY = 86_400;
/** A pas_bot token with exactly these claims (jsonwebtoken adds no `iat` of its own: its noTimestamp would also drop ours). */
const token = (claims: Record<string, unknown>) =>
  jwt.sign({ sub: parent.id, ...claims }, server.secrets.pas_bot, "iat" in claims ? {} : { noTimestamp: true });
const verify = (t: string, maxLifetimeSeconds?: number) => verifyAppToken(t, server.secrets, { maxLifetimeSeconds });

describe("verifyAppToken", () => {
  test("exp in the year 3000, with an iat: it lives too long", () => {
    const iat = now();
    expect(() => verify(token({ iat, exp: YEAR_3000 }))).toThrow(
      new AuthError(
        `The token lives too long: ${YEAR_3000 - iat} s (${((YEAR_3000 - iat) / DAY).toFixed(1)} days) from its \`iat\` to its \`exp\` ` +
          "(3000-01-01T00:00:00.000Z), more than the 604800 s (7 days) this server accepts (JWT_MAX_LIFETIME_SECONDS): sign tokens that expire sooner.",
      ),
    );
  });

  test("exp in the year 3000 without an iat: it expires too far ahead", () => {
    expect(() => verify(token({ exp: YEAR_3000 }))).toThrow(
      /^The token expires too far ahead: its `exp` \(3000-01-01T00:00:00\.000Z\) is \d+ s \([\d.]+ days\) away and it has no `iat`, more than the 604800 s \(7 days\) this server accepts/,
    );
  });

  test("iat an hour ahead of our clock: issued in the future", () => {
    expect(() => verify(token({ iat: now() + 3600, exp: now() + 7200 }))).toThrow(
      /^The token was issued in the future \(its `iat`, \d{4}-\d\d-\d\dT[\d:.]+Z, is 3\d{3} s ahead of this server's clock\): check the signer's clock\.$/,
    );
  });

  test("iat a few seconds ahead (the signer's clock a little fast) is within the allowance", () => {
    expect(verify(token({ iat: now() + IAT_CLOCK_SKEW_SECONDS - 10, exp: now() + 3600 })).userId).toBe(parent.id);
  });

  test("no iat: what is left of it counts (8 days refused, 6 days fine)", () => {
    expect(() => verify(token({ exp: now() + 8 * DAY }))).toThrow(/^The token expires too far ahead: .* has no `iat`/);
    expect(verify(token({ exp: now() + 6 * DAY })).userId).toBe(parent.id);
  });

  test("with an iat, exp − iat counts: a 7-day token is fine the whole week, one second more is not", () => {
    expect(verify(signAppToken("pas_bot", parent.id, server.secrets, MAX_TOKEN_SECONDS)).userId).toBe(parent.id);
    // Issued 6 days ago for 8 days: 2 days left, but it was signed to live 8.
    expect(() => verify(token({ iat: now() - 6 * DAY, exp: now() + 2 * DAY }))).toThrow(/^The token lives too long: 691200 s \(8 days\)/);
    const iat = now() - 60;
    expect(() => verify(token({ iat, exp: iat + MAX_TOKEN_SECONDS + 1 }))).toThrow(/^The token lives too long: 604801 s/);
    expect(verify(token({ iat, exp: iat + MAX_TOKEN_SECONDS })).userId).toBe(parent.id);
  });

  test("a normal token is still fine, from either app", () => {
    expect(verify(signAppToken("pas_bot", parent.id, server.secrets))).toEqual({ app: "pas_bot", role: "pas_bot_user", userId: parent.id });
    expect(verify(signAppToken("inner_edu", parent.id, server.secrets)).app).toBe("inner_edu");
  });

  test("the limit is the caller's: one hour refuses a two-hour token", () => {
    const twoHours = signAppToken("pas_bot", parent.id, server.secrets, 7200);
    expect(() => verify(twoHours, 3600)).toThrow(/^The token lives too long: 7200 s from its `iat` to its `exp` .* more than the 3600 s this server accepts/);
    expect(verify(signAppToken("pas_bot", parent.id, server.secrets, 3600), 3600).userId).toBe(parent.id);
  });
});

describe("over HTTP", () => {
  const expect401 = async (t: string, message: RegExp, on = server) => {
    const { status, body } = await graphql(on, "{ currentUserId }", { token: t });
    expect(status).toBe(401);
    expect(body.errors[0].message).toMatch(message);
    expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
  };

  test("year 3000, iat an hour ahead, a long exp without iat: 401 each", async () => {
    await expect401(token({ iat: now(), exp: YEAR_3000 }), /^The token lives too long/);
    await expect401(token({ exp: YEAR_3000 }), /^The token expires too far ahead/);
    await expect401(token({ iat: now() + 3600, exp: now() + 7200 }), /^The token was issued in the future/);
    await expect401(token({ exp: now() + 30 * DAY }), /has no `iat`/);
  });

  test("a normal token: 200", async () => {
    const { status, body } = await graphql(server, "{ currentUserId }", { token: signAppToken("pas_bot", parent.id, server.secrets) });
    expect(status).toBe(200);
    expect(body.data.currentUserId).toBe(parent.id);
  });

  test("JWT_MAX_LIFETIME_SECONDS reaches the server (createHttpService's maxTokenLifetimeSeconds)", async () => {
    const config = loadConfig({ ...process.env, JWT_MAX_LIFETIME_SECONDS: "3600" });
    expect(config.jwtMaxLifetimeSeconds).toBe(3600);
    const service = await createHttpService({
      authenticatorUrl: roleUrl("app_authenticator"),
      poolMax: 2,
      secrets: server.secrets,
      maxTokenLifetimeSeconds: config.jwtMaxLifetimeSeconds,
      production: false,
      masterKeys: masterKeys(testConfig()),
      logger: createLogger({ level: "silent" }),
      requireWorker: false,
    });
    await new Promise<void>((resolve) => service.server.listen(0, "127.0.0.1", resolve));
    const { port } = service.server.address() as { port: number };
    const short: TestServer = { url: `http://127.0.0.1:${port}`, service, secrets: server.secrets, close: () => service.close() };
    try {
      await expect401(signAppToken("pas_bot", parent.id, server.secrets, 7200), /more than the 3600 s this server accepts/, short);
      const { status } = await graphql(short, "{ currentUserId }", { token: signAppToken("pas_bot", parent.id, server.secrets, 3600) });
      expect(status).toBe(200);
    } finally {
      await short.close();
    }
  });
});

test("JWT_MAX_LIFETIME_SECONDS: 7 days unless set; 1 minute to 30 days", () => {
  expect(loadConfig({ DATABASE_URL: "postgres://o:p@h/d" }).jwtMaxLifetimeSeconds).toBe(MAX_TOKEN_SECONDS);
  expect(loadConfig({ DATABASE_URL: "postgres://o:p@h/d", JWT_MAX_LIFETIME_SECONDS: "86400" }).jwtMaxLifetimeSeconds).toBe(86_400);
  for (const bad of ["59", "2592001", "1h", "1.5"]) {
    expect(() => loadConfig({ DATABASE_URL: "postgres://o:p@h/d", JWT_MAX_LIFETIME_SECONDS: bad })).toThrow(ConfigError);
  }
  expect(() => loadConfig({ DATABASE_URL: "postgres://o:p@h/d", JWT_MAX_LIFETIME_SECONDS: "1h" })).toThrow(
    'JWT_MAX_LIFETIME_SECONDS must be an integer from 60 to 2592000, got "1h".',
  );
});
