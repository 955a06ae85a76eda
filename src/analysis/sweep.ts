/**
 * Sequential crawlers: lookup targets that step through the keyspace in one
 * direction. The sensor sees only the targets that fall near its identities,
 * but a subsequence of a monotone sequence is monotone, so the order
 * survives any thinning; what thinning costs is the number of targets, and
 * the minimum below is small because random order almost never looks
 * monotone (12 random targets with at most one step out of order: ~2·10⁻⁵).
 */
import { confidenceFrom, type Detection, formatSpan, median, percent } from './detection.ts';
import { isLookup, type OperatorEvent } from './operator-features.ts';
import { keyFraction } from './targets.ts';

export const SWEEP_DEFAULTS = {
  /** Distinct lookup targets needed before order means anything. */
  minTargets: 12,
  /** Share of steps between consecutive distinct targets going the main way. */
  minMonotone: 0.9,
};

export type SweepConfig = typeof SWEEP_DEFAULTS;

/** The order of an address's lookup targets, and the line they follow through time. */
export interface SweepStats {
  /** Lookups after folding repeats of the previous target (one query seen by two identities). */
  targets: number;
  steps: number;
  ascending: number;
  descending: number;
  /** Share of steps in the main direction (0.5 ≈ random). */
  monotone: number;
  direction: 1 | -1;
  firstUs: number;
  lastUs: number;
  /** Keyspace fractions of the lowest and highest target. */
  minKey: number;
  maxKey: number;
  /** Least-squares line key = meanKey + slope · (t − meanT), t in seconds. */
  meanT: number;
  meanKey: number;
  /** Keyspace fraction per second (signed). */
  slope: number;
  /** Median gap between consecutive lookups (µs): the step interval where the sensor sees every step. */
  medianGapUs: number;
}

/**
 * Undefined under 3 lookups: nothing to order. `lookupTargets`: the distinct
 * lookup targets when the reader counted them (OperatorTrack.distinct).
 */
export function sweepStats(
  events: readonly OperatorEvent[],
  lookupTargets?: number,
): SweepStats | undefined {
  const ts: number[] = [];
  const keys: number[] = [];
  const hexes: string[] = [];
  for (const e of events) {
    if (!isLookup(e.kind) || e.target === undefined) continue;
    if (hexes.length > 0 && hexes[hexes.length - 1] === e.target) continue;
    ts.push(e.ts);
    hexes.push(e.target);
    keys.push(keyFraction(e.target));
  }
  if (hexes.length < 3) return undefined;
  let ascending = 0;
  let descending = 0;
  const gaps: number[] = [];
  for (let i = 1; i < hexes.length; i++) {
    // Equal-length lower-case hex compares like the numbers it spells.
    if (hexes[i]! > hexes[i - 1]!) ascending++;
    else if (hexes[i]! < hexes[i - 1]!) descending++;
    gaps.push(ts[i]! - ts[i - 1]!);
  }
  const steps = hexes.length - 1;
  const n = hexes.length;
  const tSec = ts.map((t) => (t - ts[0]!) / 1e6);
  const meanT = tSec.reduce((a, b) => a + b, 0) / n;
  const meanKey = keys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let minKey = 1;
  let maxKey = 0;
  for (let i = 0; i < n; i++) {
    if (keys[i]! < minKey) minKey = keys[i]!;
    if (keys[i]! > maxKey) maxKey = keys[i]!;
    sxy += (tSec[i]! - meanT) * (keys[i]! - meanKey);
    sxx += (tSec[i]! - meanT) ** 2;
  }
  return {
    targets: lookupTargets ?? new Set(hexes).size,
    steps,
    ascending,
    descending,
    monotone: Math.max(ascending, descending) / steps,
    direction: ascending >= descending ? 1 : -1,
    firstUs: ts[0]!,
    lastUs: ts[n - 1]!,
    minKey,
    maxKey,
    meanT: meanT + ts[0]! / 1e6,
    meanKey,
    slope: sxx === 0 ? 0 : sxy / sxx,
    medianGapUs: median(gaps),
  };
}

export function detectSweep(
  stats: SweepStats | undefined,
  config: SweepConfig = SWEEP_DEFAULTS,
): Detection | undefined {
  if (stats === undefined) return undefined;
  if (stats.targets < config.minTargets || stats.monotone < config.minMonotone) return undefined;
  const order = stats.direction === 1 ? 'ascending' : 'descending';
  return {
    label: 'sequential_crawler',
    confidence: confidenceFrom(
      stats.monotone,
      config.minMonotone,
      1,
      stats.targets,
      4 * config.minTargets,
    ),
    why: `${stats.targets} targets in ${order} order (${percent(stats.monotone)} monotone) over ${formatSpan(stats.lastUs - stats.firstUs)}`,
  };
}
