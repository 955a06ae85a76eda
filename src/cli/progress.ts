/**
 * Progress of long work (a lab run, a trace, compute): a bar redrawn in place
 * on a terminal (cli-progress), and on a pipe or in CI a plain line at most
 * every 10 seconds, so logs stay readable. Always on standard error, so
 * standard output carries only the result.
 */
import { SingleBar } from 'cli-progress';
import type { CliIo } from './io.ts';

export interface Progress {
  /** `value` of `total`, with a short text after the bar. */
  update(value: number, total: number, detail: string): void;
  /** A line of its own (a stage starting), above the bar. */
  note(text: string): void;
  stop(): void;
}

export function createProgress(
  io: CliIo,
  label: string,
  interactive = io.mayReplaceProcess === true && process.stderr.isTTY === true,
): Progress {
  if (interactive) {
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
  let last = 0;
  return {
    update(value, total, detail) {
      const now = Date.now();
      if (now - last < 10_000 && value < total) return;
      last = now;
      io.err(`${label}: ${total > 0 ? Math.floor((value / total) * 100) : 0}% ${detail}`);
    },
    note(text) {
      io.err(text);
    },
    stop() {},
  };
}
