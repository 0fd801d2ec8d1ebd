// The replica's freshness and its silence, on real servers (issue 19, break-this review): a standby that
// stops replaying serves no reads once it is behind what the primary had a poll ago (a parent unlinked from a
// child no longer sees the child there), and a standby that stops answering (its processes SIGSTOPped: a
// hung host) holds a read no longer than the replica pool's query_timeout before it runs on the primary.
import { readFileSync } from "node:fs";
import { appSecretsFrom, signAppToken } from "../../src/http/auth.ts";
import { roleUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { asRoot, onStandby, standbyRoot } from "../helpers/standby.ts";
import { createUser, linkFamily, type TestUser } from "../helpers/fixtures.ts";
import { graphql, startTestServer } from "../helpers/http.ts";
import { until } from "../helpers/process.ts";

/** The standby's postmaster and every process under it. */
async function standbyPids(): Promise<number[]> {
  const dir = await asRoot(standbyRoot, async (c) => (await c.query("show data_directory")).rows[0].data_directory as string);
  const postmaster = Number(readFileSync(`${dir}/postmaster.pid`, "utf8").split("\n")[0]);
  const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number);
  return [postmaster, ...children];
}

let parent: TestUser;
let child: TestUser;
beforeAll(async () => {
  ({ parent, child } = await withOwnerDb(async (client) => {
    const [p, c] = [await createUser(client, "parent"), await createUser(client, "child")];
    await linkFamily(client, p, c);
    return { parent: p, child: c };
  }));
  await until("the standby to replay the link", () =>
    asRoot(standbyRoot, async (c) => (await c.query("select exists (select from app_public.family_links where parent_id = $1) as ok", [parent.id])).rows[0].ok),
  );
}, 120_000);

test("a parent unlinked on the primary no longer sees the child, though the standby has stopped replaying", async () => {
  const token = signAppToken("pas_bot", parent.id, appSecretsFrom(testConfig().secret));
  const server = await startTestServer({ readReplicaUrl: onStandby(roleUrl("app_authenticator")) });
  try {
    const before = await graphql(server, "{ myChildren { nodes { id } } }", { token });
    expect(JSON.stringify(before.body)).toContain(child.id);
    await asRoot(standbyRoot, (c) => c.query("select pg_wal_replay_pause()"));
    // The link is gone on the primary (as an unlink, or the erasure of the child's account, removes it).
    await withOwnerDb((client) => client.query("delete from app_public.family_links where parent_id = $1 and child_id = $2", [parent.id, child.id]));
    // A read may miss others' changes of the last two polls (REPLICA_POLL_MS, 1 s), no more.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = await graphql(server, "{ myChildren { nodes { id } } }", { token });
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).not.toContain(child.id);
  } finally {
    await server.close();
    await asRoot(standbyRoot, (c) => c.query("select pg_wal_replay_resume()"));
  }
}, 120_000);

test("a hung replica: the read falls back to the primary within the replica's query_timeout", async () => {
  const token = signAppToken("pas_bot", parent.id, appSecretsFrom(testConfig().secret));
  const server = await startTestServer({ readReplicaUrl: onStandby(roleUrl("app_authenticator")) });
  let pids: number[] = [];
  try {
    expect((await graphql(server, "{ myChildren { nodes { id } } }", { token })).status).toBe(200); // a replica connection now pooled
    pids = await standbyPids();
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGSTOP");
      } catch {
        // gone already
      }
    }
    const started = Date.now();
    const outcome = await Promise.race([
      graphql(server, "{ myChildren { nodes { id } } }", { token }).then((r) => ({ status: r.status, ms: Date.now() - started })),
      new Promise<{ status: string; ms: number }>((resolve) => setTimeout(() => resolve({ status: "no answer", ms: 20_000 }), 20_000)),
    ]);
    expect(outcome.status).toBe(200);
    expect(outcome.ms).toBeLessThan(10_000);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // gone
      }
    }
    await server.close();
  }
}, 120_000);
