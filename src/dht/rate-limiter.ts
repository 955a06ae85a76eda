/**
 * Per-remote token buckets for inbound queries. One address that floods us
 * gets dropped, everyone else is still answered. The map of buckets is an
 * LRU bounded by `maxTracked`, so a flood from many addresses costs memory
 * up to the bound and no more; an address pushed out starts again with a
 * full bucket, which is the price of the bound.
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
  readonly #maxTracked: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, maxTracked: number, clock: Clock) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1))
      throw new RangeError(`a rate limit needs perSecond > 0 and burst >= 1`);
    if (!Number.isInteger(maxTracked) || maxTracked < 1)
      throw new RangeError(`maxTracked must be an integer >= 1, got ${maxTracked}`);
    this.#limit = limit;
    this.#maxTracked = maxTracked;
    this.#clock = clock;
  }

  /** Takes one token from `key`'s bucket: true if there was one. */
  allow(key: string): boolean {
    const now = this.#clock.now();
    const { perSecond, burst } = this.#limit;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      if (this.#buckets.size >= this.#maxTracked) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    } else {
      this.#buckets.delete(key); // re-inserted below: most recently used last
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Remotes currently tracked (at most `maxTracked`). */
  get size(): number {
    return this.#buckets.size;
  }
}
