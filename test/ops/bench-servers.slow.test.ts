// The servers of `npm run bench -- --baseline/--ceiling`, as real child processes: the launcher
// (src/bench/serveApi.ts) serves a checkout's API from its own code, configured from the environment
// it is given (this file's database and the run's secrets), in one process or a node:cluster of them;
// the ceiling server answers the body it was given. No timings.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ServerProcess, startServerProcess } from "../../src/bench/servers.ts";
import { PROJECT_ROOT } from "../../src/config.ts";
import { appSecretsFrom, signAppToken } from "../../src/http/auth.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { FAMILY, seedFamily } from "../../src/tools/seed/family.ts";
import { ownerUrl, testConfig } from "../helpers/db.ts";

const SLOW = 120_000;
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await seedFamily(ownerUrl, masterKeys(testConfig()));
  dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-servers-test-"));
  // What bench.ts hands both sides: the database and a data folder (the run's secrets are in process.env).
  env = { DATABASE_URL: ownerUrl, DATA_DIR: dataDir, PG_POOL_MAX: "2", NODE_ENV: "development" };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function ask(server: ServerProcess, query: string) {
  const token = signAppToken("pas_bot", FAMILY.parent, appSecretsFrom(testConfig().secret));
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.text() };
}

test.each([1, 2])("the launcher serves this checkout's API in %i process(es), on this database, and stops on request", async (processes) => {
  const server = await startServerProcess("serveApi.ts", ["--root", PROJECT_ROOT, "--processes", String(processes)], env);
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The parent's token, signed with the run's secret, is accepted, and the acting user read from this database.
    for (let i = 0; i < 4; i++) {
      expect(await ask(server, "{ currentUserId }")).toEqual({ status: 200, body: JSON.stringify({ data: { currentUserId: FAMILY.parent } }) });
    }
  } finally {
    await server.stop();
  }
  await expect(fetch(`${server.url}/graphql`)).rejects.toThrow();
}, SLOW);

test("a checkout the launcher cannot load fails the start, with the launcher's error", async () => {
  const empty = await mkdtemp(path.join(os.tmpdir(), "bench-servers-empty-"));
  try {
    await expect(startServerProcess("serveApi.ts", ["--root", empty], env)).rejects.toThrow(/exited with 1 before answering[\s\S]*src\/config\.ts/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}, SLOW);

test("the ceiling server answers every request with the body it was given", async () => {
  const body = JSON.stringify({ data: { __typename: "Query" } });
  const server = await startServerProcess("ceilingServer.ts", [], { BENCH_CEILING_BODY: body });
  try {
    const answer = await ask(server, "{ __typename }");
    expect(answer).toEqual({ status: 200, body });
  } finally {
    await server.stop();
  }
}, SLOW);
