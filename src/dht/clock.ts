/**
 * Time for the DHT engine. The engine never reads `Date.now()` or calls the
 * global timers itself: it is handed a `Clock`, so a lab can run a scaled
 * clock and tests a manual one (see manual-clock.ts).
 */

export interface Clock {
  /** Milliseconds since some fixed origin; only differences matter. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time; returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time and the platform timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A clock running `factor` times faster than `base` from `origin` (default:
 * the moment it is made): a lab can compress a day of DHT upkeep (15-minute
 * refreshes, 5-minute token rotation) into minutes while every node keeps its
 * ordinary settings. Two processes given the same origin and factor agree on
 * the time, which is how a lab and a separate sensor process share one.
 */
export function scaledClock(factor: number, base: Clock = systemClock, origin = base.now()): Clock {
  if (!(factor > 0)) throw new RangeError(`factor must be > 0, got ${factor}`);
  return {
    now: () => origin + (base.now() - origin) * factor,
    setTimeout: (fn, ms) => base.setTimeout(fn, ms / factor),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

/**
 * Microsecond timestamps from a millisecond clock: `ms * 1000` plus a counter
 * that orders events within the same millisecond, so events recorded in one
 * millisecond keep their arrival order. The counter saturates at 999 rather
 * than spill into the next millisecond.
 */
export class MicrosecondStamper {
  #lastMs = -Infinity;
  #withinMs = 0;

  stamp(nowMs: number): number {
    const ms = Math.floor(nowMs);
    if (ms > this.#lastMs) {
      this.#lastMs = ms;
      this.#withinMs = 0;
    } else if (this.#withinMs < 999) {
      // The same millisecond, or a clock stepping backwards: keep counting
      // within the last one rather than reorder events.
      this.#withinMs++;
    }
    return this.#lastMs * 1000 + this.#withinMs;
  }
}
