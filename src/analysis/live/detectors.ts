/**
 * The live detectors the `antenna` command wires to the sensor's event
 * stream (the sensor itself never imports analysis): sweeps, prefix walks
 * and scheduled lookups, each with bounded state. Each finding becomes one
 * alert; one sweep, one walk or one monitor's schedule is one alert, however
 * long it goes on.
 */
import type { EventRecord } from '../../store/schema.ts';
import { formatSpan } from '../detection.ts';
import { isLookup } from '../operator-features.ts';
import { keyFraction } from '../targets.ts';
import type { LiveEvent } from './live-event.ts';
import {
  type LivePrefixWalkConfig,
  type PrefixWalkFinding,
  PrefixWalkTracker,
} from './prefix-walk-tracker.ts';
import {
  type LiveScheduleConfig,
  type ScheduleFinding,
  ScheduleTracker,
} from './schedule-tracker.ts';
import { type LiveSweepConfig, type SweepFinding, SweepTracker } from './sweep-tracker.ts';

interface AlertBase {
  /** When the detector concluded, on the sensor's clock (ISO 8601; lab time in a lab). */
  detectedAt: string;
  /** µs between the event that completed the finding and the conclusion. */
  latencyUs: number;
  remoteIp: string;
  asn?: number | undefined;
  /** One line in words. */
  why: string;
}

export type Alert =
  | (AlertBase & { type: 'sweep'; finding: SweepFinding })
  | (AlertBase & { type: 'prefix_walk'; finding: PrefixWalkFinding })
  | (AlertBase & { type: 'scheduled'; finding: ScheduleFinding });

export type AlertType = Alert['type'];

export interface LiveDetectorsConfig {
  sweep?: Partial<LiveSweepConfig>;
  prefixWalk?: Partial<LivePrefixWalkConfig>;
  schedule?: Partial<LiveScheduleConfig>;
}

const short = (hex: string) => `${hex.slice(0, 6)}…`;

const NO_ALERTS: readonly Alert[] = Object.freeze([]);

export class LiveDetectors {
  readonly #sweeps: SweepTracker;
  readonly #walks: PrefixWalkTracker;
  readonly #schedules: ScheduleTracker;
  readonly #now: () => number;

  /** `nowMs`: the sensor's clock, so alerts carry lab time in a lab. */
  constructor(nowMs: () => number, config: LiveDetectorsConfig = {}) {
    this.#sweeps = new SweepTracker(config.sweep);
    this.#walks = new PrefixWalkTracker(config.prefixWalk);
    this.#schedules = new ScheduleTracker(config.schedule);
    this.#now = nowMs;
  }

  /** Entries held in detector state (each bounded): addresses for sweeps and walks, (address, hash) pairs for schedules. */
  get tracked(): { sweeps: number; walks: number; schedules: number } {
    return {
      sweeps: this.#sweeps.tracked,
      walks: this.#walks.tracked,
      schedules: this.#schedules.tracked,
    };
  }

  /** Feeds one event; returns the alerts it completes (usually none, the shared empty list). */
  observe(event: EventRecord): readonly Alert[] {
    const e = event as LiveEvent;
    let sweep: SweepFinding | undefined;
    let walk: PrefixWalkFinding | undefined;
    if (isLookup(e.kind) && e.target !== undefined) {
      // One key per lookup for both keyspace trackers, as the batch replay feeds them.
      const key = keyFraction(e.target);
      sweep = this.#sweeps.observeKey(e.ts, e.remoteIp, e.asn, key, e.target);
      walk = this.#walks.observeKey(e.ts, e.remoteIp, e.asn, key);
    }
    const schedule = this.#schedules.observe(e);
    if (sweep === undefined && walk === undefined && schedule === undefined) return NO_ALERTS;
    const alerts: Alert[] = [];
    if (sweep !== undefined)
      alerts.push({
        type: 'sweep',
        ...this.#base(sweep.remoteIp, sweep.asn, sweep.lastUs),
        why: `${sweep.hashes} targets in ${sweep.direction} order from ${short(sweep.startTarget)} to ${short(sweep.endTarget)} at ${sweep.rate} a second`,
        finding: sweep,
      });
    if (walk !== undefined)
      alerts.push({
        type: 'prefix_walk',
        ...this.#base(walk.remoteIp, walk.asn, walk.lastUs),
        why: `${walk.hashes} targets walking ${walk.prefixes} hex prefixes ${walk.firstPrefixes.join(' → ')} … ${walk.lastPrefix} at ${walk.rate} a second`,
        finding: walk,
      });
    if (schedule !== undefined)
      alerts.push({
        type: 'scheduled',
        ...this.#base(schedule.remoteIp, schedule.asn, schedule.lastUs),
        why: `${short(schedule.infohash)} looked up ${schedule.visits} times every ~${formatSpan(schedule.periodSeconds * 1e6)} (intervals within ± ${Math.round(schedule.spread * 100)} %)`,
        finding: schedule,
      });
    return alerts;
  }

  #base(remoteIp: string, asn: number | undefined, lastUs: number) {
    const nowUs = this.#now() * 1000;
    return {
      detectedAt: new Date(nowUs / 1000).toISOString(),
      latencyUs: Math.max(0, Math.round(nowUs - lastUs)),
      remoteIp,
      asn,
    };
  }
}
