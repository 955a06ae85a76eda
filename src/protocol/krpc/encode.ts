/** Typed KRPC message → canonical bencoded datagram. */
import { type BEncodable, encode } from '../bencode/index.ts';
import {
  COMPACT_NODE_V4,
  COMPACT_NODE_V6,
  type CompactNode,
  NODE_ID_LENGTH,
  type PeerAddress,
} from '../net/compact.ts';
import { parseIp } from '../net/ip.ts';
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
 * writes responses and errors straight into a scratch buffer, keys in their
 * canonical order, and gives up — returns undefined — on anything it does
 * not cover (BEP 33 blooms, BEP 44 fields, bigints, a field of the wrong
 * type, an address that is not a plain literal), so the generic path encodes
 * or refuses those exactly as before. Same bytes either way: the tests encode
 * both ways and compare.
 */

/** A response field the fast path does not write: its presence sends the message the generic way. */
const SLOW_RESULT_FIELDS = ['bfsd', 'bfpe', 'value', 'k', 'sig', 'seq'] as const;

let scratch = new Uint8Array(2048);
let at = 0;

/** Room for `n` more bytes. */
function reserve(n: number): void {
  if (at + n <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < at + n) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(scratch.subarray(0, at));
  scratch = grown;
}

/** Characters below U+0080 as bytes (keys, lengths, integers). */
function ascii(s: string): void {
  reserve(s.length);
  for (let i = 0; i < s.length; i++) scratch[at++] = s.charCodeAt(i);
}

function bytes(b: Uint8Array): void {
  ascii(String(b.length));
  reserve(b.length + 1);
  scratch[at++] = 0x3a; // ':'
  scratch.set(b, at);
  at += b.length;
}

function byte(b: number): void {
  reserve(1);
  scratch[at++] = b;
}

function integer(n: number): void {
  ascii(`i${n}e`);
}

/** Encodes a response or an error, or returns undefined for the generic path. */
function encodeAnswer(message: KrpcResponse | KrpcError): Uint8Array | undefined {
  const { t, v, ip } = message;
  if (!(t instanceof Uint8Array) || (v !== undefined && !(v instanceof Uint8Array))) return;
  // A rare huge answer should not pin a huge buffer for ever.
  if (scratch.length > 1 << 20) scratch = new Uint8Array(2048);
  at = 0;
  reserve(64);
  scratch[at++] = 0x64; // 'd'
  if (message.y === 'e' && !writeError(message)) return;
  if (ip !== undefined) {
    ascii('2:ip');
    if (!compactPeer(ip)) return;
  }
  if (message.y === 'r') {
    ascii('1:rd');
    if (!writeResult(message.result)) return;
    byte(0x65); // 'e'
  }
  if (message.ro === true) ascii('2:roi1e');
  ascii('1:t');
  bytes(t);
  if (v !== undefined) {
    ascii('1:v');
    bytes(v);
  }
  ascii(message.y === 'r' ? '1:y1:re' : '1:y1:ee');
  return copyOut();
}

/*
 * Answers are handed out as views into a shared slab that is only ever
 * appended to, as Node pools small Buffers: a fresh ArrayBuffer per answer
 * cost more than the encoding itself (allocation, then its backing store
 * again at the socket and in the GC). Bytes handed out are never written
 * again, so a view stays valid for as long as anyone holds it; a held view
 * keeps its slab alive, which bounds what a kept answer can pin to SLAB_BYTES.
 */
const SLAB_BYTES = 8192;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

function copyOut(): Uint8Array {
  if (at > SLAB_BYTES / 8) return scratch.slice(0, at);
  if (slabUsed + at > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + at);
  out.set(scratch.subarray(0, at));
  slabUsed += at;
  return out;
}

/** `e`: [code, message]. */
function writeError(message: KrpcError): boolean {
  if (!Number.isSafeInteger(message.code) || !(message.message instanceof Uint8Array)) return false;
  ascii('1:el');
  integer(message.code);
  bytes(message.message);
  byte(0x65); // 'e'
  return true;
}

/** The `r` dictionary's entries, in canonical key order. */
function writeResult(result: ResponseResult): boolean {
  if (typeof result !== 'object' || result === null) return false;
  for (const prop of SLOW_RESULT_FIELDS) if (result[prop] !== undefined) return false;
  const { id, interval, nodes, nodes6, num, samples, token, values } = result;
  if (!(id instanceof Uint8Array)) return false;
  ascii('2:id');
  bytes(id);
  if (interval !== undefined) {
    if (!Number.isSafeInteger(interval)) return false;
    ascii('8:interval');
    integer(interval);
  }
  if (nodes !== undefined && !compactNodes('5:nodes', nodes, 4)) return false;
  if (nodes6 !== undefined && !compactNodes('6:nodes6', nodes6, 6)) return false;
  if (num !== undefined) {
    if (!Number.isSafeInteger(num)) return false;
    ascii('3:num');
    integer(num);
  }
  if (samples !== undefined) {
    if (!(samples instanceof Uint8Array)) return false;
    ascii('7:samples');
    bytes(samples);
  }
  if (token !== undefined) {
    if (!(token instanceof Uint8Array)) return false;
    ascii('5:token');
    bytes(token);
  }
  if (values !== undefined) {
    if (!Array.isArray(values)) return false;
    ascii('6:valuesl');
    for (const peer of values) if (!compactPeer(peer)) return false;
    byte(0x65); // 'e'
  }
  return true;
}

/** `key` and compact node info of one family; false on anything `encodeCompactNodes` would refuse. */
function compactNodes(key: string, nodes: readonly CompactNode[], family: 4 | 6): boolean {
  if (!Array.isArray(nodes)) return false;
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  ascii(key);
  ascii(`${nodes.length * size}:`);
  reserve(nodes.length * size);
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) return false;
    const id: unknown = node.id;
    if (!(id instanceof Uint8Array) || id.length !== NODE_ID_LENGTH) return false;
    scratch.set(id, at);
    at += NODE_ID_LENGTH;
    const start = at;
    if (!address(node) || at - start !== size - NODE_ID_LENGTH) return false;
  }
  return true;
}

/** One compact peer as a byte string (BEP 42 `ip`, an entry of `values`). */
function compactPeer(peer: PeerAddress): boolean {
  if (typeof peer !== 'object' || peer === null || typeof peer.address !== 'string') return false;
  ascii(peer.address.includes(':') ? '18:' : '6:');
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
    scratch.set(ip, at);
    at += ip.length;
  } else if (!ipv4(peer.address)) {
    return false;
  }
  scratch[at++] = port >> 8;
  scratch[at++] = port & 0xff;
  return true;
}

/** A dotted quad straight into the buffer; the same strict grammar as `parseIp`. */
function ipv4(text: string): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      scratch[at + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return false;
    if (digits === 1 && value === 0) return false;
    value = value * 10 + (c - 0x30);
    if (++digits > 3 || value > 255) return false;
  }
  if (part !== 4) return false;
  at += 4;
  return true;
}
