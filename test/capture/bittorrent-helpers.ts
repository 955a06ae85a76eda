/** Shared pieces of the BitTorrent extractor tests: a collecting extractor, datagrams, streams. */
import {
  BitTorrentExtractor,
  type BitTorrentExtractorOptions,
  type BitTorrentPrediction,
} from '../../src/capture/bittorrent/index.ts';
import type { TcpStreamRef, UdpDatagram } from '../../src/capture/types.ts';
import { parseIp } from '../../src/protocol/net/ip.ts';

export interface Harness {
  extractor: BitTorrentExtractor;
  predictions: BitTorrentPrediction[];
  /** `host peer port source contact` per prediction, in order. */
  lines(): string[];
}

export function harness(options: Partial<BitTorrentExtractorOptions> = {}): Harness {
  const predictions: BitTorrentPrediction[] = [];
  const extractor = new BitTorrentExtractor((p) => predictions.push(p), options);
  return {
    extractor,
    predictions,
    lines: () => predictions.map((p) => `${p.host} ${p.peer} ${p.port} ${p.source} ${p.contact}`),
  };
}

export function datagram(
  src: string,
  srcPort: number,
  dst: string,
  dstPort: number,
  payload: Uint8Array,
  ts = 1_000_000,
): UdpDatagram {
  return { ts, src, srcPort, dst, dstPort, srcId: addressId(src), dstId: addressId(dst), payload };
}

/** Numbers for address texts, as the analyzer's address table gives them: one per distinct text. */
const addressIds = new Map<string, number>();
function addressId(text: string): number {
  let id = addressIds.get(text);
  if (id === undefined) {
    id = addressIds.size;
    addressIds.set(text, id);
  }
  return id;
}

let nextStreamId = 1;
export function tcpStream(
  initiator: string,
  initiatorPort: number,
  responder: string,
  responderPort: number,
): TcpStreamRef {
  return { id: nextStreamId++, initiator, initiatorPort, responder, responderPort };
}

/** `address:port` as compact bytes (6 or 18). */
export function compact(address: string, port: number): Uint8Array {
  const ip = parseIp(address);
  if (ip === null) throw new Error(`bad address ${address}`);
  const out = new Uint8Array(ip.length + 2);
  out.set(ip);
  out[ip.length] = port >> 8;
  out[ip.length + 1] = port & 0xff;
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function u32be(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export function u16be(n: number): Uint8Array {
  return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]);
}

/** One direction's bytes of a conversation, in order. */
export type Turn = [fromInitiator: boolean, bytes: Uint8Array];

/**
 * Feeds a conversation to the extractor with every turn cut at `cut` (and at
 * most `chunk` bytes a segment), the way a reassembler hands out bytes.
 */
export function feed(
  extractor: BitTorrentExtractor,
  stream: TcpStreamRef,
  turns: Turn[],
  cut?: number,
  ts = 2_000_000,
): void {
  for (const [fromInitiator, bytes] of turns) {
    // Copies into a reused buffer, as the reader does: the extractor must not keep views.
    const pieces =
      cut === undefined || cut <= 0 || cut >= bytes.length
        ? [bytes]
        : [bytes.subarray(0, cut), bytes.subarray(cut)];
    for (const piece of pieces) {
      const scratch = new Uint8Array(piece.length + 8);
      scratch.set(piece, 4);
      extractor.tcpData(stream, fromInitiator, ts, scratch.subarray(4, 4 + piece.length));
      scratch.fill(0xee);
    }
  }
  extractor.tcpEnd(stream);
}

/** A UDP datagram for a pcap file. */
export interface PcapDatagram {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Uint8Array;
}

/** A classic pcap (Ethernet, IPv4 or IPv6, UDP) holding `datagrams`, one a millisecond. */
export function pcapOf(datagrams: PcapDatagram[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 65535, true);
  header.setUint32(20, 1, true); // Ethernet
  parts.push(new Uint8Array(header.buffer));
  datagrams.forEach((d, i) => {
    const v6 = d.src.includes(':');
    const src = parseIp(d.src)!;
    const dst = parseIp(d.dst)!;
    const udpLength = 8 + d.payload.length;
    const ipHeader = v6 ? 40 : 20;
    const frame = new Uint8Array(14 + ipHeader + udpLength);
    const f = new DataView(frame.buffer);
    f.setUint16(12, v6 ? 0x86dd : 0x0800);
    if (v6) {
      f.setUint32(14, 0x60000000);
      f.setUint16(18, udpLength);
      frame[20] = 17;
      frame[21] = 64;
      frame.set(src, 22);
      frame.set(dst, 38);
    } else {
      f.setUint8(14, 0x45);
      f.setUint16(16, 20 + udpLength);
      frame[22] = 64;
      frame[23] = 17;
      frame.set(src, 26);
      frame.set(dst, 30);
    }
    const u = 14 + ipHeader;
    f.setUint16(u, d.srcPort);
    f.setUint16(u + 2, d.dstPort);
    f.setUint16(u + 4, udpLength);
    frame.set(d.payload, u + 8);
    const record = new DataView(new ArrayBuffer(16));
    record.setUint32(0, 1_700_000_000 + Math.floor(i / 1000), true);
    record.setUint32(4, (i % 1000) * 1000, true);
    record.setUint32(8, frame.length, true);
    record.setUint32(12, frame.length, true);
    parts.push(new Uint8Array(record.buffer), frame);
  });
  return concat(...parts);
}

/*
 * Vuze DHT packets, written from the wire format (big-endian; fields present
 * from the protocol version noted). Version 50 has the vendor id (≥ 14) and
 * network id (≥ 9); packet flags come at 51 and 53.
 */
const CONNECTION_ID = new Uint8Array([0x80 | 0x12, 0x34, 0, 0, 0, 0, 0, 1]); // top bit set

export function vuzeReplyHeader(action: number, transaction: number, version = 50): Uint8Array {
  return concat(
    u32be(action),
    u32be(transaction),
    CONNECTION_ID,
    new Uint8Array([version, 0]), // protocol version, vendor id
    u32be(0), // network id
    u32be(99), // instance id
    new Uint8Array(version >= 53 ? 2 : version >= 51 ? 1 : 0), // packet flags
  );
}

export function vuzeRequestHeader(action: number, transaction: number, version = 50): Uint8Array {
  return concat(
    CONNECTION_ID,
    u32be(action),
    u32be(transaction),
    new Uint8Array([version, 0]), // protocol version, vendor id
    u32be(0), // network id
    new Uint8Array([version]), // local protocol version
    new Uint8Array([4, 10, 0, 0, 2]),
    u16be(7000), // local address
    u32be(99), // instance id
    new Uint8Array(8), // time
    new Uint8Array(version >= 53 ? 2 : version >= 51 ? 1 : 0), // packet flags
  );
}

export function vuzeContact(address: string, port: number): Uint8Array {
  const bytes = compact(address, port);
  return concat(new Uint8Array([1, 50, bytes.length - 2]), bytes);
}

export function vuzeValue(text: string, originator: string, port: number): Uint8Array {
  return concat(
    u32be(1), // value version
    new Uint8Array(8), // created
    u16be(text.length),
    new TextEncoder().encode(text),
    vuzeContact(originator, port),
    new Uint8Array([1, 12, 3]), // flags, life hours, replication factor
  );
}

/** A find-node reply (version ≥ 15): spoof id, node type, DHT size, one coordinate, contacts. */
export function vuzeFindNodeReply(
  transaction: number,
  contacts: [string, number][],
  version = 50,
): Uint8Array {
  return concat(
    vuzeReplyHeader(1029, transaction, version),
    u32be(0x1234), // spoof id
    u32be(1), // node type: ordinary
    u32be(1_000_000), // estimated DHT size
    new Uint8Array([1, 1, 16]), // one network coordinate: Vivaldi, 16 bytes
    new Uint8Array(16),
    u16be(contacts.length),
    ...contacts.map(([address, port]) => vuzeContact(address, port)),
  );
}
