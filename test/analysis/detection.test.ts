/** The small helpers every detector shares. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median } from '../../src/analysis/detection.ts';
import { rng } from '../helpers/rng.ts';

/** The definition: sort, take the middle item or the mean of the middle two. */
function sortedMedian(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('median', () => {
  it('agrees with sorting on random lists, ties and runs included', () => {
    const r = rng(7);
    for (let t = 0; t < 20_000; t++) {
      const n = Math.floor(r() * 50);
      const kind = t % 4;
      const values = Array.from({ length: n }, (_, i) =>
        kind === 0 ? Math.floor(r() * 4) : kind === 1 ? i : kind === 2 ? n - i : r() * 2e6 - 1e6,
      );
      const copy = [...values];
      assert.equal(median(values), sortedMedian(values), `median of ${values.join(', ')}`);
      assert.deepEqual(values, copy, 'the input is left as it was');
    }
  });

  it('is NaN for no values', () => {
    assert.ok(Number.isNaN(median([])));
  });
});
