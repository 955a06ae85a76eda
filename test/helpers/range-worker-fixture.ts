/**
 * A worker for the range pool's tests: each range's result is its bounds and
 * the worker's thread id; a range starting at `failFrom` throws, and earlier
 * ranges take longer, so later ones finish first.
 */
import { threadId, workerData } from 'node:worker_threads';
import { serveRanges } from '../../src/analysis/range-worker.ts';

const { failFrom } = workerData as { failFrom: number };
serveRanges((range, onProgress) => {
  if (range.from === failFrom) throw new Error(`range ${range.from} cannot be done`);
  const until = Date.now() + Math.max(0, 40 - range.from);
  while (Date.now() < until) {}
  onProgress(range.to - range.from);
  return { from: range.from, to: range.to, thread: threadId };
});
