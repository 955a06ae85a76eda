/**
 * How a long-running command waits for its end: Ctrl-C (SIGINT), SIGTERM, or
 * the end of its `--duration`, whichever comes first. Nothing is left behind
 * once it resolves: no signal listener (a second Ctrl-C stops the process as
 * usual) and no timer (so the process need not wait out the duration).
 */
export function untilStopped(durationSeconds?: number): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const timer =
      durationSeconds === undefined ? undefined : setTimeout(stop, durationSeconds * 1000);
  });
}
