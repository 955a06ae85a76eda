/**
 * The live detectors the `antenna` command wires to the sensor's event
 * stream (the sensor itself never imports analysis): sweeps, prefix walks
 * and scheduled lookups, each with bounded state. Each finding becomes one
 * alert; one sweep, one walk or one monitor's schedule is one alert, however
 * long it goes on.
 */
import type { EventKind, EventRecord } from '../../store/schema.ts';
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

  /** Feeds one event; returns the alerts it completes (usually none). */
  observe(event: EventRecord): Alert[] {
    const e = event as EventRecord & { kind: EventKind };
    const alerts: Alert[] = [];
    const sweep = this.#sweeps.observe(e);
    if (sweep !== undefined)
      alerts.push({
        type: 'sweep',
        ...this.#base(sweep.remoteIp, sweep.asn, sweep.lastUs),
        why: `${sweep.hashes} targets in ${sweep.direction} order from ${short(sweep.startTarget)} to ${short(sweep.endTarget)} at ${sweep.rate} a second`,
        finding: sweep,
      });
    const walk = this.#walks.observe(e);
    if (walk !== undefined)
      alerts.push({
        type: 'prefix_walk',
        ...this.#base(walk.remoteIp, walk.asn, walk.lastUs),
        why: `${walk.hashes} targets walking ${walk.prefixes} hex prefixes ${walk.firstPrefixes.join(' → ')} … ${walk.lastPrefix} at ${walk.rate} a second`,
        finding: walk,
      });
    const schedule = this.#schedules.observe(e);
    if (schedule !== undefined)
      alerts.push({
        type: 'scheduled',
        ...this.#base(schedule.remoteIp, schedule.asn, schedule.lastUs),
        why: `${short(schedule.infohash)} looked up ${schedule.visits} times every ~${formatPeriod(schedule.periodSeconds)} (intervals within ± ${Math.round(schedule.spread * 100)} %)`,
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

function formatPeriod(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m} min`;
}
