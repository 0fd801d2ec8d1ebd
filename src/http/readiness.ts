// /readyz: may this process take traffic? The database answers, it has every
// migration this code was written for (a database ahead of the code, as in a
// rolling deploy, is fine: migrations roll forward), at least one worker
// process is alive (jobs compute the aggregates parents read), and this
// process's master keys unwrap every data key (a wrong DATA_ENCRYPTION_KEY
// would fail every read of P2 data).
import { readdirSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { PROJECT_ROOT } from "../config.ts";
import type { Logger } from "../observability/logger.ts";

/** A migration's number: graphile-migrate names committed files `000013-message.sql` and records them as `000013.sql`. */
const numberOf = (filename: string) => Number.parseInt(filename, 10);

/** The number of the newest committed migration of this code. */
export function latestCommittedMigration(): number {
  const files = readdirSync(path.join(PROJECT_ROOT, "migrations", "committed")).filter((f) => /^\d+.*\.sql$/.test(f));
  return Math.max(...files.map(numberOf));
}

export interface Readiness {
  ready: boolean;
  database: "ok" | string;
  migrations: { expected: number; applied: number | null; current: boolean } | null;
  liveWorkers: number | null;
  /** Data keys wrapped with a master key this process does not hold (by key id), when migrations are current. */
  dataKeysUnwrappable: Record<string, number> | null;
}

export async function checkReadiness(
  pool: pg.Pool,
  expectedMigration: number,
  requireWorker: boolean,
  masterKeyIds: string[],
): Promise<Readiness> {
  let migrations: NonNullable<Readiness["migrations"]>;
  let liveWorkers: number;
  let dataKeysUnwrappable: Record<string, number> | null = null;
  try {
    const { rows } = await pool.query<{ latest_migration: string | null; live_workers: number }>(
      "select latest_migration, live_workers from app_ops.readiness()",
    );
    const applied = rows[0]!.latest_migration === null ? null : numberOf(rows[0]!.latest_migration);
    migrations = { expected: expectedMigration, applied, current: applied !== null && applied >= expectedMigration };
    liveWorkers = rows[0]!.live_workers;
    // (Asked only of a database that has the data keys' function.)
    if (migrations.current) {
      const keys = await pool.query<{ master_key_id: string; data_keys: string }>(
        "select master_key_id, data_keys from app_ops.data_keys_by_master_key() where master_key_id <> all ($1)",
        [masterKeyIds],
      );
      dataKeysUnwrappable = Object.fromEntries(keys.rows.map((r) => [r.master_key_id, Number(r.data_keys)]));
    }
  } catch (e) {
    return { ready: false, database: (e as Error).message, migrations: null, liveWorkers: null, dataKeysUnwrappable: null };
  }
  return {
    ready: migrations.current && (!requireWorker || liveWorkers > 0) && Object.keys(dataKeysUnwrappable ?? {}).length === 0,
    database: "ok",
    migrations,
    liveWorkers,
    dataKeysUnwrappable,
  };
}

/**
 * The server notices when its database disappears: asks `select 1` every `intervalMs` and logs one
 * error line (event database_unavailable) when it stops answering, and one line (database_available)
 * when it answers again. The pool replaces broken connections itself: nothing else is needed to recover.
 * Returns the function that stops watching.
 */
export function watchDatabase(pool: pg.Pool, logger: Logger, intervalMs: number): () => void {
  let down = false;
  const timer = setInterval(() => {
    pool.query("select 1").then(
      () => {
        if (down) logger.info({ event: "database_available" }, "the database answers again");
        down = false;
      },
      (error: unknown) => {
        if (!down) logger.error({ event: "database_unavailable", err: error }, "the database does not answer: /readyz says 503 until it does");
        down = true;
      },
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
