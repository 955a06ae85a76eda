/**
 * Systematic scanners: addresses whose targets march through the keyspace in
 * order, touching many 16-bit prefixes on the way (sequential crawlers,
 * prefix walkers, the members of a distributed campaign).
 *
 * Order is judged inside short stretches of an address's traffic (the time
 * buckets of ks_buckets), not over its whole history: a crawler seen through
 * a sensor's partial view is heard in bursts — while its targets pass near
 * the sensor's identities — with long silences between, and a walker starts
 * each walk at a fresh prefix, so its whole history is a saw-tooth whose
 * overall correlation says little. Within a bucket a sweep's targets rise (or
 * fall) with time almost linearly. A bucket is judged when it holds at least
 * `minBucketTargets` distinct targets (distinct, because one lookup reaching
 * several identities is several events with one target, and two clusters of
 * points correlate perfectly), and counts as ordered when the correlation of
 * time and target is at least `minCorrelation` in size. An address is a
 * scanner when most of its judged targets are in ordered buckets and those
 * cover at least `minPrefixes` distinct 16-bit prefixes.
 */
import { CELLS, hexSql, KS_BUCKETS, KS_LOOKUPS, num } from './base.ts';

export const SCANNER_DEFAULTS = {
  /** A bucket is judged only with at least this many distinct targets in it. */
  minBucketTargets: 8,
  /** |correlation of time and target| for a bucket to count as ordered (random targets: ~0). */
  minCorrelation: 0.9,
  /** Share of the address's judged targets that fall in ordered buckets. */
  minOrderedShare: 0.6,
  /** Distinct 16-bit prefixes its ordered buckets touched. */
  minPrefixes: 64,
  /** Share of the ordered targets going one way for a direction; otherwise `both`. */
  minDirectionShare: 0.8,
};

export type ScannerConfig = typeof SCANNER_DEFAULTS;

export function scannersSql(c: ScannerConfig): string {
  const judged = `targets >= ${num(c.minBucketTargets)}`;
  const ordered = `${judged} AND abs(c) >= ${num(c.minCorrelation)}`;
  return `
    WITH per_ip AS (
      SELECT ip,
        sum(targets) FILTER (WHERE ${judged}) AS judged,
        coalesce(sum(targets) FILTER (WHERE ${ordered} AND c > 0), 0) AS up,
        coalesce(sum(targets) FILTER (WHERE ${ordered} AND c < 0), 0) AS down,
        count(*) FILTER (WHERE ${ordered}) AS ordered_buckets
      FROM ${KS_BUCKETS} GROUP BY ip),
    -- Distinct prefixes cannot outnumber distinct targets: a cheap pre-filter.
    candidates AS (
      SELECT * FROM per_ip
      WHERE up + down >= ${num(c.minPrefixes)} AND up + down >= ${num(c.minOrderedShare)} * judged),
    ordered AS (
      SELECT ip, b FROM ${KS_BUCKETS}
      WHERE ${ordered} AND ip IN (SELECT ip FROM candidates)),
    cover AS (
      SELECT ip, count(DISTINCT k >> 48) AS prefixes,
        min(k >> 48)::INTEGER AS lo, max(k >> 48)::INTEGER AS hi
      FROM ${KS_LOOKUPS} SEMI JOIN ordered USING (ip, b) GROUP BY ip),
    totals AS (
      SELECT ip, any_value(asn) AS asn, sum(n) AS queries, min(t0) AS first_seen, max(t1) AS last_seen
      FROM ${KS_LOOKUPS} WHERE ip IN (SELECT ip FROM candidates) GROUP BY ip)
    SELECT p.ip AS remote_ip, t.asn, t.queries,
      v.prefixes AS prefixes_covered,
      round(v.prefixes / ${CELLS}, 5) AS coverage_share,
      ${hexSql('v.lo', 4)} AS span_from, ${hexSql('v.hi', 4)} AS span_to,
      round((v.hi - v.lo + 1) / ${CELLS}, 5) AS span_share,
      round((p.up + p.down) / p.judged, 3) AS ordered_share,
      CASE
        WHEN p.up >= ${num(c.minDirectionShare)} * (p.up + p.down) THEN 'ascending'
        WHEN p.down >= ${num(c.minDirectionShare)} * (p.up + p.down) THEN 'descending'
        ELSE 'both'
      END AS direction,
      t.first_seen, t.last_seen,
      printf('%d targets in %d time buckets of ordered targets (|r| ≥ %.2f: %d rising, %d falling; %d %% of its judged targets) over %d 16-bit prefixes (%.2f %% of the keyspace) from %s to %s',
        p.up + p.down, p.ordered_buckets, ${num(c.minCorrelation)}::DOUBLE, p.up, p.down,
        round(100 * (p.up + p.down) / p.judged)::INTEGER, v.prefixes, 100 * v.prefixes / ${CELLS},
        ${hexSql('v.lo', 4)}, ${hexSql('v.hi', 4)}) AS why
    FROM candidates p JOIN cover v USING (ip) JOIN totals t USING (ip)
    WHERE v.prefixes >= ${num(c.minPrefixes)}`;
}
