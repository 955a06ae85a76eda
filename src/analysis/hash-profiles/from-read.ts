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
import { kindNumber } from '../operator-stream.ts';
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
const GET_PEERS = kindNumber('get_peers');
const ANNOUNCE = kindNumber('announce_peer');

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
  const gated = gate(input, config.minEvents);
  const events = gather(input, gated);
  const addresses = input.start.length - 2;
  // Per address: the hash that last counted it, and whether it announced that hash.
  const ipSeen = new Int32Array(addresses + 1).fill(-1);
  const ipAnnounced = new Uint8Array(addresses + 1);
  const { asnOf, asnCount } = asnNumbers(input.asns);
  const asnSeen = new Int32Array(asnCount).fill(-1);
  const out = new Float64Array(gated.targets.length * WIDTH);
  let order = new Int32Array(0);
  let times = new Float64Array(0);
  for (let h = 0; h < gated.targets.length; h++) {
    const a = gated.from[h]!;
    const n = gated.from[h + 1]! - a;
    if (order.length < n) {
      order = new Int32Array(2 * n);
      times = new Float64Array(2 * n);
    }
    // Time order (the events came address by address); ties in any order: nothing below depends on it.
    const o = order.subarray(0, n);
    for (let i = 0; i < n; i++) o[i] = a + i;
    o.sort((x, y) => events.t[x]! - events.t[y]!);
    const t = times.subarray(0, n);
    for (let i = 0; i < n; i++) t[i] = events.t[o[i]!]!;
    let announces = 0;
    let firstA = Number.NaN;
    let lastA = Number.NaN;
    let ips = 0;
    let asns = 0;
    for (let i = 0; i < n; i++) {
      const e = o[i]!;
      const ip = events.ip[e]!;
      if (ipSeen[ip] !== h) {
        ipSeen[ip] = h;
        ipAnnounced[ip] = 0;
        ips++;
        const asn = asnOf[ip]!;
        if (asn >= 0 && asnSeen[asn] !== h) {
          asnSeen[asn] = h;
          asns++;
        }
      }
      if (events.announce[e] === 1) {
        ipAnnounced[ip] = 1;
        announces++;
        if (Number.isNaN(firstA)) firstA = t[i]!;
        lastA = t[i]!;
      }
    }
    // Lookups from watchers: the events of addresses that never announced the hash.
    let watchers = 0;
    for (let i = 0; i < n; i++) if (ipAnnounced[events.ip[o[i]!]!] === 0) watchers++;
    const threshold = Math.max(
      config.burstMinEvents,
      (config.burstFactor * n * config.burstWindowUs) / Math.max(spanUs, config.burstWindowUs),
    );
    const burst = burstOf(t, threshold, config.burstWindowUs);
    const visits = scheduleOf(t, config);
    const row = h * WIDTH;
    out[row] = gated.targets[h]!;
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
    out[row + 11] = burst.peak;
    out[row + 12] = burst.dense / n;
    out[row + 13] = visits.intervals;
    out[row + 14] = visits.regular;
    out[row + 15] = visits.period;
  }
  return out;
}

interface Gate {
  /** The passing targets' string ids, by hash number. */
  targets: number[];
  /** Hash h's events will be from[h] … from[h + 1] − 1. */
  from: Int32Array;
  /** Hash number by target string id, −1 below the gate. */
  hid: Int32Array;
}

/** The gate: get_peers and announce_peer per target, and a number for each target that passes. */
function gate(input: HashMetricsInput, minEvents: number): Gate {
  const { kind, target } = input.columns;
  const last = input.start[input.start.length - 1]!;
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
    if (count[t]! < minEvents) continue;
    hid[t] = targets.length;
    targets.push(t);
    from.push(from[from.length - 1]! + count[t]!);
  }
  return { targets, from: Int32Array.from(from), hid };
}

/** The passing targets' events, each target's together: time, address number, announce or not. */
function gather(
  input: HashMetricsInput,
  gated: Gate,
): { t: Float64Array; ip: Int32Array; announce: Uint8Array } {
  const { ts, kind, target } = input.columns;
  const { start } = input;
  const total = gated.from[gated.from.length - 1]!;
  const out = {
    t: new Float64Array(total),
    ip: new Int32Array(total),
    announce: new Uint8Array(total),
  };
  const fill = Int32Array.from(gated.from);
  for (let ip = 1; ip < start.length - 1; ip++) {
    for (let r = start[ip]!; r < start[ip + 1]!; r++) {
      const k = kind[r]!;
      if (k !== GET_PEERS && k !== ANNOUNCE) continue;
      const t = target[r]!;
      if (t < 0) continue;
      const h = gated.hid[t]!;
      if (h < 0) continue;
      const at = fill[h]!++;
      out.t[at] = ts[r]!;
      out.ip[at] = ip;
      out.announce[at] = k === ANNOUNCE ? 1 : 0;
    }
  }
  return out;
}

/** A small number per distinct ASN, by address number (−1: none). */
function asnNumbers(asns: readonly (number | null)[]): { asnOf: Int32Array; asnCount: number } {
  const numbers = new Map<number, number>();
  const asnOf = new Int32Array(asns.length + 1).fill(-1);
  for (let ip = 1; ip <= asns.length; ip++) {
    const asn = asns[ip - 1];
    if (asn === null || asn === undefined) continue;
    let n = numbers.get(asn);
    if (n === undefined) {
      n = numbers.size;
      numbers.set(asn, n);
    }
    asnOf[ip] = n;
  }
  return { asnOf, asnCount: numbers.size };
}

/**
 * Over times in order: the most events in a window [t, t + W] or [t − W, t]
 * (each with every event at the same time, as RANGE frames count them),
 * and how many events have a window reaching `threshold`.
 */
function burstOf(
  t: Float64Array,
  threshold: number,
  window: number,
): { peak: number; dense: number } {
  const n = t.length;
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
  return { peak, dense };
}

/**
 * Over times in order: visits start where an event comes at least
 * visitGapUs after the one before (the first event starts one); the
 * intervals between visit starts, their period and how many are regular
 * (metrics.ts). `period` is NaN without intervals.
 */
function scheduleOf(
  t: Float64Array,
  config: HashMetricsConfig,
): { intervals: number; regular: number; period: number } {
  const intervals: number[] = [];
  let visit = t[0]!;
  for (let i = 1; i < t.length; i++) {
    if (t[i]! - t[i - 1]! >= config.visitGapUs) {
      intervals.push(t[i]! - visit);
      visit = t[i]!;
    }
  }
  if (intervals.length === 0) return { intervals: 0, regular: 0, period: Number.NaN };
  const overall = median(intervals);
  const period = median(intervals.filter((x) => x <= 1.5 * overall));
  let regular = 0;
  for (const x of intervals) {
    const multiple = Math.round(x / period);
    if (
      multiple >= 1 &&
      multiple <= 2 &&
      Math.abs(x - multiple * period) <= config.periodTolerance * period
    )
      regular++;
  }
  return { intervals: intervals.length, regular, period };
}
