/**
 * Co-appearance: infohashes looked up from several networks, and how
 * tightly in time those networks act, against chance.
 *
 * A visit is one network's get_peers of the hash under `gapSeconds` apart
 * (a lookup reaches several sensor identities; a crawler may ask again at
 * once), counted once. A visit is co-timed when the nearest visit before or
 * after it, in time order, comes from another network within `gapSeconds`.
 * If the networks looked the hash up independently, at their own average
 * rates over the hash's window, a visit of network a would meet another
 * network's visit within ± gap with probability 1 − exp(−2·gap·λ₋ₐ) (λ₋ₐ:
 * the other networks' visits per second); the mean of that over the visits
 * is the expected share. The score is how far the observed share rises
 * above it, scaled to what is left: (observed − expected) / (1 − expected),
 * clamped to 0 … 1. A takedown service whose observers fire together every
 * round scores near 1; watchers on their own clocks, or the users of a
 * popular torrent, near 0. A hash so busy that chance alone co-times
 * nearly every visit (expected ≥ `maxExpected`), or one with fewer than
 * `minVisits` visits, scores 0: it cannot tell.
 */

export const COORDINATION_DEFAULTS = {
  /** Networks that must have looked a hash up for it to be a row. */
  minAsns: 3,
  /** get_peers a hash needs. */
  minLookups: 10,
  /** Lookups of one network this close are one visit; visits of two networks this close are co-timed. */
  gapSeconds: 60,
  /** Under this many visits the score is 0: three visits in step happen by chance. */
  minVisits: 10,
  /** Above this expected share the score is 0: chance explains everything. */
  maxExpected: 0.9,
  /** Pairs of networks: hashes asked by more networks than this are popular, not shared (and would make the pairs quadratic). */
  maxAsnsPerHash: 10,
  /** Pairs of networks need this many shared hashes. */
  minSharedHashes: 3,
  /** A shared hash counts as coordinated at this score. */
  minScore: 0.5,
};

export type CoordinationConfig = typeof COORDINATION_DEFAULTS;

/** Temporary tables: per hash key and network, get_peers (co_ha); lookups of the scored hashes (co_lk); their visits (co_visits). */
export const CO_TABLES = ['co_ha', 'co_lk', 'co_visits'] as const;

/**
 * Builds the temporary tables. Hashes are keyed by hash(target) (64 bits:
 * a collision among a million hashes has odds near 10⁻⁸) and times are
 * epoch milliseconds, so the window functions sort integers, not text.
 */
export function setupSql(c: CoordinationConfig): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE co_ha AS
      SELECT hash(target) AS k, asn, count(*) AS n FROM events
      WHERE kind = 'get_peers' AND target IS NOT NULL AND asn IS NOT NULL GROUP BY ALL`,
    `CREATE OR REPLACE TEMP TABLE co_lk AS
      WITH scored AS (
        SELECT k FROM co_ha GROUP BY k HAVING count(*) >= ${c.minAsns} AND sum(n) >= ${c.minLookups})
      SELECT hash(target) AS k, target, asn, remote_ip, epoch_ms(ts) AS t FROM events
      WHERE kind = 'get_peers' AND target IS NOT NULL AND asn IS NOT NULL
        AND hash(target) IN (SELECT k FROM scored)`,
    `CREATE OR REPLACE TEMP TABLE co_visits AS
      WITH marked AS (
        SELECT k, asn, t, CASE WHEN t - lag(t) OVER (PARTITION BY k, asn ORDER BY t) <= ${c.gapSeconds * 1000} THEN 0 ELSE 1 END AS brk
        FROM co_lk),
      numbered AS (
        -- RANGE, not ROWS: lookups at the same millisecond are peers and share one visit,
        -- whichever of them the lag above saw first (ROWS split them, differently each run).
        SELECT *, sum(brk) OVER (PARTITION BY k, asn ORDER BY t RANGE UNBOUNDED PRECEDING) AS visit
        FROM marked)
      SELECT k, asn, visit, min(t) / 1000 AS t0, max(t) / 1000 AS t1, count(*) AS lookups
      FROM numbered GROUP BY k, asn, visit`,
  ];
}

export function coordinationSql(c: CoordinationConfig): string {
  return `
    WITH v AS (SELECT * FROM co_visits),
    near AS (
      SELECT *,
        lag(asn) OVER w AS prev_asn, lag(t1) OVER w AS prev_end,
        lead(asn) OVER w AS next_asn, lead(t0) OVER w AS next_start
      FROM v WINDOW w AS (PARTITION BY k ORDER BY t0, asn)),
    per_hash AS (
      SELECT k, count(*) AS visits, sum(lookups) AS lookups,
        min(t0) AS first_t, max(t1) AS last_t,
        count(*) FILTER (WHERE (prev_asn <> asn AND t0 - prev_end <= ${c.gapSeconds})
          OR (next_asn <> asn AND next_start - t1 <= ${c.gapSeconds})) AS co_timed,
        count(DISTINCT asn) AS asns
      FROM near GROUP BY k),
    addrs AS (
      SELECT k, any_value(target) AS infohash, count(DISTINCT remote_ip) AS addresses
      FROM co_lk GROUP BY k),
    per_asn AS (
      SELECT k, asn, count(*) AS n FROM v GROUP BY k, asn),
    chance AS (
      SELECT a.k,
        sum(a.n * (1 - exp(-2 * ${c.gapSeconds} * (h.visits - a.n) / greatest(h.last_t - h.first_t, ${c.gapSeconds})))) / h.visits AS expected,
        string_agg('AS' || a.asn, ',' ORDER BY a.n DESC, a.asn) AS asn_list
      FROM per_asn a JOIN per_hash h USING (k)
      GROUP BY a.k, h.visits)
    SELECT d.infohash, h.asns, c.asn_list, d.addresses, h.lookups, h.visits,
      make_timestamp((h.first_t * 1e6)::BIGINT) AS first_seen,
      make_timestamp((h.last_t * 1e6)::BIGINT) AS last_seen,
      round((h.last_t - h.first_t) / 3600, 2) AS window_hours,
      round(h.co_timed / h.visits, 3) AS co_timed_share,
      round(c.expected, 3) AS expected_share,
      CASE WHEN c.expected >= ${c.maxExpected} OR h.visits < ${c.minVisits} THEN 0
        ELSE round(greatest(0, least(1, (h.co_timed / h.visits - c.expected) / (1 - c.expected))), 3) END AS coordination_score,
      printf('%d networks, %d visits over %.1f h; %.0f %% co-timed within %d s vs %.0f %% by chance%s',
        h.asns, h.visits, (h.last_t - h.first_t) / 3600, 100 * h.co_timed / h.visits,
        ${c.gapSeconds}::INTEGER, 100 * c.expected,
        CASE WHEN c.expected >= ${c.maxExpected} THEN ' (too busy to tell)'
          WHEN h.visits < ${c.minVisits} THEN ' (too few visits to tell)' ELSE '' END) AS why
    FROM per_hash h JOIN chance c USING (k) JOIN addrs d USING (k)`;
}

/**
 * Pairs of networks and the hashes both looked up, among hashes asked by at
 * most maxAsnsPerHash networks; `coordination` must be written first (its
 * scores count the coordinated ones).
 */
export function pairsSql(c: CoordinationConfig, coordinationFile: string): string {
  return `
    WITH ha AS (
      SELECT k, asn FROM co_ha
      WHERE k IN (SELECT k FROM co_ha GROUP BY k HAVING count(*) BETWEEN 2 AND ${c.maxAsnsPerHash})),
    sizes AS (SELECT asn, count(*) AS n FROM ha GROUP BY asn),
    scored AS (
      SELECT hash(infohash) AS k FROM read_parquet(${coordinationFile}) WHERE coordination_score >= ${c.minScore}),
    shared AS (
      SELECT x.asn AS asn_a, y.asn AS asn_b, count(*) AS shared_hashes,
        count(*) FILTER (WHERE x.k IN (SELECT k FROM scored)) AS coordinated_hashes
      FROM ha x JOIN ha y ON x.k = y.k AND x.asn < y.asn
      GROUP BY x.asn, y.asn HAVING count(*) >= ${c.minSharedHashes})
    SELECT s.asn_a, s.asn_b, s.shared_hashes, a.n AS hashes_a, b.n AS hashes_b,
      round(s.shared_hashes / (a.n + b.n - s.shared_hashes), 3) AS jaccard,
      s.coordinated_hashes,
      printf('AS%d and AS%d both looked up %d infohashes (Jaccard %.2f of their %d and %d), %d of them in step (score ≥ %.1f)',
        s.asn_a, s.asn_b, s.shared_hashes, s.shared_hashes / (a.n + b.n - s.shared_hashes), a.n, b.n,
        s.coordinated_hashes, ${c.minScore}::DOUBLE) AS why
    FROM shared s JOIN sizes a ON a.asn = s.asn_a JOIN sizes b ON b.asn = s.asn_b`;
}
