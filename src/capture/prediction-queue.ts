import { extend } from './columns.ts';

/**
 * Predictions on their way to the prediction store, in the order they were
 * made, column by column. The store's table is megabytes of random access;
 * filling it a batch at a time, apart from the packets, keeps it from
 * evicting what the packet path needs from the caches between two packets.
 */
export class PredictionQueue {
  length = 0;
  host = new Int32Array(1024);
  peer = new Int32Array(1024);
  port = new Uint16Array(1024);
  ts = new Float64Array(1024);
  /** Source bits (see `sourceBit`). */
  source = new Uint8Array(1024);

  push(host: number, peer: number, port: number, ts: number, source: number): void {
    if (this.length === this.host.length) this.grow();
    const i = this.length++;
    this.host[i] = host;
    this.peer[i] = peer;
    this.port[i] = port;
    this.ts[i] = ts;
    this.source[i] = source;
  }

  clear(): void {
    this.length = 0;
  }

  private grow(): void {
    const size = this.host.length * 2;
    this.host = extend(this.host, new Int32Array(size));
    this.peer = extend(this.peer, new Int32Array(size));
    this.port = extend(this.port, new Uint16Array(size));
    this.ts = extend(this.ts, new Float64Array(size));
    this.source = extend(this.source, new Uint8Array(size));
  }
}
