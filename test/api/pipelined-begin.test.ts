// The GraphQL pool's clients send BEGIN without waiting for its answer (pipeline mode, src/db/pool.ts):
// the settings statement that follows goes out in the same write, so a request's transaction costs one
// round trip less. Watched through a TCP relay between the client and PostgreSQL that counts what the
// client writes and can spoil a BEGIN on its way.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { resilientPool } from "../../src/db/pool.ts";
import { roleUrl } from "../helpers/db.ts";

interface Relay {
  url: string;
  /** Chunks the client wrote after start-up, as the relay received them. */
  chunks: Buffer[];
  /** Rewrites what the client sends (before it reaches PostgreSQL). */
  rewrite?: (chunk: Buffer) => Buffer;
  close(): Promise<void>;
}

async function startRelay(target: string): Promise<Relay> {
  const url = new URL(target);
  const sockets = new Set<Socket>();
  const relay: Relay = { url: "", chunks: [], close: async () => {} };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(url.port || 5432), url.hostname);
    sockets.add(client).add(upstream);
    client.on("data", (chunk) => {
      relay.chunks.push(chunk);
      upstream.write(relay.rewrite ? relay.rewrite(chunk) : chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on("close", () => b.destroy());
      a.on("error", () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relayed = new URL(target);
  relayed.hostname = "127.0.0.1";
  relayed.port = String((server.address() as AddressInfo).port);
  relay.url = relayed.href;
  relay.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return relay;
}

const SETTINGS = "select set_config(el->>0, el->>1, true) from json_array_elements($1::json) el";

let relay: Relay;
let pool: pg.Pool;

beforeEach(async () => {
  relay = await startRelay(roleUrl("app_authenticator"));
  pool = resilientPool({ connectionString: relay.url, max: 1, pipeline: true } as pg.PoolConfig, "pipelined test pool");
});

afterEach(async () => {
  await pool.end();
  await relay.close();
});

/** A request's transaction as @dataplan/pg runs it: BEGIN, the settings, the query, COMMIT, each awaited. */
async function asARequest(client: pg.PoolClient, userId: string) {
  await client.query({ text: "begin" });
  await client.query({ text: SETTINGS, values: [JSON.stringify([["app.user_id", userId]])] });
  const { rows } = await client.query({ text: "select current_setting('app.user_id') as user_id, now() = statement_timestamp() as first" });
  await client.query({ text: "commit" });
  return rows[0] as { user_id: string; first: boolean };
}

test("BEGIN and the settings reach PostgreSQL in one write; the settings hold for the transaction, and end with it", async () => {
  const client = await pool.connect();
  try {
    await client.query("select 1"); // start-up done
    relay.chunks.length = 0;
    const seen = await asARequest(client, "0b7e6c1e-2f7a-4d3b-9a51-6f7d9b1c2e3a");
    expect(seen.user_id).toBe("0b7e6c1e-2f7a-4d3b-9a51-6f7d9b1c2e3a");
    // In a transaction begun before the query: now() is the transaction's start, earlier than the statement's.
    expect(seen.first).toBe(false);
    const writes = relay.chunks.map((chunk) => String.fromCharCode(chunk[0]!));
    // Q(begin)+P(settings)… together, then the query, then COMMIT: three writes, not four.
    expect(writes).toHaveLength(3);
    expect(relay.chunks[0]!.includes("begin")).toBe(true);
    expect(relay.chunks[0]!.includes("set_config")).toBe(true);
    const after = await client.query("select current_setting('app.user_id', true) as user_id");
    expect(after.rows[0].user_id ?? "").toBe("");
  } finally {
    client.release();
  }
});

test("a BEGIN that fails: nothing after it runs outside a transaction, until ROLLBACK", async () => {
  const client = await pool.connect();
  try {
    await client.query("select 1");
    // Spoil the next BEGIN on its way: PostgreSQL answers a syntax error, and runs what follows on its own.
    relay.rewrite = (chunk) => {
      const text = chunk.toString("latin1");
      return text.includes("begin") ? Buffer.from(text.replace("begin", "bogin"), "latin1") : chunk;
    };
    await client.query({ text: "begin" });
    // The settings were on their way with it (pipelined): they ran, in their own implicit transaction.
    await client.query({ text: SETTINGS, values: [JSON.stringify([["app.user_id", "x"]])] });
    relay.rewrite = undefined;
    await expect(client.query({ text: "select 1 as outside" })).rejects.toThrow(/syntax error at or near "bogin"/);
    await expect(client.query({ text: "commit" })).rejects.toThrow(/syntax error/);
    await client.query({ text: "rollback" });
    // Then the client is as good as new.
    expect((await asARequest(client, "5f0c2d9e-8a7b-4c1d-b2e3-9f8a7b6c5d4e")).user_id).toBe("5f0c2d9e-8a7b-4c1d-b2e3-9f8a7b6c5d4e");
  } finally {
    client.release();
  }
});
