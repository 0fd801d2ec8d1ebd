// Where the test suite's databases live: the server named by ROOT_DATABASE_URL
// (or TEST_DATABASE_URL), which must be a superuser, or else an embedded cluster
// started in a temporary folder on a free port.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface TestCluster {
  rootUrl: string;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  const external = process.env.ROOT_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (external) return { rootUrl: external, stop: async () => {} };

  const { startEmbeddedCluster } = await import("../../src/db/embeddedPostgres.ts");
  const dataDir = await mkdtemp(path.join(tmpdir(), "pas-test-pg-"));
  try {
    const cluster = await startEmbeddedCluster({
      dataDir,
      port: await freePort(),
      superuserPassword: randomBytes(18).toString("base64url"),
    });
    return {
      rootUrl: cluster.rootUrl,
      async stop() {
        await cluster.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
