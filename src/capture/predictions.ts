/**
 * What each host learned about BitTorrent peers, by address id and port: the
 * time spans a prediction holds for and where it came from. A prediction made
 * at t covers connection attempts from t to t + ttl; repeated learning of the
 * same peer extends the span instead of piling up entries.
 */
import type { PredictionSource } from './types.ts';

/** Where a prediction came from; `bt_udp` is BitTorrent UDP traffic exchanged with the peer (the paper's signature matching). */
export type SuppressionSource = PredictionSource | 'bt_udp';

export const SOURCES: readonly SuppressionSource[] = [
  'http_tracker',
  'udp_tracker',
  'dht',
  'vuze_dht',
  'pex',
  'bt_udp',
];

export function sourceBit(source: SuppressionSource): number {
  return 1 << SOURCES.indexOf(source);
}

/** Default validity of a prediction: one hour (trackers re-announce every 30 min or so). */
export const DEFAULT_PREDICTION_TTL = 3_600_000_000;
const MAX_SPANS = 64;

interface Entry {
  /** [from, to] pairs, flattened. */
  spans: number[];
  sources: number;
}

/** (host, peer, port) entries kept before expired ones are pruned: about 150 bytes each. */
export const DEFAULT_MAX_PREDICTIONS = 2_000_000;
/**
 * How long after it expired an entry is kept: attempts are matched when their
 * connection ends, which can be this long after the attempt started.
 */
const PRUNE_GRACE = 10 * 60 * 1_000_000;

export class PredictionStore {
  readonly ttl: number;
  /** Predictions recorded (before merging). */
  recorded = 0;
  /** (host, peer, port) entries held. */
  size = 0;
  /** Entries dropped because they had expired when the store was full. */
  pruned = 0;
  private readonly maxEntries: number;
  private nextPrune: number;
  private readonly byHost = new Map<number, Map<number, Entry>>();

  constructor(ttl = DEFAULT_PREDICTION_TTL, maxEntries = DEFAULT_MAX_PREDICTIONS) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.nextPrune = maxEntries;
  }

  add(host: number, peer: number, port: number, ts: number, source: number): void {
    this.recorded++;
    let peers = this.byHost.get(host);
    if (peers === undefined) {
      peers = new Map();
      this.byHost.set(host, peers);
    }
    const key = peer * 65536 + port;
    let entry = peers.get(key);
    if (entry === undefined) {
      entry = { spans: [ts, ts + this.ttl], sources: source };
      peers.set(key, entry);
      if (++this.size > this.nextPrune) this.prune(ts - PRUNE_GRACE);
      return;
    }
    entry.sources |= source;
    const spans = entry.spans;
    const n = spans.length;
    if (ts >= spans[n - 2]! && ts <= spans[n - 1]!) {
      spans[n - 1] = Math.max(spans[n - 1]!, ts + this.ttl);
      return;
    }
    spans.push(ts, ts + this.ttl);
    if (spans.length > MAX_SPANS * 2) spans.splice(0, 2);
  }

  /** Source bits of a prediction covering an attempt at `ts`, or 0 if none does. */
  covering(host: number, peer: number, port: number, ts: number): number {
    const entry = this.byHost.get(host)?.get(peer * 65536 + port);
    if (entry === undefined) return 0;
    const spans = entry.spans;
    for (let i = 0; i < spans.length; i += 2) {
      if (ts >= spans[i]! && ts <= spans[i + 1]!) return entry.sources;
    }
    return 0;
  }

  /** Drops entries whose every span ended before `before`; prunes again once the store has grown by half. */
  private prune(before: number): void {
    for (const [host, peers] of this.byHost) {
      for (const [key, entry] of peers) {
        if (entry.spans[entry.spans.length - 1]! < before) {
          peers.delete(key);
          this.size--;
          this.pruned++;
        }
      }
      if (peers.size === 0) this.byHost.delete(host);
    }
    this.nextPrune = Math.max(this.maxEntries, Math.floor(this.size * 1.5));
  }

  /** Distinct (peer, port) pairs `host` learned (still held). */
  learnedBy(host: number): number {
    return this.byHost.get(host)?.size ?? 0;
  }
}
