/**
 * The keyspace heatmap: the 160-bit keyspace cut into its 65,536 16-bit
 * prefixes ("cells"), with how much of the sensor's traffic each one drew,
 * and the cells far above or below their share.
 *
 * What "expected" means. With uniformly random targets every cell would get
 * the same share, N / 65,536 events. A sensor does not see the keyspace
 * uniformly, though: a query reaches it only when its target lies near one of
 * its identities, so whole regions thousands of cells wide are busier than
 * the uniform share and others nearly silent (docs/scenarios.md). A cell is
 * therefore measured against the larger of the uniform share and the median
 * of its neighbourhood (`localWindow` cells either side): the median follows
 * the broad shape the vantage point gives the map, while a spot hammered by
 * one actor, narrower than the window, does not move it. `localWindow: 0`
 * measures against the uniform share alone.
 *
 * Hot: at least `hotRatio` times the expected count and `hotZ` standard
 * deviations above it on the square-root scale (Anscombe: 2(√(x+3/8) −
 * √(μ+3/8)) is close to a standard normal for Poisson counts, where the plain
 * (x − μ)/√μ understates the tail of small counts and flags noise).
 * Cold: a run of at least `coldMinRun` adjacent cells each at most
 * `coldRatio` of the uniform share, whose events together are at least
 * `coldZ` below the run's uniform expectation (same scale). Judging the run,
 * not the cell, is what makes a sparse store work: one empty cell where 1.8
 * events were expected is chance, sixteen in a row are not; and where the
 * uniform share is a fraction of an event, no run is long enough to say
 * anything and nothing is cold. Cold zones mostly show where the sensor is
 * blind (no identity near them), which is worth knowing too.
 */
import { CELLS, hexSql, KS_LOOKUPS, num } from './base.ts';

export const HEATMAP_DEFAULTS = {
  /** Hot: events at least this many times the expected count… */
  hotRatio: 4,
  /** …and this far above it on the square-root scale (z ≥ 5: about 1 false cell in 200 maps of pure noise). */
  hotZ: 5,
  /** …and at least this many events (a cell with 3 where 0.5 were expected is not a zone). */
  hotMinEvents: 10,
  /** Cells either side whose median is the local baseline (0: the uniform share only). */
  localWindow: 256,
  /** Cold: cells at most this share of the uniform count… */
  coldRatio: 0.2,
  /** …in a run of at least this many adjacent cells (16 cells: one 12-bit prefix)… */
  coldMinRun: 16,
  /** …holding together this far below the run's uniform expectation (square-root scale). */
  coldZ: 6,
};

export type HeatmapConfig = typeof HEATMAP_DEFAULTS;

export type Zone = 'hot' | 'cold' | 'normal';

/** One row of keyspace_heatmap, as the renderers read it. */
export interface HeatmapRow {
  prefix16: number;
  events: number;
  lookups: number;
  addresses: number;
  infohashes: number;
  zone: Zone;
}

/** The keyspace_heatmap rows: all 65,536 cells, the empty ones with zeros. */
export function heatmapSql(c: HeatmapConfig): string {
  const w = Math.max(0, Math.round(c.localWindow));
  const local =
    w === 0
      ? 'NULL::DOUBLE'
      : `median(events) OVER (ORDER BY prefix16 ROWS BETWEEN ${w} PRECEDING AND ${w} FOLLOWING)`;
  return `
    WITH cells AS (
      SELECT (k >> 48)::INTEGER AS prefix16, sum(n) AS events, sum(nl) AS lookups,
        count(DISTINCT ip) AS addresses,
        count(DISTINCT k) FILTER (WHERE ih) AS infohashes
      FROM ${KS_LOOKUPS} GROUP BY 1),
    grid AS (
      SELECT r.range::INTEGER AS prefix16,
        coalesce(c.events, 0) AS events, coalesce(c.lookups, 0) AS lookups,
        coalesce(c.addresses, 0) AS addresses, coalesce(c.infohashes, 0) AS infohashes
      FROM range(${CELLS}) r LEFT JOIN cells c ON c.prefix16 = r.range),
    uniform AS (SELECT sum(events)::DOUBLE / ${CELLS} AS share FROM grid),
    scored AS (
      SELECT g.*, u.share AS uniform_share,
        greatest(u.share, coalesce(${local}, 0)) AS expected
      FROM grid g, uniform u),
    classed AS (
      SELECT *,
        CASE WHEN expected > 0 THEN events / expected END AS ratio,
        2 * (sqrt(events + 0.375) - sqrt(expected + 0.375)) AS z,
        CASE
          WHEN events >= ${num(c.hotMinEvents)} AND expected > 0
            AND events >= ${num(c.hotRatio)} * expected
            AND 2 * (sqrt(events + 0.375) - sqrt(expected + 0.375)) >= ${num(c.hotZ)} THEN 'hot'
          WHEN uniform_share > 0 AND events <= ${num(c.coldRatio)} * uniform_share THEN 'cold'
          ELSE 'normal'
        END AS candidate
      FROM scored),
    -- Gaps and islands: adjacent cells of one class share prefix16 − rank.
    islands AS (
      SELECT *, prefix16 - row_number() OVER (PARTITION BY candidate ORDER BY prefix16) AS island
      FROM classed),
    runs AS (
      SELECT *,
        min(prefix16) OVER (PARTITION BY candidate, island) AS run_start,
        count(*) OVER (PARTITION BY candidate, island) AS run_cells,
        sum(events) OVER (PARTITION BY candidate, island) AS run_events
      FROM islands),
    zoned AS (
      SELECT *,
        CASE WHEN candidate <> 'cold' THEN candidate
          WHEN run_cells >= ${num(c.coldMinRun)}
            AND 2 * (sqrt(run_events + 0.375) - sqrt(run_cells * uniform_share + 0.375)) <= -${num(c.coldZ)}
          THEN 'cold' ELSE 'normal' END AS zone
      FROM runs)
    SELECT prefix16, ${hexSql('prefix16', 4)} AS prefix,
      events, lookups, addresses, infohashes,
      round(expected, 3) AS expected, round(ratio, 3) AS ratio, round(z, 2) AS z,
      zone,
      CASE WHEN zone <> 'normal' THEN run_start END AS zone_start,
      CASE WHEN zone <> 'normal' THEN run_cells END AS zone_cells
    FROM zoned`;
}
