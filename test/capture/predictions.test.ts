import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PredictionStore } from '../../src/capture/predictions.ts';

const GRACE = 10 * 60 * 1_000_000;

/** The store's contract, written the plain way: a list of spans per (host, peer, port). */
class ModelStore {
  readonly entries = new Map<string, { host: number; spans: number[]; sources: number }>();
  pruned = 0;
  private nextPrune: number;
  private readonly ttl: number;
  private readonly maxEntries: number;
  constructor(ttl: number, maxEntries: number) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.nextPrune = maxEntries;
  }
  add(host: number, peer: number, port: number, ts: number, source: number): void {
    const key = `${host}/${peer}/${port}`;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { host, spans: [ts, ts + this.ttl], sources: source });
      if (this.entries.size > this.nextPrune) {
        for (const [k, e] of this.entries) {
          if (e.spans.at(-1)! < ts - GRACE) {
            this.entries.delete(k);
            this.pruned++;
          }
        }
        this.nextPrune = Math.max(this.maxEntries, Math.floor(this.entries.size * 1.5));
      }
      return;
    }
    entry.sources |= source;
    const n = entry.spans.length;
    if (ts >= entry.spans[n - 2]! && ts <= entry.spans[n - 1]!) {
      entry.spans[n - 1] = Math.max(entry.spans[n - 1]!, ts + this.ttl);
      return;
    }
    entry.spans.push(ts, ts + this.ttl);
    if (entry.spans.length > 128) entry.spans.splice(0, 2);
  }
  covering(host: number, peer: number, port: number, ts: number): number {
    const entry = this.entries.get(`${host}/${peer}/${port}`);
    if (entry === undefined) return 0;
    for (let i = 0; i < entry.spans.length; i += 2) {
      if (ts >= entry.spans[i]! && ts <= entry.spans[i + 1]!) return entry.sources;
    }
    return 0;
  }
  learnedBy(host: number): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.host === host) n++;
    return n;
  }
}

const step = fc.record({
  host: fc.integer({ min: 0, max: 4 }),
  // Address ids as the address table hands them out, and the large ones a long capture reaches.
  peer: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(2_000_000_000)),
  port: fc.constantFrom(1, 6881, 51413, 65535),
  // Mostly forward in time, now and then far forward (about the grace) or a little back.
  dt: fc.oneof(
    fc.integer({ min: 0, max: 2_000 }),
    fc.integer({ min: GRACE - 3_000, max: GRACE + 5_000 }),
    fc.integer({ min: -500, max: 0 }),
  ),
  source: fc.constantFrom(1, 2, 4, 8, 16, 32),
  probe: fc.integer({ min: -3_000, max: 3_000 }),
});

describe('prediction store against a plain model', () => {
  it('agrees on coverage, sources, sizes and pruning over random histories', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 50, maxLength: 400 }),
        fc.integer({ min: 5, max: 40 }),
        (steps, maxEntries) => {
          const ttl = 1_000;
          const store = new PredictionStore(ttl, maxEntries);
          const model = new ModelStore(ttl, maxEntries);
          let ts = 1_763_700_000_000_000;
          for (const s of steps) {
            ts += s.dt;
            store.add(s.host, s.peer, s.port, ts, s.source);
            model.add(s.host, s.peer, s.port, ts, s.source);
            const at = ts + s.probe;
            assert.equal(
              store.covering(s.host, s.peer, s.port, at),
              model.covering(s.host, s.peer, s.port, at),
            );
            assert.equal(
              store.covering(s.host + 1, s.peer, s.port, at),
              model.covering(s.host + 1, s.peer, s.port, at),
            );
          }
          assert.equal(store.size, model.entries.size);
          assert.equal(store.pruned, model.pruned);
          for (let host = 0; host <= 5; host++)
            assert.equal(store.learnedBy(host), model.learnedBy(host));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps 64 spans of a peer learned again and again, the oldest dropped first', () => {
    const ttl = 10;
    const store = new PredictionStore(ttl);
    for (let k = 0; k < 70; k++) store.add(7, 9, 6881, k * 100, 1);
    assert.equal(store.covering(7, 9, 6881, 5 * 100 + 5), 0, 'the sixth span was dropped');
    assert.equal(store.covering(7, 9, 6881, 6 * 100 + 5), 1, 'the seventh is the oldest kept');
    assert.equal(store.covering(7, 9, 6881, 69 * 100 + 10), 1);
    assert.equal(store.covering(7, 9, 6881, 69 * 100 + 11), 0);
    assert.equal(store.size, 1);
  });

  it('holds 300,000 entries across its growth, each found again', () => {
    const store = new PredictionStore(1_000_000);
    for (let i = 0; i < 300_000; i++) store.add(i % 1000, i, 1 + (i % 60_000), i, 4);
    assert.equal(store.size, 300_000);
    for (let i = 0; i < 300_000; i += 997) {
      assert.equal(store.covering(i % 1000, i, 1 + (i % 60_000), i + 10), 4);
      assert.equal(store.covering(i % 1000, i, 2 + (i % 60_000), i + 10), 0);
    }
    assert.equal(store.learnedBy(999), 300);
    assert.equal(store.learnedBy(1000), 0);
  });
});
