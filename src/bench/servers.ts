// The servers `npm run bench -- --baseline/--ceiling` loads, each a child process of the same shape:
// the API of a checkout (serveApi.ts) or the bare node:http ceiling (ceilingServer.ts).
import { fork } from "node:child_process";
import type { ServerReady } from "./serveApi.ts";

export interface ServerProcess {
  url: string;
  /** Sends `message` over IPC and resolves with the process's next message (serveApi.ts's CPU profiler). */
  ask(message: unknown): Promise<unknown>;
  /** SIGTERM, then waits for the process to exit (in-flight requests finish). */
  stop(): Promise<void>;
}

/**
 * Forks `script` (a file of src/bench) with `args` and `env` added to this process's environment, and
 * resolves once it sends `{ url }`; rejects with its exit code and the end of its stderr if it exits first.
 */
export function startServerProcess(script: "serveApi.ts" | "ceilingServer.ts", args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(`./${script}`, import.meta.url), args, {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const onEarlyExit = (code: number | null) => reject(new Error(`${script} ${args.join(" ")} exited with ${code} before answering:\n${stderr}`));
    child.once("exit", onEarlyExit);
    child.once("message", (message) => {
      child.off("exit", onEarlyExit);
      resolve({
        url: (message as ServerReady).url,
        ask: (question) =>
          new Promise((answered) => {
            child.once("message", answered);
            child.send(question as object);
          }),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}
