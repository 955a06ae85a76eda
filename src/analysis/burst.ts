/**
 * Burst probers: silence, then hundreds of lookups within seconds. Thinned
 * to ~30 %, a burst of 200 is still ~60 events in under a minute, far above
 * anything an ordinary client sends (a few an hour); most of the address's
 * lookups fall inside such dense minutes. Fast sweeps are dense too while
 * they cross a visible region, which is why sweeps take precedence.
 */
import { confidenceFrom, type Detection, formatSpan, percent } from './detection.ts';
import { isLookup, type OperatorEvent } from './operator-features.ts';

export const BURST_DEFAULTS = {
  windowUs: 60_000_000,
  /** Lookups within one window that make it a burst. */
  minPeak: 25,
  /** Share of the address's lookups inside burst windows. */
  minBurstShare: 0.6,
};

export type BurstConfig = typeof BURST_DEFAULTS;

export function detectBurst(
  events: readonly OperatorEvent[],
  config: BurstConfig = BURST_DEFAULTS,
): Detection | undefined {
  const ts = events.filter((e) => isLookup(e.kind)).map((e) => e.ts);
  if (ts.length < config.minPeak) return undefined;
  // Two pointers over the sorted times: windows [ts[i], ts[i] + window) with their counts.
  const inBurst = new Uint8Array(ts.length + 1);
  let peak = 0;
  let j = 0;
  let markedTo = 0;
  let bursts = 0;
  let lastBurstEnd = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < ts.length; i++) {
    while (j < ts.length && ts[j]! - ts[i]! < config.windowUs) j++;
    const count = j - i;
    if (count > peak) peak = count;
    if (count >= config.minPeak) {
      for (let k = Math.max(i, markedTo); k < j; k++) inBurst[k] = 1;
      markedTo = Math.max(markedTo, j);
      if (ts[i]! > lastBurstEnd) bursts++;
      lastBurstEnd = ts[j - 1]!;
    }
  }
  if (peak < config.minPeak) return undefined;
  let inside = 0;
  for (let k = 0; k < ts.length; k++) inside += inBurst[k]!;
  const share = inside / ts.length;
  if (share < config.minBurstShare) return undefined;
  const span = ts[ts.length - 1]! - ts[0]!;
  const meanPerWindow = (ts.length / Math.max(span, config.windowUs)) * config.windowUs;
  return {
    label: 'burst_prober',
    confidence: confidenceFrom(share, config.minBurstShare, 1, peak, 2 * config.minPeak),
    why: `${bursts} burst${bursts === 1 ? '' : 's'}, peak ${peak} lookups a minute against a mean of ${meanPerWindow.toFixed(1)}; ${percent(share)} of ${ts.length} lookups inside bursts over ${formatSpan(span)}`,
  };
}
