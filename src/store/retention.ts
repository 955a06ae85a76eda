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

/** One day's summary row, computed from that day's Parquet parts. */
export function daySummarySql(layout: DataLayout, date: string, nowMs: number): string {
  const parts = listParts(layout, EVENTS, new Set([date])).map((p) => sqlString(p.path));
  const source =
    parts.length > 0
      ? `read_parquet([${parts.join(', ')}])`
      : `(${emptySelectSql(EVENTS.columns)})`;
  const t = SUMMARY_THRESHOLDS;
  const lookups = "kind = 'get_peers'";
  return `
    WITH e AS (SELECT ts, kind, target, remote_ip, asn, country FROM ${source}),
    per_hash AS (
      SELECT target,
        count(DISTINCT remote_ip) FILTER (WHERE ${lookups}) AS lookup_ips,
        count(*) FILTER (WHERE kind = 'announce_peer') AS announces,
        count(DISTINCT asn) FILTER (WHERE ${lookups}) AS lookup_asns
      FROM e WHERE target IS NOT NULL AND kind IN ('get_peers', 'announce_peer') GROUP BY target),
    bursts AS (
      SELECT DISTINCT target FROM e WHERE ${lookups} AND target IS NOT NULL
      GROUP BY target, date_trunc('minute', ts) HAVING count(*) >= ${t.burstMinLookupsPerMinute}),
    top_country AS (
      SELECT country FROM e WHERE country IS NOT NULL GROUP BY country ORDER BY count(*) DESC, country LIMIT 1),
    top_asn AS (SELECT asn FROM e WHERE asn IS NOT NULL GROUP BY asn ORDER BY count(*) DESC, asn LIMIT 1)
    SELECT
      ${sqlString(date)} AS date_utc,
      (SELECT count(*) FROM e) AS total_events,
      (SELECT count(DISTINCT target) FROM e) AS unique_hashes,
      (SELECT count(DISTINCT remote_ip) FROM e) AS unique_ips,
      (SELECT count(DISTINCT asn) FROM e) AS unique_asns,
      (SELECT count(*) FROM e WHERE kind = 'get_peers') AS get_peers,
      (SELECT count(*) FROM e WHERE kind = 'announce_peer') AS announce_peer,
      (SELECT count(*) FROM e WHERE kind = 'find_node') AS find_node,
      (SELECT count(*) FROM e WHERE kind = 'ping') AS ping,
      (SELECT count(*) FROM e WHERE kind = 'sample_infohashes') AS sample_infohashes,
      (SELECT count(*) FROM e WHERE kind = 'malformed') AS malformed,
      (SELECT count(*) FROM per_hash WHERE lookup_ips >= ${t.observerMinAddresses} AND announces = 0) AS observer_targets,
      (SELECT count(*) FROM bursts) AS burst_activity,
      (SELECT count(*) FROM per_hash WHERE lookup_asns >= ${t.multiAsnMin}) AS multi_asn_hashes,
      (SELECT country FROM top_country) AS top_country,
      (SELECT asn FROM top_asn) AS top_asn,
      make_timestamp(${Math.trunc(nowMs) * 1000}) AS computed_at`;
}
