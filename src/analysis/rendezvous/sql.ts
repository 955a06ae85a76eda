/**
 * Timing patterns (rendezvous_events), in DuckDB so ten million events never
 * become JavaScript objects. An address's get_peers for one infohash under
 * `visitGapUs` apart are one visit (a lookup reaches several identities,
 * and a client retries); then, per address and infohash:
 *
 * - SCHEDULED: ≥ `minScheduledVisits` visits whose intervals all lie within
 *   ± `maxSpread` of their median (the period), the period at least
 *   `minPeriodUs` (a client re-asking every few seconds is impatient, not
 *   scheduled);
 * - RETURN_VISIT: otherwise, a gap of more than `returnGapUs` between visits;
 * - CROSS_HASH: the hash is one of ≥ `minCrossHashes` revisited hashes the
 *   address checks in sequence — the step from one to the next, each within
 *   `crossWindowUs`, repeated ≥ `minCrossRepeats` times — a watch list
 *   walked in order. A pair may have a timing row and a CROSS_HASH row.
 *
 * Pairs where the address also announced the hash are left out: a swarm's
 * peers re-ask for their own torrent on a timer, which is membership, not
 * watching. Only pairs with two visits or more can have a row.
 */

export const RENDEZVOUS_DEFAULTS = {
  /** Lookups of one hash by one address closer than this are one visit (µs). */
  visitGapUs: 60_000_000,
  /** A gap between visits longer than this makes a return visit (µs): the sources' 1 h. */
  returnGapUs: 3_600_000_000,
  /** Visits for a schedule (the sources' RENDEZVOUS_MIN_SCHEDULED_VISITS). */
  minScheduledVisits: 3,
  /** Largest deviation of an interval from the period (the sources' ±30 %). */
  maxSpread: 0.3,
  /** Shortest period of a schedule (µs). */
  minPeriodUs: 5 * 60_000_000,
  /** Largest gap between two hashes checked in sequence (µs): the sources' 2 h. */
  crossWindowUs: 2 * 3_600_000_000,
  /** Distinct hashes in a sequence. */
  minCrossHashes: 3,
  /** How often each step of the sequence must recur. */
  minCrossRepeats: 2,
};

export type RendezvousConfig = typeof RENDEZVOUS_DEFAULTS;

/** Materialises rv_visits (one row per visit) and rv_pairs (per address and hash, ≥ 2 visits). */
export function rendezvousTablesSql(c: RendezvousConfig): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE rv_visits AS
    WITH looks AS (
      SELECT remote_ip, target, asn, epoch_us(ts) AS t FROM events
      WHERE kind = 'get_peers' AND target IS NOT NULL
    ),
    revisited AS (
      SELECT remote_ip, target FROM looks GROUP BY remote_ip, target
      HAVING max(t) - min(t) > ${c.visitGapUs}
    ),
    announced AS (
      SELECT DISTINCT remote_ip, target FROM events WHERE kind = 'announce_peer' AND target IS NOT NULL
    ),
    candidates AS (
      SELECT l.* FROM looks l SEMI JOIN revisited r USING (remote_ip, target)
      ANTI JOIN announced a USING (remote_ip, target)
    )
    SELECT remote_ip, target, asn, t FROM (
      SELECT *, t - lag(t) OVER (PARTITION BY remote_ip, target ORDER BY t) AS d FROM candidates
    ) WHERE d IS NULL OR d > ${c.visitGapUs}`,
    `CREATE OR REPLACE TEMP TABLE rv_pairs AS
    WITH intervals AS (
      SELECT *, t - lag(t) OVER (PARTITION BY remote_ip, target ORDER BY t) AS iv FROM rv_visits
    ),
    pairs AS (
      SELECT remote_ip, target, any_value(asn) AS asn, count(*) AS visits, min(t) AS first_t,
        max(t) AS last_t, avg(iv) AS mean_iv, median(iv) AS period, max(iv) AS max_gap
      FROM intervals GROUP BY remote_ip, target HAVING count(*) >= 2
    )
    SELECT p.*, d.deviation / p.period AS spread
    FROM pairs p JOIN (
      SELECT i.remote_ip, i.target, max(abs(i.iv - p.period)) AS deviation
      FROM intervals i JOIN pairs p USING (remote_ip, target)
      WHERE i.iv IS NOT NULL GROUP BY i.remote_ip, i.target
    ) d USING (remote_ip, target)`,
  ];
}

const H = 3_600_000_000;
const hours = (us: string) => `round(${us} / ${H}, 3)`;
/** Durations in words for the why: minutes under two hours, else hours. */
const span = (us: string) =>
  `CASE WHEN ${us} < ${2 * H} THEN printf('%.0f min', ${us} / 60e6) ELSE printf('%.1f h', ${us} / ${H}::DOUBLE) END`;

/** The rows of rendezvous_events from rv_pairs and rv_visits. */
export function rendezvousSql(c: RendezvousConfig): string {
  const pairColumns = `target AS infohash, remote_ip AS operator_ip, asn, visits AS visit_count,
    make_timestamp(first_t::BIGINT) AS first_visit, make_timestamp(last_t::BIGINT) AS last_visit,
    ${hours('mean_iv')} AS mean_interval_h, ${hours('period')} AS period_h,
    round(spread, 3) AS spread, ${hours('max_gap')} AS max_gap_h`;
  const scheduled = `visits >= ${c.minScheduledVisits} AND spread <= ${c.maxSpread} AND period >= ${c.minPeriodUs}`;
  return `
    WITH timing AS (
      SELECT ${pairColumns},
        CASE WHEN ${scheduled} THEN 'SCHEDULED' ELSE 'RETURN_VISIT' END AS classification,
        CASE WHEN ${scheduled}
          THEN printf('%d visits every %s ± %.0f %% (at most ± %.0f %%)', visits, ${span('period')}, spread * 100, ${c.maxSpread * 100}::DOUBLE)
          ELSE printf('%d visits, back after %s at the longest (over %s)', visits, ${span('max_gap')}, ${span(String(c.returnGapUs))})
        END AS why
      FROM rv_pairs WHERE (${scheduled}) OR max_gap > ${c.returnGapUs}
    ),
    ordered AS (
      SELECT v.remote_ip, v.target, v.t,
        lag(v.target) OVER (PARTITION BY v.remote_ip ORDER BY v.t, v.target) AS prev_target,
        lag(v.t) OVER (PARTITION BY v.remote_ip ORDER BY v.t, v.target) AS prev_t
      FROM rv_visits v SEMI JOIN rv_pairs p USING (remote_ip, target)
    ),
    steps AS (
      SELECT remote_ip, prev_target, target, count(*) AS repeats FROM ordered
      WHERE prev_target <> target AND t - prev_t <= ${c.crossWindowUs}
      GROUP BY ALL HAVING count(*) >= ${c.minCrossRepeats}
    ),
    members AS (
      SELECT remote_ip, prev_target AS target, repeats FROM steps
      UNION ALL SELECT remote_ip, target, repeats FROM steps
    ),
    chains AS (
      SELECT remote_ip, count(DISTINCT target) AS hashes, max(repeats) AS repeats
      FROM members GROUP BY remote_ip
    ),
    linked AS (
      -- A hash reached by one repeated step and left by another: a chain, not loose pairs.
      SELECT DISTINCT a.remote_ip FROM steps a JOIN steps b
        ON a.remote_ip = b.remote_ip AND a.target = b.prev_target
    ),
    cross_hash AS (
      SELECT ${pairColumns}, 'CROSS_HASH' AS classification,
        printf('one of %d hashes it checks in sequence, each step within %s, repeated up to %d times', c.hashes, ${span(String(c.crossWindowUs))}, c.repeats) AS why
      FROM rv_pairs p JOIN chains c USING (remote_ip)
        SEMI JOIN linked l USING (remote_ip)
        SEMI JOIN (SELECT DISTINCT remote_ip, target FROM members) m USING (remote_ip, target)
      WHERE c.hashes >= ${c.minCrossHashes}
    )
    SELECT * FROM timing UNION ALL SELECT * FROM cross_hash`;
}
