// The master key of P2 encryption at rest (migration 000017) lives only in the
// services' environment. It reaches PostgreSQL per transaction, as the local
// settings below, sent as query parameters: never in SQL text, so never in
// pg_stat_statements; login roles log no parameter values (roles.ts).
import { createHmac } from "node:crypto";
import { type Config, ConfigError, MIN_PRODUCTION_SECRET_LENGTH } from "../config.ts";

export interface MasterKeys {
  /** DATA_ENCRYPTION_KEY: wraps new data keys, and unwraps those it wrapped. */
  current: string;
  /** DATA_ENCRYPTION_KEY_PREVIOUS: during a rotation, unwraps the data keys not yet re-wrapped. */
  previous?: string;
}

export function masterKeys(config: Config): MasterKeys {
  const current = config.secret("DATA_ENCRYPTION_KEY");
  const previous = config.previousDataEncryptionKey;
  if (previous !== undefined) {
    if (previous === current) {
      throw new ConfigError("DATA_ENCRYPTION_KEY_PREVIOUS is the same as DATA_ENCRYPTION_KEY: give the key being replaced.");
    }
    if (config.production && previous.length < MIN_PRODUCTION_SECRET_LENGTH) {
      throw new ConfigError(`DATA_ENCRYPTION_KEY_PREVIOUS must be at least ${MIN_PRODUCTION_SECRET_LENGTH} characters long in production.`);
    }
  }
  return previous === undefined ? { current } : { current, previous };
}

/**
 * The settings that give PostgreSQL the keys (app_private.session_master_keys
 * reads them): GraphQL's pgSettings, and the only place their names are written.
 * An empty previous key means none (and clears one a connection may hold).
 */
export function masterKeySettings(keys: MasterKeys): Record<string, string> {
  return { "app.data_encryption_key": keys.current, "app.data_encryption_key_previous": keys.previous ?? "" };
}

/** Gives the keys to the client's current transaction. */
export async function useMasterKeys(client: { query(text: string, values: unknown[]): Promise<unknown> }, keys: MasterKeys) {
  await client.query("select set_config(key, value, true) from json_each_text($1)", [JSON.stringify(masterKeySettings(keys))]);
}

/** The same settings as libpq start-up options (PGOPTIONS, pg's `options`): for every transaction of a connection. */
export function masterKeyOptions(keys: MasterKeys): string {
  return Object.entries(masterKeySettings(keys))
    .map(([name, value]) => `-c ${name}=${value.replace(/[\\ ]/g, "\\$&")}`)
    .join(" ");
}

/** A key's id, as app_private.master_key_id computes it: an HMAC keyed by it, never the key. */
export function masterKeyId(key: string): string {
  return createHmac("sha256", key).update("pas_in_peace master key id").digest("hex").slice(0, 16);
}

/** The ids of the keys a service holds. */
export function masterKeyIds(keys: MasterKeys): string[] {
  return [keys.current, ...(keys.previous !== undefined ? [keys.previous] : [])].map(masterKeyId);
}
