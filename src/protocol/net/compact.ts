/**
 * Compact encodings of BEP 5 and BEP 32: peers as address+port (6 or 18
 * bytes), nodes as id+address+port (26 or 38 bytes).
 */
import { formatIp, formatIpv4, parseIp } from './ip.ts';

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
  if (bytes.length === COMPACT_PEER_V4) {
    return { address: formatIpv4(bytes, 0), port: (bytes[4]! << 8) | bytes[5]! };
  }
  if (bytes.length === COMPACT_PEER_V6) {
    return { address: formatIp(bytes.subarray(0, 16)), port: (bytes[16]! << 8) | bytes[17]! };
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
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  if (bytes.length % size !== 0) return null;
  const nodes: CompactNode[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const peer = decodeCompactPeer(bytes.subarray(at + NODE_ID_LENGTH, at + size))!;
    nodes.push({
      id: bytes.subarray(at, at + NODE_ID_LENGTH),
      address: peer.address,
      port: peer.port,
    });
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
