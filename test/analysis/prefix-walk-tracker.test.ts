import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrefixWalkTracker } from '../../src/analysis/live/prefix-walk-tracker.ts';
import { prefixSequence } from '../../src/analysis/sequences/replay.ts';
import { Rng } from '../../src/lab/rng.ts';
import { toHex } from '../../src/protocol/hex.ts';

/** A random target inside the 12-bit prefix `prefix`. */
const inPrefix = (prefix: number, rng: Rng) =>
  prefix.toString(16).padStart(3, '0') + toHex(rng.bytes(20)).slice(3);

const MIN = 60e6;

describe('live prefix-walk tracker', () => {
  it('reports a walk once it qualifies, and hands its final figures to onEnd', () => {
    const rng = new Rng(1);
    const ended: ReturnType<PrefixWalkTracker['observe']>[] = [];
    const tracker = new PrefixWalkTracker({}, (f) => ended.push(f));
    const hits: number[] = [];
    let t = 0;
    let n = 0;
    for (let p = 0x96a; p < 0x96a + 10; p++)
      for (let i = 0; i < 3; i++) {
        t += MIN;
        const hit = tracker.observe({
          ts: t,
          remoteIp: '10.0.0.1',
          kind: 'get_peers',
          target: inPrefix(p, rng),
        });
        n++;
        if (hit !== undefined) hits.push(n);
      }
    // Eight targets over three prefixes: the 8th lookup (96a ×3, 96b ×3, 96c ×2).
    assert.deepEqual(hits, [8]);
    assert.equal(ended.length, 0, 'still walking');
    tracker.close('10.0.0.1');
    assert.equal(ended.length, 1);
    const f = ended[0]!;
    assert.equal(f.hashes, 30);
    assert.equal(f.prefixes, 10);
    assert.equal(f.walkShare, 1);
    assert.equal(prefixSequence(f), '96a→96b→96c→…→973');
    assert.ok(f.confidence > 0.8, `confidence ${f.confidence}`);
  });

  it('tolerates an odd lookup in the walk, and restarts where the walker reappears', () => {
    const rng = new Rng(2);
    const ended: NonNullable<ReturnType<PrefixWalkTracker['observe']>>[] = [];
    const tracker = new PrefixWalkTracker({}, (f) => ended.push(f));
    let t = 0;
    const look = (prefix: number) => {
      t += MIN;
      tracker.observe({
        ts: t,
        remoteIp: '10.0.0.2',
        kind: 'find_node',
        target: inPrefix(prefix, rng),
      });
    };
    for (let p = 0x100; p < 0x108; p++) {
      look(p);
      look(p);
      if (p === 0x104) look(0xeee); // noise
    }
    // The walker jumps past a blind stretch and walks on from 0x300.
    for (let p = 0x300; p < 0x306; p++) {
      look(p);
      look(p);
    }
    tracker.close('10.0.0.2');
    assert.equal(ended.length, 2);
    assert.equal(ended[0]!.firstPrefixes[0], '100');
    assert.equal(ended[0]!.lastPrefix, '107');
    assert.equal(ended[0]!.hashes, 16);
    assert.ok(ended[0]!.walkShare < 1 && ended[0]!.walkShare > 0.9);
    assert.equal(ended[1]!.firstPrefixes[0], '300');
    assert.equal(ended[1]!.hashes, 12);
  });

  it('does not take a sequential crawler (one target per prefix) or random lookups for a walk', () => {
    const rng = new Rng(3);
    const tracker = new PrefixWalkTracker();
    let alerts = 0;
    for (let i = 0; i < 200; i++)
      if (
        tracker.observe({
          ts: i * MIN,
          remoteIp: '10.0.0.3',
          kind: 'get_peers',
          target: inPrefix(0x200 + i, rng),
        }) !== undefined
      )
        alerts++;
    for (let i = 0; i < 100_000; i++)
      if (
        tracker.observe({
          ts: i * 1e5,
          remoteIp: `10.1.${rng.int(100)}.${rng.int(250)}`,
          kind: 'get_peers',
          target: toHex(rng.bytes(20)),
        }) !== undefined
      )
        alerts++;
    assert.equal(alerts, 0);
  });

  it('ends a walk after two hours of silence and keeps its state bounded', () => {
    const rng = new Rng(4);
    const ended: unknown[] = [];
    const tracker = new PrefixWalkTracker({ maxAddresses: 1000 }, (f) => ended.push(f));
    for (let p = 0; p < 5; p++)
      for (let i = 0; i < 3; i++)
        tracker.observe({
          ts: (p * 3 + i) * MIN,
          remoteIp: '10.0.0.4',
          kind: 'get_peers',
          target: inPrefix(0x500 + p, rng),
        });
    tracker.observe({
      ts: 15 * MIN + 2 * 3_600e6 + 1,
      remoteIp: '10.0.0.4',
      kind: 'get_peers',
      target: inPrefix(0x505, rng),
    });
    assert.equal(ended.length, 1);
    for (let i = 0; i < 20_000; i++)
      tracker.observe({
        ts: i,
        remoteIp: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        kind: 'get_peers',
        target: toHex(rng.bytes(20)),
      });
    assert.ok(tracker.tracked <= 1000, `${tracker.tracked} tracked`);
  });
});
