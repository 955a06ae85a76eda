// The dht layer: a DHT node engine over a transport (DESIGN.md, "Layers").

export { canonicalAddress, familyOf } from './address.ts';
export { type Clock, MicrosecondStamper, scaledClock, systemClock } from './clock.ts';
export {
  DhtQueryError,
  type DhtQueryFailure,
  DhtTransportError,
} from './errors.ts';
export type { HandlerContext, Reply } from './handlers/index.ts';
export type { Inbound, InboundAction, InboundListener } from './inbound.ts';
export {
  iterativeLookup,
  LOOKUP_DEFAULTS,
  type LookupAlgorithmOptions,
  type LookupNode,
  type LookupParameters,
  type LookupReply,
  type LookupResult,
} from './lookup.ts';
export { ManualClock } from './manual-clock.ts';
export {
  type MemoryDatagram,
  type MemoryNetwork,
  type MemoryNetworkOptions,
  type MemoryNetworkStats,
  memoryNetwork,
} from './memory-network.ts';
export {
  type AnnounceOptions,
  DhtNode,
  type LookupOptions,
  type OutgoingQuery,
} from './node.ts';
export { DHT_NODE_DEFAULTS, type DhtNodeOptions } from './node-options.ts';
export { PEER_STORE_DEFAULTS, PeerStore, type PeerStoreOptions } from './peer-store.ts';
export { DEFAULT_SAMPLE_INTERVAL_SECONDS, defaultPolicy, type NodePolicy } from './policy.ts';
export { type RateLimit, RateLimiter } from './rate-limiter.ts';
export type { DhtNodeStats, MethodCounts } from './stats.ts';
export { TOKEN_DEFAULTS, TokenIssuer, type TokenOptions } from './tokens.ts';
export type { QueryDestination } from './transactions.ts';
export type {
  DatagramHandler,
  Destination,
  Endpoint,
  Transport,
  TransportStats,
} from './transport.ts';
export { MAX_DATAGRAM_BYTES } from './transport-support.ts';
export { type UdpTransportOptions, udpTransport } from './udp-transport.ts';
