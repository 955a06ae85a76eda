/**
 * Content signatures for BitTorrent UDP traffic that carries no peer list
 * (uTP, DHT-like dictionaries): a datagram that matches tells that its
 * endpoints speak BitTorrent, as the paper's BTUDP analyzer does with
 * libprotoident's signatures. All checks read bytes in place; none allocates.
 */

const D = 0x64; // 'd'
const L = 0x6c; // 'l'
const I = 0x69; // 'i'
const E = 0x65; // 'e'
const COLON = 0x3a;

/** Deepest nesting followed before a datagram is called not bencode. */
const MAX_DEPTH = 16;

/**
 * What a bencoded datagram is: 'dht' for a dictionary whose `y` is q, r or e
 * (KRPC, BEP 5), 'dht_like' for any other dictionary that spans the datagram
 * (other DHTs and extensions speak bencode too), undefined otherwise.
 */
export function bencodeKind(b: Uint8Array): 'dht' | 'dht_like' | undefined {
  if (b.length < 2 || b[0] !== D) return undefined;
  let p = 1;
  let krpc = false;
  while (p < b.length && b[p] !== E) {
    const keyStart = stringStart(b, p);
    if (keyStart < 0) return undefined;
    const keyEnd = stringEnd(b, p, keyStart);
    if (keyEnd < 0) return undefined;
    const isY = keyEnd - keyStart === 1 && b[keyStart] === 0x79;
    const valueEnd = skipValue(b, keyEnd, 1);
    if (valueEnd < 0) return undefined;
    // "1:q", "1:r" or "1:e"
    if (isY && valueEnd - keyEnd === 3 && b[keyEnd] === 0x31 && b[keyEnd + 1] === COLON) {
      const y = b[keyEnd + 2];
      krpc = y === 0x71 || y === 0x72 || y === E;
    }
    p = valueEnd;
  }
  if (p !== b.length - 1) return undefined;
  return krpc ? 'dht' : 'dht_like';
}

/** Offset of a string's first data byte given its length prefix at p, or -1. */
function stringStart(b: Uint8Array, p: number): number {
  const c = b[p];
  if (c === undefined || c < 0x30 || c > 0x39) return -1;
  let q = p;
  while (q < b.length && q - p <= 6 && b[q]! >= 0x30 && b[q]! <= 0x39) q++;
  return b[q] === COLON ? q + 1 : -1;
}

function stringEnd(b: Uint8Array, p: number, start: number): number {
  let length = 0;
  for (let q = p; q < start - 1; q++) length = length * 10 + (b[q]! - 0x30);
  const end = start + length;
  return end <= b.length ? end : -1;
}

/** Offset after the value at p, or -1. */
function skipValue(b: Uint8Array, p: number, depth: number): number {
  if (depth > MAX_DEPTH || p >= b.length) return -1;
  const c = b[p]!;
  if (c === I) {
    let q = p + 1;
    if (b[q] === 0x2d) q++;
    const digits = q;
    while (q < b.length && b[q]! >= 0x30 && b[q]! <= 0x39) q++;
    return q > digits && b[q] === E ? q + 1 : -1;
  }
  if (c === L || c === D) {
    let q = p + 1;
    while (q < b.length && b[q] !== E) {
      if (c === D) {
        const keyStart = stringStart(b, q);
        if (keyStart < 0) return -1;
        q = stringEnd(b, q, keyStart);
        if (q < 0) return -1;
      }
      q = skipValue(b, q, depth + 1);
      if (q < 0) return -1;
    }
    return q < b.length ? q + 1 : -1;
  }
  const start = stringStart(b, p);
  return start < 0 ? -1 : stringEnd(b, p, start);
}

/** uTP packet types (BEP 29): ST_DATA, ST_FIN, ST_STATE, ST_RESET, ST_SYN. */
const ST_DATA = 0;
const ST_SYN = 4;
const UTP_HEADER = 20;
const EXT_SELECTIVE_ACK = 1;
const EXT_BITS = 2;

/**
 * A uTP packet (BEP 29): version 1 and a type 0–4 in the first byte, a
 * non-zero connection id, a chain of known extensions that ends inside the
 * datagram, a payload only on ST_DATA, and a non-zero receive window on
 * ST_SYN (libutp, libtorrent and µTorrent all advertise one). Connection ids
 * are not followed across a flow: a stateless check keeps classification
 * free of per-flow memory.
 */
export function isUtp(b: Uint8Array): boolean {
  if (b.length < UTP_HEADER) return false;
  const first = b[0]!;
  if ((first & 0x0f) !== 1) return false;
  const type = first >> 4;
  if (type > ST_SYN) return false;
  // Connection ids are random 16-bit numbers; 0 is what look-alikes carry there
  // (a WireGuard handshake starts 01 00 00 00, which is otherwise an ST_DATA header).
  if (b[2] === 0 && b[3] === 0) return false;
  let extension = b[1]!;
  let p = UTP_HEADER;
  for (let hops = 0; extension !== 0; hops++) {
    if (hops > 4 || (extension !== EXT_SELECTIVE_ACK && extension !== EXT_BITS)) return false;
    if (p + 2 > b.length) return false;
    const next = b[p]!;
    const length = b[p + 1]!;
    if (extension === EXT_SELECTIVE_ACK && (length < 4 || length % 4 !== 0)) return false;
    if (extension === EXT_BITS && length !== 8) return false;
    p += 2 + length;
    if (p > b.length) return false;
    extension = next;
  }
  if (type === ST_DATA) return p < b.length;
  if (p !== b.length) return false;
  if (type === ST_SYN) return (b[12]! | b[13]! | b[14]! | b[15]!) !== 0;
  return true;
}
