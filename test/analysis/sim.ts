/**
 * A small stand-in for the lab, for detector tests: actors of each class as
 * the lab spec describes them, seen through the sensor's keyhole. A query
 * reaches the 8 nodes closest to its target among 200 random nodes and the
 * 8 sensor identities (one per eighth of the keyspace), so the sensor sees
 * ~30 % of targeted queries, clustered by target; then 3 % are lost.
 * Independent of src/lab/actors on purpose: the detectors must hold up on
 * behavior written from the spec, not only on one implementation of it.
 */
import type { OperatorEvent, OperatorTrack } from '../../src/analysis/operator-features.ts';
import { Rng } from '../../src/lab/rng.ts';
import type { EventKind } from '../../src/store/schema.ts';

const MIN = 60_000_000;
const HOUR = 60 * MIN;
export const START_US = Date.UTC(2026, 0, 5) * 1000;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const prefix32 = (h: string) => Number.parseInt(h.slice(0, 8), 16);

export class Sim {
  readonly rng: Rng;
  readonly sensors: string[];
  readonly nodes: number[];
  readonly loss: number;

  constructor(seed: number, loss = 0.03) {
    this.rng = new Rng(seed);
    this.loss = loss;
    this.sensors = Array.from({ length: 8 }, (_, i) => {
      const id = this.rng.bytes(20);
      new DataView(id.buffer).setUint32(
        0,
        Math.floor((i + 0.25 + this.rng.next() * 0.5) * 2 ** 29),
      );
      return hex(id);
    });
    this.nodes = Array.from({ length: 200 }, () => this.rng.uint32());
  }

  id(): string {
    return hex(this.rng.bytes(20));
  }

  /** The sensor identity that receives a query for `target`, if any, after loss. */
  receiver(target: string, fanout = 8): string | undefined {
    const t = prefix32(target);
    // The nearest identity receives it when fewer than `fanout` lab nodes are nearer still.
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    this.sensors.forEach((s, i) => {
      const d = (prefix32(s) ^ t) >>> 0;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    let nearer = 0;
    for (const p of this.nodes) if ((p ^ t) >>> 0 < bestDistance) nearer++;
    if (nearer >= fanout || this.rng.chance(this.loss)) return undefined;
    return this.sensors[best];
  }

  /** The events the sensor records of one actor's planned queries. */
  observe(ip: string, asn: number, plan: Planned[]): OperatorTrack {
    const events: OperatorEvent[] = [];
    for (const q of plan.sort((a, b) => a.at - b.at)) {
      const sensorId = this.receiver(q.target, q.kind === 'ping' ? 1 : (q.fanout ?? 8));
      if (sensorId === undefined) continue;
      const remoteId =
        q.idNearSensor === undefined
          ? q.id
          : sensorId.slice(0, q.idNearSensor) + q.id.slice(q.idNearSensor);
      events.push({
        ts: START_US + Math.round(q.at),
        kind: q.kind,
        ...(q.kind === 'ping' ? {} : { target: q.target }),
        remoteId,
        txid: q.txid ?? hex(this.rng.bytes(2)),
        sensorId,
      });
    }
    return { remoteIp: ip, asn, events };
  }
}

export interface Planned {
  at: number;
  kind: EventKind;
  target: string;
  id: string;
  txid?: string;
  fanout?: number;
  /** Hex digits of the receiving identity's id copied into the sender's id. */
  idNearSensor?: number;
}

/** Zipf-ish catalogue shared by normal clients. */
export function catalogue(sim: Sim, size = 3000): string[] {
  return Array.from({ length: size }, () => sim.id());
}

function zipf(sim: Sim, n: number): number {
  // Inverse of a continuous 1/x law over [1, n].
  return Math.min(n - 1, Math.floor(n ** sim.rng.next()) - 1);
}

export function normalClient(sim: Sim, hashes: string[], durationUs: number): Planned[] {
  const id = sim.id();
  const join = sim.rng.next() * 10 * MIN;
  const plan: Planned[] = [{ at: join, kind: 'find_node', target: id, id }];
  for (
    let at = join + sim.rng.exponential(10 * MIN);
    at < durationUs;
    at += sim.rng.exponential(10 * MIN)
  ) {
    const target = hashes[zipf(sim, hashes.length)]!;
    plan.push({ at, kind: 'get_peers', target, id });
    if (sim.rng.chance(0.3))
      plan.push({ at: at + 1e6 + sim.rng.next() * 4e6, kind: 'announce_peer', target, id });
  }
  for (
    let at = join + sim.rng.exponential(30 * MIN);
    at < durationUs;
    at += sim.rng.exponential(30 * MIN)
  ) {
    plan.push({ at, kind: 'ping', target: sim.id(), id });
  }
  return plan;
}

export function dhtNode(sim: Sim, durationUs: number): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  for (
    let at = sim.rng.exponential(15 * MIN);
    at < durationUs;
    at += sim.rng.exponential(15 * MIN)
  ) {
    plan.push({ at, kind: 'find_node', target: sim.id(), id });
  }
  for (let at = sim.rng.exponential(5 * MIN); at < durationUs; at += sim.rng.exponential(5 * MIN)) {
    plan.push({ at, kind: 'ping', target: sim.id(), id });
  }
  return plan;
}

/** Evenly spaced targets over [lo, hi) of the keyspace (fractions), ascending or descending. */
export function sweep(
  sim: Sim,
  lo: number,
  hi: number,
  count: number,
  opts: { start: number; gapUs: number; descending?: boolean; kind?: EventKind },
): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  let at = opts.start;
  for (let i = 0; i < count; i++) {
    const slice = opts.descending ? count - 1 - i : i;
    const x = lo + ((slice + sim.rng.next()) * (hi - lo)) / count;
    const target =
      Math.floor(x * 2 ** 32)
        .toString(16)
        .padStart(8, '0') + sim.id().slice(8);
    plan.push({ at, kind: opts.kind ?? 'get_peers', target, id });
    at += opts.gapUs * (0.8 + 0.4 * sim.rng.next());
  }
  return plan;
}

export function prefixWalker(
  sim: Sim,
  startPrefix: number,
  prefixes: number,
  start: number,
): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  const slot = (2 * HOUR) / prefixes;
  for (let p = 0; p < prefixes; p++) {
    const n = 3 + sim.rng.int(6);
    for (let k = 0; k < n; k++) {
      const target = (startPrefix + p).toString(16).padStart(3, '0') + sim.id().slice(3);
      plan.push({ at: start + p * slot + sim.rng.next() * slot, kind: 'get_peers', target, id });
    }
  }
  return plan;
}

export function sampleCrawler(sim: Sim, durationUs: number): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  for (let at = 0; at < durationUs; at += sim.rng.exponential(0.5e6)) {
    plan.push({
      at,
      kind: sim.rng.chance(0.9) ? 'sample_infohashes' : 'find_node',
      target: sim.id(),
      id,
      fanout: 1,
    });
  }
  return plan;
}

export function periodicMonitor(
  sim: Sim,
  hashes: number,
  periodUs: number,
  durationUs: number,
): Planned[] {
  const id = sim.id();
  const list = Array.from({ length: hashes }, () => sim.id());
  const plan: Planned[] = [];
  for (let round = 5 * MIN; round < durationUs; round += periodUs * (0.9 + 0.2 * sim.rng.next())) {
    list.forEach((target, i) => {
      plan.push({ at: round + i * 2e6, kind: 'get_peers', target, id });
    });
  }
  return plan;
}

export function burstProber(sim: Sim, bursts: number, durationUs: number): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  for (let b = 0; b < bursts; b++) {
    const start = ((b + 0.2 + 0.6 * sim.rng.next()) * durationUs) / bursts;
    const size = 200 + sim.rng.int(300);
    const length = (10 + 20 * sim.rng.next()) * 1e6;
    for (let k = 0; k < size; k++)
      plan.push({ at: start + sim.rng.next() * length, kind: 'get_peers', target: sim.id(), id });
  }
  return plan;
}

export function swarmPeer(sim: Sim, hash: string, durationUs: number): Planned[] {
  const id = sim.id();
  const plan: Planned[] = [];
  for (
    let at = sim.rng.next() * 30 * MIN;
    at < durationUs;
    at += 30 * MIN * (0.8 + 0.4 * sim.rng.next())
  ) {
    plan.push({ at, kind: 'get_peers', target: hash, id });
    plan.push({ at: at + 1e6 + sim.rng.next() * 4e6, kind: 'announce_peer', target: hash, id });
  }
  return plan;
}

export function sybilFleet(sim: Sim, durationUs: number): Planned[] {
  const ids = Array.from({ length: 16 }, () => sim.id());
  const txid = 'beef';
  const plan: Planned[] = [];
  let r = 0;
  for (let round = 2 * MIN; round < durationUs; round += 10 * MIN, r++) {
    for (let q = 0; q < 25; q++) {
      const target = sim.id();
      // Half the rounds copy 80 bits (20 hex digits) of the target, half of the receiving node.
      const id = r % 2 === 0 ? target.slice(0, 20) + ids[r % 16]!.slice(20) : ids[r % 16]!;
      plan.push({
        at: round + q * 1e6,
        kind: sim.rng.chance(0.5) ? 'get_peers' : 'find_node',
        target,
        id,
        txid,
        ...(r % 2 === 0 ? {} : { idNearSensor: 20 }),
      });
    }
  }
  return plan;
}
