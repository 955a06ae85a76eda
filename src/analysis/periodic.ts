/**
 * Periodic monitors: a fixed watch list looked up again every period
 * (default 1 h ± 10 %), never announced. The sensor sees a hash either on
 * every round or never, so the visible watch-list hashes each show a train
 * of visits at regular intervals. A lost round doubles one interval, so an
 * interval counts as regular when it is close to a whole multiple of the
 * period. Ordinary clients revisit popular hashes too, but at Poisson
 * times, mixed with many one-off lookups, and with announces; all three
 * tests below must hold.
 */
import { confidenceFrom, type Detection, formatSpan, median, percent } from './detection.ts';
import { kindCount, type OperatorEvent, type OperatorFeatures } from './operator-features.ts';

export const PERIODIC_DEFAULTS = {
  /**
   * Visits of one hash (after folding repeats within `sameVisitUs`) to count
   * it as watched. Two, so that a two-round lab still shows a monitor; the
   * evidence then comes from several hashes sharing the interval.
   */
  minVisits: 2,
  /**
   * Intervals needed over all watched hashes. Three: a client re-fetching one
   * popular torrent makes two intervals look regular too often.
   */
  minIntervals: 3,
  sameVisitUs: 60_000_000,
  /** Shorter periods are retries or bursts, not monitoring. */
  minPeriodUs: 5 * 60_000_000,
  /**
   * How far (share of the period) an interval may be from a whole multiple
   * of it: a monitor's ± 10 % jitter moves an interval by up to ~20 %.
   */
  tolerance: 0.2,
  /** Intervals longer than this many periods (more than one lost round) say nothing. */
  maxMultiple: 2,
  minRegularShare: 0.8,
  /** Share of the address's get_peers that go to watched hashes. */
  minWatchedShare: 0.6,
  /** announce_peer / (get_peers + announce_peer): monitors watch, they do not join. */
  maxAnnounceShare: 0.05,
};

export type PeriodicConfig = typeof PERIODIC_DEFAULTS;

export function detectPeriodic(
  f: OperatorFeatures,
  events: readonly OperatorEvent[],
  config: PeriodicConfig = PERIODIC_DEFAULTS,
): Detection | undefined {
  const lookups = kindCount(f, 'get_peers');
  const announces = kindCount(f, 'announce_peer');
  if (lookups === 0 || announces / (lookups + announces) > config.maxAnnounceShare)
    return undefined;
  const visits = new Map<string, number[]>();
  for (const e of events) {
    if (e.kind !== 'get_peers' || e.target === undefined) continue;
    const times = visits.get(e.target);
    if (times === undefined) visits.set(e.target, [e.ts]);
    else if (e.ts - times[times.length - 1]! >= config.sameVisitUs) times.push(e.ts);
  }
  const intervals: number[] = [];
  let watched = 0;
  let watchedLookups = 0;
  for (const times of visits.values()) {
    if (times.length < config.minVisits) continue;
    watched++;
    for (let i = 1; i < times.length; i++) intervals.push(times[i]! - times[i - 1]!);
  }
  if (watched === 0 || intervals.length < config.minIntervals) return undefined;
  for (const e of events) {
    if (
      e.kind === 'get_peers' &&
      e.target !== undefined &&
      (visits.get(e.target)?.length ?? 0) >= config.minVisits
    )
      watchedLookups++;
  }
  const watchedShare = watchedLookups / lookups;
  if (watchedShare < config.minWatchedShare) return undefined;
  const { period, share } = regularity(intervals, config.tolerance, config.maxMultiple);
  if (!(period >= config.minPeriodUs) || share < config.minRegularShare) return undefined;
  return {
    label: 'periodic_monitor',
    confidence: confidenceFrom(
      share,
      config.minRegularShare,
      1,
      intervals.length,
      4 * config.minIntervals,
    ),
    why: `${watched} infohash${watched === 1 ? '' : 'es'} looked up every ~${formatSpan(period)} (${percent(share)} of ${intervals.length} intervals regular), no announces`,
  };
}

/**
 * The period of a train of intervals (the median of those not longer than
 * 1.5 × the overall median, so lost rounds do not stretch it) and the share
 * of intervals within `tolerance` × period of a whole multiple (1 …
 * `maxMultiple`) of it.
 */
export function regularity(
  intervals: readonly number[],
  tolerance: number,
  maxMultiple: number,
): { period: number; share: number } {
  if (intervals.length === 0) return { period: Number.NaN, share: 0 };
  const all = median(intervals);
  const period = median(intervals.filter((x) => x <= 1.5 * all));
  let regular = 0;
  for (const x of intervals) {
    const k = Math.round(x / period);
    if (k >= 1 && k <= maxMultiple && Math.abs(x - k * period) <= tolerance * period) regular++;
  }
  return { period, share: regular / intervals.length };
}
