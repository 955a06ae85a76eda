/**
 * The operator reader's rows as typed columns (a few bytes a row instead of
 * an object), filled in the order DuckDB streams them and then ordered by
 * address and time with a counting sort.
 */
export class GrowableColumns {
  length = 0;
  ip: Int32Array;
  ts: Float64Array;
  kind: Uint8Array;
  sensor: Int32Array;
  client: Int32Array;
  /** Ids from a HexInterner, −1 for none. */
  target: Int32Array;
  remote: Int32Array;
  txid: Int32Array;

  constructor(capacity: number) {
    const n = Math.max(1024, capacity);
    this.ip = new Int32Array(n);
    this.ts = new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.sensor = new Int32Array(n);
    this.client = new Int32Array(n);
    this.target = new Int32Array(n);
    this.remote = new Int32Array(n);
    this.txid = new Int32Array(n);
  }

  /** Room for `n` more rows; returns the index of the first. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.ip.length) this.grow(Math.max(at + n, 2 * this.ip.length));
    this.length = at + n;
    return at;
  }

  set(
    i: number,
    ip: number,
    ts: number,
    kind: number,
    sensor: number,
    client: number,
    target: number,
    remote: number,
    txid: number,
  ): void {
    this.ip[i] = ip;
    this.ts[i] = ts;
    this.kind[i] = kind;
    this.sensor[i] = sensor;
    this.client[i] = client;
    this.target[i] = target;
    this.remote[i] = remote;
    this.txid[i] = txid;
  }

  /**
   * Row indices by address number (1 … `ips`) and time: address k's rows are
   * `order[start[k]] … order[start[k + 1] − 1]`. Rows of one address with the
   * same time keep the order they came in.
   */
  orderByIpAndTime(ips: number): { start: Int32Array; order: Int32Array } {
    const start = new Int32Array(ips + 2);
    for (let i = 0; i < this.length; i++) start[this.ip[i]! + 1]!++;
    for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
    const fill = start.slice();
    const order = new Int32Array(this.length);
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
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.ip = grown(this.ip, (n) => new Int32Array(n));
    this.ts = grown(this.ts, (n) => new Float64Array(n));
    this.kind = grown(this.kind, (n) => new Uint8Array(n));
    this.sensor = grown(this.sensor, (n) => new Int32Array(n));
    this.client = grown(this.client, (n) => new Int32Array(n));
    this.target = grown(this.target, (n) => new Int32Array(n));
    this.remote = grown(this.remote, (n) => new Int32Array(n));
    this.txid = grown(this.txid, (n) => new Int32Array(n));
  }
}
