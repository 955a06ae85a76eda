// What the routing table reports back to its caller.

import type { Contact } from './contact.ts';

/** What `heardFrom` did with the node. */
export type HeardFromResult =
  /** Added to its bucket. */
  | { readonly kind: 'inserted'; readonly contact: Contact }
  /** Already in its bucket; its record was refreshed. */
  | { readonly kind: 'updated'; readonly contact: Contact }
  /** Took the place of `evicted`, a bad node (or a stale record of the same id). */
  | { readonly kind: 'replaced'; readonly contact: Contact; readonly evicted: Contact }
  /**
   * Kept as a replacement candidate. If `ping` is set, pinging it is what
   * lets the bucket make progress: either a questionable node of the bucket
   * (if it fails, it goes bad and a candidate takes its place) or the
   * newcomer itself (it must answer before it may enter the bucket).
   */
  | { readonly kind: 'cached'; readonly contact: Contact; readonly ping?: Contact }
  | { readonly kind: 'rejected'; readonly reason: RejectReason };

export type RejectReason =
  /** Malformed id, empty address or a port outside 1..65535. */
  | 'invalid-contact'
  /** The node claims our own id. */
  | 'own-id'
  /** The id is known at another address or port (see `heardFrom`). */
  | 'id-at-other-endpoint'
  /** The bucket is full and its replacement cache holds better candidates. */
  | 'replacement-cache-full';

/** What `failed` did with the node. */
export type FailedResult =
  /** Not in the table nor among the replacement candidates. */
  | { readonly kind: 'unknown' }
  /** Failure counted; the node is not bad yet. */
  | { readonly kind: 'counted'; readonly contact: Contact }
  /**
   * The node is bad but stays until something replaces it: no candidate that
   * ever answered us is cached. `ping` is a cached candidate that has not
   * answered yet; if it does, it takes the slot.
   */
  | { readonly kind: 'bad'; readonly contact: Contact; readonly ping?: Contact }
  /** The node went bad and the freshest reachable candidate took its slot. */
  | { readonly kind: 'promoted'; readonly evicted: Contact; readonly promoted: Contact }
  /** A replacement candidate went bad and was forgotten. */
  | { readonly kind: 'dropped'; readonly contact: Contact };

/** A read-only view of one bucket, as `buckets()` returns it. */
export interface BucketSnapshot {
  readonly index: number;
  /**
   * How many leading bits of our own id every id in the bucket's range
   * shares: the bucket covers 2^(160 - prefixBits) ids. That is index + 1
   * (the first index bits equal ours, bit `index` differs) except for the
   * last bucket, which covers everything under our first `index` bits.
   */
  readonly prefixBits: number;
  readonly contacts: readonly Contact[];
  readonly replacements: readonly Contact[];
  readonly cacheSize: number;
  readonly lastChanged: number | undefined;
}
