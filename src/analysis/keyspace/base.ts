/**
 * The one pass over the raw events that every keyspace detector shares. The
 * queries that carry a target (find_node, get_peers, announce_peer,
 * sample_infohashes, get) are folded into one row per address, time bucket
 * and target — a lookup as the detectors see it: a client's iterative lookup
 * reaches several of the sensor's identities, so one lookup is often several
 * events with the same target seconds apart — and held in a temporary DuckDB
 * table. A store of ten million events is read from Parquet once, and the
 * detectors work on the folded rows (about a third as many).
 *
 * `k` is the target's first 64 bits as an unsigned integer: every prefix the
 * detectors use is a shift of it (k >> 48 is the 16-bit prefix, k >> 52 the
 * 12-bit one), and as a key it tells infohashes apart as well as the full
 * 160 bits would (two distinct hashes share 64 leading bits with odds of
 * 2^-64), at a fraction of the cost of the hex text.
 */
import type { Duck } from '../../store/duck.ts';

/** The temporary tables, named so they cannot collide with a dataset's view. */
export const KS_LOOKUPS = 'ks_lookups';
export const KS_BUCKETS = 'ks_buckets';

/** Query kinds whose target is a point of the keyspace. */
export const TARGETED_KINDS = [
  'find_node',
  'get_peers',
  'announce_peer',
  'sample_infohashes',
  'get',
] as const;

/** Cells of the heatmap: every 16-bit prefix. */
export const CELLS = 65_536;

/**
 * Columns of ks_lookups, one row per (ip, b, k): asn; b, the time bucket
 * (whole buckets since the epoch); k; n, the events folded into the row;
 * nl, of those get_peers (searches for a torrent's peers); ih, whether the
 * target was asked as an infohash (get_peers or announce_peer) rather than a
 * node id; t0 and t1, its first and last event.
 */
export function keyspaceLookupsSql(bucketMinutes: number): string {
  const kinds = TARGETED_KINDS.map((k) => `'${k}'`).join(', ');
  const bucketUs = bucketMicros(bucketMinutes);
  return `
    SELECT ip, any_value(asn) AS asn, b, k, count(*) AS n,
      count(*) FILTER (WHERE kind = 'get_peers') AS nl,
      bool_or(kind IN ('get_peers', 'announce_peer')) AS ih,
      min(ts) AS t0, max(ts) AS t1
    FROM (
      SELECT remote_ip AS ip, asn, kind, ts, epoch_us(ts) // ${bucketUs} AS b,
        TRY_CAST('0x' || left(target, 16) AS UBIGINT) AS k
      FROM events
      WHERE target IS NOT NULL AND length(target) >= 16 AND kind IN (${kinds}))
    WHERE k IS NOT NULL
    GROUP BY ip, b, k`;
}

/**
 * Per address and time bucket, for the buckets with at least `minTargets`
 * distinct targets (the scanners' order test and the families' pre-filter
 * both work inside such stretches of one address's traffic): targets, events,
 * and c, Pearson's correlation between when each target was first asked and
 * the target itself (its top 32 bits) — near +1 or −1 for a sweep at a
 * steady pace, near 0 for random targets.
 */
export function keyspaceBucketsSql(minTargets: number): string {
  return `
    SELECT ip, b, count(*) AS targets, sum(n) AS n,
      corr(epoch(t0), (k >> 32)::DOUBLE) AS c
    FROM ${KS_LOOKUPS} GROUP BY ip, b HAVING count(*) >= ${num(minTargets)}`;
}

export function bucketMicros(bucketMinutes: number): number {
  return Math.max(1, Math.round(bucketMinutes)) * 60_000_000;
}

export async function createKeyspaceTables(
  duck: Duck,
  bucketMinutes: number,
  minBucketTargets: number,
): Promise<void> {
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${KS_LOOKUPS} AS ${keyspaceLookupsSql(bucketMinutes)}`,
  );
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${KS_BUCKETS} AS ${keyspaceBucketsSql(minBucketTargets)}`,
  );
}

export async function dropKeyspaceTables(duck: Duck): Promise<void> {
  await duck.run(`DROP TABLE IF EXISTS ${KS_BUCKETS}`);
  await duck.run(`DROP TABLE IF EXISTS ${KS_LOOKUPS}`);
}

/** A number in SQL text: finite, or the statement would not parse (or would mean something else). */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** 16- or 12-bit prefix as fixed-width hex in SQL. */
export function hexSql(expr: string, digits: 3 | 4): string {
  return `lpad(printf('%x', ${expr}), ${digits}, '0')`;
}
