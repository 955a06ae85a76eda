/**
 * A worker thread computing the per-infohash metrics from the operator
 * reader's columns in shared memory (from-read.ts), beside the operator
 * profiles' own workers, so the main thread stays free to hand those their
 * ranges.
 */
import { workerData } from 'node:worker_threads';
import { serveRanges } from '../range-worker.ts';
import { type HashMetricsInput, hashMetricsOfRead } from './from-read.ts';
import type { HashMetricsConfig } from './metrics.ts';

export interface HashMetricsTask {
  input: HashMetricsInput;
  config: HashMetricsConfig;
  spanUs: number;
}

const task = workerData as HashMetricsTask;
serveRanges(() => hashMetricsOfRead(task.input, task.config, task.spanUs));
