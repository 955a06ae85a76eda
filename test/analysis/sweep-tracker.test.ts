import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SweepTracker } from '../../src/analysis/live/sweep-tracker.ts';
import { Rng } from '../../src/lab/rng.ts';
import { toHex } from '../../src/protocol/hex.ts';

const hexAt = (fraction: number, rng: Rng) => {
  const id = rng.bytes(20);
  new DataView(id.buffer).setUint32(0, Math.floor(fraction * 2 ** 32));
  return toHex(id);
};

describe('live sweep tracker', () => {
  it('reports a sweep at its tenth distinct target, once, in either direction', () => {
    const rng = new Rng(1);
    for (const direction of [1, -1]) {
      const tracker = new SweepTracker();
      const found: number[] = [];
      for (let i = 0; i < 40; i++) {
        const f = direction === 1 ? i / 40 : 1 - (i + 1) / 40;
        const target = hexAt(f, rng);
        // Each lookup reaches two identities: the repeat must not count.
        for (let copy = 0; copy < 2; copy++) {
          const hit = tracker.observe({
            ts: i * 5e6 + copy,
            remoteIp: '10.0.0.1',
            kind: 'get_peers',
            target,
          });
          if (hit !== undefined) {
            found.push(i);
            assert.equal(hit.hashes, 10);
            assert.equal(hit.direction, direction === 1 ? 'ascending' : 'descending');
          }
        }
      }
      assert.deepEqual(found, [9]);
    }
  });

  it('stays silent on random lookups from many addresses', () => {
    const rng = new Rng(2);
    const tracker = new SweepTracker();
    let alerts = 0;
    for (let i = 0; i < 200_000; i++) {
      const hit = tracker.observe({
        ts: i * 1e5,
        remoteIp: `10.0.${rng.int(200)}.${rng.int(250)}`,
        kind: 'get_peers',
        target: toHex(rng.bytes(20)),
      });
      if (hit !== undefined) alerts++;
    }
    assert.equal(alerts, 0);
  });

  it('keeps its state bounded, and ignores what is not a lookup', () => {
    const rng = new Rng(3);
    const tracker = new SweepTracker({ maxAddresses: 1000 });
    for (let i = 0; i < 20_000; i++)
      tracker.observe({
        ts: i,
        remoteIp: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        kind: 'get_peers',
        target: toHex(rng.bytes(20)),
      });
    assert.ok(tracker.tracked <= 1000 && tracker.tracked >= 500, `${tracker.tracked} tracked`);
    assert.equal(
      tracker.observe({
        ts: 1,
        remoteIp: '10.9.9.9',
        kind: 'announce_peer',
        target: toHex(rng.bytes(20)),
      }),
      undefined,
    );
    assert.equal(tracker.observe({ ts: 1, remoteIp: '10.9.9.9', kind: 'ping' }), undefined);
  });
});
