// /readyz: may this process take traffic? The database answers, it has every
// migration this code was written for (a database ahead of the code, as in a
// rolling deploy, is fine: migrations roll forward), and at least one worker
// process is alive (jobs compute the aggregates parents read).
import { readdirSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { PROJECT_ROOT } from "../config.ts";

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
}

export async function checkReadiness(pool: pg.Pool, expectedMigration: number, requireWorker: boolean): Promise<Readiness> {
  let row: { latest_migration: string | null; live_workers: number };
  try {
    row = (await pool.query<typeof row>("select latest_migration, live_workers from app_ops.readiness()")).rows[0]!;
  } catch (e) {
    return { ready: false, database: (e as Error).message, migrations: null, liveWorkers: null };
  }
  const applied = row.latest_migration === null ? null : numberOf(row.latest_migration);
  const current = applied !== null && applied >= expectedMigration;
  return {
    ready: current && (!requireWorker || row.live_workers > 0),
    database: "ok",
    migrations: { expected: expectedMigration, applied, current },
    liveWorkers: row.live_workers,
  };
}
