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

  /** Attempt indices ordered by source, then time. */
  orderBySourceAndTime(): Uint32Array {
    const order = new Uint32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const { src, ts } = this;
    order.sort((a, b) => src[a]! - src[b]! || ts[a]! - ts[b]! || a - b);
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

function extend<T extends Int32Array | Uint16Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
