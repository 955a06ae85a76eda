/**
 * A worker thread of the operator profiles: runs the single-address
 * detectors over one contiguous range of the addresses, reading the events
 * from the columns the main thread read into shared memory
 * (operator-stream.ts), then posts the analyses back. Detecting is
 * JavaScript-bound, so two ranges on two cores take about half the time of
 * one; the campaign pass, which needs every address, stays on the main
 * thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  analyseOperator,
  type ClassifierOverrides,
  type OperatorAnalysis,
  resolveConfig,
} from './classify-operators.ts';
import { type AddressRange, emitTracks, type SharedOperatorColumns } from './operator-stream.ts';

export interface ShardTask {
  data: SharedOperatorColumns;
  range: AddressRange;
  cap: number;
  config?: ClassifierOverrides;
}

export type ShardMessage =
  | { type: 'progress'; done: number }
  | { type: 'done'; analyses: OperatorAnalysis[] }
  | { type: 'error'; message: string; stack?: string };

function main(task: ShardTask): void {
  const port = parentPort!;
  const config = resolveConfig(task.config);
  const analyses: OperatorAnalysis[] = [];
  emitTracks(
    task.data,
    task.range,
    task.cap,
    (track) => analyses.push(analyseOperator(track, config)),
    (done) => port.postMessage({ type: 'progress', done } as ShardMessage),
  );
  port.postMessage({ type: 'done', analyses } as ShardMessage);
}

try {
  main(workerData as ShardTask);
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort!.postMessage({
    type: 'error',
    message: e.message,
    ...(e.stack === undefined ? {} : { stack: e.stack }),
  } as ShardMessage);
}
