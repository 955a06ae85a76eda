/**
 * The one pass over the queries that every keyspace detector shares, made
 * over the operator reader's columns (operator-stream.ts): each address's
 * events in time order, so each of its time buckets comes as one stretch.
 *
 * The queries that carry a target (find_node, get_peers, announce_peer,
 * sample_infohashes, get) are folded into one *lookup* per address, time
 * bucket and target — a lookup as the detectors see it: a client's
 * iterative lookup reaches several of the sensor's identities, so one lookup
 * is often several events with the same target seconds apart. A store of ten
 * million events folds into about a third as many lookups, which the
 * detectors see a bucket at a time and never as objects.
 *
 * A target's position is its first 32 bits (`head`): every prefix the
 * detectors use is a shift of it (head >>> 16 is the 16-bit prefix, head >>>
 * 20 the 12-bit one). It comes from the read's key fractions (targets.ts),
 * so a target counts when it starts with hex digits, as every id does.
 */
import { type AddressRange, byKindNumber, type OperatorRead } from '../operator-stream.ts';

/** Query kinds whose target is a point of the keyspace. */
export const TARGETED_KINDS = [
  'find_node',
  'get_peers',
  'announce_peer',
  'sample_infohashes',
  'get',
] as const;

/** Cells of the heatmap: every 16-bit prefix. */
export const CELLS = 65_536;

/** Distinct 12-bit prefixes. */
export const PREFIXES_12 = 4_096;

/**
 * One address's lookups in one time bucket, in the order of their first
 * event. Arrays are reused from bucket to bucket: read them during the call.
 */
export interface Bucket {
  /** Address number (1-based, in address order: see OperatorColumns). */
  ipNo: number;
  /** Whole buckets since the epoch. */
  b: number;
  size: number;
  /** Target string id (distinct ids are distinct targets). */
  target: Int32Array;
  /** The target's first 32 bits. */
  head: Uint32Array;
  /** Events folded into the lookup, and of those get_peers (searches for a torrent's peers). */
  n: Int32Array;
  nl: Int32Array;
  /** 1 when the target was asked as an infohash (get_peers or announce_peer), not a node id. */
  ih: Uint8Array;
  /** First and last event, µs since the epoch. */
  t0: Float64Array;
  t1: Float64Array;
}

/** What receives the fold: every bucket of an address, then the address's end. */
export interface LookupVisitor {
  bucket(bucket: Bucket): void;
  endAddress(ipNo: number): void;
}

export function bucketMicros(bucketMinutes: number): number {
  return Math.max(1, Math.round(bucketMinutes)) * 60_000_000;
}

/** Kind flags by kind number: 1 targeted, 2 get_peers, 4 infohash. */
function kindFlags(): Uint8Array {
  return byKindNumber((kind) =>
    (TARGETED_KINDS as readonly string[]).includes(kind)
      ? 1 |
        (kind === 'get_peers' ? 2 : 0) |
        (kind === 'get_peers' || kind === 'announce_peer' ? 4 : 0)
      : 0,
  );
}

/** What the fold reads of the operator reader's columns: all of it shared memory but the addresses. */
export type FoldInput = Pick<OperatorRead, 'addresses' | 'start' | 'targetKeys'> & {
  columns: Pick<OperatorRead['columns'], 'length' | 'ts' | 'kind' | 'target'>;
};

/**
 * Folds the targeted queries of the addresses in `range` into lookups, a
 * bucket at a time, addresses in address order. Progress counts the range's
 * events; returns the number of targeted ones.
 */
export function foldLookups(
  read: FoldInput,
  range: AddressRange,
  bucketMinutes: number,
  visitor: LookupVisitor,
  onProgress?: (done: number) => void,
): number {
  const bucketUs = bucketMicros(bucketMinutes);
  const flags = kindFlags();
  const { start, targetKeys } = read;
  const { ts, kind, target } = read.columns;
  const first = start[range.from]!;
  // Per target string: the bucket it was last seen in, and its slot there (side by side: one cache line).
  const seen = new Int32Array(2 * targetKeys.length).fill(-1);
  let capacity = 1024;
  const bucket: Bucket = {
    ipNo: 0,
    b: 0,
    size: 0,
    target: new Int32Array(capacity),
    head: new Uint32Array(capacity),
    n: new Int32Array(capacity),
    nl: new Int32Array(capacity),
    ih: new Uint8Array(capacity),
    t0: new Float64Array(capacity),
    t1: new Float64Array(capacity),
  };
  const grow = () => {
    capacity *= 2;
    const more = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    bucket.target = more(bucket.target);
    bucket.head = more(bucket.head);
    bucket.n = more(bucket.n);
    bucket.nl = more(bucket.nl);
    bucket.ih = more(bucket.ih);
    bucket.t0 = more(bucket.t0);
    bucket.t1 = more(bucket.t1);
  };
  let serial = 0;
  let targeted = 0;
  let reported = first;
  for (let ipNo = range.from; ipNo < range.to; ipNo++) {
    const end = start[ipNo + 1]!;
    bucket.ipNo = ipNo;
    bucket.size = 0;
    let current = Number.NaN;
    for (let r = start[ipNo]!; r < end; r++) {
      const f = flags[kind[r]!]!;
      if (f === 0) continue;
      const id = target[r]!;
      if (id < 0) continue;
      const key = targetKeys[id]!;
      if (key < 0) continue;
      targeted++;
      const t = ts[r]!;
      const b = Math.floor(t / bucketUs);
      if (b !== current) {
        if (bucket.size > 0) visitor.bucket(bucket);
        bucket.b = b;
        bucket.size = 0;
        current = b;
        serial++;
      }
      if (seen[2 * id] === serial) {
        const s = seen[2 * id + 1]!;
        bucket.n[s]!++;
        if (f & 2) bucket.nl[s]!++;
        if (f & 4) bucket.ih[s] = 1;
        if (t < bucket.t0[s]!) bucket.t0[s] = t;
        if (t > bucket.t1[s]!) bucket.t1[s] = t;
        continue;
      }
      if (bucket.size === capacity) grow();
      const s = bucket.size++;
      seen[2 * id] = serial;
      seen[2 * id + 1] = s;
      bucket.target[s] = id;
      // Exact: a key is a 52-bit integer over 2^52.
      bucket.head[s] = Math.floor(key * 2 ** 32);
      bucket.n[s] = 1;
      bucket.nl[s] = f & 2 ? 1 : 0;
      bucket.ih[s] = f & 4 ? 1 : 0;
      bucket.t0[s] = t;
      bucket.t1[s] = t;
    }
    if (bucket.size > 0) visitor.bucket(bucket);
    visitor.endAddress(ipNo);
    if (end - reported >= 262_144) {
      onProgress?.(end - first);
      reported = end;
    }
  }
  onProgress?.(start[range.to]! - first);
  return targeted;
}

/** A prefix as fixed-width lowercase hex. */
export function hexOf(prefix: number, digits: 3 | 4): string {
  return prefix.toString(16).padStart(digits, '0');
}

/**
 * DuckDB's and C's `round(x, digits)`: halves away from zero, on x scaled by
 * 10^digits as a double — the tables' figures round as they always have.
 */
export function roundTo(x: number, digits: number): number {
  const m = 10 ** digits;
  return (Math.sign(x) * Math.round(Math.abs(x) * m)) / m;
}

/**
 * `printf('%.Nf')`: like toFixed, except that an exact tie rounds to even
 * (toFixed rounds it up). A double is an exact tie at N decimals only when
 * x · 2^(N+1) is an odd integer.
 */
export function fixed(x: number, digits: number): string {
  const scaled = x * 2 ** (digits + 1);
  if (!Number.isInteger(scaled) || scaled % 2 === 0) return x.toFixed(digits);
  const m = 10 ** digits;
  const down = Math.trunc(x * m);
  const even = down % 2 === 0 ? down : down + Math.sign(x);
  return (even / m).toFixed(digits);
}

/** A number from the config for a setting that must be finite (a NaN would silently match nothing). */
export function num(value: number): number {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return value;
}
