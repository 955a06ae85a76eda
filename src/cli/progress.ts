/**
 * Progress of long work (a lab run, a trace, compute): a bar redrawn in place
 * on a terminal (cli-progress), and on a pipe or in CI a plain line every 10
 * seconds once the work has run that long, and a last one when it ends, so
 * logs stay readable and a job of a few seconds leaves none (a lone "2 %"
 * line in a log reads as a job that stalled). Always on standard error, so
 * standard output carries only the result.
 */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { CliIo } from './io.ts';

// Loaded only for a bar on a terminal: on a pipe, in CI or a test, its
// fifteen modules would add 10 ms of CPU to every command that reports progress.
const require = createRequire(import.meta.url);

export interface Progress {
  /** `value` of `total`, with a short text after the bar. */
  update(value: number, total: number, detail: string): void;
  /** A line of its own (a stage starting), above the bar. */
  note(text: string): void;
  stop(): void;
}

/** Seconds between two plain progress lines, and before the first. */
export const PLAIN_PROGRESS_EVERY_MS = 10_000;

export function createProgress(
  io: CliIo,
  label: string,
  interactive = io.mayReplaceProcess === true && process.stderr.isTTY === true,
  clock: () => number = Date.now,
): Progress {
  if (interactive) {
    const { SingleBar } = require('cli-progress') as typeof CliProgress;
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {detail}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 28,
    });
    let started = false;
    return {
      update(value, total, detail) {
        if (!started) {
          bar.start(total, value, { detail });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(value, { detail });
        }
      },
      note(text) {
        if (started) process.stderr.write('\r\x1b[K');
        process.stderr.write(`${text}\n`);
        if (started) bar.render();
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = clock();
  let printed = false;
  let ended = false;
  return {
    update(value, total, detail) {
      if (ended) return;
      const now = clock();
      const done = value >= total;
      // The end gets a line only when earlier lines announced the work.
      if (done ? !printed : now - last < PLAIN_PROGRESS_EVERY_MS) return;
      last = now;
      printed = true;
      ended = done;
      io.err(`${label}: ${total > 0 ? Math.floor((value / total) * 100) : 0}% ${detail}`);
    },
    note(text) {
      io.err(text);
    },
    stop() {},
  };
}
