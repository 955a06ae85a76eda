/**
 * A worker thread of the keyspace step: tallies the address ranges it is
 * handed (range-pool.ts) over the columns the main thread read into shared
 * memory, and posts each range's parts back (tally.ts).
 */
import { workerData } from 'node:worker_threads';
import { serveRanges } from '../range-worker.ts';
import type { FoldInput } from './base.ts';
import type { KeyspaceConfig } from './step.ts';
import { tallyRange } from './tally.ts';

export interface KeyspaceTask {
  read: FoldInput;
  config: KeyspaceConfig;
}

const task = workerData as KeyspaceTask;
serveRanges((range, onProgress) => tallyRange(task.read, task.config, range, onProgress));
