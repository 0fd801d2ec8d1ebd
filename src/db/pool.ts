// A pg pool whose connections may be dropped by the server at any time (a
// restart, or the embedded cluster stopping just after pool.end() returned,
// which does not wait for sockets to close) without crashing the process: every
// client keeps an error listener for its whole life, not only while idle.
import pg from "pg";

export function resilientPool(config: pg.PoolConfig, label: string): pg.Pool {
  const pool = new pg.Pool(config);
  const report = (e: Error) => {
    // 57P01 (the server shut down): a running query reports it itself, an idle client is
    // simply replaced; anything else is worth a line.
    if ((e as pg.DatabaseError).code !== "57P01") console.error(`${label} connection: ${e.message}`);
  };
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
  return pool;
}
