// A per-process memory of recent answers, for middleware that asks the database at most once per
// key and period (the acting user's kind, the activity mark). Bounded: past `maxEntries` keys it
// forgets everything, since the database's own checks hold without it.

export class ExpiringMemory<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  /** `ttlMs`: how long an entry counts (milliseconds); `maxEntries`: how many keys before it forgets all. */
  constructor(ttlMs: number, maxEntries: number) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  /** The value remembered for `key` less than `ttlMs` ago, or undefined. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry && now - entry.at < this.ttlMs ? entry.value : undefined;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, at: now });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
