// Commands start things in order and stop them in reverse: on SIGINT/SIGTERM,
// on a failed start-up half-way, and at the end of a one-shot command. A second
// signal (a second later) forces the exit (the embedded cluster still gets its stop signal from
// its exit hook, src/db/embeddedPostgres.ts). What a command says to the person running it
// (stopping, stopped, a failure) goes to stderr as plain text: stdout is for JSON log lines.
import { constants as osConstants } from "node:os";
import { connectionError } from "./db/connectionCheck.ts";
import { databaseUnavailability } from "./db/pool.ts";
import { UserError } from "./errors/index.ts";

export class Lifecycle {
  private readonly stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
  private stopping: Promise<string[]> | undefined;

  /** Registers how to stop something that has just started. */
  onStop(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  /** Stops everything registered, last started first; resolves with their names in the order stopped. */
  stop(): Promise<string[]> {
    this.stopping ??= (async () => {
      const stopped: string[] = [];
      for (const { name, stop } of this.stoppers.reverse()) {
        try {
          await stop();
          stopped.push(name);
        } catch (e) {
          console.error(`Error while stopping ${name}:`, e);
        }
      }
      return stopped;
    })();
    return this.stopping;
  }
}

/**
 * Runs a command. A long-running one (server, worker) stays up until a signal;
 * a one-shot one stops what it started once `main` returns. `quietStop`: a signal's stop says nothing (an API
 * process of npm start's cluster: the primary, src/bin/start.ts, speaks for them all).
 */
export function runCommand(
  main: (lifecycle: Lifecycle) => Promise<void>,
  mode: "long-running" | "one-shot",
  { quietStop = false }: { quietStop?: boolean } = {},
): void {
  const lifecycle = new Lifecycle();
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      // One Ctrl-C arrives twice under `npm start`: from the terminal to the
      // whole process group, and forwarded by npm. Only a later one forces.
      if (Date.now() - firstSignalAt < 1000) return;
      console.error(`${signal} again: exiting now.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    if (!quietStop) console.error(`${signal} received: stopping…`);
    void lifecycle.stop().then((stopped) => {
      if (!quietStop) console.error(`Stopped${stopped.length > 0 ? ` (${stopped.join(", ")})` : ""}.`);
      // A server asked to stop has done its job (0, as `docker stop` expects); a one-shot command
      // interrupted has not, and says so as shells do (128 + the signal's number: 130 for Ctrl-C), so
      // `npm run db:seed && …` does not go on.
      process.exit(mode === "long-running" ? 0 : 128 + osConstants.signals[signal]);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  // A crash still stops what was started, in order, before exiting.
  const onCrash = (e: unknown) => {
    // After a signal, our own stop ends what still ran (a migration's connections): its errors say nothing new.
    if (firstSignalAt !== undefined) return;
    console.error("Fatal error:", e);
    void lifecycle.stop().then(() => process.exit(1));
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", (e: unknown) => {
    // A service outlives a database restart. graphile-worker writes a job's outcome without awaiting it, so a
    // connection lost under that write (a fast or immediate shutdown) reaches us unhandled: the pools reconnect by
    // themselves, and that job stays locked by this live worker until graphile-worker's lock timeout (4 h), then
    // runs again (jobs are idempotent). Any other unhandled rejection is a bug: fatal.
    if (mode === "long-running" && firstSignalAt === undefined && databaseUnavailability(e)) {
      console.error(`A background database write was lost with its connection (${e instanceof Error ? e.message : String(e)}); carrying on.`);
      return;
    }
    onCrash(e);
  });

  // If every handle closes while `main` still waits on a promise nothing will
  // settle, node would exit 0 in silence; make that a loud failure instead.
  let mainSettled = false;
  process.on("beforeExit", () => {
    if (mainSettled) return;
    console.error("Internal error: the command stopped while still waiting (a promise never settled).");
    process.exit(1);
  });

  main(lifecycle).finally(() => (mainSettled = true)).then(
    async () => {
      if (mode === "one-shot" && firstSignalAt === undefined) {
        await lifecycle.stop();
        process.exit(0);
      }
    },
    async (e: unknown) => {
      if (firstSignalAt !== undefined) return; // see onCrash: the signal's stop reports and exits
      // A connection failure met after the command's first check (another role's password, a server
      // gone) is still the user's to fix: one line, like a UserError.
      const problem = e instanceof UserError ? e : connectionError(e);
      console.error(problem ? `${problem.name}: ${problem.message}` : e);
      await lifecycle.stop();
      process.exit(1);
    },
  );
}
