import { BencodeEncodeError } from './errors.ts';
import type { BEncodable } from './types.ts';

const utf8 = new TextEncoder();

/** Deeper than any real message; catches cycles before the stack does. */
const MAX_ENCODE_DEPTH = 512;

/**
 * Encodes a value canonically: dictionary keys sorted by raw bytes, integers
 * without leading zeros. Dictionary entries whose value is `undefined` are
 * skipped, so optional message fields can be written inline.
 *
 * Throws `BencodeEncodeError` for what bencode cannot carry (floats, booleans,
 * null, keys with characters above U+00FF, cycles): those are caller bugs.
 */
export function encode(value: BEncodable): Uint8Array {
  const writer = SCRATCH;
  writer.reset();
  writeValue(writer, value, [], 0);
  return writer.finish();
}

/**
 * The bytes are written into one scratch buffer, reused by every call (encoding
 * is synchronous and never re-entered), and copied out once at the end: one
 * allocation per message instead of two, which mattered when a node encodes an
 * answer for every query it receives.
 */
class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  reset(): void {
    this.pos = 0;
    // A rare huge message should not pin a huge buffer for ever.
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(4096);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

const SCRATCH = new Writer(4096);

type Path = (string | number)[];

function pathText(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

function writeValue(w: Writer, value: unknown, path: Path, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) {
    throw new BencodeEncodeError(
      `nested deeper than ${MAX_ENCODE_DEPTH} (a cycle?)`,
      pathText(path),
    );
  }
  if (value instanceof Uint8Array) {
    w.ascii(String(value.length));
    w.byte(0x3a);
    w.bytes(value);
    return;
  }
  switch (typeof value) {
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new BencodeEncodeError(
          `${value} is not a safe integer (use a bigint)`,
          pathText(path),
        );
      }
      w.byte(0x69);
      w.ascii(String(value)); // String(-0) is "0": no negative zero on the wire
      w.byte(0x65);
      return;
    case 'bigint':
      w.byte(0x69);
      w.ascii(value.toString());
      w.byte(0x65);
      return;
    case 'string': {
      if (isAscii(value)) {
        // Method names and message types: skip the UTF-8 encoder, the bytes are the characters.
        w.ascii(String(value.length));
        w.byte(0x3a);
        w.ascii(value);
        return;
      }
      const bytes = utf8.encode(value);
      w.ascii(String(bytes.length));
      w.byte(0x3a);
      w.bytes(bytes);
      return;
    }
    case 'object':
      if (Array.isArray(value)) {
        w.byte(0x6c);
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          writeValue(w, value[i], path, depth + 1);
          path.pop();
        }
        w.byte(0x65);
        return;
      }
      if (value !== null && isPlainObject(value)) {
        writeDict(w, value as Record<string, unknown>, path, depth);
        return;
      }
      break;
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new BencodeEncodeError(`bencode has no ${what} type`, pathText(path));
}

function writeDict(w: Writer, dict: Record<string, unknown>, path: Path, depth: number): void {
  // Default sort compares UTF-16 code units; with keys restricted to U+0000–U+00FF
  // that is exactly the raw-byte order BEP 3 asks for.
  const keys = Object.keys(dict);
  if (!isSorted(keys)) keys.sort();
  w.byte(0x64);
  for (const key of keys) {
    const item = dict[key];
    if (item === undefined) continue;
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) > 0xff) {
        throw new BencodeEncodeError(
          `key ${JSON.stringify(key)} has a character above U+00FF; keys are binary strings (one char per byte)`,
          pathText(path),
        );
      }
    }
    w.ascii(String(key.length));
    w.byte(0x3a);
    w.ascii(key);
    path.push(key);
    writeValue(w, item, path, depth + 1);
    path.pop();
  }
  w.byte(0x65);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
