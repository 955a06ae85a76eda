/**
 * How a node fades on the map: its dot's opacity halves every half-life since
 * it was last seen and the dot goes away past the cutoff age, as in the
 * source's map (`--half-life-min 15 --cutoff-hours 6`). These functions run
 * twice: here, where the tests and the loader use them, and in the page
 * itself, which embeds their source text (see page-script.ts). So they are
 * self-contained: no imports, no outer constants, plain arithmetic.
 */

/** The source's example values; `refreshSeconds` is how often a live page reloads its data. */
export const MAP_DEFAULTS = {
  halfLifeMinutes: 15,
  cutoffHours: 6,
  refreshSeconds: 10,
  /** Addresses drawn at most (the most recently seen are kept): a page of 20,000 dots stays fluid. */
  maxNodes: 20_000,
  /** Positions of the time slider in "by time" mode. */
  timeSteps: 240,
  /** A dot never fades below this opacity before its cutoff, so it stays visible while it counts. */
  minOpacity: 0.1,
} as const;

/**
 * The latest sighting at or before `t` in `sightings` (ascending, any time
 * unit), or -Infinity when the node had not been seen yet at `t`.
 */
export function lastSightingAt(sightings: readonly number[], t: number): number {
  let lo = 0;
  let hi = sightings.length - 1;
  let found = Number.NEGATIVE_INFINITY;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = sightings[mid] as number;
    if (at <= t) {
      found = at;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Opacity of a dot last seen `ageMs` ago: 2^(−age / half-life), never below
 * `minOpacity`; 0 (not drawn) when it is older than `cutoffMs` or not seen
 * yet (negative or infinite age). A half-life of 0 means no fading.
 */
export function opacityAt(
  ageMs: number,
  halfLifeMs: number,
  cutoffMs: number,
  minOpacity: number,
): number {
  if (!(ageMs >= 0) || ageMs > cutoffMs || !Number.isFinite(ageMs)) return 0;
  if (!(halfLifeMs > 0)) return 1;
  return Math.max(minOpacity, 2 ** (-ageMs / halfLifeMs));
}
