/**
 * The operator reader's rows as typed columns (a few bytes a row instead of
 * an object), filled in the order DuckDB streams them and then ordered by
 * address and time with a counting sort. The columns live in shared memory,
 * so worker threads can analyse their share of the addresses without a copy.
 */

type Column = Int32Array | Float64Array | Uint8Array;
type ColumnType<T extends Column> = {
  new (buffer: SharedArrayBuffer): T;
  BYTES_PER_ELEMENT: number;
};

/** A typed array of `n` items in memory that worker threads can share. */
export function sharedArray<T extends Column>(Type: ColumnType<T>, n: number): T {
  return new Type(new SharedArrayBuffer(n * Type.BYTES_PER_ELEMENT));
}

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
  }

  view(): ColumnsView {
    const { length, ts, kind, sensor, client, target, remote, txid } = this;
    return { length, ts, kind, sensor, client, target, remote, txid };
  }

  /** Room for `n` more rows; returns the index of the first. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.ip.length) this.grow(Math.max(at + n, 2 * this.ip.length));
    this.length = at + n;
    return at;
  }

  /**
   * Row indices by address number (1 … `ips`) and time: address k's rows are
   * `order[start[k]] … order[start[k + 1] − 1]`. Rows of one address with the
   * same time keep the order they came in.
   */
  orderByIpAndTime(ips: number): { start: Int32Array; order: Int32Array } {
    const start = sharedArray(Int32Array, ips + 2);
    for (let i = 0; i < this.length; i++) start[this.ip[i]! + 1]!++;
    for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
    const fill = Int32Array.from(start);
    const order = sharedArray(Int32Array, this.length);
    for (let i = 0; i < this.length; i++) order[fill[this.ip[i]!]!++] = i;
    const ts = this.ts;
    for (let k = 1; k <= ips; k++) {
      const slice = order.subarray(start[k]!, start[k + 1]!);
      let sorted = true;
      for (let j = 1; j < slice.length && sorted; j++)
        sorted = ts[slice[j - 1]!]! <= ts[slice[j]!]!;
      if (!sorted) slice.sort((a, b) => ts[a]! - ts[b]! || a - b);
    }
    return { start, order };
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
  }
}
