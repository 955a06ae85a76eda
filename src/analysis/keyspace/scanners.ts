/**
 * Systematic scanners: addresses whose targets march through the keyspace in
 * order, touching many 16-bit prefixes on the way (sequential crawlers,
 * prefix walkers, the members of a distributed campaign).
 *
 * Order is judged inside short stretches of an address's traffic (time
 * buckets of ks_buckets), not over its whole history: a crawler seen through
 * a sensor's partial view is heard in bursts — while its targets pass near
 * the sensor's identities — with long silences between, and a walker starts
 * each walk at a fresh prefix, so its whole history is a saw-tooth whose
 * overall correlation says little. Within a bucket a sweep's targets rise (or
 * fall) with time almost linearly; a bucket counts as ordered when the
 * Pearson correlation of time and target is at least `minCorrelation` in
 * size. An address is a scanner when most of its traffic (in buckets big
 * enough to judge) is ordered and it covered at least `minPrefixes` distinct
 * 16-bit prefixes.
 */
import { CELLS, KS_BUCKETS, KS_EVENTS, num } from './base.ts';

export const SCANNER_DEFAULTS = {
  /** A bucket is judged only with at least this many targeted queries in it. */
  minBucketEvents: 8,
  /** |correlation of time and target| for a bucket to count as ordered (random targets: ~0). */
  minCorrelation: 0.9,
  /** Share of the address's judged queries that fall in ordered buckets. */
  minOrderedShare: 0.6,
  /** Distinct 16-bit prefixes its targets touched. */
  minPrefixes: 64,
  /** Share of the ordered queries going one way for a direction; otherwise `both`. */
  minDirectionShare: 0.8,
};

export type ScannerConfig = typeof SCANNER_DEFAULTS;

export function scannersSql(c: ScannerConfig): string {
  const judged = `n >= ${num(c.minBucketEvents)}`;
  return `
    WITH per_ip AS (
      SELECT ip, any_value(asn) AS asn, sum(n) AS queries,
        coalesce(sum(n) FILTER (WHERE ${judged}), 0) AS judged,
        coalesce(sum(n) FILTER (WHERE ${judged} AND c >= ${num(c.minCorrelation)}), 0) AS up,
        coalesce(sum(n) FILTER (WHERE ${judged} AND c <= -${num(c.minCorrelation)}), 0) AS down,
        count(*) FILTER (WHERE ${judged} AND abs(c) >= ${num(c.minCorrelation)}) AS ordered_buckets,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM ${KS_BUCKETS} GROUP BY ip),
    candidates AS (
      SELECT * FROM per_ip
      WHERE up + down > 0 AND (up + down) >= ${num(c.minOrderedShare)} * judged),
    cover AS (
      SELECT ip, count(DISTINCT k >> 48) AS prefixes,
        min(k >> 48)::INTEGER AS lo, max(k >> 48)::INTEGER AS hi
      FROM ${KS_EVENTS} WHERE ip IN (SELECT ip FROM candidates) GROUP BY ip)
    SELECT p.ip AS remote_ip, p.asn, p.queries,
      v.prefixes AS prefixes_covered,
      round(v.prefixes / ${CELLS}, 5) AS coverage_share,
      lpad(printf('%x', v.lo), 4, '0') AS span_from,
      lpad(printf('%x', v.hi), 4, '0') AS span_to,
      round((v.hi - v.lo + 1) / ${CELLS}, 5) AS span_share,
      round((p.up + p.down) / p.judged, 3) AS ordered_share,
      CASE
        WHEN p.up >= ${num(c.minDirectionShare)} * (p.up + p.down) THEN 'ascending'
        WHEN p.down >= ${num(c.minDirectionShare)} * (p.up + p.down) THEN 'descending'
        ELSE 'both'
      END AS direction,
      p.first_seen, p.last_seen,
      printf('%d targeted queries over %d 16-bit prefixes (%.2f %% of the keyspace) from %s to %s; %d %% of them in %d hour(s) of ordered targets (|r| ≥ %.2f), %d up, %d down',
        p.queries, v.prefixes, 100 * v.prefixes / ${CELLS}, lpad(printf('%x', v.lo), 4, '0'),
        lpad(printf('%x', v.hi), 4, '0'), round(100 * (p.up + p.down) / p.judged)::INTEGER,
        p.ordered_buckets, ${num(c.minCorrelation)}::DOUBLE, p.up, p.down) AS why
    FROM candidates p JOIN cover v USING (ip)
    WHERE v.prefixes >= ${num(c.minPrefixes)}`;
}
