import type { ByteKeyMap } from './byte-keys.ts';

/**
 * The values bencode (BEP 3) can carry, as this codec represents them.
 *
 * - integers: `number` when they fit in a double exactly, `bigint` otherwise;
 * - byte strings: `Uint8Array` views into the decoded input (never copies);
 * - lists: arrays;
 * - dictionaries: plain objects whose keys are *binary strings*: one UTF-16
 *   code unit per byte (latin1), so every byte sequence round-trips and key
 *   order by JavaScript string comparison equals bencode's raw-byte order.
 */
export type BValue = number | bigint | Uint8Array | BList | BDict;
export type BList = BValue[];
export type BDict = { [key: string]: BValue };

/** A decoded value that is a dictionary (not an integer, byte string or list); false for undefined. */
export function isDict(value: BValue | undefined): value is BDict {
  return typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value);
}

/** What the encoder accepts: the decoded forms plus JS strings (as UTF-8). */
export type BEncodable =
  | number
  | bigint
  | string
  | Uint8Array
  | readonly BEncodable[]
  | { readonly [key: string]: BEncodable | undefined };

/** Limits that keep a hostile datagram from costing more than it should. */
export interface DecodeLimits {
  /** Deepest nesting of lists and dictionaries. KRPC needs 3; torrents about 6. */
  maxDepth: number;
  /** Longest byte string, in bytes. */
  maxStringLength: number;
  /** Most values (of any type, containers included) in one decode. */
  maxElements: number;
  /** Most digits in an integer (int64 needs 19, plus sign). */
  maxIntegerDigits: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = {
  maxDepth: 64,
  maxStringLength: 16 * 1024 * 1024,
  maxElements: 1 << 20,
  maxIntegerDigits: 64,
};

export interface DecodeOptions extends Partial<DecodeLimits> {
  /**
   * Dictionary keys expected often (a protocol's field names): found keys are
   * returned as these very strings instead of being built from the bytes,
   * which saves most of the cost of reading a small dictionary.
   */
  knownKeys?: ByteKeyMap<string>;
  /** Treat non-canonical encodings as failures instead of reporting them. */
  strict?: boolean;
  /** Accept bytes after the first complete value (`decode` only). */
  allowTrailing?: boolean;
}

/** Why a decode failed. One code per way of failing. */
export const DECODE_FAILURE_REASONS = [
  'unexpected-end',
  'unexpected-byte',
  'bad-integer',
  'bad-length',
  'key-not-string',
  'depth-limit',
  'string-limit',
  'element-limit',
  'integer-limit',
  'trailing-data',
  'non-canonical',
] as const;

export type DecodeFailureReason = (typeof DECODE_FAILURE_REASONS)[number];

/** Valid bencode that a canonical encoder would not have produced. */
export type NonCanonicalReason =
  | 'unsorted-keys'
  | 'duplicate-key'
  | 'negative-zero'
  | 'integer-leading-zero'
  | 'length-leading-zero';

export interface NonCanonical {
  reason: NonCanonicalReason;
  /** Byte offset of the first non-canonical construct. */
  offset: number;
}

export interface DecodeSuccess {
  ok: true;
  value: BValue;
  /** Offset one past the last byte of the value. */
  end: number;
  /** The first non-canonical construct, or null if the input was canonical. */
  nonCanonical: NonCanonical | null;
}

export interface DecodeFailure {
  ok: false;
  reason: DecodeFailureReason;
  /** Byte offset where decoding failed. */
  offset: number;
  /** Set when `reason` is 'non-canonical' (strict mode). */
  nonCanonical?: NonCanonical;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;
