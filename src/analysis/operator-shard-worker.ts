/**
 * A worker thread of the operator profiles: reads one shard of the
 * addresses (operator-stream.ts) through its own DuckDB and runs the
 * single-address detectors on each, then posts the analyses back. Reading
 * and detecting are JavaScript-bound, so two shards on two cores take about
 * half the time of one; the campaign pass, which needs every address, stays
 * on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StoreReader } from '../store/reader.ts';
import {
  analyseOperator,
  type ClassifierOverrides,
  type OperatorAnalysis,
  resolveConfig,
} from './classify-operators.ts';
import { readTracks } from './operator-stream.ts';

export interface ShardTask {
  dataDir: string;
  index: number;
  count: number;
  cap: number;
  config?: ClassifierOverrides;
}

export type ShardMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; analyses: OperatorAnalysis[] }
  | { type: 'error'; message: string; stack?: string };

async function main(task: ShardTask): Promise<void> {
  const port = parentPort!;
  const config = resolveConfig(task.config);
  const reader = await StoreReader.open(task.dataDir);
  try {
    const analyses: OperatorAnalysis[] = [];
    await reader.withFreshViews(async (duck) => {
      analyses.length = 0;
      await readTracks(
        duck,
        task.cap,
        (done, total) => port.postMessage({ type: 'progress', done, total } as ShardMessage),
        (track) => analyses.push(analyseOperator(track, config)),
        { index: task.index, count: task.count },
      );
    });
    port.postMessage({ type: 'done', analyses } as ShardMessage);
  } finally {
    reader.close();
  }
}

main(workerData as ShardTask).catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort!.postMessage({
    type: 'error',
    message: e.message,
    ...(e.stack === undefined ? {} : { stack: e.stack }),
  } as ShardMessage);
});
