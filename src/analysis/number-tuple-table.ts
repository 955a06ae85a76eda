/**
 * A hash table from up to four whole numbers (each below 2^53) to an id,
 * in typed arrays with open addressing. A Map keyed by such numbers boxes
 * every key that does not fit a small integer, which made the lookups of
 * ten million ids cost more than the rest of the reader.
 */
export class NumberTupleTable {
  private readonly arity: number;
  private keys: Float64Array;
  /** Id per slot, −1 when empty. */
  private values: Int32Array;
  private mask: number;
  private size = 0;

  constructor(arity: 1 | 2 | 3 | 4, capacity = 1024) {
    this.arity = arity;
    let n = 1024;
    while (n < 2 * capacity) n *= 2;
    this.keys = new Float64Array(n * arity);
    this.values = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }

  /** The slot holding the key, or the empty slot where it belongs (unused words are 0). */
  find(a: number, b: number, c: number, d: number): number {
    const arity = this.arity;
    const keys = this.keys;
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      if (this.values[slot]! < 0) return slot;
      const k = slot * arity;
      if (
        keys[k] === a &&
        (arity < 2 || keys[k + 1] === b) &&
        (arity < 3 || keys[k + 2] === c) &&
        (arity < 4 || keys[k + 3] === d)
      )
        return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id in a slot `find` returned, −1 if the key is new. */
  valueAt(slot: number): number {
    return this.values[slot]!;
  }

  /** Stores a new key in the empty slot `find` returned for it. */
  insertAt(slot: number, value: number, a: number, b: number, c: number, d: number): void {
    const k = slot * this.arity;
    const words = [a, b, c, d];
    for (let i = 0; i < this.arity; i++) this.keys[k + i] = words[i]!;
    this.values[slot] = value;
    if (++this.size * 2 > this.values.length) this.grow();
  }

  private grow(): void {
    const { keys, values, arity } = this;
    const n = values.length * 2;
    this.keys = new Float64Array(n * arity);
    this.values = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    const w = [0, 0, 0, 0];
    for (let slot = 0; slot < values.length; slot++) {
      if (values[slot]! < 0) continue;
      for (let i = 0; i < arity; i++) w[i] = keys[slot * arity + i]!;
      const to = this.find(w[0]!, w[1]!, w[2]!, w[3]!);
      for (let i = 0; i < arity; i++) this.keys[to * arity + i] = w[i]!;
      this.values[to] = values[slot]!;
    }
  }
}

/** Mixes the low and high 32 bits of each word (`| 0` keeps the low 32 bits of a whole double). */
function hash(a: number, b: number, c: number, d: number): number {
  let h = mix(0x811c9dc5, a);
  h = mix(h, b);
  h = mix(h, c);
  h = mix(h, d);
  return h >>> 0;
}

function mix(h: number, w: number): number {
  let x = Math.imul(h ^ (w | 0), 0x9e3779b1);
  x = Math.imul(x ^ ((w / 4294967296) | 0), 0x85ebca6b);
  return x ^ (x >>> 15);
}
