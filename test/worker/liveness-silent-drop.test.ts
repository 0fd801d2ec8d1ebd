// A worker whose liveness connection is cut without a word to it (issue 18 item 2, found by its break-this
// review): the server side is gone (a failover, a NAT or firewall dropping the flow, a partition) and no RST
// reaches the worker, so the server has freed its locks and no error event comes. The heartbeat
// (src/worker/deadWorkers.ts) notices, drops the connection and takes the locks again within the other
// workers' grace, so they do not release the job it still runs.
// Here a TCP proxy stands for the network: it closes the server side of the existing connections and keeps the
// worker's side open, swallowing what it sends; new connections pass as before (the server is reachable again).
import { EventEmitter } from "node:events";
import net from "node:net";
import type { Task } from "graphile-worker";
import { workerLoggerFrom } from "../../src/observability/workerLogger.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { LIVENESS_LOCK_CLASS, startDeadWorkerSweep } from "../../src/worker/deadWorkers.ts";
import { startWorker } from "../../src/worker/runner.ts";
import { poolFor, roleUrl, rootUrl, testConfig, withOwnerDb } from "../helpers/db.ts";
import { capturingLogger } from "../helpers/logs.ts";
import { until } from "../helpers/process.ts";

const root = () => poolFor(rootUrl);

/** The backend holding `locker`'s liveness lock as A's liveness connection (application_name A-liveness), if any. */
async function livenessBackend(locker: string): Promise<number | undefined> {
  const { rows } = await root().query<{ pid: number }>(
    `select l.pid from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
        and l.classid = $1::int::oid and l.objid = hashtext($2)::oid and l.objsubid = 2 and a.application_name = 'A-liveness'`,
    [LIVENESS_LOCK_CLASS, locker],
  );
  return rows[0]?.pid;
}

/** A TCP proxy to `target`; silence() cuts the server side of the connections open now and keeps their client side open, mute. */
async function proxyTo(target: URL) {
  const pairs: { client: net.Socket; server: net.Socket; silenced: boolean }[] = [];
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port || 5432), target.hostname);
    const pair = { client, server, silenced: false };
    pairs.push(pair);
    client.on("data", (chunk) => {
      if (!pair.silenced) server.write(chunk);
    });
    server.on("data", (chunk) => {
      if (!pair.silenced) client.write(chunk);
    });
    server.on("error", () => {});
    client.on("error", () => {});
    server.on("close", () => {
      if (!pair.silenced) client.destroy();
    });
    client.on("close", () => server.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    silence() {
      for (const pair of pairs) {
        pair.silenced = true;
        pair.server.destroy();
      }
    },
    async close() {
      for (const pair of pairs) pair.client.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

test("a live worker whose liveness connection is cut silently is not declared dead while it runs its job", async () => {
  const url = new URL(roleUrl("app_worker"));
  const proxy = await proxyTo(url);
  const viaProxy = new URL(url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  // (The URL's application_name wins over the one deadWorkers.ts gives: it tells A's liveness backend from B's sweeps.)
  viaProxy.searchParams.set("application_name", "A-liveness");

  // Worker A: its liveness machinery through the proxy, as startWorker starts it, with a job it is running.
  const aEvents = new EventEmitter();
  const aLines: string[] = [];
  const a = startDeadWorkerSweep(viaProxy.href, aEvents, { intervalMs: 1000, minLockAgeMs: 0, graceMs: 5000, heartbeatMs: 500 }, (line) => aLines.push(line));
  aEvents.emit("worker:create", { worker: { workerId: "worker-A" } });
  const job = await withOwnerDb(async (owner) => (await owner.query("select id::text from graphile_worker.add_job('hold', '{}'::json)")).rows[0].id);
  await withOwnerDb((owner) => owner.query("update graphile_worker._private_jobs set locked_by = 'worker-A', locked_at = now() where id = $1", [job]));
  const before = await until("A's liveness lock", () => livenessBackend("worker-A"));

  // Worker B, direct, sweeping all the time with a 5 s grace (the default is 30 s).
  const { logger, lines } = capturingLogger();
  const runs: string[] = [];
  const hold: Task = async () => {
    runs.push("B ran A's job");
  };
  const b = await startWorker({
    connectionString: roleUrl("app_worker"),
    masterKeys: masterKeys(testConfig()),
    taskList: { hold },
    cronItems: [],
    concurrency: 1,
    deadWorkerSweep: { intervalMs: 50, minLockAgeMs: 0, graceMs: 5000 },
    logger: workerLoggerFrom(logger),
  });
  try {
    proxy.silence();
    // The server sees the connection go: A's lock is free (or already taken again by a new connection of A's).
    await until("the old liveness backend to go", async () => (await livenessBackend("worker-A")) !== before, { intervalMs: 20 });
    const outcome = await until(
      "A to hold its lock again, or B to declare it dead",
      async () => {
        if (lines.some((line) => String(line.msg).includes("released the jobs of dead workers: worker-A"))) return "A declared dead, its job released";
        const now = await livenessBackend("worker-A");
        return now !== undefined && now !== before ? "A holds its lock again" : undefined;
      },
      { intervalMs: 50, timeoutMs: 60_000 },
    );
    expect({ outcome, runs, aNoticed: aLines.filter((l) => /liveness connection lost/.test(l)) }).toEqual({
      outcome: "A holds its lock again",
      runs: [],
      aNoticed: [expect.any(String)],
    });
  } finally {
    await proxy.close(); // (unblocks A's hung sweep query, so that its stop() can end)
    await a.stop();
    await b.stop();
  }
});
