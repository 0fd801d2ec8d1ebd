// The GraphQL preset learns who a request acts as only from the `identityOf` the HTTP layer gives it
// (src/http/app.ts passes the identity requireAppToken verified): that identity, and nothing else,
// becomes the transaction's role and app.user_id, which RLS reads.
import type pg from "pg";
import { makePreset, type RequestIdentity } from "../../src/graphql/preset.ts";

const keys = { current: "k".repeat(32) };
const parent: RequestIdentity = { role: "pas_bot_user", userId: "00000000-0000-4000-8000-000000000001" };

/** The grafast context the preset builds for a request whose verified identity is `identity`. */
async function contextFor(identity: RequestIdentity | undefined, roleFor?: (appRole: string) => string) {
  const seen: Array<Partial<Grafast.RequestContext>> = [];
  const preset = makePreset({
    pool: {} as pg.Pool,
    production: false,
    masterKeys: keys,
    roleFor,
    identityOf: (requestContext) => {
      seen.push(requestContext);
      return identity;
    },
  });
  const requestContext = { node: {} } as Partial<Grafast.RequestContext>;
  const context = preset.grafast!.context as (rc: Partial<Grafast.RequestContext>, args: unknown) => Promise<Grafast.Context>;
  try {
    return await context(requestContext, {});
  } finally {
    // The request's own context is what identityOf is asked about.
    expect(seen).toEqual([requestContext]);
  }
}

test("the identity the HTTP layer verified becomes the transaction's role and app.user_id", async () => {
  const { pgSettings } = await contextFor(parent);
  expect(pgSettings).toMatchObject({ role: "pas_bot_user", "app.user_id": parent.userId });
});

test("roleFor (the benchmark's) maps the verified role, never the user", async () => {
  const { pgSettings } = await contextFor(parent, (role) => `${role}_bypass`);
  expect(pgSettings).toMatchObject({ role: "pas_bot_user_bypass", "app.user_id": parent.userId });
});

test("a GraphQL request without a verified identity is refused, not run as nobody", async () => {
  await expect(contextFor(undefined)).rejects.toThrow("GraphQL request without a verified identity");
});
