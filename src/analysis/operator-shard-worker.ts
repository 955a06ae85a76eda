/**
 * A worker thread of the operator profiles: runs the single-address
 * detectors over the address ranges it is handed (range-pool.ts), reading
 * the events from the columns the main thread read into shared memory
 * (operator-stream.ts), and posts each range's analyses back. Detecting is
 * JavaScript-bound, so two workers on two cores take about half the time of
 * one; the campaign pass, which needs every address, stays on the main
 * thread.
 */
import { workerData } from 'node:worker_threads';
import {
  analyseOperator,
  type ClassifierOverrides,
  type OperatorAnalysis,
  resolveConfig,
} from './classify-operators.ts';
import { type SharedOperatorColumns, trackEmitter } from './operator-stream.ts';
import { serveRanges } from './range-worker.ts';

export interface ShardTask {
  data: SharedOperatorColumns;
  cap: number;
  config?: ClassifierOverrides;
}

const task = workerData as ShardTask;
const config = resolveConfig(task.config);
// One emitter for every range: the strings decoded for one range serve the next.
const emitTracks = trackEmitter(task.data);
serveRanges((range, onProgress) => {
  const analyses: OperatorAnalysis[] = [];
  emitTracks(range, task.cap, (track) => analyses.push(analyseOperator(track, config)), onProgress);
  return analyses;
});
