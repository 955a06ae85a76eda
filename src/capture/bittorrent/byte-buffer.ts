/**
 * A growable byte buffer with a ceiling, for the few messages that must be
 * whole before they can be read (tracker bodies, extended peer-wire messages).
 * The input views are copied in: the reader reuses its buffers.
 */
export class ByteBuffer {
  private buf: Uint8Array;
  private length = 0;
  readonly max: number;

  constructor(max: number, initial = 256) {
    this.max = max;
    this.buf = new Uint8Array(Math.min(initial, max));
  }

  get size(): number {
    return this.length;
  }

  /** Appends `data`; false (and nothing appended) if that would pass the ceiling. */
  append(data: Uint8Array): boolean {
    const needed = this.length + data.length;
    if (needed > this.max) return false;
    if (needed > this.buf.length) {
      let size = Math.max(this.buf.length * 2, 64);
      while (size < needed) size *= 2;
      const grown = new Uint8Array(Math.min(size, this.max));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(data, this.length);
    this.length = needed;
    return true;
  }

  /** The bytes so far: a view, valid until the next append or clear. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
    // A rare huge message should not pin a huge buffer for the rest of the stream.
    if (this.buf.length > 1 << 16) this.buf = new Uint8Array(256);
  }
}

/** Big-endian unsigned 32-bit read; the caller checked the bounds. */
export function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Big-endian unsigned 16-bit read; the caller checked the bounds. */
export function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

/** Bytes of an ASCII literal, for signatures. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
