// The master key of P2 encryption at rest (migration 000017) lives only in the
// services' environment. It reaches PostgreSQL per transaction, as the local
// settings below, sent as query parameters: never in SQL text, so never in
// pg_stat_statements; login roles log no parameter values (roles.ts).
import { createHmac } from "node:crypto";
import { type Config, ConfigError } from "../config.ts";

export interface MasterKeys {
  /** DATA_ENCRYPTION_KEY: wraps new data keys, and unwraps those it wrapped. */
  current: string;
  /** DATA_ENCRYPTION_KEY_PREVIOUS: during a rotation, unwraps the data keys not yet re-wrapped. */
  previous?: string;
}

export const MIN_MASTER_KEY_LENGTH = 32;

export function masterKeys(config: Config): MasterKeys {
  const current = config.secret("DATA_ENCRYPTION_KEY");
  const previous = config.previousDataEncryptionKey;
  if (previous !== undefined) {
    if (previous === current) {
      throw new ConfigError("DATA_ENCRYPTION_KEY_PREVIOUS is the same as DATA_ENCRYPTION_KEY: give the key being replaced.");
    }
    if (config.production && previous.length < MIN_MASTER_KEY_LENGTH) {
      throw new ConfigError(`DATA_ENCRYPTION_KEY_PREVIOUS must be at least ${MIN_MASTER_KEY_LENGTH} characters long in production.`);
    }
  }
  return previous === undefined ? { current } : { current, previous };
}

/** The transaction-local settings that give PostgreSQL the keys (app_private.session_master_keys reads them). */
export function masterKeySettings(keys: MasterKeys): Record<string, string> {
  return {
    "app.data_encryption_key": keys.current,
    ...(keys.previous !== undefined ? { "app.data_encryption_key_previous": keys.previous } : {}),
  };
}

/** Gives the keys to the client's current transaction. */
export async function useMasterKeys(client: { query(text: string, values: unknown[]): Promise<unknown> }, keys: MasterKeys) {
  await client.query(
    "select set_config('app.data_encryption_key', $1, true), set_config('app.data_encryption_key_previous', $2, true)",
    [keys.current, keys.previous ?? ""],
  );
}

/** A key's id, as app_private.master_key_id computes it: an HMAC keyed by it, never the key. */
export function masterKeyId(key: string): string {
  return createHmac("sha256", key).update("pas_in_peace master key id").digest("hex").slice(0, 16);
}
