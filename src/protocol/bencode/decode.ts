import type { ByteKeyMap } from './byte-keys.ts';
import { BencodeDecodeError } from './errors.ts';
import {
  type BDict,
  type BValue,
  DEFAULT_DECODE_LIMITS,
  type DecodeFailure,
  type DecodeFailureReason,
  type DecodeOptions,
  type DecodeResult,
  type NonCanonical,
  type NonCanonicalReason,
} from './types.ts';

const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const MINUS = 0x2d;
const INT = 0x69; // i
const LIST = 0x6c; // l
const DICT = 0x64; // d
const END = 0x65; // e

/** Integers of up to 15 digits are exact in a double; longer ones go through BigInt. */
const EXACT_DIGITS = 15;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Decodes one bencoded value that must span the whole input.
 * Never throws on any input: failures come back as values with a reason and offset.
 */
export function decode(input: Uint8Array, options?: DecodeOptions): DecodeResult {
  const decoder = new Decoder(input, 0, options);
  const result = decoder.run();
  if (result.ok && result.end !== input.length && options?.allowTrailing !== true) {
    return { ok: false, reason: 'trailing-data', offset: result.end };
  }
  return result;
}

/** Decodes one value starting at `offset`; `end` in the result says where it stopped. */
export function decodeAt(input: Uint8Array, offset: number, options?: DecodeOptions): DecodeResult {
  if (!Number.isInteger(offset) || offset < 0 || offset > input.length) {
    throw new RangeError(`decodeAt: offset ${offset} is outside the input (0..${input.length})`);
  }
  return new Decoder(input, offset, options).run();
}

/** `decode`, throwing a `BencodeDecodeError` on failure. For tools and tests, not hot paths. */
export function decodeOrThrow(input: Uint8Array, options?: DecodeOptions): BValue {
  const result = decode(input, options);
  if (!result.ok) throw new BencodeDecodeError(result);
  return result.value;
}

/**
 * A recursive-descent decoder over one input. State lives in the instance (one
 * per call), never in module globals. Failure is signalled by returning
 * `undefined` up the stack with the reason stored here, so malformed input
 * costs no exception.
 */
class Decoder {
  private readonly buf: Uint8Array;
  private readonly start: number;
  private pos: number;
  private depth = 0;
  private elements = 0;
  private readonly maxDepth: number;
  private readonly maxStringLength: number;
  private readonly maxElements: number;
  private readonly maxIntegerDigits: number;
  private readonly strict: boolean;
  private readonly knownKeys: ByteKeyMap<string> | undefined;
  private failReason: DecodeFailureReason = 'unexpected-end';
  private failOffset = 0;
  private nonCanonical: NonCanonical | null = null;

  constructor(buf: Uint8Array, start: number, options: DecodeOptions | undefined) {
    this.buf = buf;
    this.start = start;
    this.pos = start;
    this.maxDepth = options?.maxDepth ?? DEFAULT_DECODE_LIMITS.maxDepth;
    this.maxStringLength = options?.maxStringLength ?? DEFAULT_DECODE_LIMITS.maxStringLength;
    this.maxElements = options?.maxElements ?? DEFAULT_DECODE_LIMITS.maxElements;
    this.maxIntegerDigits = options?.maxIntegerDigits ?? DEFAULT_DECODE_LIMITS.maxIntegerDigits;
    this.strict = options?.strict === true;
    this.knownKeys = options?.knownKeys;
  }

  run(): DecodeResult {
    this.pos = this.start;
    const value = this.value();
    if (value === undefined) {
      const failure: DecodeFailure = {
        ok: false,
        reason: this.failReason,
        offset: this.failOffset,
      };
      if (this.failReason === 'non-canonical' && this.nonCanonical !== null) {
        failure.nonCanonical = this.nonCanonical;
      }
      return failure;
    }
    return { ok: true, value, end: this.pos, nonCanonical: this.nonCanonical };
  }

  private fail(reason: DecodeFailureReason, offset: number): undefined {
    this.failReason = reason;
    this.failOffset = offset;
    return undefined;
  }

  /** Records the first non-canonical construct; in strict mode it is a failure. */
  private noteNonCanonical(reason: NonCanonicalReason, offset: number): boolean {
    if (this.nonCanonical === null) this.nonCanonical = { reason, offset };
    if (this.strict) {
      this.fail('non-canonical', offset);
      return false;
    }
    return true;
  }

  private value(): BValue | undefined {
    if (++this.elements > this.maxElements) return this.fail('element-limit', this.pos);
    if (this.pos >= this.buf.length) return this.fail('unexpected-end', this.pos);
    const c = this.buf[this.pos]!;
    if (c >= ZERO && c <= NINE) {
      const dataStart = this.scanString();
      return dataStart < 0 ? undefined : this.buf.subarray(dataStart, this.pos);
    }
    if (c === DICT) return this.dict();
    if (c === INT) return this.integer();
    if (c === LIST) return this.list();
    return this.fail('unexpected-byte', this.pos);
  }

  /**
   * Reads `<length>:<bytes>` at pos. Returns the offset where the bytes start
   * and leaves pos one past them, or returns -1 on failure.
   */
  private scanString(): number {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    let length = 0;
    for (;;) {
      if (p >= buf.length) {
        this.fail('unexpected-end', p);
        return -1;
      }
      const c = buf[p]!;
      if (c === COLON) break;
      if (c < ZERO || c > NINE) {
        this.fail('bad-length', p);
        return -1;
      }
      length = length * 10 + (c - ZERO);
      p++;
      if (length > this.maxStringLength) {
        this.fail('string-limit', start);
        return -1;
      }
    }
    if (p - start > 1 && buf[start] === ZERO) {
      if (!this.noteNonCanonical('length-leading-zero', start)) return -1;
    }
    const dataStart = p + 1;
    const dataEnd = dataStart + length;
    if (dataEnd > buf.length) {
      this.fail('unexpected-end', buf.length);
      return -1;
    }
    this.pos = dataEnd;
    return dataStart;
  }

  private integer(): number | bigint | undefined {
    const buf = this.buf;
    const start = this.pos;
    let p = start + 1;
    let negative = false;
    if (p < buf.length && buf[p] === MINUS) {
      negative = true;
      p++;
    }
    const digitsStart = p;
    let n = 0;
    for (;;) {
      if (p >= buf.length) return this.fail('unexpected-end', p);
      const c = buf[p]!;
      if (c === END) break;
      if (c < ZERO || c > NINE) return this.fail('bad-integer', p);
      n = n * 10 + (c - ZERO);
      p++;
      if (p - digitsStart > this.maxIntegerDigits) return this.fail('integer-limit', digitsStart);
    }
    const digits = p - digitsStart;
    if (digits === 0) return this.fail('bad-integer', p);
    if (buf[digitsStart] === ZERO) {
      const reason = digits > 1 ? 'integer-leading-zero' : negative ? 'negative-zero' : null;
      if (reason !== null && !this.noteNonCanonical(reason, start)) return undefined;
    }
    this.pos = p + 1;
    if (digits <= EXACT_DIGITS) return negative && n !== 0 ? -n : n;
    let big = BigInt(latin1(buf, digitsStart, p));
    if (negative) big = -big;
    return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
  }

  private list(): BValue[] | undefined {
    const start = this.pos;
    if (++this.depth > this.maxDepth) return this.fail('depth-limit', start);
    this.pos++;
    const out: BValue[] = [];
    for (;;) {
      if (this.pos >= this.buf.length) return this.fail('unexpected-end', this.pos);
      if (this.buf[this.pos] === END) break;
      const item = this.value();
      if (item === undefined) return undefined;
      out.push(item);
    }
    this.pos++;
    this.depth--;
    return out;
  }

  private dict(): BDict | undefined {
    const buf = this.buf;
    const start = this.pos;
    if (++this.depth > this.maxDepth) return this.fail('depth-limit', start);
    this.pos++;
    const out: BDict = {};
    let previousStart = -1;
    let previousEnd = -1;
    for (;;) {
      if (this.pos >= buf.length) return this.fail('unexpected-end', this.pos);
      const c = buf[this.pos]!;
      if (c === END) break;
      if (c < ZERO || c > NINE) return this.fail('key-not-string', this.pos);
      if (++this.elements > this.maxElements) return this.fail('element-limit', this.pos);
      const keyOffset = this.pos;
      const keyStart = this.scanString();
      if (keyStart < 0) return undefined;
      const keyEnd = this.pos;
      if (previousStart >= 0) {
        const order = compareBytes(buf, previousStart, previousEnd, keyStart, keyEnd);
        if (order >= 0) {
          const reason = order === 0 ? 'duplicate-key' : 'unsorted-keys';
          if (!this.noteNonCanonical(reason, keyOffset)) return undefined;
        }
      }
      const key = this.knownKeys?.get(buf, keyStart, keyEnd) ?? latin1(buf, keyStart, keyEnd);
      const item = this.value();
      if (item === undefined) return undefined;
      if (key === '__proto__') {
        // An own property, never the prototype: hostile input must not reshape objects.
        Object.defineProperty(out, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = item; // a duplicate key keeps the last value, as JSON.parse does
      }
      previousStart = keyStart;
      previousEnd = keyEnd;
    }
    this.pos++;
    this.depth--;
    return out;
  }
}

/** Raw-byte order of two ranges of one buffer (negative: a first), as BEP 3 sorts keys. */
export function compareBytes(
  buf: Uint8Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const n = Math.min(aLength, bLength);
  for (let i = 0; i < n; i++) {
    const d = buf[aStart + i]! - buf[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** Bytes to a binary string, one code unit per byte; short keys avoid any allocation but the string. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 24) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  let s = '';
  const CHUNK = 8192; // stays far below engines' argument-count limits
  for (let i = start; i < end; i += CHUNK) {
    const part = buf.subarray(i, Math.min(i + CHUNK, end));
    s += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return s;
}
