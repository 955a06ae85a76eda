/** The options of a DhtNode, with their defaults declared beside them. */
import type { RoutingTableOptions } from '../protocol/kademlia/index.ts';
import type { Clock } from './clock.ts';
import type { PeerStoreOptions } from './peer-store.ts';
import type { NodePolicy } from './policy.ts';
import type { RateLimit } from './rate-limiter.ts';
import type { Transport } from './transport.ts';

export interface DhtNodeOptions {
  /** Our node id, 20 bytes. */
  id: Uint8Array;
  transport: Transport;
  /** Default: systemClock. */
  clock?: Clock;
  /** Source of transaction ids and token secrets. Default: node:crypto randomBytes. */
  randomBytes?: (n: number) => Uint8Array;
  /** Our `v` field: two client letters and two version bytes (BEP 20). Default: none sent. */
  version?: Uint8Array;
  /** Time to wait for an answer before a retry or giving up. */
  queryTimeoutMs?: number;
  /** Re-sends of an unanswered query (same transaction id, so a late answer still counts). */
  maxRetries?: number;
  /** Per remote address, for inbound queries; excess is dropped, counted, never answered. */
  rateLimit?: RateLimit;
  /** Remote addresses the rate limiter tracks (LRU). */
  maxTrackedRemotes?: number;
  /** How often the token secret changes (BEP 5: 5 minutes; tokens live 5 to 10). */
  tokenRotationMs?: number;
  /** Bytes of a write token. See TOKEN_DEFAULTS. */
  tokenBytes?: number;
  /** Bytes of a transaction id, random. */
  transactionIdBytes?: number;
  /** Our queries in flight at once; more are refused (`overloaded`). */
  maxPendingQueries?: number;
  /** Budget of pings sent to keep the routing table up. */
  upkeepPingRate?: RateLimit;
  /** Period of the upkeep tick (ping questionable nodes, refresh stale buckets); 0 = no upkeep. */
  maintenanceIntervalMs?: number;
  /**
   * Refresh buckets unchanged for 15 minutes with a find_node lookup of a
   * random id in their range (BEP 5). A node whose policy forbids find_node
   * for foreign targets (a passive sensor) turns this off rather than have
   * every refresh blocked; questionable nodes are still pinged.
   */
  refreshBuckets?: boolean;
  /** BEP 43: mark our queries `ro` so others keep us out of their routing tables. */
  readOnly?: boolean;
  /** What to answer with and what may be sent; unset members keep the default. */
  policy?: Partial<NodePolicy>;
  /** Bounds of the default policy's peer store. */
  peerStore?: Partial<PeerStoreOptions>;
  routingTable?: RoutingTableOptions;
}

export const DHT_NODE_DEFAULTS = {
  queryTimeoutMs: 2_000,
  maxRetries: 1,
  // A busy legitimate node sends a few queries a second to one neighbour;
  // 50/s sustained with bursts of 100 only stops floods.
  rateLimit: { perSecond: 50, burst: 100 },
  maxTrackedRemotes: 16_384,
  tokenRotationMs: 5 * 60_000,
  tokenBytes: 8,
  // 4 random bytes: not guessable by an off-path spoofer, still short.
  transactionIdBytes: 4,
  maxPendingQueries: 4_096,
  upkeepPingRate: { perSecond: 5, burst: 10 },
  // Once a minute: a bucket goes stale after 15 minutes (BEP 5), so it is
  // refreshed within a minute of that; one questionable node per bucket is pinged.
  maintenanceIntervalMs: 60_000,
  refreshBuckets: true,
  readOnly: false,
} as const;
