/** Address ranges on worker threads: results in range order, progress summed, failures surfaced. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRanges } from '../../src/analysis/range-pool.ts';

const script = new URL('../helpers/range-worker-fixture.ts', import.meta.url);
const ranges = Array.from({ length: 8 }, (_, k) => ({ from: 1 + 5 * k, to: 6 + 5 * k }));

describe('runRanges', () => {
  it('returns every range’s result in range order, from several workers', async () => {
    const progress: number[] = [];
    const results = await runRanges<{ from: number; to: number; thread: number }>({
      script,
      workerData: { failFrom: -1 },
      ranges,
      workers: 2,
      name: 'test',
      onProgress: (done) => progress.push(done),
    });
    assert.deepEqual(
      results.map((r) => [r.from, r.to]),
      ranges.map((r) => [r.from, r.to]),
    );
    assert.equal(new Set(results.map((r) => r.thread)).size, 2, 'both workers took ranges');
    assert.equal(Math.max(...progress), 40, 'progress adds up every range’s events');
  });

  it('rejects with the worker’s error when a range fails', async () => {
    await assert.rejects(
      runRanges({ script, workerData: { failFrom: 11 }, ranges, workers: 2, name: 'test' }),
      /range 11 cannot be done/,
    );
  });

  it('resolves at once with no ranges', async () => {
    assert.deepEqual(
      await runRanges({ script, workerData: {}, ranges: [], workers: 2, name: 'test' }),
      [],
    );
  });
});
