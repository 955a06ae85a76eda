// Node ids of the Mainline DHT (BEP 5): 160-bit strings compared by XOR distance.
//
// Ids are plain `Uint8Array`s of NODE_ID_BYTES bytes, bit 0 being the most
// significant bit of byte 0. The comparison helpers here sit on the hot path of
// every lookup, so they walk the bytes in place and never allocate.

/** Length of a node id (and of an info-hash) in bytes: 160 bits, BEP 5. */
import { toHex } from '../hex.ts';

export const NODE_ID_BYTES = 20;

/** Length of a node id in bits. */
export const NODE_ID_BITS = NODE_ID_BYTES * 8;

/** A 20-byte node id (or info-hash); see `isNodeId`. */
export type NodeId = Uint8Array;

/**
 * A source of random bytes, supplied by the caller so that the protocol layer
 * stays deterministic under test. Must return at least `n` bytes.
 */
export type RandomBytes = (n: number) => Uint8Array;

const HEX_ID = /^[0-9a-fA-F]{40}$/;

/** True if `x` is a `Uint8Array` of exactly NODE_ID_BYTES bytes. */
export function isNodeId(x: unknown): x is NodeId {
  return x instanceof Uint8Array && x.length === NODE_ID_BYTES;
}

/** Parses 40 hexadecimal characters (either case) into a fresh node id. */
export function nodeIdFromHex(hex: string): NodeId {
  if (typeof hex !== 'string' || !HEX_ID.test(hex)) {
    const shown = typeof hex === 'string' ? JSON.stringify(hex.slice(0, 48)) : typeof hex;
    throw new TypeError(
      `a node id must be ${NODE_ID_BYTES * 2} hexadecimal characters, got ${shown}`,
    );
  }
  const id = new Uint8Array(NODE_ID_BYTES);
  for (let i = 0; i < NODE_ID_BYTES; i++) {
    id[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return id;
}

/** Lower-case hexadecimal form of an id (any byte length, so info-hashes work too). */
export function nodeIdToHex(id: Uint8Array): string {
  return toHex(id);
}

/** Byte-wise equality of two ids. */
export function nodeIdsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** `a XOR b`, a new array; the Kademlia distance read as a big-endian integer. */
export function xorDistance(a: NodeId, b: NodeId): Uint8Array {
  assertSameLength(a, b);
  const distance = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) distance[i] = a[i]! ^ b[i]!;
  return distance;
}

/**
 * Which of `a` and `b` is closer to `target`: -1 if `a` is, 1 if `b` is, 0 if
 * they are the same id. Equivalent to comparing `xorDistance(target, a)` with
 * `xorDistance(target, b)` as big-endian integers, without allocating them.
 */
export function compareDistance(target: NodeId, a: NodeId, b: NodeId): -1 | 0 | 1 {
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const da = a[i]! ^ t;
    const db = b[i]! ^ t;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** Number of leading bits `a` and `b` have in common: 0..160 (160 when equal). */
export function commonPrefixLength(a: NodeId, b: NodeId): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! ^ b[i]!;
    // clz32 counts over 32 bits; a byte occupies the low 8 of them.
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return a.length * 8;
}

/** The bit of `id` at `index`, counting from the most significant bit (0..159). */
export function bitAt(id: NodeId, index: number): 0 | 1 {
  return ((id[index >> 3]! >> (7 - (index & 7))) & 1) as 0 | 1;
}

/** A uniformly random id. */
export function randomNodeId(rng: RandomBytes): NodeId {
  const bytes = rng(NODE_ID_BYTES);
  if (bytes.length < NODE_ID_BYTES) {
    throw new RangeError(`rng returned ${bytes.length} bytes, ${NODE_ID_BYTES} were asked for`);
  }
  // Copy: the caller's buffer may be a reused pool or a Buffer view.
  return new Uint8Array(bytes.subarray(0, NODE_ID_BYTES));
}

/**
 * A random id whose first `prefixBits` bits equal those of `base`, the rest
 * being random. The result is in the subtree of the id space under that prefix
 * (it may equal `base`).
 */
export function randomIdInPrefix(base: NodeId, prefixBits: number, rng: RandomBytes): NodeId {
  assertPrefixBits(prefixBits);
  const id = randomNodeId(rng);
  const fullBytes = prefixBits >> 3;
  id.set(base.subarray(0, fullBytes));
  const partialBits = prefixBits & 7;
  if (partialBits !== 0) {
    const keep = (0xff00 >> partialBits) & 0xff;
    id[fullBytes] = (base[fullBytes]! & keep) | (id[fullBytes]! & ~keep & 0xff);
  }
  return id;
}

/**
 * A random id sharing exactly `prefixBits` leading bits with `base`: equal on
 * bits 0..prefixBits-1, different at bit `prefixBits`, random after it. That
 * is, an id that falls in the routing-table bucket of index `prefixBits`, which
 * is what a bucket refresh looks up (BEP 5). With `prefixBits` = 160 the only
 * such id is `base` itself, and a copy of it is returned.
 */
export function randomIdWithPrefix(base: NodeId, prefixBits: number, rng: RandomBytes): NodeId {
  const id = randomIdInPrefix(base, prefixBits, rng);
  if (prefixBits < NODE_ID_BITS) {
    const byte = prefixBits >> 3;
    const mask = 0x80 >> (prefixBits & 7);
    id[byte] = (id[byte]! & ~mask) | (~base[byte]! & mask);
  }
  return id;
}

function assertSameLength(a: Uint8Array, b: Uint8Array): void {
  if (a.length !== b.length) {
    throw new RangeError(`ids differ in length: ${a.length} and ${b.length} bytes`);
  }
}

function assertPrefixBits(prefixBits: number): void {
  if (!Number.isInteger(prefixBits) || prefixBits < 0 || prefixBits > NODE_ID_BITS) {
    throw new RangeError(`prefixBits must be an integer in 0..${NODE_ID_BITS}, got ${prefixBits}`);
  }
}
