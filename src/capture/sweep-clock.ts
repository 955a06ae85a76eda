/**
 * When the flow tables next look for idle entries, in capture time.
 */

/** µs of capture time between two looks for idle entries. */
const SWEEP_EVERY = 10_000_000;

/**
 * The capture time of the next look after one at `ts`. A corrupt pcapng
 * block can carry a timestamp of 10^25 µs (a 64-bit count of seconds); past
 * about 2^77 µs a float64 no longer tells `ts + SWEEP_EVERY` from `ts`, and
 * every packet would start a pass over the whole table (100,000 packets took
 * 17 s instead of 0.7). Such a time schedules no further look: the tables'
 * size bounds still end connections, and the capture's end ends the rest.
 */
export function nextSweepAfter(ts: number): number {
  const next = ts + SWEEP_EVERY;
  return next > ts ? next : Number.POSITIVE_INFINITY;
}
