/**
 * A KRPC datagram read for what the capture needs — the message type, the
 * transaction id and where the `values`, `nodes` and `nodes6` of a response
 * lie — without building the message. Parsing every DHT datagram into typed
 * objects (node ids, address strings, arrays) was most of the DHT
 * extractor's cost, and nearly all of it was thrown away.
 *
 * The skim checks what `parseKrpc`'s fast path checks (canonical bencode,
 * sorted known keys, every field's kind, length and range, the element and
 * string limits) and accepts only a subset of what it accepts: at the first
 * thing it does not expect it answers false, and the caller hands the
 * datagram to `parseKrpc`, which owns every rejection reason. So a skimmed
 * datagram is one `parseKrpc` would have read successfully, to the same
 * type, transaction id and contacts.
 */
import { ByteKeyMap } from '../bencode/byte-keys.ts';
import { compareBytes } from '../bencode/index.ts';
import type { FieldKind, FieldSpec } from './fields.ts';
import { KRPC_DECODE_OPTIONS } from './limits.ts';
import { QUERY_TABLES, RESPONSE_TABLE, unionOfQueryFields } from './tables.ts';

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
export const Y_QUERY = 0x71;
const Y_RESPONSE = 0x72;

/** A field of a skimmed dictionary: its kind, and its bit in the set of fields seen. */
interface SkimField {
  readonly kind: FieldKind;
  readonly bit: number;
}

/**
 * The `a` dictionary comes before `q` (sorted keys), so it is read against
 * the union of all query tables, as the fast path does; a wire key whose kind
 * differs between tables is left out, and meeting it declines the datagram.
 */
const ARG_FIELDS = queryUnion();
const ARG_MAP = new ByteKeyMap([...ARG_FIELDS].map(([wire, field]) => [wire, field] as const));
/** Per method, the bits of its required arguments. */
const REQUIRED_ARGS = new ByteKeyMap(
  Object.entries(QUERY_TABLES).map(([method, table]) => {
    let required = 0;
    for (const field of table.fields) {
      if (field.required !== true) continue;
      const known = ARG_FIELDS.get(field.wire);
      // A required argument the union lacks can never be read here: the method is left to parseKrpc.
      required = known === undefined ? -1 : required | known.bit;
      if (required < 0) break;
    }
    return [method, required] as const;
  }),
);

const RESULT_VALUES = 1;
const RESULT_NODES = 2;
const RESULT_NODES6 = 3;
const RESULT_ID_BIT = 1;
const RESULT_MAP = new ByteKeyMap(
  RESPONSE_TABLE.fields.map((field) => [field.wire, resultField(field)] as const),
);

type TopKey = 'a' | 'ip' | 'q' | 'r' | 'ro' | 't' | 'v' | 'y';
const TOP_KEYS = new ByteKeyMap<TopKey>(
  (['a', 'ip', 'q', 'r', 'ro', 't', 'v', 'y'] as const).map((k) => [k, k] as const),
);

/** The query fields (tables.ts), each with its bit in the set of fields seen. */
function queryUnion(): Map<string, SkimField> {
  const union = unionOfQueryFields();
  if (union.length > 30) throw new RangeError('too many query fields for a bit set');
  return new Map(union.map(([wire, field], i) => [wire, { kind: field.kind, bit: 1 << i }]));
}

interface ResultField extends SkimField {
  /** Which contact list the field is, if any. */
  readonly contacts: number;
}

function resultField(field: FieldSpec): ResultField {
  const contacts =
    field.wire === 'values'
      ? RESULT_VALUES
      : field.wire === 'nodes'
        ? RESULT_NODES
        : field.wire === 'nodes6'
          ? RESULT_NODES6
          : 0;
  return { kind: field.kind, bit: field.wire === 'id' ? RESULT_ID_BIT : 0, contacts };
}

/**
 * One skimmed message; reused for every datagram. Offsets are into the
 * datagram; a list's start is -1 when the response does not have it.
 *
 * The byte-level reading (canonical strings and integers) mirrors the fast
 * path's on purpose: sharing it through a base class made `parseKrpc` about
 * 8 % slower in the decode benchmark.
 */
export class KrpcSkim {
  /** Y_QUERY or Y_RESPONSE. */
  y = 0;
  tStart = 0;
  tEnd = 0;
  /** Offset of the `l` of `values`; its items are canonical strings of 6 or 18 bytes. */
  values = -1;
  nodesStart = -1;
  nodesEnd = -1;
  nodes6Start = -1;
  nodes6End = -1;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private elements = 0;
  /** Bits of the fields the last dictionary held. */
  private seen = 0;

  /** Whether `buf` is a query or response skimmed here; false leaves it to `parseKrpc`. */
  read(buf: Uint8Array): boolean {
    this.buf = buf;
    this.values = -1;
    this.nodesStart = -1;
    this.nodes6Start = -1;
    if (buf[0] !== DICT) return false;
    this.pos = 1;
    this.elements = 1;
    let tStart = -1;
    let y = -1;
    let qStart = -1;
    let qEnd = -1;
    let args = -1;
    let result = -1;
    let previousStart = -1;
    let previousEnd = -1;
    for (;;) {
      if (this.pos >= buf.length) return false;
      if (buf[this.pos] === END) break;
      const keyStart = this.string();
      if (keyStart < 0) return false;
      const keyEnd = this.pos;
      if (
        previousStart >= 0 &&
        compareBytes(buf, previousStart, previousEnd, keyStart, keyEnd) >= 0
      )
        return false;
      previousStart = keyStart;
      previousEnd = keyEnd;
      switch (TOP_KEYS.get(buf, keyStart, keyEnd)) {
        case 't':
          tStart = this.string();
          if (tStart < 0) return false;
          this.tStart = tStart;
          this.tEnd = this.pos;
          break;
        case 'y': {
          const start = this.string();
          if (start < 0 || this.pos - start !== 1) return false;
          y = buf[start]!;
          break;
        }
        case 'q':
          qStart = this.string();
          if (qStart < 0) return false;
          qEnd = this.pos;
          break;
        case 'v':
          if (this.string() < 0) return false;
          break;
        case 'ro':
          if (this.integer() === undefined) return false;
          break;
        case 'ip': {
          const start = this.string();
          const length = this.pos - start;
          if (start < 0 || (length !== 6 && length !== 18)) return false;
          break;
        }
        case 'a':
          if (!this.dict(ARG_MAP)) return false;
          args = this.seen;
          break;
        case 'r':
          if (!this.dict(RESULT_MAP)) return false;
          result = this.seen;
          break;
        default:
          return false; // errors ('e') and unknown keys: parseKrpc decides
      }
    }
    if (this.pos + 1 !== buf.length || tStart < 0) return false;
    if (y === Y_QUERY) {
      if (qStart < 0 || args < 0) return false;
      const required = REQUIRED_ARGS.get(buf, qStart, qEnd);
      if (required === undefined || required < 0 || (args & required) !== required) return false;
    } else if (y === Y_RESPONSE) {
      if (result < 0 || (result & RESULT_ID_BIT) === 0) return false;
    } else return false;
    this.y = y;
    return true;
  }

  /** A dictionary of known fields; `seen` gets their bits. */
  private dict(fields: ByteKeyMap<SkimField | ResultField>): boolean {
    const buf = this.buf;
    if (buf[this.pos] !== DICT) return false;
    this.pos++;
    this.elements++;
    let previousStart = -1;
    let previousEnd = -1;
    let seen = 0;
    for (;;) {
      if (this.pos >= buf.length) return false;
      if (buf[this.pos] === END) {
        this.pos++;
        this.seen = seen;
        return true;
      }
      const keyStart = this.string();
      if (keyStart < 0) return false;
      const keyEnd = this.pos;
      if (
        previousStart >= 0 &&
        compareBytes(buf, previousStart, previousEnd, keyStart, keyEnd) >= 0
      )
        return false;
      previousStart = keyStart;
      previousEnd = keyEnd;
      const field = fields.get(buf, keyStart, keyEnd);
      if (field === undefined) return false;
      const valueStart = this.pos;
      if (!this.field(field.kind)) return false;
      seen |= field.bit;
      const contacts = (field as Partial<ResultField>).contacts;
      if (contacts === RESULT_VALUES) this.values = valueStart;
      else if (contacts === RESULT_NODES) {
        this.nodesStart = valueStart + stringHeader(buf, valueStart);
        this.nodesEnd = this.pos;
      } else if (contacts === RESULT_NODES6) {
        this.nodes6Start = valueStart + stringHeader(buf, valueStart);
        this.nodes6End = this.pos;
      }
    }
  }

  /** Checks one field's value as the fast path's `field` does. */
  private field(kind: FieldKind): boolean {
    switch (kind.type) {
      case 'bytes': {
        const start = this.string();
        if (start < 0) return false;
        const length = this.pos - start;
        if (kind.length !== undefined && length !== kind.length) return false;
        if (kind.maxLength !== undefined && length > kind.maxLength) return false;
        if (kind.multipleOf !== undefined && length % kind.multipleOf !== 0) return false;
        return true;
      }
      case 'int': {
        const n = this.integer();
        if (n === undefined) return false;
        if (kind.min !== undefined && n < kind.min) return false;
        if (kind.max !== undefined && n > kind.max) return false;
        return true;
      }
      case 'flag':
        return this.integer() !== undefined;
      case 'strings':
        return this.list(0);
      case 'nodes': {
        const start = this.string();
        return start >= 0 && (this.pos - start) % (kind.family === 4 ? 26 : 38) === 0;
      }
      case 'peers':
        return this.list(1);
      case 'address': {
        const start = this.string();
        const length = this.pos - start;
        return start >= 0 && (length === 6 || length === 18);
      }
      default:
        return false; // any bencoded value (BEP 44 `v`): parseKrpc decodes it
    }
  }

  /** A list of strings; of compact peers (6 or 18 bytes each) when `peers` is 1. */
  private list(peers: number): boolean {
    const buf = this.buf;
    if (buf[this.pos] !== LIST) return false;
    this.pos++;
    this.elements++;
    for (;;) {
      if (this.pos >= buf.length) return false;
      if (buf[this.pos] === END) {
        this.pos++;
        return true;
      }
      const start = this.string();
      if (start < 0) return false;
      const length = this.pos - start;
      if (peers === 1 && length !== 6 && length !== 18) return false;
    }
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

/** Length of the `<length>:` prefix of the canonical string at `at`. */
export function stringHeader(buf: Uint8Array, at: number): number {
  let p = at;
  while (buf[p] !== COLON) p++;
  return p + 1 - at;
}
