import { extend } from './columns.ts';

/**
 * Failed connection attempts, column by column in growable typed arrays: a day
 * of traffic holds millions, and objects per attempt would dominate memory.
 */
export class FailedAttempts {
  length = 0;
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  port = new Uint16Array(1024);
  ts = new Float64Array(1024);
  /** Index into CONN_STATES. */
  state = new Uint8Array(1024);
  /** Prediction source bits covering the attempt (0: not predicted). */
  predicted = new Uint8Array(1024);

  push(src: number, dst: number, port: number, ts: number, state: number, predicted = 0): void {
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = src;
    this.dst[i] = dst;
    this.port[i] = port;
    this.ts[i] = ts;
    this.state[i] = state;
    this.predicted[i] = predicted;
  }

  /**
   * Attempt indices ordered by source, then time, then index. Address ids are
   * dense, so the sources are placed by counting (one pass, no comparisons);
   * only each source's own attempts are then sorted by time, and most sources
   * have a handful.
   */
  orderBySourceAndTime(): Uint32Array {
    const n = this.length;
    const { src, ts } = this;
    const order = new Uint32Array(n);
    let sources = 0;
    for (let i = 0; i < n; i++) if (src[i]! >= sources) sources = src[i]! + 1;
    if (sources > 4 * n + 65536) {
      // Sparse ids (not from an address table): compare instead of counting.
      for (let i = 0; i < n; i++) order[i] = i;
      return order.sort((a, b) => src[a]! - src[b]! || ts[a]! - ts[b]! || a - b);
    }
    const next = new Int32Array(sources + 1);
    for (let i = 0; i < n; i++) next[src[i]! + 1]!++;
    for (let s = 1; s <= sources; s++) next[s]! += next[s - 1]!;
    // In index order, so each source's attempts stay in index order: ties in time keep it.
    for (let i = 0; i < n; i++) order[next[src[i]!]!++] = i;
    const byTime = (a: number, b: number) => ts[a]! - ts[b]! || a - b;
    for (let from = 0; from < n; ) {
      const source = src[order[from]!]!;
      let to = from + 1;
      let sorted = true;
      for (; to < n && src[order[to]!] === source; to++) {
        if (ts[order[to]!]! < ts[order[to - 1]!]!) sorted = false;
      }
      if (!sorted) order.subarray(from, to).sort(byTime);
      from = to;
    }
    return order;
  }

  private grow(): void {
    const size = this.src.length * 2;
    this.src = extend(this.src, new Int32Array(size));
    this.dst = extend(this.dst, new Int32Array(size));
    this.port = extend(this.port, new Uint16Array(size));
    this.ts = extend(this.ts, new Float64Array(size));
    this.state = extend(this.state, new Uint8Array(size));
    this.predicted = extend(this.predicted, new Uint8Array(size));
  }
}
