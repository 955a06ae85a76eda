/**
 * A guided look at the wire protocol for `dhtscope demo`: bencode, a KRPC
 * exchange, a routing table answering "who is closest?", BEP 42 ids, BEP 33
 * bloom filters and what hostile bytes turn into. Everything is computed
 * from a seed, so the same seed prints the same tour.
 */
import pc from 'picocolors';
import { decode, encode } from '../protocol/bencode/index.ts';
import { toHex } from '../protocol/hex.ts';
import { commonPrefixLength, nodeIdToHex, RoutingTable } from '../protocol/kademlia/index.ts';
import { encodeKrpc, type KrpcMessage, parseKrpc } from '../protocol/krpc/index.ts';
import { formatIp } from '../protocol/net/ip.ts';
import { seededRandomBytes } from '../protocol/random.ts';
import { checkNodeId, generateNodeId } from '../protocol/security/bep42.ts';
import { ScrapeBloom } from '../protocol/swarm/bloom.ts';
import { renderParseResult } from './krpc-view.ts';

export interface TourOptions {
  seed: number;
  /** Contacts to put in the demo routing table. */
  contacts: number;
}

export const TOUR_DEFAULTS: TourOptions = { seed: 42, contacts: 2000 };

/** The tour as sections of text, in order. */
export function protocolTour(options: TourOptions = TOUR_DEFAULTS): string[] {
  const rng = seededRandomBytes(options.seed);
  const ourAddress = Uint8Array.of(203, 0, 113, 7); // TEST-NET-3, documentation only
  const ourId = generateNodeId(ourAddress, rng);
  const infoHash = rng(20);
  return [
    bencodeSection(),
    krpcSection(ourId, infoHash, ourAddress),
    routingSection(ourId, infoHash, rng, options.contacts),
    bep42Section(ourId, ourAddress, rng),
    bloomSection(),
    hostileSection(ourId, infoHash),
  ];
}

function heading(n: number, title: string): string {
  return pc.bold(`${n}. ${title}`);
}

function bencodeSection(): string {
  const bytes = encode({ spam: ['a', 'b'], cow: 'moo', n: 42 });
  const sloppy = new TextEncoder().encode('d1:bi1e1:ai2ee');
  const result = decode(sloppy);
  return [
    heading(1, 'bencode (BEP 3): the byte format of every DHT message'),
    `  {spam: [a, b], cow: moo, n: 42}  →  ${new TextDecoder().decode(bytes)}`,
    '  keys are sorted by raw bytes; integers are i...e; strings are <length>:<bytes>',
    `  non-canonical input is accepted but reported: d1:bi1e1:ai2ee → ${
      result.ok
        ? `${result.nonCanonical?.reason} at byte ${result.nonCanonical?.offset}`
        : result.reason
    }`,
  ].join('\n');
}

function krpcSection(ourId: Uint8Array, infoHash: Uint8Array, ourAddress: Uint8Array): string {
  const query: KrpcMessage = {
    y: 'q',
    t: Uint8Array.of(0x6a, 0x71),
    v: Uint8Array.of(0x4c, 0x54, 0x02, 0x00),
    method: 'get_peers',
    args: { id: ourId, infoHash, want: ['n4'] },
  };
  const datagram = encodeKrpc(query);
  const parsed = parseKrpc(datagram);
  return [
    heading(2, 'KRPC (BEP 5): a get_peers query as it crosses the wire'),
    `  ${toHex(datagram)}`,
    indent(renderParseResult(datagram, parsed, { from: formatIp(ourAddress) })),
  ].join('\n');
}

function routingSection(
  ourId: Uint8Array,
  infoHash: Uint8Array,
  rng: (n: number) => Uint8Array,
  n: number,
): string {
  const table = new RoutingTable(ourId);
  const now = 0;
  for (let i = 0; i < n; i++) {
    const ip = rng(4);
    table.heardFrom(
      { id: rng(20), address: formatIp(ip), port: 1024 + (i % 60000) },
      'response',
      now,
    );
  }
  const closest = table.closest(infoHash, 8);
  return [
    heading(3, 'Kademlia: a routing table and the 8 nodes closest to an infohash'),
    `  our id       ${nodeIdToHex(ourId)}`,
    `  heard from ${n} random nodes → kept ${table.size} in ${table.bucketCount} buckets (k = 8 per bucket)`,
    `  infohash     ${nodeIdToHex(infoHash)}`,
    '  closest known nodes (shared prefix bits with the infohash, then the id):',
    ...closest.map(
      (c) => `    ${String(commonPrefixLength(c.id, infoHash)).padStart(3)}  ${nodeIdToHex(c.id)}`,
    ),
    pc.dim('  a lookup would now ask these 8, learn closer ones from their answers, and repeat'),
  ].join('\n');
}

function bep42Section(
  ourId: Uint8Array,
  ourAddress: Uint8Array,
  rng: (n: number) => Uint8Array,
): string {
  const stranger = rng(20);
  const forged = Uint8Array.from(ourId);
  forged[0] = forged[0]! ^ 0x80;
  const verdict = (id: Uint8Array) =>
    checkNodeId(id, ourAddress).valid ? pc.green('valid') : pc.yellow('invalid');
  return [
    heading(4, `BEP 42: node ids bound to the address ${formatIp(ourAddress)}`),
    `  generated id   ${toHex(ourId)}  ${verdict(ourId)}`,
    `  random id      ${toHex(stranger)}  ${verdict(stranger)}`,
    `  one bit off    ${toHex(forged)}  ${verdict(forged)}`,
    pc.dim(
      '  the first 21 bits come from CRC32C of the masked address, so one address gets only 8 prefixes',
    ),
  ].join('\n');
}

function bloomSection(): string {
  const bloom = new ScrapeBloom();
  for (let i = 0; i < 500; i++) bloom.insert(Uint8Array.of(198, 51, 100 + (i >> 8), i & 0xff));
  return [
    heading(5, 'BEP 33: counting a swarm with a 256-byte bloom filter'),
    `  500 peers inserted → estimated ${bloom.estimateCount().toFixed(1)}`,
  ].join('\n');
}

function hostileSection(ourId: Uint8Array, infoHash: Uint8Array): string {
  const good = encodeKrpc({
    y: 'q',
    t: Uint8Array.of(1, 2),
    method: 'get_peers',
    args: { id: ourId, infoHash },
  });
  const truncated = good.subarray(0, good.length - 9);
  // Written through the unknown-method path so the encoder lets the required info_hash be absent.
  const missingHash = encodeKrpc({
    y: 'q',
    t: Uint8Array.of(1, 2),
    method: 'unknown',
    name: new TextEncoder().encode('get_peers'),
    args: { id: ourId },
  });
  const lines = [heading(6, 'hostile bytes become data, never crashes')];
  for (const [what, bytes] of [
    ['a truncated datagram', truncated],
    ['get_peers without info_hash', missingHash],
  ] as const) {
    const result = parseKrpc(bytes);
    lines.push(`  ${what.padEnd(28)} → ${result.ok ? 'accepted' : pc.yellow(result.reason)}`);
  }
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
