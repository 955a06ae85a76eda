/**
 * The operator reader's rows as typed columns (a few bytes a row instead of
 * an object), filled in the order DuckDB streams them and then arranged by
 * address and time (group-order.ts). The columns live in shared memory,
 * so worker threads can analyse their share of the addresses without a copy.
 */

import { arrangeByGroupAndTime } from './group-order.ts';
import { type Column, type ColumnType, sharedArray } from './shared-memory.ts';

/** The columns without their growth machinery: what a worker thread receives. */
export interface ColumnsView {
  length: number;
  ts: Float64Array;
  kind: Uint8Array;
  sensor: Int32Array;
  client: Int32Array;
  target: Int32Array;
  remote: Int32Array;
  txid: Int32Array;
  /** BEP42_VERDICTS index + 1, 0 for none. */
  bep42: Uint8Array;
}

export class GrowableColumns {
  length = 0;
  ip: Int32Array;
  ts: Float64Array;
  kind: Uint8Array;
  sensor: Int32Array;
  client: Int32Array;
  /** Ids from HashedStrings, −1 for none. */
  target: Int32Array;
  remote: Int32Array;
  txid: Int32Array;
  /** BEP42_VERDICTS index + 1, 0 for none. */
  bep42: Uint8Array;

  constructor(capacity: number) {
    const n = Math.max(1024, capacity);
    this.ip = sharedArray(Int32Array, n);
    this.ts = sharedArray(Float64Array, n);
    this.kind = sharedArray(Uint8Array, n);
    this.sensor = sharedArray(Int32Array, n);
    this.client = sharedArray(Int32Array, n);
    this.target = sharedArray(Int32Array, n);
    this.remote = sharedArray(Int32Array, n);
    this.txid = sharedArray(Int32Array, n);
    this.bep42 = sharedArray(Uint8Array, n);
  }

  view(): ColumnsView {
    const { length, ts, kind, sensor, client, target, remote, txid, bep42 } = this;
    return { length, ts, kind, sensor, client, target, remote, txid, bep42 };
  }

  /** Room for `n` more rows; returns the index of the first. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.ip.length) this.grow(Math.max(at + n, 2 * this.ip.length));
    this.length = at + n;
    return at;
  }

  /**
   * Moves the rows into address (1 … `ips`) and time order (see
   * group-order.ts) and returns where each address's rows start: address
   * k's rows are `start[k]` … `start[k + 1]` − 1. No row can be added after.
   */
  arrangeByIpAndTime(ips: number): Int32Array {
    const { ip, ts, kind, sensor, client, target, remote, txid, bep42 } = this;
    const columns: Column[] = [ts, kind, sensor, client, target, remote, txid, bep42];
    // The columns are replaced one by one; holding no other reference to them here lets
    // each old one go as soon as its copy is made.
    this.release();
    const start = arrangeByGroupAndTime(ip, this.length, ips, columns, 0);
    [
      this.ts,
      this.kind,
      this.sensor,
      this.client,
      this.target,
      this.remote,
      this.txid,
      this.bep42,
    ] = columns as [
      Float64Array,
      Uint8Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Uint8Array,
    ];
    return start;
  }

  private release(): void {
    this.ip = new Int32Array(0);
    this.ts = new Float64Array(0);
    this.kind = new Uint8Array(0);
    this.sensor = new Int32Array(0);
    this.client = new Int32Array(0);
    this.target = new Int32Array(0);
    this.remote = new Int32Array(0);
    this.txid = new Int32Array(0);
    this.bep42 = new Uint8Array(0);
  }

  private grow(capacity: number): void {
    const grown = <T extends Column>(a: T, Type: ColumnType<T>) => {
      const b = sharedArray(Type, capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.ip = grown(this.ip, Int32Array);
    this.ts = grown(this.ts, Float64Array);
    this.kind = grown(this.kind, Uint8Array);
    this.sensor = grown(this.sensor, Int32Array);
    this.client = grown(this.client, Int32Array);
    this.target = grown(this.target, Int32Array);
    this.remote = grown(this.remote, Int32Array);
    this.txid = grown(this.txid, Int32Array);
    this.bep42 = grown(this.bep42, Uint8Array);
  }
}
