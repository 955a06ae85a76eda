/**
 * How alike two addresses act (behavior, from their operator profile) and
 * when (timing, from their hourly activity). Both are 0 … 1 and only ever
 * confirm a link found elsewhere (shared hashes, campaign geometry): many
 * unrelated crawlers run the same tool around the clock, so neither alone
 * says two addresses are one operator.
 */

/** The operator_profiles features that describe how an address queries. */
export interface BehaviorFeatures {
  class: string;
  getPeersShare: number;
  announceShare: number;
  findNodeShare: number;
  pingShare: number;
  sampleInfohashesShare: number;
  ratePerHour: number;
  /** Distinct targets per query: 1 for a sweep, near 0 for a watch list. */
  targetsPerQuery: number;
}

/**
 * Mean of four agreements: the same class; the method mix (1 − total
 * variation distance); the rate (1 − |log10 of the ratio|, so ×10 apart
 * scores 0); and targets per query (1 − the difference).
 */
export function behaviorSimilarity(a: BehaviorFeatures, b: BehaviorFeatures): number {
  const sameClass = a.class === b.class ? 1 : 0;
  const mix =
    1 -
    (Math.abs(a.getPeersShare - b.getPeersShare) +
      Math.abs(a.announceShare - b.announceShare) +
      Math.abs(a.findNodeShare - b.findNodeShare) +
      Math.abs(a.pingShare - b.pingShare) +
      Math.abs(a.sampleInfohashesShare - b.sampleInfohashesShare)) /
      2;
  const rate =
    1 -
    Math.min(
      1,
      Math.abs(Math.log10(Math.max(a.ratePerHour, 0.01) / Math.max(b.ratePerHour, 0.01))),
    );
  const depth = 1 - Math.min(1, Math.abs(a.targetsPerQuery - b.targetsPerQuery));
  return (sameClass + Math.max(0, mix) + rate + depth) / 4;
}

/** Queries per hour since the epoch, sparse. */
export type HourlyActivity = ReadonlyMap<number, number>;

/**
 * Cosine similarity of two hourly activity vectors: 1 when they are busy
 * in the same hours in the same proportions, 0 when never at once. Cosine
 * rather than correlation, because a monitor busy every hour of the week
 * has a flat vector, whose correlation with anything is noise.
 */
export function timingSimilarity(a: HourlyActivity, b: HourlyActivity): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [hour, n] of small) dot += n * (large.get(hour) ?? 0);
  if (dot === 0) return 0;
  return dot / (norm(a) * norm(b));
}

function norm(v: HourlyActivity): number {
  let sum = 0;
  for (const n of v.values()) sum += n * n;
  return Math.sqrt(sum);
}
