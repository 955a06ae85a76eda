/**
 * Prefix walks as they happen: per address, a run of distinct lookup
 * targets whose 12-bit prefixes (three hex digits) stay put or climb by a
 * step or two (96a → 96a → 96b → 96c …), several random targets in each.
 * A walk is reported once, when its run first has `minTargets` targets over
 * `minPrefixes` prefixes at `minTargetsPerPrefix` a prefix (a sequential
 * crawler climbs prefixes too, but with one target in each, and is a sweep).
 * The same tracker replays stored events in batch (prefix_walk_events) and
 * can watch the live stream, so live and batch find the same walks.
 *
 * A target off the walk (another lookup of the same address, or the walker
 * reappearing past a stretch the sensor cannot hear) does not end the run at
 * once: it is held as a possible restart. If the next target continues from
 * it, the run ends and a new one starts there; if the walk goes on instead,
 * it counted as noise. A run ends when noise exceeds `1 − minWalkShare` of
 * its steps, or after `maxGapUs` of silence (the sources' 2-hour window).
 *
 * Memory is bounded as in the sweep tracker: two generations of maps, at
 * most `maxAddresses` addresses, each a few numbers and strings.
 */

import { confidenceFrom } from '../detection.ts';
import { isLookup } from '../operator-features.ts';
import { keyFraction } from '../targets.ts';
import type { LiveEvent } from './live-event.ts';
import { RecentMap } from './recent-map.ts';

export const LIVE_PREFIX_WALK_DEFAULTS = {
  /** Distinct targets in the run (as the batch prefix-walk detector). */
  minTargets: 8,
  /** Distinct prefixes walked through. */
  minPrefixes: 3,
  /** Largest forward prefix step that still counts as walking. */
  maxStep: 2,
  /** Distinct targets per prefix: a walker asks several, a sweep of a wide range one. */
  minTargetsPerPrefix: 1.8,
  /** Share of steps that must stay on the walk; the rest is tolerated as noise. */
  minWalkShare: 0.8,
  /** Silence that ends a run (µs): the sources' 2-hour window. */
  maxGapUs: 2 * 3_600_000_000,
  /** Addresses tracked at once. */
  maxAddresses: 100_000,
};

export type LivePrefixWalkConfig = typeof LIVE_PREFIX_WALK_DEFAULTS;

export interface PrefixWalkFinding {
  remoteIp: string;
  asn?: number | undefined;
  /** The prefixes walked, as three hex digits: the first few and the last. */
  firstPrefixes: string[];
  lastPrefix: string;
  /** Distinct prefixes walked through. */
  prefixes: number;
  /** Distinct targets on the walk. */
  hashes: number;
  firstUs: number;
  lastUs: number;
  /** Targets per second over the run. */
  rate: number;
  /** Share of the run's steps that stayed on the walk. */
  walkShare: number;
  /** 0 … 1, from the walk share and how many prefixes it spans. */
  confidence: number;
}

interface Run {
  asn: number | undefined;
  firstUs: number;
  lastUs: number;
  /** The last target's key (keyFraction): a repeat is not a step. */
  lastKey: number;
  lastPrefix: number;
  /** Up to three first prefixes, for the sequence shown. */
  firstPrefixes: number[];
  prefixes: number;
  targets: number;
  onSteps: number;
  offSteps: number;
  /** The last target off the walk, a possible restart. */
  heldKey: number | undefined;
  heldPrefix: number;
  heldUs: number;
  reported: boolean;
}

const hex3 = (p: number) => p.toString(16).padStart(3, '0');

export class PrefixWalkTracker {
  readonly #config: LivePrefixWalkConfig;
  readonly #onEnd: ((finding: PrefixWalkFinding) => void) | undefined;
  readonly #runs: RecentMap<Run>;

  /** `onEnd` hears every reported walk once it ends, with its final figures (batch tables). */
  constructor(
    config: Partial<LivePrefixWalkConfig> = {},
    onEnd?: (finding: PrefixWalkFinding) => void,
  ) {
    this.#config = { ...LIVE_PREFIX_WALK_DEFAULTS, ...config };
    this.#runs = new RecentMap(this.#config.maxAddresses);
    this.#onEnd = onEnd;
  }

  get tracked(): number {
    return this.#runs.size;
  }

  /** Feeds one event; returns a finding the moment a walk first qualifies. */
  observe(e: LiveEvent): PrefixWalkFinding | undefined {
    if (!isLookup(e.kind) || e.target === undefined) return undefined;
    return this.observeKey(e.ts, e.remoteIp, e.asn, keyFraction(e.target));
  }

  /** The tracker itself, for a lookup whose target is already reduced to its key (keyFraction), as a batch replay streams it. */
  observeKey(
    ts: number,
    remoteIp: string,
    asn: number | undefined,
    key: number,
  ): PrefixWalkFinding | undefined {
    const c = this.#config;
    const run = this.#runs.get(remoteIp);
    if (run !== undefined && (run.lastKey === key || run.heldKey === key)) return undefined;
    // The leading 12 bits, exactly: key is a 52-bit integer over 2^52.
    const prefix = Math.floor(key * 4096);
    if (run === undefined || ts - Math.max(run.lastUs, run.heldUs) > c.maxGapUs) {
      if (run !== undefined) this.#end(remoteIp, run);
      this.#runs.set(remoteIp, start(asn, key, prefix, ts));
      return undefined;
    }
    const step = prefix - run.lastPrefix;
    if (step < 0 || step > c.maxStep) {
      const fromHeld = prefix - run.heldPrefix;
      if (run.heldKey !== undefined && fromHeld >= 0 && fromHeld <= c.maxStep) {
        // The walk goes on from the held target: a new run from there, and
        // the held target was the start of it, not noise in the old one.
        run.offSteps--;
        this.#end(remoteIp, run);
        const next = start(asn, run.heldKey, run.heldPrefix, run.heldUs);
        this.#runs.set(remoteIp, next);
        return this.#advance(remoteIp, next, key, prefix, fromHeld, ts);
      }
      run.offSteps++;
      if (run.offSteps > (1 - c.minWalkShare) * (run.onSteps + run.offSteps)) {
        this.#end(remoteIp, run);
        this.#runs.set(remoteIp, start(asn, key, prefix, ts));
        return undefined;
      }
      run.heldKey = key;
      run.heldPrefix = prefix;
      run.heldUs = ts;
      return undefined;
    }
    return this.#advance(remoteIp, run, key, prefix, step, ts);
  }

  /** Ends the address's run (the replay moves to the next address); its walk, if reported, goes to `onEnd`. */
  close(remoteIp: string): void {
    const run = this.#runs.peek(remoteIp);
    if (run === undefined) return;
    this.#runs.delete(remoteIp);
    this.#end(remoteIp, run);
  }

  #advance(
    remoteIp: string,
    run: Run,
    key: number,
    prefix: number,
    step: number,
    ts: number,
  ): PrefixWalkFinding | undefined {
    run.onSteps++;
    run.targets++;
    if (step > 0) {
      run.prefixes++;
      if (run.firstPrefixes.length < 3) run.firstPrefixes.push(prefix);
    }
    run.lastKey = key;
    run.lastPrefix = prefix;
    run.lastUs = ts;
    run.heldKey = undefined;
    if (!run.reported && qualifies(run, this.#config)) {
      run.reported = true;
      return finding(remoteIp, run, this.#config);
    }
    return undefined;
  }

  #end(remoteIp: string, run: Run): void {
    if (run.reported) this.#onEnd?.(finding(remoteIp, run, this.#config));
  }
}

function start(asn: number | undefined, key: number, prefix: number, ts: number): Run {
  return {
    asn,
    firstUs: ts,
    lastUs: ts,
    lastKey: key,
    lastPrefix: prefix,
    firstPrefixes: [prefix],
    prefixes: 1,
    targets: 1,
    onSteps: 0,
    offSteps: 0,
    heldKey: undefined,
    heldPrefix: -1,
    heldUs: 0,
    reported: false,
  };
}

function qualifies(run: Run, c: LivePrefixWalkConfig): boolean {
  return (
    run.targets >= c.minTargets &&
    run.prefixes >= c.minPrefixes &&
    run.targets / run.prefixes >= c.minTargetsPerPrefix
  );
}

function finding(remoteIp: string, run: Run, c: LivePrefixWalkConfig): PrefixWalkFinding {
  const seconds = Math.max(1e-6, (run.lastUs - run.firstUs) / 1e6);
  const steps = run.onSteps + run.offSteps;
  const walkShare = steps === 0 ? 1 : run.onSteps / steps;
  return {
    remoteIp,
    asn: run.asn,
    firstPrefixes: run.firstPrefixes.map(hex3),
    lastPrefix: hex3(run.lastPrefix),
    prefixes: run.prefixes,
    hashes: run.targets,
    firstUs: run.firstUs,
    lastUs: run.lastUs,
    rate: Math.round((run.targets / seconds) * 1000) / 1000,
    walkShare: Math.round(walkShare * 1000) / 1000,
    confidence: confidenceFrom(walkShare, c.minWalkShare, 1, run.prefixes, 4 * c.minPrefixes),
  };
}
