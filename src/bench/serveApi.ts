// The benchmark's API launcher, run as a child process by `npm run bench -- --baseline <ref>` and
// `--ceiling` (src/bench/servers.ts starts it):
//   node --import tsx src/bench/serveApi.ts --root <checkout> [--processes N]
// It loads the GraphQL service of the checkout at <root> (its own src/config.ts, src/http/app.ts,
// src/http/auth.ts, src/privacy/masterKeys.ts, src/observability/logger.ts, by dynamic import), so the
// baseline commit and the working tree run in separate processes of the same shape, from the same
// environment (DATABASE_URL, DATA_DIR, secrets, PG_POOL_MAX, LOG_LEVEL): only their code differs.
// It listens on 127.0.0.1 (a free port) and sends `{ url }` to its parent over IPC once every process
// listens; SIGTERM, or its parent going away, stops it (in-flight requests finish). With --processes
// N > 1 it runs N API processes sharing the port through node:cluster (N pools of PG_POOL_MAX each);
// 1 is one plain process.
// Request logs are written as production writes them, into /dev/null: their cost stays.
// One process (--processes 1) also takes `{ profile: "start" }` and `{ profile: "stop", file }` over IPC:
// V8's CPU profiler (node:inspector) from then to then, written to `file` as a .cpuprofile, answered
// `{ profiled: file }` — `npm run bench -- --profile <dir>`.
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import cluster from "node:cluster";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pino from "pino";

/** What the parent receives once the API answers. */
export interface ServerReady {
  url: string;
}

/** `createHttpService`, loosely typed: an older checkout's may take fewer of the options passed (it ignores the others). */
interface ServiceModule {
  createHttpService(options: Record<string, unknown>): Promise<{ server: import("node:http").Server; close(): Promise<void> }>;
}

/** Parses the launcher's arguments; throws a usage error on anything else. */
export function parseLauncherArgs(args: string[]): { root: string; processes: number } {
  const { values } = parseArgs({ args, options: { root: { type: "string" }, processes: { type: "string", default: "1" } } });
  const processes = Number(values.processes);
  if (!values.root || !(Number.isInteger(processes) && processes >= 1 && processes <= 64)) {
    throw new Error("usage: serveApi.ts --root <checkout directory> [--processes 1..64]");
  }
  return { root: path.resolve(values.root), processes };
}

const moduleOf = <T>(root: string, file: string): Promise<T> => import(pathToFileURL(path.join(root, file)).href) as Promise<T>;

/** Starts the checkout's GraphQL service, configured as `npm start` configures it (production shape), on `port`. */
async function serve(root: string, port: number): Promise<() => Promise<void>> {
  const { loadConfig, ROLES, roleConnectionString } = await moduleOf<typeof import("../config.ts")>(root, "src/config.ts");
  const { appSecretsFrom } = await moduleOf<typeof import("../http/auth.ts")>(root, "src/http/auth.ts");
  const { masterKeys } = await moduleOf<typeof import("../privacy/masterKeys.ts")>(root, "src/privacy/masterKeys.ts");
  const { createLogger } = await moduleOf<typeof import("../observability/logger.ts")>(root, "src/observability/logger.ts");
  const { createHttpService } = await moduleOf<ServiceModule>(root, "src/http/app.ts");
  const config = loadConfig();
  const http = await createHttpService({
    authenticatorUrl: roleConnectionString(config, ROLES.authenticator),
    poolMax: config.poolMax,
    poolTimeoutMs: config.poolTimeoutMs,
    secrets: appSecretsFrom(config.secret),
    maxTokenLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    production: true,
    masterKeys: masterKeys(config),
    logger: createLogger({ level: config.logLevel, destination: pino.destination({ dest: "/dev/null", sync: false }) }),
    requireWorker: false,
  });
  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(port, "127.0.0.1", resolve);
  });
  return () => http.close();
}

/** `{ profile: "start" }` starts V8's CPU profiler; `{ profile: "stop", file }` writes what it took to `file`. */
function answerProfileRequests(): void {
  const session = new Session();
  session.connect();
  process.on("message", (message: { profile?: "start" | "stop"; file?: string }) => {
    void (async () => {
      if (message.profile === "start") {
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        process.send!({ profiling: true });
      } else if (message.profile === "stop" && message.file) {
        const { profile } = await session.post("Profiler.stop");
        await writeFile(message.file, JSON.stringify(profile));
        process.send!({ profiled: message.file });
      }
    })();
  });
}

/** A port free now on 127.0.0.1 (the cluster's processes all listen on it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as import("node:net").AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function main(): Promise<void> {
  // Grafast reads GRAPHILE_ENV when first imported: the production shape, as the service is built.
  process.env.GRAPHILE_ENV ??= "production";
  if (cluster.isWorker) {
    const stop = await serve(process.env.BENCH_API_ROOT!, Number(process.env.BENCH_API_PORT));
    process.once("SIGTERM", () => void stop().then(() => process.exit(0)));
    process.send!("listening");
    return;
  }
  const { root, processes } = parseLauncherArgs(process.argv.slice(2));
  const port = await freePort();
  const ready: ServerReady = { url: `http://127.0.0.1:${port}` };
  if (processes === 1) {
    const stop = await serve(root, port);
    const onStop = () => void stop().then(() => process.exit(0));
    process.once("SIGTERM", onStop);
    // The benchmark gone (crashed, killed): nobody will stop us but ourselves.
    process.once("disconnect", onStop);
    answerProfileRequests();
    process.send!(ready);
    return;
  }
  const workers = Array.from({ length: processes }, () =>
    cluster.fork({ BENCH_API_ROOT: root, BENCH_API_PORT: String(port) }),
  );
  let stopping = false;
  for (const worker of workers) {
    worker.once("exit", (code) => {
      if (!stopping) {
        console.error(`An API process of ${root} exited with ${code} before the benchmark stopped it.`);
        process.exit(1);
      }
    });
  }
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
  const onStop = () => {
    stopping = true;
    void Promise.all(
      workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(undefined) : (w.once("exit", resolve), w.process.kill("SIGTERM"))))),
    ).then(() => process.exit(0));
  };
  process.once("SIGTERM", onStop);
  process.once("disconnect", onStop);
  process.send!(ready);
}

// Only as a process of its own (a test imports parseLauncherArgs).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
