/** The longest --duration any command takes: a year. */
export const MAX_DURATION_SECONDS = 31_536_000;

/**
 * How a long-running command waits for its end: Ctrl-C (SIGINT), SIGTERM, or
 * the end of its `--duration`, whichever comes first. Nothing is left behind
 * once it resolves: no signal listener (a second Ctrl-C stops the process as
 * usual) and no timer (so the process need not wait out the duration).
 */
export function untilStopped(durationSeconds?: number): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (durationSeconds === undefined) return;
    // A timer waits at most 2^31-1 ms (Node fires a longer one at once): a long
    // duration is waited out in steps of at most that.
    const end = Date.now() + durationSeconds * 1000;
    const step = (): void => {
      const left = end - Date.now();
      if (left <= 0) stop();
      else timer = setTimeout(step, Math.min(left, MAX_TIMER_MS));
    };
    step();
  });
}

const MAX_TIMER_MS = 2 ** 31 - 1;
