/**
 * In-order bytes of one direction of a TCP connection. Segments that arrive
 * early wait in a small bounded buffer (copied); retransmissions deliver only
 * what is new; when the buffer overflows, the hole is given up and delivery
 * resumes after it (a capture that dropped a packet must not stall a stream).
 */
import { copyBytes } from './bytes.ts';

/** Bytes of early segments kept per direction before the hole is skipped. */
export const MAX_OUT_OF_ORDER_BYTES = 256 * 1024;
/** A segment further ahead than this is not buffered (likely a wrapped or bogus seq). */
const MAX_AHEAD = 4 * 1024 * 1024;

export type Deliver = (data: Uint8Array) => void;

interface Early {
  seq: number;
  data: Uint8Array;
}

export class StreamReassembler {
  /** Sequence number of the next byte to deliver, as a signed 32-bit integer (arithmetic wraps). */
  next = 0;
  started = false;
  /** Bytes skipped over holes that never filled. */
  skippedBytes = 0;
  private early: Early[] | undefined;
  private earlyBytes = 0;

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
    this.early ??= [];
    this.early.push({ seq: seq | 0, data: copyBytes(bytes, offset, offset + length) });
    this.earlyBytes += length;
    if (this.earlyBytes > MAX_OUT_OF_ORDER_BYTES) this.skipHole(deliver);
  }

  private drain(deliver: Deliver): void {
    const early = this.early!;
    for (let progress = true; progress && early.length > 0; ) {
      progress = false;
      for (let i = 0; i < early.length; i++) {
        const piece = early[i]!;
        const ahead = (piece.seq - this.next) | 0;
        if (ahead > 0) continue;
        early.splice(i, 1);
        this.earlyBytes -= piece.data.length;
        const skip = -ahead;
        if (skip < piece.data.length) {
          deliver(piece.data.subarray(skip));
          this.next = (this.next + piece.data.length - skip) | 0;
        }
        progress = true;
        break;
      }
    }
    if (early.length === 0) this.early = undefined;
  }

  private skipHole(deliver: Deliver): void {
    const early = this.early!;
    let nearest = early[0]!;
    for (const piece of early) if (((piece.seq - nearest.seq) | 0) < 0) nearest = piece;
    this.skippedBytes += ((nearest.seq - this.next) | 0) >>> 0;
    this.next = nearest.seq;
    this.drain(deliver);
  }
}
