/**
 * The lab's randomness: one seeded generator per actor, so a scenario file
 * and its seed always produce the same network, the same traffic and the
 * same labels (a trace can be regenerated to the byte; a live run differs
 * only in what the operating system's timing does to it).
 */

/** sfc32: small, fast, and good enough for simulation (not for secrets). */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A generator for a named sub-stream: the same parent seed and name give the same stream. */
  static derive(seed: number, name: string): Rng {
    let h = (seed >>> 0) ^ 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    return new Rng(h >>> 0);
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Exponential with the given mean: gaps of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `value` moved by up to ± `fraction` of itself, uniformly. */
  jitter(value: number, fraction: number): number {
    return value * (1 + (this.next() * 2 - 1) * fraction);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let word = this.uint32();
      for (let j = i; j < Math.min(n, i + 4); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }
}

/**
 * Ranks 0 … n-1 drawn with probability ∝ 1 / (rank + 1)^s: a few popular
 * infohashes and a long tail, as lookups on the real DHT look. Sampling is a
 * binary search over the cumulative weights (built once per catalogue).
 */
export class ZipfSampler {
  readonly #cumulative: Float64Array;

  constructor(n: number, s: number) {
    if (!(n >= 1)) throw new RangeError(`a Zipf sampler needs n >= 1, got ${n}`);
    this.#cumulative = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) {
      total += 1 / (k + 1) ** s;
      this.#cumulative[k] = total;
    }
    for (let k = 0; k < n; k++) this.#cumulative[k]! /= total;
  }

  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
