/**
 * Prefix families: clusters of related hash prefixes.
 *
 * Definition. An address *digs* a 12-bit prefix when it looks up at least
 * `minTargets` distinct targets inside it within one time bucket (ks_buckets:
 * an hour by default). A *family* is a stretch of adjacent 12-bit prefixes
 * that were dug one after another: a run of at least `minPrefixes` prefixes
 * dug by the same address in the same bucket, with at most `maxGap` undug
 * prefixes between two dug ones; runs of any addresses and times that
 * overlap or nearly touch (again `maxGap`) are one family, so the members of
 * a fleet working one region, or one walker coming back to it, make one
 * family with several addresses or a long life.
 *
 * Why so. What relates hash prefixes is being worked on together, and that
 * shows as several targets in each of a string of neighbouring prefixes in a
 * short time (a prefix walker: 96a, 96b, 96c …, a few targets each). Random
 * lookups, however many, rarely put three targets in one 12-bit prefix
 * within an hour, and almost never in several neighbouring ones; a
 * sequential crawler spreads its targets thinly (one per prefix or fewer)
 * and is a scanner, not a family; a monitor asks the same few hashes (one
 * target per prefix) and is concentrated, not a family.
 */
import { hexSql, KS_BUCKETS, KS_LOOKUPS, num } from './base.ts';

export const PREFIX_FAMILY_DEFAULTS = {
  /** Distinct targets inside one 12-bit prefix, from one address within one bucket, to dig it. */
  minTargets: 3,
  /** Dug prefixes in a run for it to make (or join) a family. */
  minPrefixes: 4,
  /** Undug prefixes tolerated between two dug ones (a prefix the sensor did not hear). */
  maxGap: 2,
  /** Addresses named in `top_addresses`. */
  topAddresses: 5,
};

export type PrefixFamilyConfig = typeof PREFIX_FAMILY_DEFAULTS;

/** The smallest bucket (in distinct targets) that can hold a family's run: ks_buckets keeps at least those. */
export function familyMinBucketTargets(c: PrefixFamilyConfig): number {
  return c.minTargets * c.minPrefixes;
}

export function prefixFamiliesSql(c: PrefixFamilyConfig, bucketMinutes: number): string {
  const step = num(Math.max(0, Math.round(c.maxGap)) + 1);
  const hex3 = (x: string) => hexSql(x, 3);
  return `
    WITH busy AS (
      SELECT ip, b FROM ${KS_BUCKETS} WHERE targets >= ${num(familyMinBucketTargets(c))}),
    dug AS (
      SELECT ip, b, (k >> 52)::INTEGER AS p12
      FROM ${KS_LOOKUPS} SEMI JOIN busy USING (ip, b)
      GROUP BY ALL HAVING count(*) >= ${num(c.minTargets)}),
    breaks AS (
      SELECT *, CASE WHEN p12 - lag(p12) OVER (PARTITION BY ip, b ORDER BY p12) <= ${step}
        THEN 0 ELSE 1 END AS brk
      FROM dug),
    runs AS (
      SELECT *, sum(brk) OVER (PARTITION BY ip, b ORDER BY p12 ROWS UNBOUNDED PRECEDING) AS run
      FROM breaks),
    spans AS (
      SELECT ip, b, run, min(p12) AS lo, max(p12) AS hi
      FROM runs GROUP BY ALL HAVING count(*) >= ${num(c.minPrefixes)}),
    -- Interval merge: a span starts a new family unless it overlaps or nearly
    -- touches the furthest reach of the spans before it.
    reach AS (
      SELECT *, max(hi) OVER (ORDER BY lo, hi, ip, b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
      FROM spans),
    families AS (
      SELECT *, sum(CASE WHEN reach IS NOT NULL AND lo <= reach + ${step} THEN 0 ELSE 1 END)
        OVER (ORDER BY lo, hi, ip, b ROWS UNBOUNDED PRECEDING) AS family
      FROM reach),
    cells AS (
      SELECT f.family, r.ip, r.b, r.p12
      FROM runs r JOIN families f USING (ip, b, run)),
    lookups AS (
      SELECT c.family, c.p12, l.ip, l.k, l.n, l.t0, l.t1
      FROM (SELECT *, (k >> 52)::INTEGER AS p12 FROM ${KS_LOOKUPS} SEMI JOIN busy USING (ip, b)) l
      JOIN cells c USING (ip, b, p12)),
    per_address AS (
      SELECT family, ip, sum(n) AS n,
        row_number() OVER (PARTITION BY family ORDER BY sum(n) DESC, ip) AS r
      FROM lookups GROUP BY family, ip),
    named AS (
      SELECT family, string_agg(ip || ' (' || n || ')', ', ' ORDER BY r) AS top_addresses
      FROM per_address WHERE r <= ${num(c.topAddresses)} GROUP BY family),
    stats AS (
      SELECT family, min(p12) AS lo, max(p12) AS hi, count(DISTINCT p12) AS prefixes,
        count(DISTINCT k) AS hashes, count(DISTINCT ip) AS addresses, sum(n) AS events,
        min(t0) AS first_seen, max(t1) AS last_seen
      FROM lookups GROUP BY family)
    SELECT 'pf-' || ${hex3('s.lo')} || '-' || ${hex3('s.hi')} AS family_id,
      ${hex3('s.lo')} AS prefix_from, ${hex3('s.hi')} AS prefix_to,
      s.prefixes, s.hi - s.lo + 1 AS span, s.hashes, s.addresses, n.top_addresses,
      s.events, s.first_seen, s.last_seen,
      printf('%d of the %d 12-bit prefixes %s–%s dug (≥ %d distinct targets each within %d min) by %d address(es): %d queries for %d targets',
        s.prefixes, s.hi - s.lo + 1, ${hex3('s.lo')}, ${hex3('s.hi')}, ${num(c.minTargets)}::INTEGER,
        ${num(Math.max(1, Math.round(bucketMinutes)))}::INTEGER, s.addresses, s.events, s.hashes) AS why
    FROM stats s JOIN named n USING (family)`;
}
