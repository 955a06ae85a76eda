/**
 * The worker side of range-pool.ts: receives address ranges one at a time,
 * does each with `work`, posts the result, and exits at the end.
 */
import { parentPort } from 'node:worker_threads';
import type { AddressRange } from './operator-stream.ts';
import type { RangeReply, RangeRequest } from './range-pool.ts';

/**
 * `work` does one range and reports events done within it; results must be
 * structured-cloneable.
 */
export function serveRanges<T>(
  work: (range: AddressRange, onProgress: (doneInRange: number) => void) => T,
): void {
  const port = parentPort!;
  let before = 0;
  port.on('message', (request: RangeRequest) => {
    if (!('range' in request)) {
      port.close();
      return;
    }
    try {
      let last = 0;
      const result = work(request.range, (done) => {
        last = done;
        port.postMessage({ type: 'progress', done: before + done } satisfies RangeReply<T>);
      });
      before += last;
      port.postMessage({ type: 'result', index: request.index, result } satisfies RangeReply<T>);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({
        type: 'error',
        message: e.message,
        ...(e.stack === undefined ? {} : { stack: e.stack }),
      } satisfies RangeReply<T>);
    }
  });
}
