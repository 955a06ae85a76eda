/**
 * Retention: raw events are kept `eventsDays` (30 by default) and metrics
 * `metricsDays` (7); older partitions are deleted whole. Before a day of
 * events is deleted it is folded into daily_summaries, which is kept
 * forever.
 *
 * Safe to interrupt and to run again: a day is summarised only if
 * daily_summaries lacks it, the summaries file is replaced atomically, and
 * partitions are deleted only after their summary is on disk. An interrupted
 * run leaves either the old state or a summary whose partitions the next run
 * deletes.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS, SYSTEM_METRICS } from './datasets.ts';
import type { Duck } from './duck.ts';
import { listPartitionDates, listParts } from './files.ts';
import { emptySelectSql, sqlString } from './journal-format.ts';
import type { DataLayout } from './layout.ts';
import { DAILY_SUMMARIES } from './tables.ts';

export interface RetentionOptions {
  /** Days of raw events to keep (today counts as one). */
  eventsDays: number;
  /** Days of system metrics to keep. */
  metricsDays: number;
  /** Current time in ms (the clock is injected so tests and the lab's scaled clock can move it). */
  now: number;
}

export const RETENTION_DEFAULTS: Omit<RetentionOptions, 'now'> = {
  eventsDays: EVENTS.retentionDays,
  metricsDays: SYSTEM_METRICS.retentionDays,
};

/** How often a running sensor runs retention (the source documents: every 6 hours). */
export const RETENTION_INTERVAL_MS = 6 * 3600_000;

export interface RetentionReport {
  /** Days newly folded into daily_summaries. */
  summarised: string[];
  /** Event days deleted. */
  deletedEventDays: string[];
  /** Metrics days deleted. */
  deletedMetricDays: string[];
}

/** Thresholds of the summary's counts, as the daily_summaries column descriptions say. */
export const SUMMARY_THRESHOLDS = {
  /** An observer target is looked up from at least this many addresses and never announced. */
  observerMinAddresses: 3,
  /** Burst activity: at least this many lookups of one infohash within one minute. */
  burstMinLookupsPerMinute: 10,
  /** Multi-ASN: looked up from at least this many ASNs. */
  multiAsnMin: 3,
} as const;

export async function runRetention(
  duck: Duck,
  layout: DataLayout,
  options: RetentionOptions,
): Promise<RetentionReport> {
  for (const [name, days] of [
    ['eventsDays', options.eventsDays],
    ['metricsDays', options.metricsDays],
  ] as const) {
    if (!Number.isInteger(days) || days < 1)
      throw new RangeError(`${name} must be a whole number of days ≥ 1, not ${days}`);
  }
  const eventCutoff = cutoffDate(options.now, options.eventsDays);
  const expiring = listPartitionDates(layout, EVENTS).filter((d) => d < eventCutoff);
  const summarisedAlready = await summarisedDates(duck, layout);
  const toSummarise = expiring.filter((d) => !summarisedAlready.has(d));
  if (toSummarise.length > 0) await appendSummaries(duck, layout, toSummarise, options.now);
  for (const date of expiring)
    rmSync(join(layout.datasetDir(EVENTS), `date=${date}`), { recursive: true, force: true });

  const metricCutoff = cutoffDate(options.now, options.metricsDays);
  const oldMetrics = listPartitionDates(layout, SYSTEM_METRICS).filter((d) => d < metricCutoff);
  for (const date of oldMetrics) {
    rmSync(join(layout.datasetDir(SYSTEM_METRICS), `date=${date}`), {
      recursive: true,
      force: true,
    });
  }
  return { summarised: toSummarise, deletedEventDays: expiring, deletedMetricDays: oldMetrics };
}

/** The first date kept: `days` days counting today. */
function cutoffDate(nowMs: number, days: number): string {
  return new Date(nowMs - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

async function summarisedDates(duck: Duck, layout: DataLayout): Promise<Set<string>> {
  const file = layout.tableFile(DAILY_SUMMARIES.name);
  if (!existsSync(file)) return new Set();
  const rows = await duck.rows(`SELECT date_utc FROM read_parquet(${sqlString(file)})`);
  return new Set(rows.map((r) => String(r.date_utc)));
}

async function appendSummaries(
  duck: Duck,
  layout: DataLayout,
  dates: string[],
  nowMs: number,
): Promise<void> {
  const file = layout.tableFile(DAILY_SUMMARIES.name);
  const columns = DAILY_SUMMARIES.columns.map((c) => c.name).join(', ');
  const selects = dates.map(
    (date) => `SELECT ${columns} FROM (${daySummarySql(layout, date, nowMs)})`,
  );
  if (existsSync(file)) selects.unshift(`SELECT ${columns} FROM read_parquet(${sqlString(file)})`);
  const tmp = join(layout.tmpDir, `${DAILY_SUMMARIES.name}.parquet.tmp`);
  await duck.run(
    `COPY (${selects.join(' UNION ALL ')} ORDER BY date_utc) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  renameSync(tmp, file);
}

/** Kinds counted on their own in the summary, by the small code the summary SQL gives them. */
const COUNTED_KINDS = [
  'get_peers',
  'announce_peer',
  'find_node',
  'ping',
  'sample_infohashes',
  'malformed',
] as const;

const kindCode = (kind: (typeof COUNTED_KINDS)[number]): number => COUNTED_KINDS.indexOf(kind) + 1;

/**
 * One day's summary row, computed from that day's Parquet parts.
 *
 * Written for CPU time: the parts are read once into a narrow materialised
 * copy (kind as a small code, target and sender as 64-bit hashes, ASN and
 * time), and every count is an aggregate over that copy:
 * - the kind and ASN counts come from one GROUP BY over the two (a handful
 *   of rows), so do the distinct ASNs and the top ASN;
 * - one GROUP BY per target gives the distinct targets and, per target, its
 *   lookups and announces; only targets with enough lookups to pass a
 *   threshold (3 addresses or ASNs need 3 lookups, a burst 10) have their
 *   lookups looked at again for distinct addresses, ASNs and busy minutes.
 *   Most targets are looked up once or twice, so that second look is small.
 * The country is grouped straight from the parts instead: its pages are
 * dictionary-encoded, which DuckDB groups for less than carrying the text
 * through the copy.
 *
 * Distinct targets and senders are counted by `hash()` (64 bits) rather than
 * by their text, which costs a third less CPU. Two different values sharing
 * a hash would count once: over a day of ~7e5 distinct targets the odds of
 * any such pair are n²/2⁶⁵ ≈ 1.4e-8 (≈ 3e-10 for ~1e5 senders), and then a
 * count may be off by one. Accepted for a daily summary.
 */
export function daySummarySql(layout: DataLayout, date: string, nowMs: number): string {
  const parts = listParts(layout, EVENTS, new Set([date])).map((p) => sqlString(p.path));
  const source =
    parts.length > 0
      ? `read_parquet([${parts.join(', ')}])`
      : `(${emptySelectSql(EVENTS.columns)})`;
  const t = SUMMARY_THRESHOLDS;
  // list_position, unlike a CASE, runs once per distinct kind of a dictionary-encoded page.
  const code = `list_position([${COUNTED_KINDS.map(sqlString).join(', ')}], kind)`;
  const lookup = `k = ${kindCode('get_peers')}`;
  const announce = `k = ${kindCode('announce_peer')}`;
  // A target needs at least this many lookups to reach any per-target threshold.
  const minLookups = Math.min(t.observerMinAddresses, t.multiAsnMin, t.burstMinLookupsPerMinute);
  const kindCount = (kind: (typeof COUNTED_KINDS)[number]) =>
    `coalesce(sum(n) FILTER (WHERE k = ${kindCode(kind)}), 0)::BIGINT AS ${kind}`;
  const top = (column: string, from: string) =>
    `(SELECT ${column} FROM ${from} WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY sum(n) DESC, ${column} LIMIT 1)`;
  return `
    WITH e AS MATERIALIZED (
      SELECT ${code} AS k,
        CASE WHEN target IS NOT NULL THEN hash(target) END AS th,
        CASE WHEN remote_ip IS NOT NULL THEN hash(remote_ip) END AS ih,
        asn, ts
      FROM ${source}),
    mix AS (SELECT k, asn, count(*) AS n FROM e GROUP BY k, asn),
    countries AS (SELECT country, count(*) AS n FROM ${source} GROUP BY country),
    per_target AS (
      SELECT th, count(*) FILTER (WHERE ${lookup}) AS lookups, count(*) FILTER (WHERE ${announce}) AS announces
      FROM e WHERE th IS NOT NULL GROUP BY th),
    busy_lookups AS (
      SELECT e.th, e.ih, e.asn, e.ts, p.lookups, p.announces
      FROM e JOIN per_target p ON e.th = p.th
      WHERE e.${lookup} AND p.lookups >= ${minLookups}),
    observers AS (
      SELECT th FROM busy_lookups WHERE announces = 0
      GROUP BY th HAVING count(DISTINCT ih) >= ${t.observerMinAddresses}),
    multi_asn AS (
      SELECT th FROM busy_lookups GROUP BY th HAVING count(DISTINCT asn) >= ${t.multiAsnMin}),
    bursts AS (
      SELECT DISTINCT th FROM busy_lookups WHERE lookups >= ${t.burstMinLookupsPerMinute}
      GROUP BY th, date_trunc('minute', ts) HAVING count(*) >= ${t.burstMinLookupsPerMinute})
    SELECT
      ${sqlString(date)} AS date_utc,
      kinds.total_events,
      (SELECT count(*) FROM per_target) AS unique_hashes,
      (SELECT count(DISTINCT ih) FROM e) AS unique_ips,
      kinds.unique_asns,
      kinds.get_peers, kinds.announce_peer, kinds.find_node, kinds.ping,
      kinds.sample_infohashes, kinds.malformed,
      (SELECT count(*) FROM observers) AS observer_targets,
      (SELECT count(*) FROM bursts) AS burst_activity,
      (SELECT count(*) FROM multi_asn) AS multi_asn_hashes,
      ${top('country', 'countries')} AS top_country,
      ${top('asn', 'mix')} AS top_asn,
      make_timestamp(${Math.trunc(nowMs) * 1000}) AS computed_at
    FROM (
      SELECT coalesce(sum(n), 0)::BIGINT AS total_events, count(DISTINCT asn) AS unique_asns,
        ${COUNTED_KINDS.map(kindCount).join(', ')}
      FROM mix) AS kinds`;
}
