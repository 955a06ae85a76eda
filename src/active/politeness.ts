/**
 * How an active tool keeps from being banned: a budget of packets per second
 * to each remote address, and one for everything it sends. libtorrent bans an
 * address that sends it more than about 5 packets a second; the default here
 * is 2, well below.
 *
 * Sends to one address go one at a time, each at least 1/perAddress s after
 * the previous one was sent, plus a guard, so that delays on the way (a late
 * packet followed by an on-time one) never squeeze more than `perAddress`
 * packets into one second as the remote sees them. Then each takes the next
 * free slot of the global budget, in the order they become due.
 */
export interface PolitenessOptions {
  /** Packets per second to one remote address. Default 2. */
  perAddress: number;
  /** Packets per second in all. Default 100. */
  global: number;
  /** Extra spacing between two packets to one address, ms. Default 100. */
  guardMs: number;
}

export const POLITENESS_DEFAULTS: PolitenessOptions = { perAddress: 2, global: 100, guardMs: 100 };

/** libtorrent's ban threshold; a budget at or above it is refused by `crawl`. */
export const BAN_THRESHOLD_PER_SECOND = 5;

interface AddressState {
  /** When the last packet to it was let go (ms, the clock given). */
  lastSent: number;
  /** The end of the chain of sends waiting for it. */
  tail: Promise<void>;
  waiting: number;
}

export class Politeness {
  readonly options: PolitenessOptions;
  readonly #now: () => number;
  readonly #addresses = new Map<string, AddressState>();
  #nextGlobal = 0;

  constructor(options: Partial<PolitenessOptions> = {}, now: () => number = Date.now) {
    this.options = { ...POLITENESS_DEFAULTS, ...options };
    const { perAddress, global, guardMs } = this.options;
    if (!(perAddress > 0) || !(global > 0) || !(guardMs >= 0))
      throw new RangeError('politeness budgets must be positive');
    this.#now = now;
  }

  /** Resolves when one packet to `address` may be sent; send it at once. */
  async slot(address: string): Promise<void> {
    let state = this.#addresses.get(address);
    if (state === undefined) {
      state = { lastSent: Number.NEGATIVE_INFINITY, tail: Promise.resolve(), waiting: 0 };
      this.#addresses.set(address, state);
    }
    const previous = state.tail;
    let release = (): void => {};
    state.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    state.waiting++;
    try {
      await previous;
      const { perAddress, global, guardMs } = this.options;
      await this.#until(state.lastSent + 1000 / perAddress + guardMs);
      const at = Math.max(this.#now(), this.#nextGlobal);
      this.#nextGlobal = at + 1000 / global;
      await this.#until(at);
      state.lastSent = this.#now();
    } finally {
      release();
      // An address nobody waits for is forgotten once its spacing has passed.
      if (--state.waiting === 0) {
        const done = state;
        const spacing = 1000 / this.options.perAddress + this.options.guardMs;
        setTimeout(() => {
          const idle = done.waiting === 0 && this.#now() - done.lastSent >= spacing;
          if (idle && this.#addresses.get(address) === done) this.#addresses.delete(address);
        }, spacing + 1).unref();
      }
    }
  }

  async #until(at: number): Promise<void> {
    const wait = at - this.#now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
