/**
 * Compact encodings of BEP 5 and BEP 32: peers as address+port (6 or 18
 * bytes), nodes as id+address+port (26 or 38 bytes).
 */
import { formatIpv4, formatIpv6, parseIp } from './ip.ts';

export const NODE_ID_LENGTH = 20;
export const COMPACT_PEER_V4 = 6;
export const COMPACT_PEER_V6 = 18;
export const COMPACT_NODE_V4 = NODE_ID_LENGTH + COMPACT_PEER_V4; // 26
export const COMPACT_NODE_V6 = NODE_ID_LENGTH + COMPACT_PEER_V6; // 38

export interface PeerAddress {
  address: string;
  port: number;
}

export interface CompactNode extends PeerAddress {
  /** 20-byte node id; a view into the datagram it came from. */
  id: Uint8Array;
}

/** Reads a 6-byte (IPv4) or 18-byte (IPv6) compact peer; null for any other length. */
export function decodeCompactPeer(bytes: Uint8Array): PeerAddress | null {
  return readCompactPeer(bytes, 0, bytes.length);
}

/** `decodeCompactPeer` over `length` bytes of `buf` at `at`, without making a view first. */
export function readCompactPeer(buf: Uint8Array, at: number, length: number): PeerAddress | null {
  if (length === COMPACT_PEER_V4) {
    return { address: formatIpv4(buf, at), port: (buf[at + 4]! << 8) | buf[at + 5]! };
  }
  if (length === COMPACT_PEER_V6) {
    return { address: formatIpv6(buf, at), port: (buf[at + 16]! << 8) | buf[at + 17]! };
  }
  return null;
}

export function encodeCompactPeer(peer: PeerAddress): Uint8Array {
  const ip = parseIp(peer.address);
  if (ip === null) throw new TypeError(`not an IP address: ${JSON.stringify(peer.address)}`);
  checkPort(peer.port);
  const out = new Uint8Array(ip.length + 2);
  out.set(ip, 0);
  out[ip.length] = peer.port >> 8;
  out[ip.length + 1] = peer.port & 0xff;
  return out;
}

/**
 * Splits a `nodes` (family 4) or `nodes6` (family 6) string into contacts, or
 * returns null when its length is not a whole number of entries.
 */
export function decodeCompactNodes(bytes: Uint8Array, family: 4 | 6): CompactNode[] | null {
  return readCompactNodes(bytes, 0, bytes.length, family);
}

/** `decodeCompactNodes` over `buf[start..end)`; the ids are views into `buf`. */
export function readCompactNodes(
  buf: Uint8Array,
  start: number,
  end: number,
  family: 4 | 6,
): CompactNode[] | null {
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  if ((end - start) % size !== 0) return null;
  const nodes: CompactNode[] = [];
  for (let at = start; at < end; at += size) {
    const ip = at + NODE_ID_LENGTH;
    const port = (buf[at + size - 2]! << 8) | buf[at + size - 1]!;
    const address = family === 4 ? formatIpv4(buf, ip) : formatIpv6(buf, ip);
    nodes.push({ id: buf.subarray(at, ip), address, port });
  }
  return nodes;
}

/** Concatenates compact node entries; every node must be of the given family. */
export function encodeCompactNodes(nodes: readonly CompactNode[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  const out = new Uint8Array(nodes.length * size);
  nodes.forEach((node, i) => {
    if (node.id.length !== NODE_ID_LENGTH) {
      throw new RangeError(`node id has ${node.id.length} bytes, expected ${NODE_ID_LENGTH}`);
    }
    const peer = encodeCompactPeer(node);
    if (peer.length + NODE_ID_LENGTH !== size) {
      throw new TypeError(`${node.address} is not an IPv${family} address`);
    }
    out.set(node.id, i * size);
    out.set(peer, i * size + NODE_ID_LENGTH);
  });
  return out;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError(`port ${port} is not in 0..65535`);
  }
}
