/**
 * Prefix walkers: a handful of random targets inside one 12-bit prefix,
 * then the next prefix up (96a → 96b → 96c …). Full targets are in random
 * order within a prefix, so a sweep test misses them; the prefixes (first
 * three hex digits) stay put or advance by one. The sensor sees the walk
 * where it crosses the keyspace near its identities, and a walk is minutes
 * per prefix, so the visible part is contiguous: steps of 0 or +1, with a
 * little room (+2) for a prefix whose targets were all lost.
 */
import { confidenceFrom, type Detection, formatSpan, percent } from './detection.ts';
import { isLookup, type OperatorEvent } from './operator-features.ts';
import { prefix12 } from './targets.ts';

export const PREFIX_WALK_DEFAULTS = {
  minTargets: 8,
  /** Distinct prefixes visited. */
  minPrefixes: 3,
  /** Largest forward prefix step that still counts as walking. */
  maxStep: 2,
  /** Share of steps (between distinct consecutive targets) that stay or walk forward. */
  minWalkShare: 0.8,
  /** Distinct targets per prefix: a walker asks several, a sweep of a wide range one. */
  minTargetsPerPrefix: 1.8,
};

export type PrefixWalkConfig = typeof PREFIX_WALK_DEFAULTS;

/** `lookupTargets`: the distinct lookup targets when the reader counted them (OperatorTrack.distinct). */
export function detectPrefixWalk(
  events: readonly OperatorEvent[],
  config: PrefixWalkConfig = PREFIX_WALK_DEFAULTS,
  lookupTargets?: number,
): Detection | undefined {
  const targets: string[] = [];
  const times: number[] = [];
  for (const e of events) {
    if (!isLookup(e.kind) || e.target === undefined) continue;
    if (targets.length > 0 && targets[targets.length - 1] === e.target) continue;
    targets.push(e.target);
    times.push(e.ts);
  }
  if (targets.length < config.minTargets) return undefined;
  const distinct = lookupTargets ?? new Set(targets).size;
  if (distinct < config.minTargets) return undefined;
  const prefixes = new Set(targets.map(prefix12));
  if (prefixes.size < config.minPrefixes) return undefined;
  if (distinct / prefixes.size < config.minTargetsPerPrefix) return undefined;
  let walk = 0;
  let advance = 0;
  for (let i = 1; i < targets.length; i++) {
    const step = prefix12(targets[i]!) - prefix12(targets[i - 1]!);
    if (step >= 0 && step <= config.maxStep) walk++;
    if (step > 0 && step <= config.maxStep) advance++;
  }
  const share = walk / (targets.length - 1);
  if (share < config.minWalkShare || advance < config.minPrefixes - 1) return undefined;
  return {
    label: 'prefix_walker',
    confidence: confidenceFrom(
      share,
      config.minWalkShare,
      1,
      prefixes.size,
      4 * config.minPrefixes,
    ),
    why: `${distinct} targets in ${prefixes.size} 12-bit prefixes walked upwards (${percent(share)} of steps stay or advance by ≤ ${config.maxStep}) over ${formatSpan(times[times.length - 1]! - times[0]!)}`,
  };
}
