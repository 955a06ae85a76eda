/**
 * The fast path of `parseKrpc`: reads a canonical, well-formed query or
 * response straight from the datagram into its typed message, using the same
 * validation tables as the general path but without building the generic
 * bencode dictionaries first.
 *
 * It only ever answers "here is the message" or "not me": at the first thing
 * it does not expect (non-canonical bencode, an unknown key, an error
 * message, any invalid field, any limit) it returns undefined and the general
 * path — the reference, which owns every rejection reason — takes the
 * datagram. So the fast path can be wrong only by accepting what the general
 * path rejects or by building a different message, and a differential test
 * checks both on random and mutated datagrams.
 */

import { ByteKeyMap } from '../bencode/byte-keys.ts';
import { compareBytes, latin1 } from '../bencode/index.ts';
import { type PeerAddress, readCompactNodes, readCompactPeer } from '../net/compact.ts';
import type { FieldKind, FieldSpec } from './fields.ts';
import { KRPC_DECODE_OPTIONS } from './limits.ts';
import { COMMON_TABLE, QUERY_TABLES, RESPONSE_TABLE, unionOfQueryFields } from './tables.ts';
import type { KrpcMessage, QueryMethod } from './types.ts';

const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const MINUS = 0x2d;
const INT = 0x69;
const LIST = 0x6c;
const DICT = 0x64;
const END = 0x65;

const MAX_STRING = KRPC_DECODE_OPTIONS.maxStringLength!;
const MAX_ELEMENTS = KRPC_DECODE_OPTIONS.maxElements!;

/**
 * The `a` dictionary is read before `q` says which method it belongs to
 * (keys are sorted: "a" < "q"), so it is read against the union of all query
 * tables; fields the method's own table lacks are dropped afterwards, as the
 * general path ignores them. A wire key whose kind differs between tables is
 * left out of the union, so meeting it sends the datagram to the general path.
 */
const ARG_FIELDS = new ByteKeyMap(unionOfQueryFields());
const RESULT_FIELDS = new ByteKeyMap(RESPONSE_TABLE.fields.map((f) => [f.wire, f] as const));
const METHODS = new ByteKeyMap(
  Object.keys(QUERY_TABLES).map((m) => [m, m as QueryMethod] as const),
);

type TopKey = 'a' | 'e' | 'ip' | 'q' | 'r' | 'ro' | 't' | 'v' | 'y';
const TOP_KEYS = new ByteKeyMap<TopKey>(
  (['a', 'e', 'ip', 'q', 'r', 'ro', 't', 'v', 'y'] as const).map((k) => [k, k] as const),
);
const IP_FIELD = COMMON_TABLE.fields.find((f) => f.wire === 'ip')!;

/** The typed message, or undefined when the general path must decide. */
export function parseKrpcFast(buf: Uint8Array): KrpcMessage | undefined {
  return new FastReader(buf).message();
}

class FastReader {
  private readonly buf: Uint8Array;
  private pos = 0;
  private elements = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  message(): KrpcMessage | undefined {
    const buf = this.buf;
    if (buf[0] !== DICT) return undefined;
    this.pos = 1;
    this.elements = 1;
    let t: Uint8Array | undefined;
    let v: Uint8Array | undefined;
    let ip: PeerAddress | undefined;
    let ro = false;
    let y = -1;
    let qStart = -1;
    let qEnd = -1;
    let args: Record<string, unknown> | undefined;
    let argCount = 0;
    let result: Record<string, unknown> | undefined;
    let previousStart = -1;
    let previousEnd = -1;
    for (;;) {
      if (this.pos >= buf.length) return undefined;
      if (buf[this.pos] === END) break;
      const keyStart = this.string();
      if (keyStart < 0) return undefined;
      const keyEnd = this.pos;
      if (previousStart >= 0 && !ascending(buf, previousStart, previousEnd, keyStart, keyEnd))
        return undefined;
      previousStart = keyStart;
      previousEnd = keyEnd;
      switch (TOP_KEYS.get(buf, keyStart, keyEnd)) {
        case 't':
          t = this.bytes();
          if (t === undefined) return undefined;
          break;
        case 'y': {
          const start = this.string();
          if (start < 0 || this.pos - start !== 1) return undefined;
          y = buf[start]!;
          break;
        }
        case 'q':
          qStart = this.string();
          if (qStart < 0) return undefined;
          qEnd = this.pos;
          break;
        case 'v':
          v = this.bytes();
          if (v === undefined) return undefined;
          break;
        case 'ro': {
          const flag = this.integer();
          if (flag === undefined) return undefined;
          ro = flag !== 0;
          break;
        }
        case 'ip': {
          const address = this.field(IP_FIELD.kind);
          if (address === undefined) return undefined;
          ip = address as PeerAddress;
          break;
        }
        case 'a':
          args = {};
          argCount = this.dict(ARG_FIELDS, args);
          if (argCount < 0) return undefined;
          break;
        case 'r':
          result = {};
          if (this.dict(RESULT_FIELDS, result) < 0) return undefined;
          break;
        default:
          return undefined; // errors ('e') and unknown top-level keys go the general way
      }
    }
    if (this.pos + 1 !== buf.length || t === undefined) return undefined;

    const message: Record<string, unknown> = { t };
    if (v !== undefined) message.v = v;
    if (ro) message.ro = true;
    if (ip !== undefined) message.ip = ip;
    if (y === 0x71 /* q */) {
      if (qStart < 0 || args === undefined) return undefined;
      const method = METHODS.get(buf, qStart, qEnd);
      if (method === undefined) return undefined;
      const own = ownArgs(method, args, argCount);
      if (own === undefined) return undefined;
      message.y = 'q';
      message.method = method;
      message.args = own;
    } else if (y === 0x72 /* r */) {
      if (result === undefined || result.id === undefined) return undefined;
      message.y = 'r';
      message.result = result;
    } else {
      return undefined;
    }
    return message as unknown as KrpcMessage;
  }

  /** Reads a dictionary of known fields into `out`: how many, or -1 at anything unexpected. */
  private dict(fields: ByteKeyMap<FieldSpec>, out: Record<string, unknown>): number {
    const buf = this.buf;
    if (buf[this.pos] !== DICT) return -1;
    this.pos++;
    this.elements++;
    let previousStart = -1;
    let previousEnd = -1;
    let count = 0;
    for (;;) {
      if (this.pos >= buf.length) return -1;
      if (buf[this.pos] === END) {
        this.pos++;
        return count;
      }
      const keyStart = this.string();
      if (keyStart < 0) return -1;
      const keyEnd = this.pos;
      if (previousStart >= 0 && !ascending(buf, previousStart, previousEnd, keyStart, keyEnd)) {
        return -1;
      }
      previousStart = keyStart;
      previousEnd = keyEnd;
      const field = fields.get(buf, keyStart, keyEnd);
      if (field === undefined) return -1;
      const value = this.field(field.kind);
      if (value === undefined) return -1;
      out[field.prop] = value;
      count++;
    }
  }

  /** One field's value, converted and checked as the general path's `readFields` does. */
  private field(kind: FieldKind): unknown {
    const buf = this.buf;
    switch (kind.type) {
      case 'bytes': {
        const start = this.string();
        if (start < 0) return undefined;
        const length = this.pos - start;
        if (kind.length !== undefined && length !== kind.length) return undefined;
        if (kind.maxLength !== undefined && length > kind.maxLength) return undefined;
        if (kind.multipleOf !== undefined && length % kind.multipleOf !== 0) return undefined;
        return buf.subarray(start, this.pos);
      }
      case 'int': {
        const n = this.integer();
        if (n === undefined) return undefined;
        if (kind.min !== undefined && n < kind.min) return undefined;
        if (kind.max !== undefined && n > kind.max) return undefined;
        return n;
      }
      case 'flag': {
        const n = this.integer();
        return n === undefined ? undefined : n !== 0;
      }
      case 'strings': {
        const strings: string[] = [];
        if (
          !this.list(() => {
            const start = this.string();
            if (start < 0) return false;
            strings.push(latin1(buf, start, this.pos));
            return true;
          })
        ) {
          return undefined;
        }
        return strings;
      }
      case 'nodes': {
        const start = this.string();
        if (start < 0) return undefined;
        return readCompactNodes(buf, start, this.pos, kind.family) ?? undefined;
      }
      case 'peers': {
        const peers: PeerAddress[] = [];
        if (
          !this.list(() => {
            const start = this.string();
            const peer = start < 0 ? null : readCompactPeer(buf, start, this.pos - start);
            if (peer === null) return false;
            peers.push(peer);
            return true;
          })
        ) {
          return undefined;
        }
        return peers;
      }
      case 'address': {
        const start = this.string();
        if (start < 0) return undefined;
        return readCompactPeer(buf, start, this.pos - start) ?? undefined;
      }
      case 'any':
        return undefined; // any bencoded value (BEP 44 `v`): the general path decodes it
    }
  }

  private list(item: () => boolean): boolean {
    if (this.buf[this.pos] !== LIST) return false;
    this.pos++;
    this.elements++;
    for (;;) {
      if (this.pos >= this.buf.length) return false;
      if (this.buf[this.pos] === END) {
        this.pos++;
        return true;
      }
      if (!item()) return false;
    }
  }

  private bytes(): Uint8Array | undefined {
    const start = this.string();
    return start < 0 ? undefined : this.buf.subarray(start, this.pos);
  }

  /**
   * Reads a canonical `<length>:<bytes>` and returns where the bytes start,
   * leaving pos after them; -1 for anything else, leading zeros included.
   */
  private string(): number {
    const buf = this.buf;
    let p = this.pos;
    let c = buf[p];
    if (c === undefined || c < ZERO || c > NINE) return -1;
    if (++this.elements > MAX_ELEMENTS) return -1;
    if (c === ZERO && buf[p + 1] !== COLON) return -1;
    let length = 0;
    while (c !== COLON) {
      if (c === undefined || c < ZERO || c > NINE) return -1;
      length = length * 10 + (c - ZERO);
      if (length > MAX_STRING) return -1;
      c = buf[++p];
    }
    const start = p + 1;
    if (start + length > buf.length) return -1;
    this.pos = start + length;
    return start;
  }

  /** A canonical integer of at most 15 digits (exact as a double), else undefined. */
  private integer(): number | undefined {
    const buf = this.buf;
    if (buf[this.pos] !== INT) return undefined;
    if (++this.elements > MAX_ELEMENTS) return undefined;
    let p = this.pos + 1;
    const negative = buf[p] === MINUS;
    if (negative) p++;
    const digitsStart = p;
    let n = 0;
    let c = buf[p];
    while (c !== END) {
      if (c === undefined || c < ZERO || c > NINE) return undefined;
      n = n * 10 + (c - ZERO);
      c = buf[++p];
    }
    const digits = p - digitsStart;
    if (digits === 0 || digits > 15) return undefined;
    if (buf[digitsStart] === ZERO && (digits > 1 || negative)) return undefined;
    this.pos = p + 1;
    return negative ? -n : n;
  }
}

/**
 * The arguments the method's own table defines, or undefined if a required
 * one is missing. `read` is returned as it is when it holds nothing else
 * (the usual case) and copied without the foreign fields otherwise.
 */
function ownArgs(
  method: QueryMethod,
  read: Record<string, unknown>,
  readCount: number,
): Record<string, unknown> | undefined {
  const fields = QUERY_TABLES[method].fields;
  let found = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (read[field.prop] !== undefined) found++;
    else if (field.required === true) return undefined;
  }
  let own = read;
  if (found !== readCount) {
    own = {};
    for (const field of fields)
      if (read[field.prop] !== undefined) own[field.prop] = read[field.prop];
  }
  if (method === 'announce_peer' && own.impliedPort === undefined) own.impliedPort = false;
  return own;
}

/** Whether key b sorts strictly after key a by raw bytes (canonical order, no duplicates). */
function ascending(
  buf: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  return compareBytes(buf, aStart, aEnd, bStart, bEnd) < 0;
}
