import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FailedAttempts } from '../../src/capture/attempts.ts';

function plainOrder(a: FailedAttempts): number[] {
  return [...Array(a.length).keys()].sort(
    (x, y) => a.src[x]! - a.src[y]! || a.ts[x]! - a.ts[y]! || x - y,
  );
}

describe('failed attempts', () => {
  it('orders by source, then time, then index, with dense ids and with sparse ones', () => {
    for (const maxSource of [20, 2_000_000_000]) {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              src: fc
                .integer({ min: 0, max: maxSource })
                .map((s) => (s % (maxSource > 100 ? 7 : 21) === 0 ? s : s % 21)),
              ts: fc.integer({ min: 0, max: 30 }),
            }),
            { maxLength: 400 },
          ),
          (list) => {
            const a = new FailedAttempts();
            for (const x of list) a.push(x.src, 1, 80, x.ts, 0);
            assert.deepEqual([...a.orderBySourceAndTime()], plainOrder(a));
          },
        ),
        { numRuns: 300 },
      );
    }
  });
});
