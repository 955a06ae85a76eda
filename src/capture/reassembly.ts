/**
 * In-order bytes of one direction of a TCP connection. Segments that arrive
 * early wait in a small bounded buffer (copied); retransmissions deliver only
 * what is new; when the buffer overflows, the hole is given up and delivery
 * resumes after it (a capture that dropped a packet must not stall a stream).
 */
import { copyBytes } from './bytes.ts';
import { EarlySegments } from './early-segments.ts';

/** Bytes of early segments kept per direction before the hole is skipped. */
export const MAX_OUT_OF_ORDER_BYTES = 256 * 1024;
/**
 * Early segments kept per direction before the hole is skipped: 256 KiB in
 * full-sized segments is under 200 of them, and tiny ones would otherwise
 * cost an object and a copy each, 262,144 of them for one-byte segments.
 */
export const MAX_OUT_OF_ORDER_SEGMENTS = 1024;
/** A segment further ahead than this is not buffered (likely a wrapped or bogus seq). */
const MAX_AHEAD = 4 * 1024 * 1024;

export type Deliver = (data: Uint8Array) => void;

export class StreamReassembler {
  /** Sequence number of the next byte to deliver, as a signed 32-bit integer (arithmetic wraps). */
  next = 0;
  started = false;
  /** Bytes skipped over holes that never filled. */
  skippedBytes = 0;
  private early: EarlySegments | undefined;

  /** A SYN: data starts one past its sequence number. */
  syn(seq: number): void {
    if (this.started) return;
    this.next = (seq + 1) | 0;
    this.started = true;
  }

  segment(seq: number, bytes: Uint8Array, offset: number, length: number, deliver: Deliver): void {
    if (length === 0) return;
    if (!this.started) {
      this.next = seq | 0;
      this.started = true;
    }
    const ahead = (seq - this.next) | 0;
    if (ahead <= 0) {
      const skip = -ahead;
      if (skip >= length) return;
      deliver(bytes.subarray(offset + skip, offset + length));
      this.next = (this.next + length - skip) | 0;
      if (this.early !== undefined) this.drain(deliver);
      return;
    }
    if (ahead > MAX_AHEAD) return;
    this.early ??= new EarlySegments();
    this.early.add({ seq: seq | 0, data: copyBytes(bytes, offset, offset + length) });
    if (this.early.bytes > MAX_OUT_OF_ORDER_BYTES || this.early.count > MAX_OUT_OF_ORDER_SEGMENTS) {
      this.skipHole(deliver);
    }
  }

  /** Delivers the early segments the stream has reached, lowest first. */
  private drain(deliver: Deliver): void {
    const early = this.early!;
    for (let piece = early.first(); piece !== undefined; piece = early.first()) {
      const ahead = (piece.seq - this.next) | 0;
      if (ahead > 0) break;
      early.takeFirst();
      const skip = -ahead;
      if (skip < piece.data.length) {
        deliver(piece.data.subarray(skip));
        this.next = (this.next + piece.data.length - skip) | 0;
      }
    }
    if (early.count === 0) this.early = undefined;
  }

  /** Gives up the bytes missing before the lowest early segment and delivers from there. */
  private skipHole(deliver: Deliver): void {
    const nearest = this.early!.first()!;
    this.skippedBytes += ((nearest.seq - this.next) | 0) >>> 0;
    this.next = nearest.seq;
    this.drain(deliver);
  }
}
