/**
 * Fingerprints: the marks a tool leaves in its queries, per address, in
 * DuckDB. Each is a signal on its own (an address gets a row when any
 * fires), meant to feed operator classes and campaigns:
 *
 * - many_node_ids: one address claiming many node ids (a sybil, or a tool
 *   re-keying itself to land in many buckets);
 * - bep42_invalid: its ids fail BEP 42 for its address (many real clients
 *   ignore BEP 42, so only an address with several failing ids counts);
 * - sensor_prefix: its ids share ≥ `copyBits` leading bits with the sensor
 *   identity they query — some crawlers copy 80 or 120 bits of the target's
 *   id to get into its closest bucket; by chance it happens once in 2^80;
 * - constant_txid / sequential_txid: one transaction id on most queries,
 *   or ids counting up by one — a hand-written tool, where real clients
 *   draw or rotate them (the sensor sees a sample of a client's queries, so
 *   a counter shows as +1 steps only when the tool talks mostly to us);
 * - many_clients: several client-version strings from one address.
 */
import { isQueryKindSql } from '../operator-stream.ts';

export const FINGERPRINT_DEFAULTS = {
  /** Node ids for many_node_ids (the sybil detector's threshold). */
  minNodeIds: 5,
  /** Failing ids for bep42_invalid, and their share of the judged ids. */
  minInvalidIds: 2,
  minInvalidShare: 0.5,
  /** Leading bits an id shares with the identity it queries for sensor_prefix (a multiple of 4). */
  copyBits: 80,
  /** Such ids for sensor_prefix, and their share of the address's ids. */
  minCopiedIds: 2,
  minCopiedShare: 0.5,
  /** Queries before transaction ids are judged. */
  minTxidQueries: 10,
  /** Share of queries on one transaction id for constant_txid. */
  minTopTxidShare: 0.8,
  /** Share of steps between changing ids that add one, for sequential_txid. */
  minSequentialShare: 0.8,
  /** Distinct client versions for many_clients. */
  minClients: 3,
};

export type FingerprintConfig = typeof FINGERPRINT_DEFAULTS;

const pct = (share: string) => `printf('%.0f %%', 100 * ${share})`;

/**
 * Cheap per-address aggregates first, so the costly groupings only run
 * where a signal is possible: distinct node ids only where min ≠ max (every
 * id signal needs two ids), transaction-id counts only where the distinct
 * count leaves room for one id on most queries (within a factor of three;
 * exact, so that from-read.ts can give the same rows), client versions only where
 * min ≠ max (joined, not semi-joined: DuckDB would build its hash table on
 * the ten million events). Sequential ids need the time order: one window
 * over every query, partitioned by a hash of the address (cheaper to sort
 * than the string); addresses under `minTxidQueries` are dropped after.
 */
export function fingerprintsSql(c: FingerprintConfig): string {
  const digits = Math.floor(c.copyBits / 4);
  const maxDistinctTxids = 3 * (1 - c.minTopTxidShare);
  // The queries, read afresh where used: a shared CTE would be materialised whole.
  const Q = `(SELECT * FROM events WHERE ${isQueryKindSql('kind')})`;
  // Joined to a few candidates by a hash of the address: cheaper than the string.
  const hashed = `(SELECT *, hash(remote_ip) AS h FROM events WHERE ${isQueryKindSql('kind')})`;
  return `
    WITH base AS MATERIALIZED (
      SELECT remote_ip, any_value(asn) AS asn, count(*) AS queries, min(ts) AS first_seen,
        max(ts) AS last_seen, min(remote_id) AS id_lo, max(remote_id) AS id_hi,
        count(DISTINCT txid) AS txids, min(client) AS client_lo, max(client) AS client_hi,
        hash(remote_ip) AS h
      FROM ${Q} GROUP BY remote_ip
    ),
    ids AS (
      SELECT remote_ip, remote_id, bool_or(bep42 = 'invalid') AS invalid,
        bool_or(bep42 IN ('valid', 'invalid')) AS judged,
        bool_or(left(remote_id, ${digits}) = left(sensor_id, ${digits})) AS copied
      FROM ${hashed} JOIN (SELECT h FROM base WHERE id_lo <> id_hi) USING (h)
      WHERE remote_id IS NOT NULL
      GROUP BY remote_ip, remote_id
    ),
    id_stats AS (
      SELECT remote_ip, count(*) AS node_ids, count(*) FILTER (WHERE judged) AS judged,
        count(*) FILTER (WHERE invalid) AS invalid, count(*) FILTER (WHERE copied) AS copied
      FROM ids GROUP BY remote_ip
    ),
    tx_stats AS (
      SELECT remote_ip, max(n) AS top FROM (
        SELECT remote_ip, txid, count(*) AS n FROM ${hashed} JOIN (
          SELECT h FROM base
          WHERE queries >= ${c.minTxidQueries} AND txids <= ${maxDistinctTxids} * queries
        ) USING (h)
        WHERE txid IS NOT NULL
        GROUP BY remote_ip, txid
      ) GROUP BY remote_ip
    ),
    seq AS (
      SELECT h, count(*) FILTER (WHERE d = 1) AS up, count(*) FILTER (WHERE d <> 0) AS steps
      FROM (
        SELECT h, n - lag(n) OVER (PARTITION BY h ORDER BY ts) AS d FROM (
          SELECT hash(remote_ip) AS h, ts, TRY_CAST('0x' || txid AS BIGINT) AS n
          FROM ${Q} WHERE length(txid) <= 12
        )
      ) GROUP BY h
    ),
    versions AS (
      SELECT remote_ip, count(DISTINCT client) AS versions FROM ${hashed}
        JOIN (SELECT h FROM base WHERE client_lo <> client_hi) USING (h)
      GROUP BY remote_ip
    ),
    joined AS (
      SELECT b.remote_ip, b.asn, b.queries, b.first_seen, b.last_seen,
        coalesce(i.node_ids, CASE WHEN b.id_lo IS NULL THEN 0 ELSE 1 END) AS node_ids,
        coalesce(i.judged, 0) AS judged, coalesce(i.invalid, 0) AS invalid,
        coalesce(i.copied, 0) AS copied, t.top, s.up, s.steps,
        coalesce(v.versions, CASE WHEN b.client_lo IS NULL THEN 0 ELSE 1 END) AS versions
      FROM base b LEFT JOIN id_stats i USING (remote_ip) LEFT JOIN tx_stats t USING (remote_ip)
        LEFT JOIN seq s USING (h) LEFT JOIN versions v USING (remote_ip)
    ),
    judged AS (
      SELECT *,
        CASE WHEN judged > 0 THEN invalid / judged END AS invalid_share,
        CASE WHEN node_ids > 0 THEN copied / node_ids ELSE 0 END AS copied_share,
        coalesce(top / queries, 0) AS top_share,
        coalesce(CASE WHEN steps > 0 THEN up / steps END, 0) AS sequential_share
      FROM joined
    ),
    flagged AS (
      SELECT *,
        list_filter([
          CASE WHEN node_ids >= ${c.minNodeIds} THEN 'many_node_ids' END,
          CASE WHEN invalid >= ${c.minInvalidIds} AND invalid_share >= ${c.minInvalidShare} THEN 'bep42_invalid' END,
          CASE WHEN copied >= ${c.minCopiedIds} AND copied_share >= ${c.minCopiedShare} THEN 'sensor_prefix' END,
          CASE WHEN queries >= ${c.minTxidQueries} AND top_share >= ${c.minTopTxidShare} THEN 'constant_txid' END,
          CASE WHEN queries >= ${c.minTxidQueries} AND steps >= ${c.minTxidQueries - 1} AND sequential_share >= ${c.minSequentialShare} THEN 'sequential_txid' END,
          CASE WHEN versions >= ${c.minClients} THEN 'many_clients' END
        ], x -> x IS NOT NULL) AS signal_list
      FROM judged
    ),
    found AS (SELECT * FROM flagged WHERE len(signal_list) > 0),
    clients AS (
      SELECT remote_ip, string_agg(client, ', ' ORDER BY n DESC, client) AS clients FROM (
        SELECT remote_ip, client, count(*) AS n FROM ${Q} JOIN (SELECT remote_ip FROM found) USING (remote_ip)
        WHERE client IS NOT NULL GROUP BY remote_ip, client
      ) GROUP BY remote_ip
    )
    SELECT remote_ip, asn, queries, node_ids,
      round(invalid_share, 3) AS bep42_invalid_share, round(copied_share, 3) AS sensor_prefix_share,
      round(top_share, 3) AS top_txid_share, round(sequential_share, 3) AS sequential_txid_share,
      clients, array_to_string(signal_list, ',') AS signals, first_seen, last_seen,
      array_to_string(list_filter([
        CASE WHEN list_contains(signal_list, 'many_node_ids') THEN printf('%d node ids (≥ %d)', node_ids, ${c.minNodeIds}) END,
        CASE WHEN list_contains(signal_list, 'bep42_invalid') THEN printf('%d of %d judged ids fail BEP 42 (%s)', invalid, judged, ${pct('invalid_share')}) END,
        CASE WHEN list_contains(signal_list, 'sensor_prefix') THEN printf('%d of %d ids share ≥ ${c.copyBits} bits with the identity they query (%s)', copied, node_ids, ${pct('copied_share')}) END,
        CASE WHEN list_contains(signal_list, 'constant_txid') THEN printf('one transaction id on %s of %d queries', ${pct('top_share')}, queries) END,
        CASE WHEN list_contains(signal_list, 'sequential_txid') THEN printf('transaction ids count up by one on %s of %d steps', ${pct('sequential_share')}, steps) END,
        CASE WHEN list_contains(signal_list, 'many_clients') THEN printf('%d client versions: %s', versions, clients) END
      ], x -> x IS NOT NULL), '; ') AS why
    FROM found LEFT JOIN clients USING (remote_ip)`;
}
