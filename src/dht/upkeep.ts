/**
 * Keeping the routing table alive (BEP 5): pinging the nodes the table asks
 * about, pinging each bucket's least recently seen questionable node, and
 * refreshing buckets nobody touched for 15 minutes with a lookup of a random
 * id in their range. Upkeep pings share one rate-limited budget, and one
 * endpoint is never pinged twice at once. Whether any of it is actually sent
 * is still the policy's call.
 */
import type { ContactInfo, RoutingTable } from '../protocol/kademlia/index.ts';
import { endpointKey } from './address.ts';
import type { Clock } from './clock.ts';
import { type RateLimit, RateLimiter } from './rate-limiter.ts';
import type { DhtNodeStats } from './stats.ts';

export interface UpkeepDeps {
  clock: Clock;
  table: RoutingTable;
  randomBytes: (n: number) => Uint8Array;
  stats: DhtNodeStats;
  pingRate: RateLimit;
  /** Period of the tick; 0 disables the timer (pings on request still go out). */
  intervalMs: number;
  /** Whether the tick refreshes stale buckets (lookups of random ids in their range). */
  refreshBuckets: boolean;
  ping(contact: ContactInfo): Promise<unknown>;
  lookup(target: Uint8Array): Promise<unknown>;
  /** Extra work on each tick (the node purges its peer store). */
  onTick?(): void;
}

/** Pings in flight at most: beyond that the budget is clearly outrun. */
const MAX_PINGS_IN_FLIGHT = 256;

export class Upkeep {
  readonly #deps: UpkeepDeps;
  readonly #budget: RateLimiter;
  readonly #pinging = new Set<string>();
  /** When each bucket was last refreshed by us: a refresh that finds nobody new changes nothing in the table. */
  readonly #refreshedAt = new Map<number, number>();
  #timer: unknown;
  #refreshing = false;
  #stopped = true;

  constructor(deps: UpkeepDeps) {
    this.#deps = deps;
    this.#budget = new RateLimiter(deps.pingRate, 2, deps.clock);
  }

  start(): void {
    if (!this.#stopped || this.#deps.intervalMs <= 0) return;
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#deps.clock.clearTimeout(this.#timer);
  }

  /** Pings `contact` if the budget allows and it is not being pinged already. */
  ping(contact: ContactInfo): void {
    const key = endpointKey(contact.address, contact.port);
    if (this.#pinging.has(key) || this.#pinging.size >= MAX_PINGS_IN_FLIGHT) {
      this.#deps.stats.upkeepPingsSkipped++;
      return;
    }
    if (!this.#budget.allow('upkeep')) {
      this.#deps.stats.upkeepPingsSkipped++;
      return;
    }
    this.#pinging.add(key);
    this.#deps.stats.upkeepPings++;
    // The node reports the answer or the timeout to the routing table itself.
    this.#deps.ping(contact).then(
      () => this.#pinging.delete(key),
      () => this.#pinging.delete(key),
    );
  }

  /** One round: ping questionable nodes, refresh stale buckets. Public for tests. */
  tick(): void {
    const { table, clock } = this.#deps;
    const now = clock.now();
    for (const bucket of table.buckets()) {
      let stalest: ContactInfo | undefined;
      let stalestSeen = Infinity;
      for (const contact of bucket.contacts) {
        if (table.state(contact, now) !== 'questionable') continue;
        const seen = Math.max(contact.lastResponse ?? -Infinity, contact.lastQuery ?? -Infinity);
        if (seen < stalestSeen) [stalest, stalestSeen] = [contact, seen];
      }
      if (stalest !== undefined) this.ping(stalest);
    }
    if (this.#deps.refreshBuckets) void this.#refreshStale();
    this.#deps.onTick?.();
  }

  async #refreshStale(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      const { table, clock, randomBytes } = this.#deps;
      const maxAge = table.config.refreshAfterMs;
      for (const index of table.bucketsNeedingRefresh(clock.now())) {
        if (this.#stopped) return;
        const refreshed = this.#refreshedAt.get(index);
        if (refreshed !== undefined && clock.now() - refreshed <= maxAge) continue;
        this.#refreshedAt.set(index, clock.now());
        this.#deps.stats.refreshes++;
        // A lookup settles with what it found, whatever failed on the way.
        await this.#deps.lookup(table.refreshTarget(index, randomBytes)).catch(() => undefined);
      }
    } finally {
      this.#refreshing = false;
    }
  }

  #schedule(): void {
    this.#timer = this.#deps.clock.setTimeout(() => {
      if (this.#stopped) return;
      this.tick();
      this.#schedule();
    }, this.#deps.intervalMs);
  }
}
