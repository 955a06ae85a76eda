/**
 * Prefix entropy: how evenly an address spreads its targets over the
 * keyspace, as the Shannon entropy of their first 8 and 12 bits. The
 * sources' reading: low entropy = organised scanning (or watching) of a
 * region, high = normal random lookups.
 *
 * Normalisation. Raw entropy (Miller–Madow corrected for sample size) is bounded by log2 of the number of targets (30
 * lookups cannot spread over more than 30 prefixes) and by the sensor's own
 * view: it hears only targets near its identities, so even a uniformly
 * random client looks concentrated on the regions the sensor covers. An
 * address's entropy is therefore divided by the smaller of log2(its queries)
 * and the global entropy at the same resolution (the effective number of
 * prefixes the sensor hears at all), and capped at 1: 1 is as spread out as
 * anything seen through this sensor can be. The global row is divided by the
 * full 8 or 12 bits instead, so it shows how evenly the sensor hears the
 * keyspace.
 *
 * Assessment, on the lower of the two normalised entropies: below
 * `lowEntropy` an address is `organised` when its targets still span at
 * least `organisedMinPrefixes` 12-bit prefixes (it works through a region),
 * `concentrated` when they do not (a few hashes asked again and again:
 * monitors, swarm peers); above `highEntropy` it is `random`; between, `mixed`.
 */
import { KS_LOOKUPS, num } from './base.ts';

export const PREFIX_ENTROPY_DEFAULTS = {
  /** Targeted queries an address needs for a row (entropy of a handful of targets says nothing). */
  minLookups: 30,
  /** Below this normalised entropy: organised or concentrated. */
  lowEntropy: 0.5,
  /** Above it: random, as normal clients are. */
  highEntropy: 0.8,
  /** Low entropy over at least this many distinct 12-bit prefixes is organised scanning. */
  organisedMinPrefixes: 16,
};

export type PrefixEntropyConfig = typeof PREFIX_ENTROPY_DEFAULTS;

export function prefixEntropySql(c: PrefixEntropyConfig): string {
  const assess = (e: string, prefixes: string) => `
    CASE
      WHEN ${e} < ${num(c.lowEntropy)} AND ${prefixes} >= ${num(c.organisedMinPrefixes)} THEN 'organised'
      WHEN ${e} < ${num(c.lowEntropy)} THEN 'concentrated'
      WHEN ${e} > ${num(c.highEntropy)} THEN 'random'
      ELSE 'mixed'
    END`;
  return `
    WITH bins AS MATERIALIZED (
      SELECT ip, (k >> 52)::INTEGER AS p12, sum(n) AS n, any_value(asn) AS asn
      FROM ${KS_LOOKUPS} GROUP BY ip, p12),
    -- Entropy from bin counts, H = log2 N − Σ n·log2 n / N, plus the
    -- Miller–Madow correction (K − 1) / (2N ln 2) for K occupied bins: the
    -- plain estimate of a sample of 100 from 70 equally likely prefixes is
    -- half a bit short, and that would read as organisation.
    per_ip_12 AS (
      SELECT ip, any_value(asn) AS asn, sum(n) AS lookups, count(*) AS prefixes_12,
        log2(sum(n)) - sum(n * log2(n)) / sum(n) + (count(*) - 1) / (2 * sum(n) * ln(2)) AS h12
      FROM bins GROUP BY ip HAVING sum(n) >= ${num(c.minLookups)}),
    per_ip_8 AS (
      SELECT ip, log2(sum(n)) - sum(n * log2(n)) / sum(n) + (count(*) - 1) / (2 * sum(n) * ln(2)) AS h8
      FROM (SELECT ip, p12 >> 4 AS p8, sum(n) AS n FROM bins
            WHERE ip IN (SELECT ip FROM per_ip_12) GROUP BY ip, p8)
      GROUP BY ip),
    global_12 AS (SELECT p12, sum(n) AS n FROM bins GROUP BY p12),
    global AS (
      SELECT sum(n) AS lookups, count(*) AS prefixes_12,
        log2(sum(n)) - sum(n * log2(n)) / sum(n) AS h12,
        (SELECT log2(sum(n)) - sum(n * log2(n)) / sum(n)
         FROM (SELECT p12 >> 4 AS p8, sum(n) AS n FROM global_12 GROUP BY p8)) AS h8
      FROM global_12),
    addresses AS (
      SELECT i.ip, i.asn, i.lookups, i.prefixes_12,
        least(1, e.h8 / greatest(least(log2(i.lookups), g.h8), 1e-9)) AS entropy_8,
        least(1, i.h12 / greatest(least(log2(i.lookups), g.h12), 1e-9)) AS entropy_12,
        g.h8 AS g8, g.h12 AS g12
      FROM per_ip_12 i JOIN per_ip_8 e USING (ip), global g)
    SELECT 'global' AS scope, NULL::VARCHAR AS remote_ip, NULL::BIGINT AS asn,
      lookups, prefixes_12, round(h8 / 8, 4) AS entropy_8, round(h12 / 12, 4) AS entropy_12,
      ${assess('least(h8 / 8, h12 / 12)', 'prefixes_12')} AS assessment,
      printf('%d targeted queries over %d of 4096 12-bit prefixes; the sensor hears about %d of 256 8-bit prefixes'' worth (2^%.2f bits) and %d of 4096 12-bit ones (2^%.2f)',
        lookups, prefixes_12, round(pow(2, h8))::INTEGER, h8, round(pow(2, h12))::INTEGER, h12) AS why
    FROM global WHERE lookups > 0
    UNION ALL
    SELECT 'address' AS scope, ip AS remote_ip, asn, lookups, prefixes_12,
      round(entropy_8, 4) AS entropy_8, round(entropy_12, 4) AS entropy_12,
      ${assess('least(entropy_8, entropy_12)', 'prefixes_12')} AS assessment,
      printf('%d targeted queries over %d 12-bit prefixes; entropy %.2f (8-bit) and %.2f (12-bit) of the most that %d targets seen through this sensor can have',
        lookups, prefixes_12, abs(entropy_8), abs(entropy_12), lookups) AS why
    FROM addresses`;
}
