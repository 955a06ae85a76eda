/**
 * What each host learned about BitTorrent peers, by address id and port: the
 * time spans a prediction holds for and where it came from. A prediction made
 * at t covers connection attempts from t to t + ttl; repeated learning of the
 * same peer extends the span instead of piling up entries.
 *
 * A capture of a busy link teaches hosts millions of (peer, port) pairs, so
 * the entries live in one open-addressing hash table over typed arrays
 * (linear probing): 28 bytes a slot, two to four slots an entry, where a Map
 * of Maps with an object and an array per entry cost about 150 bytes and kept
 * the collector busy.
 */
import { writtenThrough } from './columns.ts';
import { hashTriple } from './int-hash.ts';
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
/** Spans kept per entry: the current one and up to this many less one earlier ones. */
const MAX_SPANS = 64;

/** (host, peer, port) entries kept before expired ones are pruned: 56 to 112 bytes each. */
export const DEFAULT_MAX_PREDICTIONS = 2_000_000;
/**
 * How long after it expired an entry is kept: attempts are matched when their
 * connection ends, which can be this long after the attempt started.
 */
const PRUNE_GRACE = 10 * 60 * 1_000_000;

// The third key word of a slot: the port, the source bits above it, and a flag
// for an entry with earlier spans (kept aside: only a peer learned again after
// its prediction ran out has them).
const PORT_MASK = 0xffff;
const SOURCES_SHIFT = 16;
const HAS_OLDER = 1 << 24;

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
  private capacity = 1 << 12;
  /** Per slot: host id + 1 (0: empty), peer id, port | sources | HAS_OLDER. */
  private keys = new Int32Array(this.capacity * 3);
  /** Per slot: the latest span, [from, to] in µs. */
  private spans = new Float64Array(this.capacity * 2);
  /** Earlier spans, oldest first, of the entries flagged HAS_OLDER. */
  private readonly older = new Map<string, number[]>();
  /** Entries held per host id. */
  private learned = new Int32Array(1024);

  constructor(ttl = DEFAULT_PREDICTION_TTL, maxEntries = DEFAULT_MAX_PREDICTIONS) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.nextPrune = maxEntries;
  }

  add(host: number, peer: number, port: number, ts: number, source: number): void {
    this.recorded++;
    const i = this.slotOf(host, peer, port);
    const keys = this.keys;
    const spans = this.spans;
    const k = i * 3;
    if (keys[k] === 0) {
      keys[k] = host + 1;
      keys[k + 1] = peer;
      keys[k + 2] = port | (source << SOURCES_SHIFT);
      spans[i * 2] = ts;
      spans[i * 2 + 1] = ts + this.ttl;
      if (host >= this.learned.length) this.learned = grown(this.learned, host);
      this.learned[host]!++;
      if (++this.size * 2 > this.capacity) this.rebuild(this.capacity * 2, -Infinity);
      if (this.size > this.nextPrune) this.prune(ts - PRUNE_GRACE);
      return;
    }
    keys[k + 2]! |= source << SOURCES_SHIFT;
    const from = spans[i * 2]!;
    const to = spans[i * 2 + 1]!;
    if (ts >= from && ts <= to) {
      if (ts + this.ttl > to) spans[i * 2 + 1] = ts + this.ttl;
      return;
    }
    // Learned again outside its current span: that span becomes an earlier one.
    const name = olderKey(host, peer, port);
    let earlier = this.older.get(name);
    if (earlier === undefined) {
      earlier = [];
      this.older.set(name, earlier);
      keys[k + 2]! |= HAS_OLDER;
    }
    earlier.push(from, to);
    if (earlier.length > (MAX_SPANS - 1) * 2) earlier.splice(0, 2);
    spans[i * 2] = ts;
    spans[i * 2 + 1] = ts + this.ttl;
  }

  /** Source bits of a prediction covering an attempt at `ts`, or 0 if none does. */
  covering(host: number, peer: number, port: number, ts: number): number {
    const i = this.slotOf(host, peer, port);
    const word = this.keys[i * 3 + 2]!;
    if (this.keys[i * 3] === 0) return 0;
    const sources = (word >>> SOURCES_SHIFT) & 0xff;
    if (ts >= this.spans[i * 2]! && ts <= this.spans[i * 2 + 1]!) return sources;
    if ((word & HAS_OLDER) === 0) return 0;
    const earlier = this.older.get(olderKey(host, peer, port))!;
    for (let j = 0; j < earlier.length; j += 2) {
      if (ts >= earlier[j]! && ts <= earlier[j + 1]!) return sources;
    }
    return 0;
  }

  /** Distinct (peer, port) pairs `host` learned (still held). */
  learnedBy(host: number): number {
    return host < this.learned.length ? this.learned[host]! : 0;
  }

  /** The slot holding (host, peer, port), or the empty slot where it would go. */
  private slotOf(host: number, peer: number, port: number): number {
    const keys = this.keys;
    const mask = this.capacity - 1;
    const tag = host + 1;
    let i = hashTriple(host, peer, port) & mask;
    for (;;) {
      const k = i * 3;
      const h = keys[k]!;
      if (h === 0 || (h === tag && keys[k + 1] === peer && (keys[k + 2]! & PORT_MASK) === port)) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** Drops entries whose latest span ended before `before`; prunes again once the store has grown by half. */
  private prune(before: number): void {
    this.rebuild(this.capacity, before);
    this.nextPrune = Math.max(this.maxEntries, Math.floor(this.size * 1.5));
  }

  /** Moves every entry still valid at `before` into a table of `capacity` slots. */
  private rebuild(capacity: number, before: number): void {
    const oldKeys = this.keys;
    const oldSpans = this.spans;
    const oldCapacity = this.capacity;
    this.capacity = capacity;
    this.keys = writtenThrough(new Int32Array(capacity * 3));
    // Spans are read only in taken slots, so every page is written before it is read: no fill.
    this.spans = new Float64Array(capacity * 2);
    for (let j = 0; j < oldCapacity; j++) {
      const tag = oldKeys[j * 3]!;
      if (tag === 0) continue;
      const peer = oldKeys[j * 3 + 1]!;
      const word = oldKeys[j * 3 + 2]!;
      if (oldSpans[j * 2 + 1]! < before) {
        this.size--;
        this.pruned++;
        this.learned[tag - 1]!--;
        if (word & HAS_OLDER) this.older.delete(olderKey(tag - 1, peer, word & PORT_MASK));
        continue;
      }
      const i = this.slotOf(tag - 1, peer, word & PORT_MASK);
      this.keys[i * 3] = tag;
      this.keys[i * 3 + 1] = peer;
      this.keys[i * 3 + 2] = word;
      this.spans[i * 2] = oldSpans[j * 2]!;
      this.spans[i * 2 + 1] = oldSpans[j * 2 + 1]!;
    }
  }
}

function olderKey(host: number, peer: number, port: number): string {
  return `${host} ${peer} ${port}`;
}

function grown(counts: Int32Array<ArrayBuffer>, index: number): Int32Array<ArrayBuffer> {
  let length = counts.length * 2;
  while (length <= index) length *= 2;
  const bigger = new Int32Array(length);
  bigger.set(counts);
  return bigger;
}
