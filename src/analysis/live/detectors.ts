/**
 * The live detectors the `antenna` command wires to the sensor's event
 * stream (the sensor itself never imports analysis). Each finding becomes
 * one alert; one sweep is one alert, however long it goes on.
 */
import type { EventKind, EventRecord } from '../../store/schema.ts';
import { type LiveSweepConfig, type SweepFinding, SweepTracker } from './sweep-tracker.ts';

export interface Alert {
  /** What was found: `sweep` for now. */
  type: 'sweep';
  /** When the detector concluded, on the sensor's clock (ISO 8601; lab time in a lab). */
  detectedAt: string;
  /** µs between the event that completed the finding and the conclusion. */
  latencyUs: number;
  remoteIp: string;
  asn?: number | undefined;
  /** One line in words. */
  why: string;
  finding: SweepFinding;
}

export class LiveDetectors {
  readonly #sweeps: SweepTracker;
  readonly #now: () => number;

  /** `nowMs`: the sensor's clock, so alerts carry lab time in a lab. */
  constructor(nowMs: () => number, config: { sweep?: Partial<LiveSweepConfig> } = {}) {
    this.#sweeps = new SweepTracker(config.sweep);
    this.#now = nowMs;
  }

  /** Addresses held in detector state (bounded). */
  get tracked(): number {
    return this.#sweeps.tracked;
  }

  observe(event: EventRecord): Alert | undefined {
    const sweep = this.#sweeps.observe(event as EventRecord & { kind: EventKind });
    if (sweep === undefined) return undefined;
    const nowUs = this.#now() * 1000;
    return {
      type: 'sweep',
      detectedAt: new Date(nowUs / 1000).toISOString(),
      latencyUs: Math.max(0, Math.round(nowUs - sweep.lastUs)),
      remoteIp: sweep.remoteIp,
      asn: sweep.asn,
      why: `${sweep.hashes} targets in ${sweep.direction} order from ${sweep.startTarget.slice(0, 6)}… to ${sweep.endTarget.slice(0, 6)}… at ${sweep.rate} a second`,
      finding: sweep,
    };
  }
}
