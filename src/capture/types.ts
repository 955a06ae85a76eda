/**
 * What the capture reader hands to the BitTorrent extractors, and what they
 * hand back: the contract between reading packets (reader, flows) and
 * understanding BitTorrent coordination traffic (bittorrent/).
 *
 * Times are microseconds since the Unix epoch, as plain numbers (exact up
 * to 2^53 µs, i.e. the year 2255). Addresses are text (dotted IPv4,
 * RFC 5952 IPv6).
 */

/**
 * One UDP datagram. The reader reuses a single object for every datagram
 * and `payload` is a view into its read buffer: an extractor must copy
 * whatever it keeps beyond the call.
 */
export interface UdpDatagram {
  ts: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** `src` and `dst` as numbers, equal exactly when the addresses are (the analyzer's address ids): cheap to hash. */
  srcId: number;
  dstId: number;
  payload: Uint8Array;
}

/** A TCP connection as the flow table knows it: the initiator sent the first SYN. */
export interface TcpStreamRef {
  /** Unique per connection within one analysis. */
  readonly id: number;
  readonly initiator: string;
  readonly initiatorPort: number;
  readonly responder: string;
  readonly responderPort: number;
}

/** Where a peer address was learned. */
export type PredictionSource = 'http_tracker' | 'udp_tracker' | 'dht' | 'vuze_dht' | 'pex';

/** `host` learned at `ts` that `peer`:`port` is a BitTorrent peer (or DHT node), from `source`. */
export interface PeerPrediction {
  ts: number;
  host: string;
  peer: string;
  port: number;
  source: PredictionSource;
  /**
   * What the host will contact there: a `peer` over TCP (or uTP), or a DHT
   * `node` over UDP (nodes and nodes6 of a DHT answer). A TCP scan detector
   * suppresses failures only for peers. Absent means peer.
   */
  contact?: 'peer' | 'node';
}

/**
 * A prediction read from a compact entry, handed over without building it:
 * the peer's address is the `length - 2` bytes (4 or 16) at `at` of `buf`.
 * Strings and an object per prediction were most of what a DHT response cost
 * to read, and a scan detector needs neither.
 */
export type CompactPredictionLane = (
  ts: number,
  host: string,
  buf: Uint8Array,
  at: number,
  length: number,
  port: number,
  source: PredictionSource,
  contact: 'peer' | 'node',
) => void;

/**
 * Where an extractor reports predictions. A caller may attach `compact`, a
 * faster way in for predictions read from compact entries; an extractor that
 * uses it reports through it exactly what it would have reported as objects,
 * in the same order.
 */
export interface PredictionCallback {
  (prediction: PeerPrediction): void;
  readonly compact?: CompactPredictionLane;
  /**
   * False when the caller has no use for `node` contacts: an extractor may
   * then count them without reporting them (a DHT answer carries eight).
   */
  readonly nodeContacts?: boolean;
}

/** BitTorrent UDP traffic recognised by its content. */
export type BitTorrentUdpKind = 'dht' | 'udp_tracker' | 'vuze_dht' | 'utp' | 'dht_like';

/** Consumes UDP datagrams and in-order TCP stream bytes; reports predictions. */
export interface PredictionExtractor {
  udp(datagram: UdpDatagram): void;
  /**
   * In-order bytes of one direction of a connection; `fromInitiator` tells
   * which. The view must be copied to be kept. Returns whether more of this
   * direction is wanted: false (the direction is known not to be BitTorrent
   * coordination traffic) stops its reassembly and delivery, the bulk of a
   * capture's work otherwise.
   */
  tcpData(stream: TcpStreamRef, fromInitiator: boolean, ts: number, data: Uint8Array): boolean;
  /** The connection closed, reset or the capture ended: flush and forget its state. */
  tcpEnd(stream: TcpStreamRef): void;
  /** What BitTorrent UDP traffic this datagram is, if any (for per-host signatures). */
  classifyUdp(datagram: UdpDatagram): BitTorrentUdpKind | undefined;
}

/**
 * Labels of a capture's hosts, the format of `dhtscope pcap analyze --labels`:
 * `{ "bittorrent": ["10.9.0.2", …], "scanner": [...], "other": [...] }`.
 */
export interface HostLabels {
  bittorrent: string[];
  scanner: string[];
  other?: string[];
}
