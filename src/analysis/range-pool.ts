/**
 * Address ranges shared out to worker threads, a few ranges per worker and
 * each handed to whichever worker is free: addresses differ in cost (a
 * crawler's tens of thousands of events against a client's dozen), so two
 * halves of equal events can still take one worker seconds longer than the
 * other. Results come back by range, so their concatenation is in address
 * order whatever finished first.
 *
 * The worker side is `serveRanges` (range-worker.ts): the worker is started
 * with the task's shared data, then receives ranges one at a time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AddressRange } from './operator-stream.ts';

/** Worker threads for JavaScript-bound work over the addresses: two halve it on two cores. */
export const POOL_WORKERS = Math.min(2, availableParallelism());
/** Below this many events one thread is quicker than starting workers (about half a second). */
export const MIN_EVENTS_FOR_POOL = 1_000_000;

/** Main thread → worker: a range to do, or the end. */
export type RangeRequest = { index: number; range: AddressRange } | { index: -1 };

/** Worker → main thread. `done` counts events, over every range the worker did so far. */
export type RangeReply<T> =
  | { type: 'progress'; done: number }
  | { type: 'result'; index: number; result: T }
  | { type: 'error'; message: string; stack?: string };

export interface RangePoolOptions {
  /** The worker module (see range-worker.ts). */
  script: URL;
  /** Sent to every worker once, as its workerData: shared memory crosses without a copy. */
  workerData: unknown;
  ranges: readonly AddressRange[];
  workers: number;
  /** Names the pool in errors. */
  name: string;
  /** Events done so far, over all workers. */
  onProgress?: (done: number) => void;
}

/** Runs every range on the pool's workers and returns the results in range order. */
export function runRanges<T>(options: RangePoolOptions): Promise<T[]> {
  const { ranges, name } = options;
  const results: T[] = new Array(ranges.length);
  const count = Math.max(1, Math.min(options.workers, ranges.length));
  const progress = new Array<number>(count).fill(0);
  let next = 0;
  let finished = 0;
  return new Promise<T[]>((resolve, reject) => {
    if (ranges.length === 0) {
      resolve(results);
      return;
    }
    const workers: Worker[] = [];
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error);
    };
    const handOut = (worker: Worker) => {
      if (next < ranges.length) {
        const index = next++;
        worker.postMessage({ index, range: ranges[index]! } satisfies RangeRequest);
      } else worker.postMessage({ index: -1 } satisfies RangeRequest);
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(options.script, { workerData: options.workerData });
      workers.push(worker);
      let closing = false;
      worker.on('message', (message: RangeReply<T>) => {
        if (message.type === 'progress') {
          progress[w] = message.done;
          options.onProgress?.(progress.reduce((s, p) => s + p, 0));
        } else if (message.type === 'result') {
          results[message.index] = message.result;
          finished++;
          if (finished === ranges.length) resolve(results);
          closing = next >= ranges.length;
          handOut(worker);
        } else fail(Object.assign(new Error(message.message), { stack: message.stack }));
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!closing && !failed) fail(new Error(`${name} worker ${w} exited with ${code}`));
      });
      handOut(worker);
    }
  });
}
