/**
 * Per-remote token buckets for inbound queries. One address that floods us
 * gets dropped, everyone else is still answered.
 *
 * The buckets live in two generations, an approximate LRU that costs no Map
 * deletion on the hot path: a remote is looked up in the current generation,
 * then in the previous one (and moved up); when the current one holds half of
 * `maxTracked`, it becomes the previous one and the old previous one is
 * dropped whole. So at most `maxTracked` remotes are tracked, and a remote is
 * forgotten only after `maxTracked / 2` others have been seen since it last
 * was. A forgotten remote starts again with a full bucket: the price of the
 * bound, paid only by remotes quieter than the flood.
 */
import type { Clock } from './clock.ts';

export interface RateLimit {
  /** Sustained queries per second allowed per remote address. */
  perSecond: number;
  /** Queries a remote may send at once before the rate applies. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #generationSize: number;
  readonly #clock: Clock;
  #current = new Map<string, Bucket>();
  #previous = new Map<string, Bucket>();

  constructor(limit: RateLimit, maxTracked: number, clock: Clock) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1))
      throw new RangeError(`a rate limit needs perSecond > 0 and burst >= 1`);
    if (!Number.isInteger(maxTracked) || maxTracked < 2)
      throw new RangeError(`maxTracked must be an integer >= 2, got ${maxTracked}`);
    this.#limit = limit;
    this.#generationSize = Math.floor(maxTracked / 2);
    this.#clock = clock;
  }

  /** Takes one token from `key`'s bucket: true if there was one. `now`: the clock, if already read. */
  allow(key: string, now: number = this.#clock.now()): boolean {
    const { perSecond, burst } = this.#limit;
    let bucket = this.#current.get(key);
    if (bucket === undefined) {
      bucket = this.#previous.get(key);
      if (bucket === undefined) bucket = { tokens: burst, at: now };
      if (this.#current.size >= this.#generationSize) {
        this.#previous = this.#current;
        this.#current = new Map();
      }
      this.#current.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Remotes currently tracked (at most `maxTracked`). */
  get size(): number {
    let size = this.#current.size;
    for (const key of this.#previous.keys()) if (!this.#current.has(key)) size++;
    return size;
  }
}
