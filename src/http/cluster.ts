// npm start's API processes (API_PROCESSES > 1): node:cluster forks them from npm start's process (the primary),
// and they share PORT (the primary accepts connections and hands them out round-robin). Each API process is a whole
// GraphQL server with its own pool; the primary does what must happen once — the database, migrations, the
// in-process worker, the banner — and what a cluster needs:
// - a crashed API process is replaced, after a back-off (restartDelayMs) so that a crash loop does not spin;
//   RESTART_GIVE_UP crashes in a row (each within RESTART_STABLE_MS of its start) stop npm start;
//   an API process that fails before it listens, at npm start's start-up, fails npm start;
// - /metrics: the API process asked sends the primary a message; the primary collects every live API process's
//   registry (as JSON, over the cluster's IPC channel), adds its own (the shared figures, metrics.ts:
//   createSharedMetrics) and merges them with prom-client's AggregatorRegistry.aggregate: counters and histograms
//   are summed, the pool gauges too (N pools), each metric by its own `aggregator`.
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, Counter, Gauge, type Registry } from "prom-client";
import { UserError } from "../errors/index.ts";
import type { Logger } from "../observability/logger.ts";

/** Messages over the cluster's IPC channel (prom-client's own cluster messages have other types). */
const ASK = "pas:metrics:ask";
const ANSWER = "pas:metrics:answer";
const COLLECT = "pas:metrics:collect";
const REPORT = "pas:metrics:report";

type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;
type Message =
  | { type: typeof ASK; id: number }
  | { type: typeof ANSWER; id: number; text?: string; error?: string }
  | { type: typeof COLLECT; id: number }
  | { type: typeof REPORT; id: number; metrics?: MetricsJson; error?: string };

/** The first restart waits this long; each crash in a row doubles it, up to RESTART_MAX_MS. */
export const RESTART_BASE_MS = 500;
export const RESTART_MAX_MS = 30_000;
/** An API process that lived (listening) this long was not crash-looping: the count of crashes in a row restarts. */
export const RESTART_STABLE_MS = 30_000;
/** This many crashes in a row (about 2 minutes of back-off) and the primary gives up: npm start stops, exit 1. */
export const RESTART_GIVE_UP = 10;
/** How long the primary waits for an API process's figures; one that does not answer (restarting, stuck) is left out. */
const COLLECT_TIMEOUT_MS = 2000;
/** How long an API process waits for the primary's sum before /metrics fails (HTTP 500). */
const ASK_TIMEOUT_MS = 5000;

/** Milliseconds before the replacement of an API process that crashed after `crashesInARow` − 1 others in a row. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.max(0, crashesInARow - 1));
}

export interface ApiProcesses {
  /** Resolves with the port they listen on once all `count` listen; rejects when one exits before it listens. */
  ready: Promise<number>;
  /** Rejects (never resolves) when the primary gives up restarting (RESTART_GIVE_UP crashes in a row). */
  gaveUp: Promise<never>;
  /** SIGTERM to every API process (each finishes its in-flight requests: src/lifecycle.ts), resolves when all exited. */
  stop(): Promise<void>;
}

/**
 * In the primary: forks `count` API processes running this same script (`cluster.isWorker` tells them apart), keeps
 * `count` of them alive, and answers their /metrics with the sum over them all plus `shared` (the primary's own).
 * Adds api_process_restarts_total to `shared`.
 */
export function forkApiProcesses({ count, shared, logger }: { count: number; shared: Registry; logger: Logger }): ApiProcesses {
  const restarts = new Counter({
    name: "api_process_restarts_total",
    help: "API processes replaced after they exited on their own (a crash), since npm start started (API_PROCESSES > 1).",
    registers: [shared],
  });
  let stopping = false;
  let starting = true;
  let crashesInARow = 0;
  const timers = new Set<NodeJS.Timeout>();
  let readyResolve!: (port: number) => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<number>((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
  let giveUp!: (e: Error) => void;
  const gaveUp = new Promise<never>((_resolve, reject) => (giveUp = reject));
  // (Whoever awaits them handles them; unawaited, a rejection must not be fatal.)
  ready.catch(() => {});
  gaveUp.catch(() => {});
  let listening = 0;

  const fork = () => {
    const worker = cluster.fork();
    let listenedAt: number | undefined;
    worker.on("listening", (address) => {
      listenedAt = Date.now();
      if (starting && ++listening === count) {
        starting = false;
        readyResolve(address.port);
      } else if (!starting) {
        logger.info({ event: "api_process_started", apiProcessPid: worker.process.pid }, "an API process was started in place of one that exited");
      }
    });
    worker.on("message", (message: Message) => {
      if (message?.type === ASK) void answer(worker, message.id);
    });
    worker.on("exit", (code, signal) => {
      void retire(worker.id);
      if (stopping) return;
      const pid = worker.process.pid;
      if (starting) {
        readyReject(new UserError(`An API process (pid ${pid}) failed to start (${signal ? `signal ${signal}` : `exit code ${code}`}): see its error above.`));
        return;
      }
      crashesInARow = listenedAt !== undefined && Date.now() - listenedAt >= RESTART_STABLE_MS ? 1 : crashesInARow + 1;
      if (crashesInARow >= RESTART_GIVE_UP) {
        logger.error({ event: "api_process_exited", apiProcessPid: pid, code, signal, crashesInARow }, "an API process exited: too many crashes in a row, stopping npm start");
        giveUp(new UserError(`${crashesInARow} API processes crashed in a row, each within ${RESTART_STABLE_MS / 1000} s of its start: see their errors above.`));
        return;
      }
      const delayMs = restartDelayMs(crashesInARow);
      logger.error({ event: "api_process_exited", apiProcessPid: pid, code, signal, crashesInARow, restartInMs: delayMs }, "an API process exited: restarting it");
      restarts.inc();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) fork();
      }, delayMs);
      timers.add(timer);
    });
  };

  // /metrics: the sum over every live API process and the primary's own figures. A process that does not answer
  // in time counts with its last report; one that exited keeps its counters and histograms (its gauges end with it),
  // so a stuck or replaced process never makes a counter go down.
  const lastReports = new Map<number, MetricsJson>();
  let retired: MetricsJson = [];
  const retire = async (workerId: number) => {
    const last = lastReports.get(workerId);
    lastReports.delete(workerId);
    if (!last) return;
    // (prom-client types `type` as an enum; at run time it is the name, "counter".)
    const kept = last.filter((metric) => ["counter", "histogram"].includes(String(metric.type))) as MetricsJson;
    retired = (await AggregatorRegistry.aggregate([retired, kept]).getMetricsAsJSON()) as MetricsJson;
  };
  let nextCollect = 0;
  const collecting = new Map<number, (metrics: MetricsJson | undefined) => void>();
  cluster.on("message", (_worker, message: Message) => {
    if (message?.type === REPORT) collecting.get(message.id)?.(message.metrics);
  });
  const collectFrom = (worker: Worker) =>
    new Promise<MetricsJson | undefined>((resolve) => {
      const id = nextCollect++;
      const timer = setTimeout(() => settle(undefined), COLLECT_TIMEOUT_MS);
      const settle = (metrics: MetricsJson | undefined) => {
        clearTimeout(timer);
        collecting.delete(id);
        if (metrics) lastReports.set(worker.id, metrics);
        resolve(metrics ?? lastReports.get(worker.id));
      };
      collecting.set(id, settle);
      worker.send({ type: COLLECT, id } satisfies Message, (e: Error | null) => e && settle(undefined));
    });
  const answer = async (asker: Worker, id: number) => {
    let reply: Message;
    try {
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
      const reports = [...(await Promise.all([shared.getMetricsAsJSON(), ...live.map(collectFrom)])), retired];
      const text = await AggregatorRegistry.aggregate(reports.filter((r): r is MetricsJson => r !== undefined)).metrics();
      reply = { type: ANSWER, id, text };
    } catch (e) {
      reply = { type: ANSWER, id, error: (e as Error).message };
    }
    if (asker.isConnected()) asker.send(reply, () => {});
  };

  for (let i = 0; i < count; i++) fork();

  return {
    ready,
    gaveUp,
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      await Promise.all(
        alive.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once("exit", () => resolve());
              worker.process.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

export interface ClusterMember {
  /** What /metrics answers in this API process: the primary's sum over the cluster (createHttpService's clusterMetrics). */
  metrics(): Promise<string>;
  /** The registry this process reports when the primary collects (until then it reports nothing). */
  report(registry: Registry): void;
}

/**
 * In an API process (cluster.isWorker): answers the primary's collections with this process's registry, in which it
 * adds api_process_info{worker, pid} (1 per live API process: the sum shows which processes answered).
 */
export function joinCluster(): ClusterMember {
  let registry: Registry | undefined;
  let nextAsk = 0;
  const asking = new Map<number, (message: Extract<Message, { type: typeof ANSWER }>) => void>();
  process.on("message", (message: Message) => {
    if (message?.type === ANSWER) asking.get(message.id)?.(message);
    if (message?.type === COLLECT) {
      (registry ? registry.getMetricsAsJSON() : Promise.resolve([])).then(
        (metrics) => process.send?.({ type: REPORT, id: message.id, metrics } satisfies Message),
        (e: Error) => process.send?.({ type: REPORT, id: message.id, error: e.message } satisfies Message),
      );
    }
  });
  return {
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextAsk++;
        const timer = setTimeout(() => settle({ type: ANSWER, id, error: "the primary did not answer in time" }), ASK_TIMEOUT_MS);
        const settle = (message: Extract<Message, { type: typeof ANSWER }>) => {
          clearTimeout(timer);
          asking.delete(id);
          if (message.text !== undefined) resolve(message.text);
          else reject(new Error(`cluster metrics: ${message.error}`));
        };
        asking.set(id, settle);
        process.send!({ type: ASK, id } satisfies Message);
      }),
    report(own) {
      new Gauge({
        name: "api_process_info",
        help: "1 per live API process of npm start (API_PROCESSES > 1), labelled with its cluster worker id and pid.",
        labelNames: ["worker", "pid"] as const,
        registers: [own],
      }).set({ worker: String(cluster.worker?.id), pid: String(process.pid) }, 1);
      registry = own;
    },
  };
}
