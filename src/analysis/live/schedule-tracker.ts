/**
 * Scheduled lookups as they happen: an address that comes back to the same
 * infohash at regular intervals (the batch SCHEDULED timing pattern of
 * rendezvous_events, with the same thresholds). Lookups of one hash by one
 * address under `visitGapUs` apart are one visit; when a visit begins and
 * the latest `minScheduledVisits` or more visits are spaced within ±
 * `maxSpread` of their median interval, at least `minPeriodUs` apart, the
 * pair is scheduled — reported the moment that visit starts, so well within
 * the minute the sources promise. Only the latest visits are judged, the
 * longest run of them that keeps the schedule: an odd first visit (the
 * watcher's start-up, a retry) must not hide the schedule that follows. A pair whose address also announced the
 * hash is a swarm peer re-asking on a timer and is never reported.
 *
 * One alert per address: a watch list of forty hashes on one schedule is
 * one monitor, not forty findings. Later scheduled hashes of a reported
 * address are counted, not alerted.
 *
 * Memory is bounded: at most `maxPairs` (address, hash) pairs, each a few
 * numbers, and `maxAddresses` reported addresses, least recently active
 * dropped first (RecentMap). A blast of one-off lookups churns the pairs, so
 * during one a monitor whose period is longer than the churn goes unseen
 * live; the batch rendezvous step still finds it from the store.
 */

import { median } from '../detection.ts';
import { RENDEZVOUS_DEFAULTS } from '../rendezvous/sql.ts';
import type { LiveEvent } from './live-event.ts';
import { RecentMap } from './recent-map.ts';

export const LIVE_SCHEDULE_DEFAULTS = {
  visitGapUs: RENDEZVOUS_DEFAULTS.visitGapUs,
  minScheduledVisits: RENDEZVOUS_DEFAULTS.minScheduledVisits,
  maxSpread: RENDEZVOUS_DEFAULTS.maxSpread,
  minPeriodUs: RENDEZVOUS_DEFAULTS.minPeriodUs,
  /** Visits remembered per pair: the schedule is judged on the latest ones. */
  maxVisits: 6,
  /** (address, hash) pairs tracked at once. */
  maxPairs: 200_000,
  /** Reported addresses remembered, so each is one alert. */
  maxAddresses: 100_000,
};

export type LiveScheduleConfig = typeof LIVE_SCHEDULE_DEFAULTS;

export interface ScheduleFinding {
  remoteIp: string;
  asn?: number | undefined;
  infohash: string;
  /** Visits judged (the latest ones, up to maxVisits). */
  visits: number;
  /** Median interval between them, seconds. */
  periodSeconds: number;
  /** Largest deviation of an interval from the period, as a share of it. */
  spread: number;
  firstUs: number;
  lastUs: number;
}

interface Pair {
  /** Start of each remembered visit, oldest first. */
  visits: number[];
  /** Last lookup, to tell a new visit from the same one. */
  lastUs: number;
  announced: boolean;
  reported: boolean;
}

export class ScheduleTracker {
  readonly #config: LiveScheduleConfig;
  readonly #pairs: RecentMap<Pair>;
  /** Reported addresses and how many scheduled hashes each has shown since. */
  readonly #reported: RecentMap<{ hashes: number }>;

  constructor(config: Partial<LiveScheduleConfig> = {}) {
    this.#config = { ...LIVE_SCHEDULE_DEFAULTS, ...config };
    this.#pairs = new RecentMap(this.#config.maxPairs);
    this.#reported = new RecentMap(this.#config.maxAddresses);
  }

  /** Pairs held in state (bounded). */
  get tracked(): number {
    return this.#pairs.size;
  }

  /** Scheduled hashes seen from an address after its alert (0 if not reported). */
  laterHashes(remoteIp: string): number {
    return this.#reported.peek(remoteIp)?.hashes ?? 0;
  }

  /** Feeds one event; returns a finding when an address's first schedule shows. */
  observe(e: LiveEvent): ScheduleFinding | undefined {
    if (e.target === undefined) return undefined;
    if (e.kind === 'announce_peer') {
      const pair = this.#pairs.peek(`${e.remoteIp} ${e.target}`);
      if (pair !== undefined) pair.announced = true;
      else this.#pairs.set(`${e.remoteIp} ${e.target}`, newPair(e.ts, true));
      return undefined;
    }
    if (e.kind !== 'get_peers') return undefined;
    const c = this.#config;
    const key = `${e.remoteIp} ${e.target}`;
    const pair = this.#pairs.get(key);
    if (pair === undefined) {
      this.#pairs.set(key, newPair(e.ts, false));
      return undefined;
    }
    const gap = e.ts - pair.lastUs;
    pair.lastUs = e.ts;
    if (gap <= c.visitGapUs) return undefined;
    pair.visits.push(e.ts);
    if (pair.visits.length > c.maxVisits) pair.visits.shift();
    if (pair.announced || pair.reported || pair.visits.length < c.minScheduledVisits)
      return undefined;
    const schedule = latestSchedule(pair.visits, c);
    if (schedule === undefined) return undefined;
    pair.reported = true;
    const seen = this.#reported.get(e.remoteIp);
    if (seen !== undefined) {
      seen.hashes++;
      return undefined;
    }
    this.#reported.set(e.remoteIp, { hashes: 0 });
    return {
      remoteIp: e.remoteIp,
      asn: e.asn,
      infohash: e.target,
      visits: schedule.visits,
      periodSeconds: Math.round(schedule.period / 1e6),
      spread: Math.round(schedule.spread * 1000) / 1000,
      firstUs: pair.visits[pair.visits.length - schedule.visits]!,
      lastUs: e.ts,
    };
  }
}

function newPair(ts: number, announced: boolean): Pair {
  return { visits: [ts], lastUs: ts, announced, reported: false };
}

/** The longest run of latest visits (at least minScheduledVisits) that keeps a schedule. */
function latestSchedule(
  visits: readonly number[],
  c: LiveScheduleConfig,
): { period: number; spread: number; visits: number } | undefined {
  for (let n = visits.length; n >= c.minScheduledVisits; n--) {
    const found = judge(visits.slice(visits.length - n), c);
    if (found !== undefined) return { ...found, visits: n };
  }
  return undefined;
}

/** The median interval and the largest relative deviation from it, if the visits keep a schedule. */
function judge(
  visits: readonly number[],
  c: LiveScheduleConfig,
): { period: number; spread: number } | undefined {
  const intervals = visits.slice(1).map((t, i) => t - visits[i]!);
  const period = median(intervals);
  if (period < c.minPeriodUs) return undefined;
  const spread = Math.max(...intervals.map((x) => Math.abs(x - period) / period));
  return spread <= c.maxSpread ? { period, spread } : undefined;
}
