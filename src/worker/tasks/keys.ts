// Master key rotation (docs/operations.md): re-wraps the data keys the previous
// master key wrapped with the current one, one batch per transaction (each
// commits what it did), until none is left. A worker given
// DATA_ENCRYPTION_KEY_PREVIOUS queues this job when it starts.
import type { Task } from "graphile-worker";
import { type MasterKeys, masterKeyId, useMasterKeys } from "../../privacy/masterKeys.ts";

const BATCH_SIZE = 500;

export function makeRewrapDataKeys(keys: MasterKeys): Task {
  const currentId = masterKeyId(keys.current);
  return async (_payload, helpers) => {
    let total = 0;
    for (;;) {
      const rewrapped = await helpers.withPgClient(async (client) => {
        await client.query("begin");
        try {
          await useMasterKeys(client, keys);
          const { rows } = await client.query<{ rewrapped: number }>("select app_jobs.rewrap_data_keys($1) as rewrapped", [
            BATCH_SIZE,
          ]);
          await client.query("commit");
          return rows[0]!.rewrapped;
        } catch (error) {
          await client.query("rollback");
          throw error;
        }
      });
      if (rewrapped === 0) break;
      total += rewrapped;
      const { rows } = await helpers.query<{ left: string }>(
        "select coalesce(sum(data_keys), 0) as left from app_ops.data_keys_by_master_key() where master_key_id <> $1",
        [currentId],
      );
      helpers.logger.info(`rewrap_data_keys: ${total} data keys re-wrapped with master key ${currentId}, ${rows[0]!.left} left`);
    }
    helpers.logger.info(`rewrap_data_keys: done, ${total} re-wrapped in this run`);
  };
}
