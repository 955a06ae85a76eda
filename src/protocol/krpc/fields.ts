/**
 * Declarative field tables: each KRPC dictionary (the `a` of one query
 * method, the `r` of responses) is described once, and one reader and one
 * writer work from that description. Adding a field is one line in a table.
 */
import type { BDict, BEncodable, BValue } from '../bencode/index.ts';
import { latin1 } from '../bencode/index.ts';
import {
  type CompactNode,
  decodeCompactNodes,
  decodeCompactPeer,
  encodeCompactNodes,
  encodeCompactPeer,
  type PeerAddress,
} from '../net/compact.ts';

/** How a field can be wrong; with the table name and wire key it forms a reason code. */
export type FieldProblem = 'missing' | 'bad-type' | 'bad-length' | 'out-of-range';

/** The problems a field can actually have, given its kind and whether it is required. */
export function possibleProblems(field: FieldSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (field.required === true) problems.push('missing');
  if (field.kind.type !== 'any') problems.push('bad-type');
  const kind = field.kind;
  const hasLength =
    (kind.type === 'bytes' &&
      (kind.length !== undefined ||
        kind.maxLength !== undefined ||
        kind.multipleOf !== undefined)) ||
    kind.type === 'nodes' ||
    kind.type === 'peers' ||
    kind.type === 'address';
  if (hasLength) problems.push('bad-length');
  if (kind.type === 'int' && (kind.min !== undefined || kind.max !== undefined))
    problems.push('out-of-range');
  return problems;
}

export type FieldKind =
  /** A byte string, optionally of an exact length, a maximum, or a whole number of records. */
  | { type: 'bytes'; length?: number; maxLength?: number; multipleOf?: number }
  /** An integer (number or bigint) within optional bounds. */
  | { type: 'int'; min?: number; max?: number }
  /** An integer read as a boolean: present and non-zero means true. */
  | { type: 'flag' }
  /** A list of byte strings, read as binary strings (BEP 32 `want`). */
  | { type: 'strings' }
  /** Compact node info, 26 (IPv4) or 38 (IPv6) bytes per node. */
  | { type: 'nodes'; family: 4 | 6 }
  /** A list of compact peers, each 6 or 18 bytes (BEP 32 allows mixed lists). */
  | { type: 'peers' }
  /** One compact address, 6 or 18 bytes (BEP 42 `ip`). */
  | { type: 'address' }
  /** Any bencoded value (BEP 44 `v`). */
  | { type: 'any' };

export interface FieldSpec {
  /** Key on the wire. */
  wire: string;
  /** Property of the typed message. */
  prop: string;
  kind: FieldKind;
  required?: boolean;
}

export interface TableSpec {
  /** First part of every reason code this table produces, e.g. "get_peers". */
  name: string;
  fields: readonly FieldSpec[];
}

export interface FieldFailure {
  wire: string;
  problem: FieldProblem;
}

/**
 * Reads and converts the fields of `dict` described by `table` into `out`.
 * Unknown keys are ignored (BEP 5 asks receivers to tolerate extensions).
 * Returns the first failure, or null. Wire keys in tables are never
 * Object.prototype members, so plain property reads are safe here.
 */
export function readFields(
  dict: BDict,
  table: TableSpec,
  out: Record<string, unknown>,
): FieldFailure | null {
  const fields = table.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const raw = dict[field.wire];
    if (raw === undefined) {
      if (field.required === true) return { wire: field.wire, problem: 'missing' };
      continue;
    }
    const converted = readValue(raw, field.kind);
    if (typeof converted === 'string') return { wire: field.wire, problem: converted };
    out[field.prop] = converted.value;
  }
  return null;
}

type Read = { value: unknown } | FieldProblem;

function readValue(raw: BValue, kind: FieldKind): Read {
  switch (kind.type) {
    case 'bytes': {
      if (!(raw instanceof Uint8Array)) return 'bad-type';
      if (kind.length !== undefined && raw.length !== kind.length) return 'bad-length';
      if (kind.maxLength !== undefined && raw.length > kind.maxLength) return 'bad-length';
      if (kind.multipleOf !== undefined && raw.length % kind.multipleOf !== 0) return 'bad-length';
      return { value: raw };
    }
    case 'int': {
      if (typeof raw !== 'number' && typeof raw !== 'bigint') return 'bad-type';
      if (kind.min !== undefined && raw < kind.min) return 'out-of-range';
      if (kind.max !== undefined && raw > kind.max) return 'out-of-range';
      return { value: raw };
    }
    case 'flag':
      if (typeof raw !== 'number' && typeof raw !== 'bigint') return 'bad-type';
      return { value: raw !== 0 && raw !== 0n };
    case 'strings': {
      if (!Array.isArray(raw)) return 'bad-type';
      const strings: string[] = [];
      for (const item of raw) {
        if (!(item instanceof Uint8Array)) return 'bad-type';
        strings.push(latin1(item, 0, item.length));
      }
      return { value: strings };
    }
    case 'nodes': {
      if (!(raw instanceof Uint8Array)) return 'bad-type';
      const nodes = decodeCompactNodes(raw, kind.family);
      return nodes === null ? 'bad-length' : { value: nodes };
    }
    case 'peers': {
      if (!Array.isArray(raw)) return 'bad-type';
      const peers: PeerAddress[] = [];
      for (const item of raw) {
        if (!(item instanceof Uint8Array)) return 'bad-type';
        const peer = decodeCompactPeer(item);
        if (peer === null) return 'bad-length';
        peers.push(peer);
      }
      return { value: peers };
    }
    case 'address': {
      if (!(raw instanceof Uint8Array)) return 'bad-type';
      const peer = decodeCompactPeer(raw);
      return peer === null ? 'bad-length' : { value: peer };
    }
    case 'any':
      return { value: raw };
  }
}

/** The inverse of `readFields`: typed properties back to wire keys and encodings. */
export function writeFields(source: object, table: TableSpec): Record<string, BEncodable> {
  const out: Record<string, BEncodable> = {};
  const values = source as Record<string, unknown>;
  for (const field of table.fields) {
    const value = values[field.prop];
    if (value === undefined) {
      if (field.required === true) {
        throw new TypeError(
          `${table.name}: required field "${field.prop}" (${field.wire}) is missing`,
        );
      }
      continue;
    }
    const written = writeValue(value, field.kind);
    if (written !== undefined) out[field.wire] = written;
  }
  return out;
}

function writeValue(value: unknown, kind: FieldKind): BEncodable | undefined {
  switch (kind.type) {
    case 'flag':
      return value === true ? 1 : undefined;
    case 'strings':
      return (value as string[]).map(binaryStringBytes);
    case 'nodes':
      return encodeCompactNodes(value as CompactNode[], kind.family);
    case 'peers':
      return (value as PeerAddress[]).map(encodeCompactPeer);
    case 'address':
      return encodeCompactPeer(value as PeerAddress);
    default:
      return value as BEncodable;
  }
}

function binaryStringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
