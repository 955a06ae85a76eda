/**
 * A lookup from a few known byte strings (dictionary keys, method names) to
 * values, done on the bytes in place: no string is built for a key that is
 * looked up, which is most of the cost of reading a small dictionary.
 */
export class ByteKeyMap<T> {
  /** Indexed by key length and first byte; each slot holds the few keys sharing both. */
  private readonly slots: ([Uint8Array, T][] | undefined)[];
  private readonly maxLength: number;

  constructor(entries: Iterable<readonly [string, T]>) {
    const all = [...entries].map(
      ([key, value]) => [Uint8Array.from(key, (c) => c.charCodeAt(0)), value] as const,
    );
    this.maxLength = Math.max(0, ...all.map(([bytes]) => bytes.length));
    this.slots = new Array((this.maxLength + 1) << 8).fill(undefined);
    for (const [bytes, value] of all) {
      if (bytes.length === 0) throw new RangeError('a ByteKeyMap key cannot be empty');
      const slot = (bytes.length << 8) | bytes[0]!;
      const list = this.slots[slot] ?? [];
      this.slots[slot] = list;
      if (list.some(([existing]) => existing.every((b, i) => b === bytes[i]))) {
        throw new RangeError(`duplicate key ${JSON.stringify(String.fromCharCode(...bytes))}`);
      }
      list.push([bytes, value]);
    }
  }

  /** The value for the key `buf[start..end)`, or undefined. */
  get(buf: Uint8Array, start: number, end: number): T | undefined {
    const length = end - start;
    if (length <= 0 || length > this.maxLength) return undefined;
    const list = this.slots[(length << 8) | buf[start]!];
    if (list === undefined) return undefined;
    next: for (let k = 0; k < list.length; k++) {
      const [key, value] = list[k]!;
      for (let i = 1; i < length; i++) if (key[i] !== buf[start + i]) continue next;
      return value;
    }
    return undefined;
  }
}
