/** Typed KRPC message → canonical bencoded datagram. */
import { type BEncodable, encode } from '../bencode/index.ts';
import {
  COMPACT_NODE_V4,
  COMPACT_NODE_V6,
  type CompactNode,
  NODE_ID_LENGTH,
  type PeerAddress,
} from '../net/compact.ts';
import { ipv4Number, parseIp } from '../net/ip.ts';
import { writeFields } from './fields.ts';
import { COMMON_TABLE, QUERY_TABLES, RESPONSE_TABLE, UNKNOWN_QUERY_TABLE } from './tables.ts';
import type { KrpcError, KrpcMessage, KrpcResponse, ResponseResult } from './types.ts';

/**
 * Encodes a message. Throws TypeError/RangeError when the message breaks its
 * own type (a required field missing, a node of the wrong family): that is a
 * bug in the caller, not bad input from the network.
 */
export function encodeKrpc(message: KrpcMessage): Uint8Array {
  if (message.y !== 'q') {
    const answer = encodeAnswer(message);
    if (answer !== undefined) return answer;
  }
  return encodeGeneric(message);
}

function encodeGeneric(message: KrpcMessage): Uint8Array {
  const top: Record<string, BEncodable> = { ...writeFields(message, COMMON_TABLE), t: message.t };
  switch (message.y) {
    case 'q':
      top.y = 'q';
      if (message.method === 'unknown') {
        top.q = message.name;
        top.a = writeFields(message.args, UNKNOWN_QUERY_TABLE);
      } else {
        top.q = message.method;
        top.a = writeFields(message.args, QUERY_TABLES[message.method]);
      }
      break;
    case 'r':
      top.y = 'r';
      top.r = writeFields(message.result, RESPONSE_TABLE);
      break;
    case 'e':
      top.y = 'e';
      top.e = [message.code, message.message];
      break;
  }
  return encode(top);
}

/*
 * The answer fast path. A node encodes one answer per query it receives, and
 * the generic path (an intermediate dictionary per table, a key sort, a
 * tree walk) was the largest part of answering after the send itself. This
 * writes responses and errors straight into the output, keys in their
 * canonical order, and gives up — returns undefined — on anything it does
 * not cover (BEP 33 blooms, BEP 44 fields, bigints, a field of the wrong
 * type, an address that is not a plain literal), so the generic path encodes
 * or refuses those exactly as before. Same bytes either way: the property
 * tests parse every encoding back to the same message as canonical bencode,
 * and a message has one canonical encoding.
 */

/*
 * Answers are written straight into a shared slab and handed out as views of
 * it, as Node pools small Buffers: a fresh ArrayBuffer per answer cost more
 * than the encoding itself (allocation, then its backing store again at the
 * socket and in the GC), and so did a scratch buffer copied out afterwards.
 * Only the bytes past the last answer handed out are ever written, so a view
 * stays valid for as long as anyone holds it; a held view keeps its slab
 * alive, which bounds what a kept answer can pin to SLAB_BYTES (a rare larger
 * answer gets a slab of its own).
 */
const SLAB_BYTES = 8192;
let out = new Uint8Array(SLAB_BYTES);
/** Where the answer being written starts in `out`; everything before it is handed out. */
let start = 0;
/** The write position. */
let at = 0;

/** Room for `n` more bytes: a new slab, with the answer so far moved over, when this one is full. */
function reserve(n: number): void {
  if (at + n <= out.length) return;
  const written = at - start;
  let size = SLAB_BYTES;
  while (size < written + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(out.subarray(start, at));
  out = next;
  start = 0;
  at = written;
}

/** The bytes of a key or other fixed text, once. */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const IP_KEY = latin1Bytes('2:ip');
const R_KEY = latin1Bytes('1:rd');
const E_KEY = latin1Bytes('1:eli');
const RO_ENTRY = latin1Bytes('2:roi1e');
const T_KEY = latin1Bytes('1:t');
const V_KEY = latin1Bytes('1:v');
const Y_R_END = latin1Bytes('1:y1:re');
const Y_E_END = latin1Bytes('1:y1:ee');
const ID_KEY = latin1Bytes('2:id');
const INTERVAL_KEY = latin1Bytes('8:interval');
const NODES_KEY = latin1Bytes('5:nodes');
const NODES6_KEY = latin1Bytes('6:nodes6');
const NUM_KEY = latin1Bytes('3:num');
const SAMPLES_KEY = latin1Bytes('7:samples');
const TOKEN_KEY = latin1Bytes('5:token');
const VALUES_KEY = latin1Bytes('6:valuesl');

/** Fixed bytes; a loop beats `set` for the short keys and ids this writes. */
function put(b: Uint8Array): void {
  const n = b.length;
  reserve(n);
  if (n > 32) {
    out.set(b, at);
    at += n;
    return;
  }
  for (let i = 0; i < n; i++) out[at++] = b[i]!;
}

function byte(b: number): void {
  reserve(1);
  out[at++] = b;
}

/** A non-negative safe integer in decimal, without making a string. */
function decimal(n: number): void {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  reserve(digits);
  at += digits;
  for (let i = 1; i <= digits; i++) {
    out[at - i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** `<length>:<bytes>` */
function bytes(b: Uint8Array): void {
  decimal(b.length);
  byte(0x3a); // ':'
  put(b);
}

/** `<n>e` of a bencoded integer, whose `i` the caller wrote. */
function integerBody(n: number): void {
  if (n < 0) {
    byte(0x2d); // '-'
    n = -n;
  }
  decimal(n);
  byte(0x65); // 'e'
}

/** Encodes a response or an error, or returns undefined for the generic path. */
function encodeAnswer(message: KrpcResponse | KrpcError): Uint8Array | undefined {
  const { t, v, ip } = message;
  if (!(t instanceof Uint8Array) || (v !== undefined && !(v instanceof Uint8Array))) return;
  at = start;
  byte(0x64); // 'd'
  if (message.y === 'e' && !writeError(message)) return;
  if (ip !== undefined) {
    put(IP_KEY);
    if (!compactPeer(ip)) return;
  }
  if (message.y === 'r') {
    put(R_KEY);
    if (!writeResult(message.result)) return;
    byte(0x65); // 'e'
  }
  if (message.ro === true) put(RO_ENTRY);
  put(T_KEY);
  bytes(t);
  if (v !== undefined) {
    put(V_KEY);
    bytes(v);
  }
  put(message.y === 'r' ? Y_R_END : Y_E_END);
  return handOut();
}

/** The answer just written, as a view; the next one starts after it. */
function handOut(): Uint8Array {
  const answer = out.subarray(start, at);
  if (out.length > SLAB_BYTES) {
    // A slab grown for one large answer is that answer's alone.
    out = new Uint8Array(SLAB_BYTES);
    start = 0;
  } else {
    start = at;
  }
  return answer;
}

/** `e`: [code, message]. */
function writeError(message: KrpcError): boolean {
  if (!Number.isSafeInteger(message.code) || !(message.message instanceof Uint8Array)) return false;
  put(E_KEY);
  integerBody(message.code);
  bytes(message.message);
  byte(0x65); // 'e'
  return true;
}

/** The `r` dictionary's entries, in canonical key order. */
function writeResult(result: ResponseResult): boolean {
  if (typeof result !== 'object' || result === null) return false;
  // Fields the fast path does not write send the message the generic way. Named, not
  // looped over by name: a keyed lookup of absent properties cost more than the rest.
  if (
    result.bfsd !== undefined ||
    result.bfpe !== undefined ||
    result.value !== undefined ||
    result.k !== undefined ||
    result.sig !== undefined ||
    result.seq !== undefined
  )
    return false;
  const { id, interval, nodes, nodes6, num, samples, token, values } = result;
  if (!(id instanceof Uint8Array)) return false;
  put(ID_KEY);
  bytes(id);
  if (interval !== undefined) {
    if (!Number.isSafeInteger(interval)) return false;
    put(INTERVAL_KEY);
    byte(0x69); // 'i'
    integerBody(interval);
  }
  if (nodes !== undefined && !compactNodes(NODES_KEY, nodes, 4)) return false;
  if (nodes6 !== undefined && !compactNodes(NODES6_KEY, nodes6, 6)) return false;
  if (num !== undefined) {
    if (!Number.isSafeInteger(num)) return false;
    put(NUM_KEY);
    byte(0x69); // 'i'
    integerBody(num);
  }
  if (samples !== undefined) {
    if (!(samples instanceof Uint8Array)) return false;
    put(SAMPLES_KEY);
    bytes(samples);
  }
  if (token !== undefined) {
    if (!(token instanceof Uint8Array)) return false;
    put(TOKEN_KEY);
    bytes(token);
  }
  if (values !== undefined) {
    if (!Array.isArray(values)) return false;
    put(VALUES_KEY);
    for (const peer of values) if (!compactPeer(peer)) return false;
    byte(0x65); // 'e'
  }
  return true;
}

/** `key` and compact node info of one family; false on anything `encodeCompactNodes` would refuse. */
function compactNodes(key: Uint8Array, nodes: readonly CompactNode[], family: 4 | 6): boolean {
  if (!Array.isArray(nodes)) return false;
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  put(key);
  decimal(nodes.length * size);
  byte(0x3a); // ':'
  reserve(nodes.length * size);
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) return false;
    const id: unknown = node.id;
    if (!(id instanceof Uint8Array) || id.length !== NODE_ID_LENGTH) return false;
    put(id);
    const before = at;
    if (!address(node) || at - before !== size - NODE_ID_LENGTH) return false;
  }
  return true;
}

/** One compact peer as a byte string (BEP 42 `ip`, an entry of `values`). */
function compactPeer(peer: PeerAddress): boolean {
  if (typeof peer !== 'object' || peer === null || typeof peer.address !== 'string') return false;
  if (peer.address.includes(':')) {
    byte(0x31); // "18:"
    byte(0x38);
  } else {
    byte(0x36); // "6:"
  }
  byte(0x3a);
  return address(peer);
}

/** Address and port bytes, as `encodeCompactPeer` writes them; false where it would throw. */
function address(peer: PeerAddress): boolean {
  const { port } = peer;
  if (typeof peer.address !== 'string' || !Number.isInteger(port) || port < 0 || port > 0xffff)
    return false;
  reserve(18);
  if (peer.address.includes(':')) {
    const ip = parseIp(peer.address);
    if (ip === null) return false;
    put(ip);
  } else {
    const ip = ipv4Number(peer.address);
    if (ip < 0) return false;
    out[at++] = ip >>> 24;
    out[at++] = (ip >>> 16) & 0xff;
    out[at++] = (ip >>> 8) & 0xff;
    out[at++] = ip & 0xff;
  }
  out[at++] = port >> 8;
  out[at++] = port & 0xff;
  return true;
}
