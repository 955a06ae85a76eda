/**
 * A deterministic corpus of KRPC datagrams resembling what a DHT sensor
 * receives: mostly queries, some responses, a few errors. Same seed, same
 * bytes, on every machine. Every datagram is valid KRPC and canonical bencode
 * (built with `encodeKrpc`), and sits in its own ArrayBuffer, as datagrams
 * arriving from a socket would.
 */
import { encodeKrpc, type KrpcMessage, type MessageCommon } from '../src/protocol/krpc/index.ts';
import type { CompactNode, PeerAddress } from '../src/protocol/net/compact.ts';
import { seededRandomBytes } from '../src/protocol/random.ts';

export type DatagramKind =
  | 'q get_peers'
  | 'q find_node'
  | 'q ping'
  | 'q announce_peer'
  | 'q sample_infohashes'
  | 'r find_node (8 nodes)'
  | 'r get_peers (values)'
  | 'r get_peers (nodes)'
  | 'e error';

/** Share of each kind; the shares add up to 1. */
export const CORPUS_MIX: readonly (readonly [DatagramKind, number])[] = [
  ['q get_peers', 0.45],
  ['q find_node', 0.25],
  ['q ping', 0.1],
  ['q announce_peer', 0.08],
  ['q sample_infohashes', 0.03],
  ['r find_node (8 nodes)', 0.04],
  ['r get_peers (values)', 0.02],
  ['r get_peers (nodes)', 0.02],
  ['e error', 0.01],
];

export interface Corpus {
  datagrams: Uint8Array[];
  /** The kind of each datagram, same index. */
  kinds: DatagramKind[];
  totalBytes: number;
  meanLength: number;
  /** Messages carrying a `v` field. */
  withVersion: number;
  /** Queries carrying a BEP 32 `want`. */
  withWant: number;
}

export interface CorpusOptions {
  size?: number;
  seed?: number;
}

/** `v` of the ~70% of messages that carry one: client letters and weight. */
const CLIENTS: readonly (readonly [string, number])[] = [
  ['LT', 55], // libtorrent (qBittorrent, Deluge, …)
  ['UT', 25], // µTorrent
  ['lt', 8], // rakshasa libtorrent (rTorrent)
  ['ml', 7], // mldht (Vuze, BiglyBT)
  ['TR', 3], // old Transmission
  ['BT', 2], // BitTorrent mainline
];
const CLIENT_WEIGHT = CLIENTS.reduce((sum, [, w]) => sum + w, 0);

const ERRORS: readonly (readonly [number, string])[] = [
  [201, 'A Generic Error Ocurred'],
  [203, 'Protocol Error, such as a malformed packet, invalid arguments, or bad token'],
  [203, 'invalid token'],
  [204, 'Method Unknown'],
];

const text = new TextEncoder();

export function buildCorpus(options: CorpusOptions = {}): Corpus {
  const size = options.size ?? 10_000;
  const rng = source(options.seed ?? 0x5eed_d47);

  // Exact counts, then a seeded shuffle: the mix is the same for every seed.
  const kinds: DatagramKind[] = [];
  for (const [kind, share] of CORPUS_MIX) {
    for (let i = Math.round(share * size); i > 0; i--) kinds.push(kind);
  }
  while (kinds.length < size) kinds.push('q get_peers');
  kinds.length = size;
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }

  let withVersion = 0;
  let withWant = 0;
  const datagrams: Uint8Array[] = [];
  let totalBytes = 0;
  for (const kind of kinds) {
    const message = buildMessage(kind, rng);
    if (message.v !== undefined) withVersion++;
    if (message.y === 'q' && 'want' in message.args && message.args.want !== undefined) withWant++;
    const datagram = encodeKrpc(message).slice(); // its own ArrayBuffer, exactly sized
    datagrams.push(datagram);
    totalBytes += datagram.length;
  }
  return {
    datagrams,
    kinds,
    totalBytes,
    meanLength: totalBytes / size,
    withVersion,
    withWant,
  };
}

/** Lines describing the corpus: size, mean length, composition. */
export function describeCorpus(corpus: Corpus): string[] {
  const n = corpus.datagrams.length;
  const counts = new Map<DatagramKind, { count: number; bytes: number }>();
  corpus.kinds.forEach((kind, i) => {
    const entry = counts.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += corpus.datagrams[i]!.length;
    counts.set(kind, entry);
  });
  const percent = (x: number) => `${((100 * x) / n).toFixed(1)}%`;
  const lines = [
    `corpus: ${n.toLocaleString('en-US')} datagrams, ${corpus.totalBytes.toLocaleString('en-US')} bytes, ` +
      `mean ${corpus.meanLength.toFixed(1)} B/datagram; ` +
      `v on ${percent(corpus.withVersion)}, want on ${percent(corpus.withWant)}`,
  ];
  for (const [kind] of CORPUS_MIX) {
    const entry = counts.get(kind);
    if (entry === undefined) continue;
    lines.push(
      `  ${kind.padEnd(24)} ${String(entry.count).padStart(6)}  ${percent(entry.count).padStart(6)}` +
        `  mean ${(entry.bytes / entry.count).toFixed(0).padStart(4)} B`,
    );
  }
  return lines;
}

interface Source {
  bytes(n: number): Uint8Array;
  /** An integer in 0..n-1. */
  below(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

function source(seed: number): Source {
  const bytes = seededRandomBytes(seed);
  const u32 = () => {
    const b = bytes(4);
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  };
  return {
    bytes,
    below: (n) => u32() % n,
    chance: (p) => u32() < p * 2 ** 32,
  };
}

function buildMessage(kind: DatagramKind, rng: Source): KrpcMessage {
  const id = rng.bytes(20);
  switch (kind) {
    case 'q get_peers':
      return {
        ...common(rng, 'q'),
        y: 'q',
        method: 'get_peers',
        args: {
          id,
          infoHash: rng.bytes(20),
          want: want(rng),
          noseed: rng.chance(0.02) ? true : undefined,
        },
      };
    case 'q find_node':
      return {
        ...common(rng, 'q'),
        y: 'q',
        method: 'find_node',
        args: { id, target: rng.bytes(20), want: want(rng) },
      };
    case 'q ping':
      return { ...common(rng, 'q'), y: 'q', method: 'ping', args: { id } };
    case 'q announce_peer':
      return {
        ...common(rng, 'q'),
        y: 'q',
        method: 'announce_peer',
        args: {
          id,
          infoHash: rng.bytes(20),
          port: port(rng),
          token: rng.bytes(token(rng)),
          impliedPort: rng.chance(0.6),
          seed: rng.chance(0.3) ? true : undefined,
        },
      };
    case 'q sample_infohashes':
      return {
        ...common(rng, 'q'),
        y: 'q',
        method: 'sample_infohashes',
        args: { id, target: rng.bytes(20), want: want(rng) },
      };
    case 'r find_node (8 nodes)':
      return { ...common(rng, 'r'), y: 'r', result: { id, nodes: nodes(rng, 8) } };
    case 'r get_peers (values)': {
      const values: PeerAddress[] = [];
      for (let i = 1 + rng.below(30); i > 0; i--) values.push(peer(rng));
      return { ...common(rng, 'r'), y: 'r', result: { id, token: rng.bytes(token(rng)), values } };
    }
    case 'r get_peers (nodes)':
      return {
        ...common(rng, 'r'),
        y: 'r',
        result: { id, token: rng.bytes(token(rng)), nodes: nodes(rng, 8) },
      };
    case 'e error': {
      const [code, message] = ERRORS[rng.below(ERRORS.length)]!;
      return { ...common(rng, 'e'), y: 'e', code, message: text.encode(message) };
    }
  }
}

/** `t` (2 bytes), `v` on ~70%, `ro` on a few queries, BEP 42 `ip` on half the responses. */
function common(rng: Source, y: 'q' | 'r' | 'e'): MessageCommon {
  const out: MessageCommon = { t: rng.bytes(2) };
  if (rng.chance(0.7)) out.v = clientVersion(rng);
  if (y === 'q' && rng.chance(0.02)) out.ro = true;
  if (y === 'r' && rng.chance(0.5)) out.ip = peer(rng);
  return out;
}

function clientVersion(rng: Source): Uint8Array {
  let pick = rng.below(CLIENT_WEIGHT);
  let letters = CLIENTS[0]![0];
  for (const [code, weight] of CLIENTS) {
    if (pick < weight) {
      letters = code;
      break;
    }
    pick -= weight;
  }
  const v = new Uint8Array(4);
  v[0] = letters.charCodeAt(0);
  v[1] = letters.charCodeAt(1);
  v[2] = rng.below(3);
  v[3] = rng.below(256);
  return v;
}

/** BEP 32 `want` on ~15% of the queries that may carry it. */
function want(rng: Source): string[] | undefined {
  if (!rng.chance(0.15)) return undefined;
  return rng.chance(0.5) ? ['n4'] : ['n4', 'n6'];
}

/** Token lengths seen in the wild: 4 (libtorrent), 8, 20 bytes. */
function token(rng: Source): number {
  const sizes = [4, 4, 8, 20] as const;
  return sizes[rng.below(sizes.length)]!;
}

function port(rng: Source): number {
  return 1024 + rng.below(65536 - 1024);
}

function peer(rng: Source): PeerAddress {
  const a = rng.bytes(4);
  return { address: `${1 + (a[0]! % 223)}.${a[1]}.${a[2]}.${a[3]}`, port: port(rng) };
}

function nodes(rng: Source, count: number): CompactNode[] {
  const out: CompactNode[] = [];
  for (let i = 0; i < count; i++) out.push({ id: rng.bytes(20), ...peer(rng) });
  return out;
}
