/**
 * The per-infohash metrics, computed in DuckDB over the `events` view: one
 * GROUP BY for the counts and window functions for the timing scores, so a
 * store of 10 M events and 1 M infohashes is never held as JavaScript rows.
 * This is the definition; a `compute` run that has read the queries for
 * the operator profiles works the same rows out of that read instead
 * (from-read.ts) and loads them with loadHashMetrics.
 * Only get_peers and announce_peer with a target count (the events that
 * name an infohash); find_node and sample_infohashes targets are ids, not
 * content.
 *
 * Definitions (t = event time, W = burstWindowUs, default 5 min):
 *
 * - announce_ratio = announce_count / total_events.
 * - observer_score = events that are lookups from addresses which never
 *   announced this hash, / total_events: 1 when only watchers come, about
 *   0.5 for a busy torrent, 0 for a pure swarm.
 * - duration_minutes = last_seen − first_seen. lifespan_seconds = first to
 *   last announce_peer (0 under two announces): how long the hash lived as
 *   a swarm, so a dead swarm has none however long it is looked up.
 * - burst_score: the share of the hash's events that are "in a burst". An
 *   event at t is in a burst when [t, t + W] or [t − W, t] holds at least
 *   burst_threshold events of the hash, where burst_threshold =
 *   max(burstMinEvents, burstFactor × the hash's events per W if they were
 *   spread evenly over the store's whole event window). The second term
 *   keeps steady heavy interest (a monitoring fleet every 5 minutes for a
 *   week) from counting as a burst: a burst is dense relative to the hash's
 *   own average, and dense in absolute terms. 0 … 1.
 * - periodicity_score: visits are runs of events less than visitGapUs apart
 *   (a fleet firing together, or a query reaching two of our identities, is
 *   one visit). Between consecutive visit starts lie the intervals; the
 *   period is their median after dropping intervals over 1.5 × the overall
 *   median (lost rounds must not stretch it); an interval is regular when
 *   it lies within periodTolerance × period of 1 × or 2 × the period (one
 *   lost round). The score is regular intervals / intervals, and 0 with
 *   fewer than minIntervals intervals: a handful of Poisson arrivals lines
 *   up by chance too often. Independent arrivals score ~0.15, a schedule
 *   with ± 10 % jitter ~1.
 *
 * Hashes with fewer than minEvents events get no row: the sources'
 * BEHAVIORAL_MIN_EVENTS, below which no score means anything.
 */
import type { Duck } from '../../store/duck.ts';
import { tempTable } from '../write-rows.ts';
import { METRIC_COLUMNS } from './from-read.ts';
import { num } from './rule.ts';

export const HASH_METRICS_DEFAULTS = {
  /** Events (get_peers + announce_peer) a hash needs for a profile (the sources' BEHAVIORAL_MIN_EVENTS). */
  minEvents: 10,
  /** The short window of burst_score (the sources: "many events in < 5 minute windows"). */
  burstWindowUs: 5 * 60_000_000,
  /** Events one window must hold, at least, to be dense. */
  burstMinEvents: 20,
  /** …and at least this many times the hash's even share of a window. */
  burstFactor: 5,
  /** Events closer than this are one visit (periodicity_score). */
  visitGapUs: 60_000_000,
  /**
   * How far, as a share of the period, a regular interval may be from 1 × or
   * 2 × the period. A schedule with ± 10 % jitter stays inside 15 %; Poisson
   * arrivals land there ~15 % of the time.
   */
  periodTolerance: 0.15,
  /**
   * Intervals needed before periodicity_score is more than 0. Eight: with six,
   * a rare torrent fetched seven times at random looked scheduled in ~3 % of
   * cases (week scenario); with eight, odds are ~2 in 10,000.
   */
  minIntervals: 8,
};

export type HashMetricsConfig = typeof HASH_METRICS_DEFAULTS;

/** The temporary table the metrics land in; classify.ts reads it. */
export const METRICS_TABLE = 'hash_profile_metrics';

/** The intermediate tables, dropped once METRICS_TABLE is built. */
const TEMP_TABLES = [
  'hp_window',
  'hp_gate',
  'hp_events',
  'hp_counts',
  'hp_windows',
  'hp_burst',
  'hp_periodic',
];

const PEER_KINDS = `kind IN ('get_peers', 'announce_peer') AND target IS NOT NULL`;

/**
 * Fills METRICS_TABLE (one row per hash with ≥ minEvents events) and returns
 * its row count. `onStage` is called after each of the `STAGES` statements.
 */
export async function computeHashMetrics(
  duck: Duck,
  config: HashMetricsConfig,
  onStage: (done: number, total: number) => void = () => {},
): Promise<number> {
  const minEvents = num(config.minEvents, 'metrics.minEvents');
  const window = num(config.burstWindowUs, 'metrics.burstWindowUs');
  const statements = [
    // The store's event window: the even-spread baseline of burst_score.
    `CREATE OR REPLACE TEMP TABLE hp_window AS
     SELECT coalesce(epoch_us(max(ts)) - epoch_us(min(ts)), 0)::DOUBLE AS span_us FROM events`,
    // The gate first, over one narrow column: most infohashes are seen once or twice. Each
    // hash that passes gets a small integer id: sorting and grouping millions of events on it
    // is several times cheaper than on 40 characters of hex.
    `CREATE OR REPLACE TEMP TABLE hp_gate AS
     SELECT target, row_number() OVER ()::INTEGER AS hid
     FROM events WHERE ${PEER_KINDS} GROUP BY target HAVING count(*) >= ${minEvents}`,
    `CREATE OR REPLACE TEMP TABLE hp_events AS
     SELECT g.hid, epoch_us(e.ts) AS t, hash(e.remote_ip) AS ip, e.asn, e.kind = 'announce_peer' AS ann
     FROM events e JOIN hp_gate g ON e.target = g.target
     WHERE e.kind IN ('get_peers', 'announce_peer') AND e.target IS NOT NULL`,
    // Per address first (is it a lookup-only address?), then per hash. Addresses are keyed by a
    // 64-bit hash (cheaper to group than text; 100,000 addresses collide with odds ~1e-10).
    `CREATE OR REPLACE TEMP TABLE hp_counts AS
     WITH per_ip AS (
       SELECT hid, ip, any_value(asn) AS asn, count(*) AS n, count_if(ann) AS a,
         min(t) AS first_t, max(t) AS last_t,
         min(t) FILTER (WHERE ann) AS first_a, max(t) FILTER (WHERE ann) AS last_a
       FROM hp_events GROUP BY hid, ip)
     SELECT hid, sum(n)::BIGINT AS total_events, sum(a)::BIGINT AS announce_count,
       count(*)::BIGINT AS unique_ips, count(DISTINCT asn)::BIGINT AS unique_asns,
       min(first_t) AS first_t, max(last_t) AS last_t, min(first_a) AS first_a, max(last_a) AS last_a,
       coalesce(sum(n) FILTER (WHERE a = 0), 0)::BIGINT AS lookups_from_watchers
     FROM per_ip GROUP BY hid`,
    `CREATE OR REPLACE TEMP TABLE hp_windows AS
     SELECT hid, t,
       count(*) OVER (PARTITION BY hid ORDER BY t RANGE BETWEEN CURRENT ROW AND ${window} FOLLOWING) AS ahead,
       count(*) OVER (PARTITION BY hid ORDER BY t RANGE BETWEEN ${window} PRECEDING AND CURRENT ROW) AS behind,
       t - lag(t) OVER (PARTITION BY hid ORDER BY t) AS gap
     FROM hp_events`,
    `CREATE OR REPLACE TEMP TABLE hp_burst AS
     WITH thresholds AS (
       SELECT hid, greatest(${num(config.burstMinEvents, 'metrics.burstMinEvents')},
         ${num(config.burstFactor, 'metrics.burstFactor')} * total_events * ${window}
           / greatest((SELECT span_us FROM hp_window), ${window})) AS threshold
       FROM hp_counts)
     SELECT w.hid, any_value(h.threshold) AS burst_threshold,
       max(greatest(w.ahead, w.behind)) AS burst_peak,
       count_if(greatest(w.ahead, w.behind) >= h.threshold) / count(*) AS burst_score
     FROM hp_windows w JOIN thresholds h USING (hid) GROUP BY w.hid`,
    `CREATE OR REPLACE TEMP TABLE hp_periodic AS
     WITH visits AS (
       SELECT hid, t FROM hp_windows
       WHERE gap IS NULL OR gap >= ${num(config.visitGapUs, 'metrics.visitGapUs')}),
     intervals AS (
       SELECT hid, t - lag(t) OVER (PARTITION BY hid ORDER BY t) AS x FROM visits
       QUALIFY x IS NOT NULL),
     overall AS (SELECT hid, median(x) AS m, count(*) AS n FROM intervals GROUP BY hid),
     periods AS (
       SELECT i.hid, median(i.x) AS period, any_value(o.n) AS n
       FROM intervals i JOIN overall o USING (hid) WHERE i.x <= 1.5 * o.m GROUP BY i.hid),
     tol AS (SELECT ${num(config.periodTolerance, 'metrics.periodTolerance')} AS tol)
     SELECT i.hid, any_value(p.period) AS period_us, count(*) AS intervals,
       count_if(round(i.x / p.period) BETWEEN 1 AND 2
         AND abs(i.x - round(i.x / p.period) * p.period) <= (SELECT tol FROM tol) * p.period) AS regular_intervals
     FROM intervals i JOIN periods p USING (hid) GROUP BY i.hid`,
    `CREATE OR REPLACE TEMP TABLE ${METRICS_TABLE} AS
     SELECT g.target AS infohash, c.total_events, c.total_events - c.announce_count AS lookup_count,
       c.announce_count, c.announce_count / c.total_events AS announce_ratio,
       c.unique_ips, c.unique_asns,
       make_timestamp(c.first_t) AS first_seen, make_timestamp(c.last_t) AS last_seen,
       (c.last_t - c.first_t) / 60e6 AS duration_minutes,
       coalesce((c.last_a - c.first_a) / 1e6, 0) AS lifespan_seconds,
       b.burst_score, b.burst_threshold, b.burst_peak,
       coalesce(p.intervals, 0) AS intervals, coalesce(p.regular_intervals, 0) AS regular_intervals,
       p.period_us,
       CASE WHEN coalesce(p.intervals, 0) >= ${num(config.minIntervals, 'metrics.minIntervals')}
         THEN p.regular_intervals / p.intervals ELSE 0 END AS periodicity_score,
       c.lookups_from_watchers / c.total_events AS observer_score
     FROM hp_counts c JOIN hp_gate g USING (hid) JOIN hp_burst b USING (hid)
       LEFT JOIN hp_periodic p USING (hid)`,
  ];
  // Temporary tables need no row order; without it DuckDB builds them in parallel with less memory.
  await duck.run('SET preserve_insertion_order = false');
  try {
    for (const [i, sql] of statements.entries()) {
      await duck.run(sql);
      onStage(i + 1, statements.length);
    }
  } finally {
    await duck.run('RESET preserve_insertion_order');
    for (const table of TEMP_TABLES) await duck.run(`DROP TABLE IF EXISTS ${table}`);
  }
  const [row] = await duck.rows(`SELECT count(*)::DOUBLE AS n FROM ${METRICS_TABLE}`);
  return Number(row?.n ?? 0);
}

/** The metrics worked out from the operator reader's columns (from-read.ts), with each hash's text. */
export interface MetricsOfRead {
  /** Rows of METRIC_COLUMNS, NaN for NULL. */
  matrix: Float64Array;
  infohashes: string[];
}

/**
 * Fills METRICS_TABLE from metrics worked out in JavaScript, with the
 * columns and types computeHashMetrics gives it; returns its row count.
 */
export async function loadHashMetrics(
  duck: Duck,
  metrics: MetricsOfRead,
  config: HashMetricsConfig,
): Promise<number> {
  const width = METRIC_COLUMNS.length;
  const rows = metrics.infohashes.map((infohash, h) => {
    const row: (string | number | null)[] = [infohash];
    for (let k = 1; k < width; k++) {
      const value = metrics.matrix[h * width + k]!;
      row.push(Number.isNaN(value) ? null : value);
    }
    return row;
  });
  const staging = 'hp_read';
  await tempTable(
    duck,
    staging,
    [
      { name: 'infohash', type: 'VARCHAR', key: 0 },
      ...METRIC_COLUMNS.slice(1).map((name, i) => ({
        name,
        type: 'DOUBLE' as const,
        key: i + 1,
      })),
    ],
    rows,
  );
  try {
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${METRICS_TABLE} AS
      SELECT infohash, total_events::BIGINT AS total_events,
        (total_events - announce_count)::BIGINT AS lookup_count,
        announce_count::BIGINT AS announce_count, announce_count / total_events AS announce_ratio,
        unique_ips::BIGINT AS unique_ips, unique_asns::BIGINT AS unique_asns,
        make_timestamp(first_t::BIGINT) AS first_seen, make_timestamp(last_t::BIGINT) AS last_seen,
        (last_t - first_t) / 60e6 AS duration_minutes,
        coalesce((last_a - first_a) / 1e6, 0) AS lifespan_seconds,
        burst_score, burst_threshold, burst_peak::BIGINT AS burst_peak,
        intervals::BIGINT AS intervals, regular_intervals::BIGINT AS regular_intervals, period_us,
        CASE WHEN intervals >= ${num(config.minIntervals, 'metrics.minIntervals')}
          THEN regular_intervals / intervals ELSE 0 END AS periodicity_score,
        lookups_from_watchers / total_events AS observer_score
      FROM ${staging}`);
  } finally {
    await duck.run(`DROP TABLE IF EXISTS ${staging}`);
  }
  return rows.length;
}
