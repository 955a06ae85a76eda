// BEP 42, "DHT Security extension": a node id must start with 21 bits derived
// from the node's external IP address, so that whoever wants many ids near one
// target needs many addresses spread over many networks, not just many ids.
//
// The derivation: mask the address so that only a few bits of its network part
// count (fewer the higher up the hierarchy, so one /8 yields few prefixes), put
// a 3-bit `r` in the top bits, CRC-32C the result. `r` is stored in the low 3
// bits of the id's last byte, which is how a verifier recomputes the prefix.
// One address therefore allows exactly 8 prefixes, one per `r`.

import type { NodeId, RandomBytes } from '../kademlia/node-id.ts';
import { NODE_ID_BYTES, randomNodeId } from '../kademlia/node-id.ts';
import { ipv4Number, parseIp } from '../net/ip.ts';
import { crc32c } from './crc32c.ts';

/** How many leading id bits BEP 42 ties to the address. */
export const BEP42_PREFIX_BITS = 21;

/** `r` takes the values 0..7: the BEP allows 8 prefixes per address. */
export const BEP42_R_VALUES = 8;

// BEP 42 masks 0x030f3fff (IPv4) and 0x0103070f1f3f7fff (IPv6, high 64 bits),
// written out per byte in network order.
const IPV4_MASK = Uint8Array.of(0x03, 0x0f, 0x3f, 0xff);
const IPV6_MASK = Uint8Array.of(0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff);

/**
 * The CRC-32C that BEP 42 derives from `ip` and `r`, as an unsigned 32-bit
 * integer. Only its top 21 bits constrain a node id (`>>> 11` to get them).
 *
 * `ip` is 4 or 16 bytes in network order; an IPv4-mapped IPv6 address
 * (`::ffff:a.b.c.d`) is taken as the IPv4 address it carries, since that is
 * the address the node has on the IPv4 DHT.
 */
export function bep42Prefix(ip: Uint8Array, r: number): number {
  if (!Number.isInteger(r) || r < 0 || r >= BEP42_R_VALUES) {
    throw new RangeError(`r must be an integer in 0..7, got ${r}`);
  }
  const address = bep42Address(ip);
  const mask = address.length === 4 ? IPV4_MASK : IPV6_MASK;
  // IPv6 hashes only the high 8 bytes: the low 64 bits are the interface id,
  // which the holder of a /64 chooses freely.
  const input = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) input[i] = address[i]! & mask[i]!;
  // `r << 29` (IPv4) and `r << 61` (IPv6) both land in the top 3 bits of the
  // big-endian input, that is of its first byte.
  input[0] = input[0]! | (r << 5);
  return crc32c(input);
}

/**
 * The 8 prefixes an address may use, index `r` holding the one for that `r`,
 * each as a 21-bit integer (the id's first 21 bits read big-endian). A node
 * that wants ids in several parts of the key space while staying BEP 42-valid
 * can only pick among these.
 */
export function allowedPrefixes(ip: Uint8Array): number[] {
  const prefixes: number[] = [];
  for (let r = 0; r < BEP42_R_VALUES; r++) prefixes.push(bep42Prefix(ip, r) >>> 11);
  return prefixes;
}

/**
 * True for addresses BEP 42 exempts from the check ("any peer on a local
 * network address"): 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8.
 *
 * The BEP lists only IPv4 blocks. For IPv6 we exempt the equivalents: loopback
 * ::1, unique-local fc00::/7, link-local fe80::/10 and the deprecated
 * site-local fec0::/10 (libtorrent's `is_local` exempts the same ones). An ID
 * computed from such an address says nothing about the node's public address,
 * so checking it would only reject honest LAN peers.
 */
export function isBep42Exempt(ip: Uint8Array): boolean {
  const a = bep42Address(ip);
  const first = a[0]!;
  const second = a[1]!;
  if (a.length === 4) {
    return (
      first === 10 ||
      first === 127 ||
      (first === 172 && (second & 0xf0) === 16) ||
      (first === 192 && second === 168) ||
      (first === 169 && second === 254)
    );
  }
  const isLoopback = a.subarray(0, 15).every((byte) => byte === 0) && a[15] === 1;
  const isUniqueLocal = (first & 0xfe) === 0xfc;
  const isLinkLocal = first === 0xfe && (second & 0xc0) === 0x80;
  const isSiteLocal = first === 0xfe && (second & 0xc0) === 0xc0;
  return isLoopback || isUniqueLocal || isLinkLocal || isSiteLocal;
}

/** Why an id failed the check. */
export type NodeIdCheckFailure = 'prefix-mismatch';

/**
 * Outcome of `checkNodeId`. An exempt address always passes (`valid` and
 * `exempt` both true): BEP 42 does not verify local addresses at all.
 */
export interface NodeIdCheck {
  valid: boolean;
  exempt: boolean;
  reason?: NodeIdCheckFailure;
}

/**
 * Checks `id` against the address it was seen from: its first 21 bits must
 * equal those of `bep42Prefix(ip, r)`, with `r` the low 3 bits of its last
 * byte. A wrong `r` therefore shows up as a prefix mismatch too.
 */
export function checkNodeId(id: NodeId, ip: Uint8Array): NodeIdCheck {
  assertNodeId(id);
  if (isBep42Exempt(ip)) return { valid: true, exempt: true };
  const r = id[NODE_ID_BYTES - 1]! & 0x07;
  if (idPrefix(id) === bep42Prefix(ip, r) >>> 11) return { valid: true, exempt: false };
  return { valid: false, exempt: false, reason: 'prefix-mismatch' };
}

/** BEP 42's verdict on a node id seen from `address`; undefined when `address` is not an IP literal. */
export type Bep42Verdict = 'valid' | 'invalid' | 'exempt';

/** Where `bep42Verdict` reads a dotted quad's bytes. */
const V4_SCRATCH = new Uint8Array(4);

export function bep42Verdict(id: NodeId, address: string): Bep42Verdict | undefined {
  // The sensor asks this for every query it records: a dotted quad is read into
  // one reused array instead of a fresh one (checkNodeId keeps nothing).
  const v4 = ipv4Number(address);
  let ip: Uint8Array | null;
  if (v4 >= 0) {
    ip = V4_SCRATCH;
    ip[0] = v4 >>> 24;
    ip[1] = (v4 >>> 16) & 0xff;
    ip[2] = (v4 >>> 8) & 0xff;
    ip[3] = v4 & 0xff;
  } else ip = parseIp(address);
  if (ip === null) return undefined;
  const check = checkNodeId(id, ip);
  return check.exempt ? 'exempt' : check.valid ? 'valid' : 'invalid';
}

/**
 * A fresh BEP 42-valid id for `ip`: random except for the 21-bit prefix, which
 * follows from the random `r` in the low 3 bits of the last byte. Which of the
 * 8 allowed prefixes comes out is thus up to `rng`.
 */
export function generateNodeId(ip: Uint8Array, rng: RandomBytes): NodeId {
  const id = randomNodeId(rng);
  const r = id[NODE_ID_BYTES - 1]! & 0x07;
  const crc = bep42Prefix(ip, r);
  id[0] = crc >>> 24;
  id[1] = (crc >>> 16) & 0xff;
  // Only the top 5 bits of the third byte are constrained; keep the rest random.
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x07);
  return id;
}

/** The first 21 bits of an id as an integer, comparable with `crc >>> 11`. */
function idPrefix(id: NodeId): number {
  return (id[0]! << 13) | (id[1]! << 5) | (id[2]! >>> 3);
}

/** The bytes BEP 42 works on: IPv4 as is, IPv4-mapped IPv6 unwrapped, IPv6 as is. */
function bep42Address(ip: Uint8Array): Uint8Array {
  if (ip.length === 4) return ip;
  if (ip.length !== 16) {
    throw new RangeError(`an IP address has 4 or 16 bytes, not ${ip.length}`);
  }
  const isV4Mapped =
    ip.subarray(0, 10).every((byte) => byte === 0) && ip[10] === 0xff && ip[11] === 0xff;
  return isV4Mapped ? ip.subarray(12) : ip;
}

function assertNodeId(id: Uint8Array): void {
  if (id.length !== NODE_ID_BYTES) {
    throw new RangeError(`a node id has ${NODE_ID_BYTES} bytes, not ${id.length}`);
  }
}
