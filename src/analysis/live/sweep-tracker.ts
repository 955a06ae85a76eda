/**
 * Sweeps as they happen: per address, the run of distinct lookup targets
 * moving in one direction through the keyspace. A sweep is reported once,
 * when its run reaches `minTargets` (the tenth hash by default), and again
 * only after the run has broken (a step the other way, or an idle gap) and
 * a new one has grown. The same tracker replays stored events in batch
 * (sweep_events) and watches the sensor's live stream (alerts), so live and
 * batch find the same sweeps.
 *
 * Memory is bounded: at most `maxAddresses` addresses are tracked, each
 * holding a few numbers, the longest idle forgotten first (RecentMap).
 */

import { isLookup } from '../operator-features.ts';
import { keyFraction } from '../targets.ts';
import type { LiveEvent } from './live-event.ts';
import { RecentMap } from './recent-map.ts';

export const LIVE_SWEEP_DEFAULTS = {
  /** Distinct targets in one direction that make a sweep (the "tenth hash"). */
  minTargets: 10,
  /** Steps against the direction a run survives: none, so that ten random lookups of a normal client (2 in 10! orders) almost never look like a sweep. */
  maxBackSteps: 0,
  /** A gap this long ends a run (µs). */
  maxGapUs: 2 * 3_600_000_000,
  /** Addresses tracked at once. */
  maxAddresses: 100_000,
};

export type LiveSweepConfig = typeof LIVE_SWEEP_DEFAULTS;

export interface SweepFinding {
  remoteIp: string;
  asn?: number | undefined;
  direction: 'ascending' | 'descending';
  /** Distinct targets in the run so far. */
  hashes: number;
  firstUs: number;
  lastUs: number;
  /** First and last target (hex); their first 13 digits when replayed from keys (observeKey). */
  startTarget: string;
  endTarget: string;
  /** Targets per second over the run. */
  rate: number;
  /** Share of the run's steps in its direction. */
  confidence: number;
}

interface Run {
  asn: number | undefined;
  /** The last target as sent, when the caller had it (live); else named by its key. */
  lastTarget: string | undefined;
  lastKey: number;
  lastUs: number;
  direction: 0 | 1 | -1;
  targets: number;
  backSteps: number;
  firstUs: number;
  startTarget: string | undefined;
  startKey: number;
  reported: boolean;
}

export class SweepTracker {
  readonly #config: LiveSweepConfig;
  readonly #onEnd: ((finding: SweepFinding) => void) | undefined;
  readonly #runs: RecentMap<Run>;

  /** `onEnd` hears every reported sweep once its run ends, with its final figures (batch tables). */
  constructor(config: Partial<LiveSweepConfig> = {}, onEnd?: (finding: SweepFinding) => void) {
    this.#config = { ...LIVE_SWEEP_DEFAULTS, ...config };
    this.#runs = new RecentMap(this.#config.maxAddresses);
    this.#onEnd = onEnd;
  }

  get tracked(): number {
    return this.#runs.size;
  }

  /** Feeds one event; returns a finding the moment a sweep reaches `minTargets`. */
  observe(e: LiveEvent): SweepFinding | undefined {
    if (!isLookup(e.kind) || e.target === undefined) return undefined;
    return this.observeKey(e.ts, e.remoteIp, e.asn, keyFraction(e.target), e.target);
  }

  /**
   * The tracker itself, for a lookup whose target is already reduced to
   * its key (keyFraction): a batch replay streams keys as numbers, since
   * decoding forty-digit strings cost more than all the tracking. Without
   * `target`, findings name targets by the key's 13 hex digits.
   */
  observeKey(
    ts: number,
    remoteIp: string,
    asn: number | undefined,
    key: number,
    target?: string,
  ): SweepFinding | undefined {
    const c = this.#config;
    const run = this.#runs.get(remoteIp);
    if (run !== undefined && run.lastKey === key) {
      run.lastUs = ts;
      return undefined;
    }
    if (run === undefined || ts - run.lastUs > c.maxGapUs) {
      if (run?.reported === true) this.#onEnd?.(finding(remoteIp, run));
      this.#runs.set(remoteIp, start(asn, key, target, ts));
      return undefined;
    }
    const step: 1 | -1 = key > run.lastKey ? 1 : -1;
    if (run.direction === 0) run.direction = step;
    if (step !== run.direction) {
      run.backSteps++;
      if (run.backSteps > c.maxBackSteps) {
        if (run.reported) this.#onEnd?.(finding(remoteIp, run));
        this.#runs.set(remoteIp, start(asn, key, target, ts));
        return undefined;
      }
    }
    run.targets++;
    run.lastTarget = target;
    run.lastKey = key;
    run.lastUs = ts;
    if (!run.reported && run.targets >= c.minTargets) {
      run.reported = true;
      return finding(remoteIp, run);
    }
    return undefined;
  }

  /** Ends the address's run (the replay moves to the next address); its sweep, if reported, goes to `onEnd`. */
  close(remoteIp: string): void {
    const run = this.#runs.peek(remoteIp);
    if (run === undefined) return;
    this.#runs.delete(remoteIp);
    if (run.reported) this.#onEnd?.(finding(remoteIp, run));
  }
}

function start(asn: number | undefined, key: number, target: string | undefined, ts: number): Run {
  return {
    asn,
    lastTarget: target,
    lastKey: key,
    lastUs: ts,
    direction: 0,
    targets: 1,
    backSteps: 0,
    firstUs: ts,
    startTarget: target,
    startKey: key,
    reported: false,
  };
}

/** A key (keyFraction) as the 13 hex digits it was read from. */
export function keyHex(key: number): string {
  return Math.round(key * 2 ** 52)
    .toString(16)
    .padStart(13, '0');
}

function finding(remoteIp: string, run: Run): SweepFinding {
  const seconds = Math.max(1e-6, (run.lastUs - run.firstUs) / 1e6);
  const steps = Math.max(1, run.targets - 1);
  return {
    remoteIp,
    asn: run.asn,
    direction: run.direction === -1 ? 'descending' : 'ascending',
    hashes: run.targets,
    firstUs: run.firstUs,
    lastUs: run.lastUs,
    startTarget: run.startTarget ?? keyHex(run.startKey),
    endTarget: run.lastTarget ?? keyHex(run.lastKey),
    rate: Math.round((run.targets / seconds) * 1000) / 1000,
    confidence: Math.round(((steps - run.backSteps) / steps) * 1000) / 1000,
  };
}
