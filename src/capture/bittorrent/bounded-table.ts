/**
 * Outstanding requests (DHT queries, tracker announces) waiting for their
 * answer. A capture can hold millions of queries that are never answered, so
 * the table is bounded: past `maxEntries` the oldest entry goes, and an entry
 * older than `ttlUs` no longer matches.
 */
export class BoundedTable<V> {
  private readonly entries = new Map<string, { ts: number; value: V }>();
  private readonly maxEntries: number;
  private readonly ttlUs: number;

  constructor(maxEntries: number, ttlUs: number) {
    this.maxEntries = maxEntries;
    this.ttlUs = ttlUs;
  }

  get size(): number {
    return this.entries.size;
  }

  set(key: string, ts: number, value: V): void {
    // Re-inserting moves the key to the young end of the Map's order.
    this.entries.delete(key);
    this.entries.set(key, { ts, value });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** The value stored under `key` if it is still fresh at `ts`; the entry is removed either way. */
  take(key: string, ts: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    return ts - entry.ts <= this.ttlUs ? entry.value : undefined;
  }

  /** Whether `key` is present and fresh at `ts`, without removing it. */
  has(key: string, ts: number): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && ts - entry.ts <= this.ttlUs;
  }
}
