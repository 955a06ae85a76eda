/**
 * Segments that arrived ahead of a stream's next byte, lowest sequence number
 * first: a binary heap, so that taking them out in order costs a logarithm
 * each, whatever order they came in. (A list searched from the front cost the
 * square of their number: 80,000 one-byte segments sent backwards, then the
 * missing first byte, took 5.4 s to deliver.)
 *
 * Sequence numbers compare as TCP's do, by their signed 32-bit difference,
 * which orders them correctly across a wrap as long as they lie within 2^31
 * of each other: the reassembler keeps none more than 4 MiB ahead.
 */

export interface EarlySegment {
  /** The sequence number of its first byte, as a signed 32-bit integer. */
  seq: number;
  /** Its bytes, copied. */
  data: Uint8Array;
}

const before = (a: EarlySegment, b: EarlySegment): boolean => ((a.seq - b.seq) | 0) < 0;

export class EarlySegments {
  private readonly heap: EarlySegment[] = [];
  /** Payload bytes held. */
  bytes = 0;

  get count(): number {
    return this.heap.length;
  }

  /** The segment with the lowest sequence number, or undefined. */
  first(): EarlySegment | undefined {
    return this.heap[0];
  }

  add(segment: EarlySegment): void {
    const heap = this.heap;
    this.bytes += segment.data.length;
    let i = heap.push(segment) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(segment, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = segment;
  }

  /** Removes and returns the segment with the lowest sequence number. */
  takeFirst(): EarlySegment | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    this.bytes -= top.data.length;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
