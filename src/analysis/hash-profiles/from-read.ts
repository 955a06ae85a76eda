/**
 * The per-infohash metrics of metrics.ts computed from the operator
 * reader's columns, when a `compute` run has read them: one pass counts
 * each target's get_peers and announce_peer, a second gathers the events of
 * the targets that pass the gate by target, and each target's events, in
 * time order, give its counts, windows and visits. metrics.ts stays the
 * definition and serves a step run on its own; a test holds the two to the
 * same rows.
 *
 * The read holds the queries with an address and a sensor: every event,
 * since the schema holds neither column empty. One difference by
 * construction: an address counts toward unique_asns with
 * the one ASN the reader holds for it, where the SQL takes any of the ASNs
 * its events carry for that hash (they differ only if the enrichment of an
 * address changed while the store was written).
 */
import { median } from '../detection.ts';
import type { ColumnsView } from '../growable-columns.ts';
import { QUERY_KINDS } from '../operator-features.ts';
import type { HashMetricsConfig } from './metrics.ts';

/** What the metrics read of the operator reader's columns: all of it shared memory but the ASNs. */
export interface HashMetricsInput {
  columns: Pick<ColumnsView, 'length' | 'ts' | 'kind' | 'target'>;
  /** Address k's rows are start[k] … start[k + 1] − 1. */
  start: Int32Array;
  /** ASN by address number − 1, null for none. */
  asns: readonly (number | null)[];
  /** Distinct target and node id strings (the target column's ids run below it). */
  stringCount: number;
}

/** The metrics of one hash, in METRIC_COLUMNS order; NaN stands for NULL. */
export const METRIC_COLUMNS = [
  'target',
  'total_events',
  'announce_count',
  'unique_ips',
  'unique_asns',
  'first_t',
  'last_t',
  'first_a',
  'last_a',
  'lookups_from_watchers',
  'burst_threshold',
  'burst_peak',
  'burst_score',
  'intervals',
  'regular_intervals',
  'period_us',
] as const;

const WIDTH = METRIC_COLUMNS.length;
const GET_PEERS = QUERY_KINDS.indexOf('get_peers') + 1;
const ANNOUNCE = QUERY_KINDS.indexOf('announce_peer') + 1;

/**
 * One row of METRIC_COLUMNS per hash with at least `minEvents` events,
 * packed in one array (it crosses from a worker thread in one piece).
 * `spanUs`: the store's whole event window (the burst baseline).
 */
export function hashMetricsOfRead(
  input: HashMetricsInput,
  config: HashMetricsConfig,
  spanUs: number,
): Float64Array {
  const { ts, kind, target } = input.columns;
  const { start } = input;
  const addresses = start.length - 2;
  const last = start[addresses + 1]!;
  // The gate: events per target, then an id per target that passes.
  const count = new Int32Array(input.stringCount);
  for (let r = 0; r < last; r++) {
    const k = kind[r]!;
    const t = target[r]!;
    if ((k === GET_PEERS || k === ANNOUNCE) && t >= 0) count[t]!++;
  }
  const hid = new Int32Array(input.stringCount).fill(-1);
  const targets: number[] = [];
  const from: number[] = [0];
  for (let t = 0; t < count.length; t++) {
    if (count[t]! < config.minEvents) continue;
    hid[t] = targets.length;
    targets.push(t);
    from.push(from[from.length - 1]! + count[t]!);
  }
  // Each passing target's events together: time, address, announce.
  const total = from[from.length - 1]!;
  const evT = new Float64Array(total);
  const evIp = new Int32Array(total);
  const evAnn = new Uint8Array(total);
  const fill = Int32Array.from(from);
  for (let ip = 1; ip <= addresses; ip++) {
    for (let r = start[ip]!; r < start[ip + 1]!; r++) {
      const k = kind[r]!;
      if (k !== GET_PEERS && k !== ANNOUNCE) continue;
      const t = target[r]!;
      if (t < 0) continue;
      const h = hid[t]!;
      if (h < 0) continue;
      const at = fill[h]!++;
      evT[at] = ts[r]!;
      evIp[at] = ip;
      evAnn[at] = k === ANNOUNCE ? 1 : 0;
    }
  }
  // Per address: the hash that last saw it, its events and whether it announced there.
  const ipSeen = new Int32Array(addresses + 1).fill(-1);
  const ipEvents = new Int32Array(addresses + 1);
  const ipAnnounced = new Uint8Array(addresses + 1);
  const asnIndex = new Map<number, number>();
  const asnOf = new Int32Array(addresses + 1).fill(-1);
  for (let ip = 1; ip <= addresses; ip++) {
    const asn = input.asns[ip - 1];
    if (asn === null || asn === undefined) continue;
    let index = asnIndex.get(asn);
    if (index === undefined) {
      index = asnIndex.size;
      asnIndex.set(asn, index);
    }
    asnOf[ip] = index;
  }
  const asnSeen = new Int32Array(asnIndex.size).fill(-1);
  const out = new Float64Array(targets.length * WIDTH);
  const window = config.burstWindowUs;
  let order = new Int32Array(0);
  let times = new Float64Array(0);
  for (let h = 0; h < targets.length; h++) {
    const a = from[h]!;
    const n = from[h + 1]! - a;
    if (order.length < n) {
      order = new Int32Array(2 * n);
      times = new Float64Array(2 * n);
    }
    // Time order (the rows came address by address); ties in any order: nothing below depends on it.
    const o = order.subarray(0, n);
    for (let i = 0; i < n; i++) o[i] = a + i;
    o.sort((x, y) => evT[x]! - evT[y]!);
    const t = times.subarray(0, n);
    for (let i = 0; i < n; i++) t[i] = evT[o[i]!]!;
    let announces = 0;
    let firstA = Number.NaN;
    let lastA = Number.NaN;
    let ips = 0;
    let asns = 0;
    for (let i = 0; i < n; i++) {
      const e = o[i]!;
      const ip = evIp[e]!;
      if (ipSeen[ip] !== h) {
        ipSeen[ip] = h;
        ipEvents[ip] = 0;
        ipAnnounced[ip] = 0;
        ips++;
        const asn = asnOf[ip]!;
        if (asn >= 0 && asnSeen[asn] !== h) {
          asnSeen[asn] = h;
          asns++;
        }
      }
      ipEvents[ip]!++;
      if (evAnn[e] === 1) {
        ipAnnounced[ip] = 1;
        announces++;
        if (Number.isNaN(firstA)) firstA = t[i]!;
        lastA = t[i]!;
      }
    }
    let watchers = 0;
    for (let i = 0; i < n; i++) if (ipAnnounced[evIp[o[i]!]!] === 0) watchers++;
    // Windows [t, t + W] and [t − W, t], each with every event at the same time.
    const threshold = Math.max(
      config.burstMinEvents,
      (config.burstFactor * n * window) / Math.max(spanUs, window),
    );
    let peak = 0;
    let dense = 0;
    let lo = 0;
    let hi = 0;
    let tieStart = 0;
    let tieEnd = 0;
    for (let i = 0; i < n; i++) {
      const ti = t[i]!;
      if (i === 0 || ti !== t[i - 1]) {
        tieStart = i;
        tieEnd = i;
        while (tieEnd + 1 < n && t[tieEnd + 1] === ti) tieEnd++;
      }
      while (t[lo]! < ti - window) lo++;
      if (hi < tieEnd) hi = tieEnd;
      while (hi + 1 < n && t[hi + 1]! <= ti + window) hi++;
      const ahead = hi - tieStart + 1;
      const behind = tieEnd - lo + 1;
      const most = ahead > behind ? ahead : behind;
      if (most > peak) peak = most;
      if (most >= threshold) dense++;
    }
    // Visits: events at least visitGapUs after the one before (the first one always).
    const intervals: number[] = [];
    let visit = t[0]!;
    for (let i = 1; i < n; i++) {
      if (t[i]! - t[i - 1]! >= config.visitGapUs) {
        intervals.push(t[i]! - visit);
        visit = t[i]!;
      }
    }
    let period = Number.NaN;
    let regular = 0;
    if (intervals.length > 0) {
      const overall = median(intervals);
      period = median(intervals.filter((x) => x <= 1.5 * overall));
      for (const x of intervals) {
        const multiple = Math.round(x / period);
        if (
          multiple >= 1 &&
          multiple <= 2 &&
          Math.abs(x - multiple * period) <= config.periodTolerance * period
        )
          regular++;
      }
    }
    const row = h * WIDTH;
    out[row] = targets[h]!;
    out[row + 1] = n;
    out[row + 2] = announces;
    out[row + 3] = ips;
    out[row + 4] = asns;
    out[row + 5] = t[0]!;
    out[row + 6] = t[n - 1]!;
    out[row + 7] = firstA;
    out[row + 8] = lastA;
    out[row + 9] = watchers;
    out[row + 10] = threshold;
    out[row + 11] = peak;
    out[row + 12] = dense / n;
    out[row + 13] = intervals.length;
    out[row + 14] = regular;
    out[row + 15] = period;
  }
  return out;
}
