/**
 * The one pass over the raw events that every keyspace detector shares: the
 * queries that carry a target (find_node, get_peers, announce_peer,
 * sample_infohashes, get), reduced to what the detectors need and held in a
 * temporary DuckDB table, so a store of ten million events is read from
 * Parquet once instead of once per detector.
 *
 * `k` is the target's first 64 bits as an unsigned integer: every prefix the
 * detectors use is a shift of it (k >> 48 is the 16-bit prefix, k >> 52 the
 * 12-bit one), and as a key it tells infohashes apart as well as the full
 * 160 bits would (two distinct hashes share 64 leading bits with odds of
 * 2^-64), at an eighth of the memory of the hex text.
 */
import type { Duck } from '../../store/duck.ts';

/** The temporary tables, named so they cannot collide with a dataset's view. */
export const KS_EVENTS = 'ks_events';
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
 * Columns of ks_events: ts, ip, asn, lookup (get_peers: a search for a
 * torrent's peers), infohash (get_peers or announce_peer: the target is an
 * infohash, not a node id), k.
 */
export function keyspaceEventsSql(): string {
  const kinds = TARGETED_KINDS.map((k) => `'${k}'`).join(', ');
  return `
    SELECT ts, remote_ip AS ip, asn,
      kind = 'get_peers' AS lookup,
      kind IN ('get_peers', 'announce_peer') AS infohash,
      TRY_CAST('0x' || left(target, 16) AS UBIGINT) AS k
    FROM events
    WHERE target IS NOT NULL AND length(target) >= 16 AND kind IN (${kinds})`;
}

/**
 * Per address and time bucket: the scanners' order test and the families'
 * pre-filter both work inside short stretches of one address's traffic, so
 * this aggregate is built once. corr() is Pearson's correlation between
 * arrival time and target (its top 32 bits): near +1 or -1 for a sweep at a
 * steady pace, near 0 for random targets.
 */
export function keyspaceBucketsSql(bucketMinutes: number): string {
  return `
    SELECT ip, time_bucket(INTERVAL ${Math.max(1, Math.round(bucketMinutes))} MINUTE, ts) AS bucket,
      count(*) AS n, corr(epoch(ts), (k >> 32)::DOUBLE) AS c,
      min(ts) AS first_seen, max(ts) AS last_seen, any_value(asn) AS asn
    FROM ${KS_EVENTS} GROUP BY ip, bucket`;
}

export async function createKeyspaceTables(duck: Duck, bucketMinutes: number): Promise<void> {
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${KS_EVENTS} AS SELECT * FROM (${keyspaceEventsSql()}) WHERE k IS NOT NULL`,
  );
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${KS_BUCKETS} AS ${keyspaceBucketsSql(bucketMinutes)}`,
  );
}

export async function dropKeyspaceTables(duck: Duck): Promise<void> {
  await duck.run(`DROP TABLE IF EXISTS ${KS_BUCKETS}`);
  await duck.run(`DROP TABLE IF EXISTS ${KS_EVENTS}`);
}

/** A number in SQL text: finite, or the statement would not parse (or would mean something else). */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/**
 * A detector's thresholds with the config file's overrides applied: every
 * override must name a default and be a finite number, so a typo in the
 * config file is an error instead of a silently ignored setting.
 */
export function withOverrides<T extends Record<string, number>>(
  defaults: T,
  overrides: Readonly<Record<string, unknown>> | undefined,
  known: ReadonlySet<string>,
  where: string,
): T {
  const out: Record<string, number> = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!known.has(key)) throw new Error(`${where}: unknown setting ${key}`);
    if (!(key in defaults)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`${where}.${key}: expected a number, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  return out as T;
}
