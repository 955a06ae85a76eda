/**
 * Typed KRPC messages. Property names are camelCase; the comment on each says
 * which wire key and which BEP it comes from. Byte strings are views into the
 * datagram they were parsed from.
 */
import type { BValue } from '../bencode/index.ts';
import type { CompactNode, PeerAddress } from '../net/compact.ts';

export type QueryMethod =
  | 'ping'
  | 'find_node'
  | 'get_peers'
  | 'announce_peer'
  | 'sample_infohashes'
  | 'get'
  | 'put';

export const QUERY_METHODS: readonly QueryMethod[] = [
  'ping',
  'find_node',
  'get_peers',
  'announce_peer',
  'sample_infohashes',
  'get',
  'put',
];

/** Fields every message may carry at its top level. */
export interface MessageCommon {
  /** `t`: transaction id chosen by the querier, echoed in the answer (BEP 5). */
  t: Uint8Array;
  /** `v`: client version, normally 2 client letters + 2 version bytes (BEP 5, BEP 20). */
  v?: Uint8Array;
  /** `ro`: the sender is read-only and must not be added to routing tables (BEP 43). */
  ro?: boolean;
  /** `ip`: the address the responder saw the querier at (BEP 42). */
  ip?: PeerAddress;
}

export interface PingArgs {
  /** `id` (BEP 5) */
  id: Uint8Array;
}

export interface FindNodeArgs {
  /** `id` (BEP 5) */
  id: Uint8Array;
  /** `target` (BEP 5) */
  target: Uint8Array;
  /** `want`: "n4" and/or "n6" (BEP 32) */
  want?: string[];
}

export interface GetPeersArgs {
  /** `id` (BEP 5) */
  id: Uint8Array;
  /** `info_hash` (BEP 5) */
  infoHash: Uint8Array;
  /** `want` (BEP 32) */
  want?: string[];
  /** `noseed`: prefer non-seeds in `values` (BEP 33) */
  noseed?: boolean;
  /** `scrape`: ask for the BFsd/BFpe bloom filters (BEP 33) */
  scrape?: boolean;
}

export interface AnnouncePeerArgs {
  /** `id` (BEP 5) */
  id: Uint8Array;
  /** `info_hash` (BEP 5) */
  infoHash: Uint8Array;
  /** `port` (BEP 5); ignored by receivers when `impliedPort` is set */
  port: number;
  /** `token` from an earlier get_peers answer (BEP 5) */
  token: Uint8Array;
  /** `implied_port`: use the UDP source port instead of `port` (BEP 5) */
  impliedPort: boolean;
  /** `seed`: the announcer is a seed (BEP 33) */
  seed?: boolean;
  /** `name`: torrent name some clients add (libtorrent extension, unstandardised) */
  name?: Uint8Array;
}

export interface SampleInfohashesArgs {
  /** `id` (BEP 51) */
  id: Uint8Array;
  /** `target`: steers the `nodes` part of the answer (BEP 51) */
  target: Uint8Array;
  /** `want` (BEP 32) */
  want?: string[];
}

export interface GetArgs {
  /** `id` (BEP 44) */
  id: Uint8Array;
  /** `target`: SHA-1 of the item or of its public key + salt (BEP 44) */
  target: Uint8Array;
  /** `seq`: only send the value if newer than this (BEP 44) */
  seq?: number | bigint;
}

export interface PutArgs {
  /** `id` (BEP 44) */
  id: Uint8Array;
  /** `token` (BEP 44) */
  token: Uint8Array;
  /** `v`: the stored value, any bencoded type (BEP 44) */
  value: BValue;
  /** `k`: ed25519 public key, mutable items (BEP 44) */
  k?: Uint8Array;
  /** `sig`: ed25519 signature, mutable items (BEP 44) */
  sig?: Uint8Array;
  /** `seq`: sequence number, mutable items (BEP 44) */
  seq?: number | bigint;
  /** `cas`: compare-and-swap expected seq (BEP 44) */
  cas?: number | bigint;
  /** `salt` (BEP 44) */
  salt?: Uint8Array;
}

export interface QueryArgs {
  ping: PingArgs;
  find_node: FindNodeArgs;
  get_peers: GetPeersArgs;
  announce_peer: AnnouncePeerArgs;
  sample_infohashes: SampleInfohashesArgs;
  get: GetArgs;
  put: PutArgs;
}

export type KnownQuery = {
  [M in QueryMethod]: MessageCommon & { y: 'q'; method: M; args: QueryArgs[M] };
}[QueryMethod];

/**
 * A query whose method we do not know. BEP 5 implementations answer such
 * queries like find_node or get_peers when they carry `target` or `info_hash`,
 * so those are kept when well-formed.
 */
export interface UnknownQuery extends MessageCommon {
  y: 'q';
  method: 'unknown';
  /** `q` as sent. */
  name: Uint8Array;
  args: { id?: Uint8Array; target?: Uint8Array; infoHash?: Uint8Array };
}

export type KrpcQuery = KnownQuery | UnknownQuery;

/** The `r` dictionary. Which fields appear depends on the query answered. */
export interface ResponseResult {
  /** `id` (BEP 5) */
  id: Uint8Array;
  /** `nodes`: IPv4 contacts (BEP 5) */
  nodes?: CompactNode[];
  /** `nodes6`: IPv6 contacts (BEP 32) */
  nodes6?: CompactNode[];
  /** `values`: peers, IPv4 and/or IPv6 (BEP 5, BEP 32) */
  values?: PeerAddress[];
  /** `token`: write token for announce_peer / put (BEP 5, BEP 44) */
  token?: Uint8Array;
  /** `samples`: concatenated 20-byte infohashes (BEP 51) */
  samples?: Uint8Array;
  /** `interval`: seconds before sampling this node again, 0..21600 (BEP 51) */
  interval?: number;
  /** `num`: infohashes the node stores (BEP 51) */
  num?: number;
  /** `BFsd`: 256-byte bloom filter of seeds (BEP 33) */
  bfsd?: Uint8Array;
  /** `BFpe`: 256-byte bloom filter of peers (BEP 33) */
  bfpe?: Uint8Array;
  /** `v`: stored item (BEP 44 get) */
  value?: BValue;
  /** `k` (BEP 44 get, mutable) */
  k?: Uint8Array;
  /** `sig` (BEP 44 get, mutable) */
  sig?: Uint8Array;
  /** `seq` (BEP 44 get, mutable) */
  seq?: number | bigint;
}

export interface KrpcResponse extends MessageCommon {
  y: 'r';
  result: ResponseResult;
}

export interface KrpcError extends MessageCommon {
  y: 'e';
  /** First element of `e` (BEP 5: 201 generic, 202 server, 203 protocol, 204 method unknown). */
  code: number;
  /** Second element of `e`, as sent. */
  message: Uint8Array;
}

export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcError;

/** Error codes of BEP 5, plus those BEP 44 adds for put. */
export const KRPC_ERROR = {
  generic: 201,
  server: 202,
  protocol: 203,
  methodUnknown: 204,
  messageTooBig: 205, // BEP 44
  invalidSignature: 206, // BEP 44
  saltTooBig: 207, // BEP 44
  casMismatch: 301, // BEP 44
  sequenceTooOld: 302, // BEP 44
} as const;

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  201: 'generic error',
  202: 'server error',
  203: 'protocol error (malformed packet, invalid arguments or bad token)',
  204: 'method unknown',
  205: 'message (v field) too big',
  206: 'invalid signature',
  207: 'salt (salt field) too big',
  301: 'the CAS hash mismatched, re-read value and try again',
  302: 'sequence number less than current',
};

export function describeKrpcError(code: number): string {
  return ERROR_DESCRIPTIONS[code] ?? 'unregistered error code';
}
