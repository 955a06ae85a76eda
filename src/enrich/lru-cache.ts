/**
 * A bounded least-recently-used cache on a Map: a Map iterates in insertion
 * order, so deleting and re-inserting on every hit keeps the least recently
 * used key first, and eviction takes it from there.
 */
export class LruCache<K, V> {
  readonly capacity: number;
  private readonly map = new Map<K, V>();

  /** `capacity` 0 keeps nothing. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`a cache capacity is a whole number >= 0, not ${capacity}`);
    }
    this.capacity = capacity;
  }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    this.map.delete(key);
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
