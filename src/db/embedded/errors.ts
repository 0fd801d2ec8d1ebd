// The embedded cluster's errors, in a module of their own so that every part of
// src/db/embedded/ can throw them without importing the starter.
import { UserError } from "../../errors/index.ts";

/** The cluster could not be set up, started or stopped; the message says why and what to do. */
export class EmbeddedPostgresError extends UserError {
  override name = "EmbeddedPostgresError";
}

/**
 * PostgreSQL refused to start because another postmaster (pid `pid`) already runs on that data
 * directory: attach to it instead (src/db/ensureServer.ts), or stop it with `stopPostmaster`.
 */
export class EmbeddedClusterRunningError extends EmbeddedPostgresError {
  override name = "EmbeddedClusterRunningError";
  readonly code = "CLUSTER_RUNNING";
  readonly pid: number;

  constructor(message: string, pid: number) {
    super(message);
    this.pid = pid;
  }
}
