/**
 * The reports of `dhtscope report`: each a few read-only queries over the
 * tables `compute` wrote (never a detection of its own), with the tables it
 * needs named so the report can say how fresh they are, or that they have
 * not been computed yet.
 */

export interface ReportWindow {
  /** ISO 8601; rows whose activity ends before it are left out. */
  since?: string;
  /** ISO 8601; rows whose activity starts at or after it are left out. */
  until?: string;
}

export interface ReportQuery {
  title: string;
  sql: string;
  /** Shown when the query returns no row. */
  empty: string;
}

export interface ReportSpec {
  /** The option that selects it (`operators` for --operators); `summary` for none. */
  key: string;
  title: string;
  /** Derived tables it reads; a missing one is reported as not computed. */
  tables: readonly string[];
  queries(window: ReportWindow, limit: number, argument?: string): ReportQuery[];
}

/** `last_seen >= since AND first_seen < until` for a table with those columns. */
export function activeIn(window: ReportWindow, first = 'first_seen', last = 'last_seen'): string {
  const parts: string[] = [];
  if (window.since !== undefined) parts.push(`${last} >= TIMESTAMP '${isoSql(window.since)}'`);
  if (window.until !== undefined) parts.push(`${first} < TIMESTAMP '${isoSql(window.until)}'`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

function isoSql(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

const FLAGGED = "class NOT IN ('normal_client', 'dht_node')";
const ts = (column: string) => `strftime(${column}, '%Y-%m-%d %H:%M') AS ${column}`;

const operatorProfileColumns = `remote_ip, asn, country, class, role, round(confidence, 2) AS confidence, queries, unique_targets, node_ids, rate_per_hour, ${ts('first_seen')}, ${ts('last_seen')}, why`;

export const REPORTS: readonly ReportSpec[] = [
  {
    key: 'summary',
    title: 'Summary',
    tables: ['operator_profiles', 'operators', 'daily_summaries'],
    queries: (window, limit) => [
      {
        title: 'Addresses by class',
        sql: `SELECT class, role, count(*) AS addresses, sum(queries) AS queries, count(DISTINCT asn) AS networks FROM operator_profiles WHERE ${activeIn(window)} GROUP BY class, role ORDER BY (class IN ('normal_client', 'dht_node')), addresses DESC, class`,
        empty: 'no address profiled yet',
      },
      {
        title: 'Flagged addresses',
        sql: `SELECT remote_ip, asn, class, round(confidence, 2) AS confidence, queries, why FROM operator_profiles WHERE ${FLAGGED} AND ${activeIn(window)} ORDER BY confidence DESC, queries DESC, remote_ip LIMIT ${limit}`,
        empty: 'nothing beyond normal clients and DHT nodes',
      },
      {
        title: 'Networks',
        sql: `SELECT asn, org, country, addresses, flagged_addresses, queries, posture, classes FROM operators WHERE ${activeIn(window)} ORDER BY flagged_addresses DESC, queries DESC, asn LIMIT ${limit}`,
        empty: 'no network profiled yet',
      },
      {
        title: 'Days',
        sql: `SELECT date_utc, total_events, unique_hashes, unique_ips, unique_asns, get_peers, announce_peer, observer_targets, multi_asn_hashes, top_country FROM daily_summaries WHERE ${dayIn(window)} ORDER BY date_utc DESC LIMIT ${limit}`,
        empty: 'no day summarised yet',
      },
    ],
  },
  {
    key: 'operators',
    title: 'Networks (fleet view)',
    tables: ['operators'],
    queries: (window, limit) => [
      {
        title: 'Networks',
        sql: `SELECT asn, org, country, addresses, flagged_addresses, queries, unique_hashes, depth, posture, queries_per_hour, classes, top_addresses, why FROM operators WHERE ${activeIn(window)} ORDER BY queries DESC, asn LIMIT ${limit}`,
        empty: 'no network profiled',
      },
    ],
  },
  {
    key: 'operator',
    title: 'Network deep-dive',
    tables: ['operators', 'operator_profiles'],
    queries: (window, limit, asn) => [
      {
        title: `AS${asn}`,
        sql: `SELECT asn, org, country, addresses, flagged_addresses, queries, unique_hashes, depth, posture, queries_per_hour, classes, ${ts('first_seen')}, ${ts('last_seen')}, why FROM operators WHERE asn = ${Number(asn)}`,
        empty: `AS${asn} sent nothing the sensor saw (or compute has not run since)`,
      },
      {
        title: 'Its addresses',
        sql: `SELECT ${operatorProfileColumns} FROM operator_profiles WHERE asn = ${Number(asn)} AND ${activeIn(window)} ORDER BY (class IN ('normal_client', 'dht_node')), queries DESC, remote_ip LIMIT ${limit}`,
        empty: 'no address of this network in the window',
      },
    ],
  },
  {
    key: 'operatorProfiles',
    title: 'Operator profiles',
    tables: ['operator_profiles', 'fingerprints'],
    queries: (window, limit) => [
      {
        title: 'Addresses, flagged first',
        sql: `SELECT ${operatorProfileColumns}, clients FROM operator_profiles WHERE ${activeIn(window)} ORDER BY (class IN ('normal_client', 'dht_node')), confidence DESC, queries DESC, remote_ip LIMIT ${limit}`,
        empty: 'no address profiled',
      },
      {
        title: 'Fingerprints',
        sql: `SELECT remote_ip, asn, signals, queries, node_ids, bep42_invalid_share, sensor_prefix_share, top_txid_share, sequential_txid_share, clients, ${ts('first_seen')}, ${ts('last_seen')}, why FROM fingerprints WHERE ${activeIn(window)} ORDER BY len(string_split(signals, ',')) DESC, queries DESC, remote_ip LIMIT ${limit}`,
        empty: 'no address with a tool fingerprint',
      },
    ],
  },
  {
    key: 'sweeps',
    title: 'Keyspace sweeps',
    tables: ['sweep_events'],
    queries: (window, limit) => [
      {
        title: 'Sweeps',
        sql: `SELECT operator_ip, asn, direction, prefix_start, prefix_end, hashes_observed, duration_seconds, hashes_per_sec, confidence, ${ts('detected_at')}, ${ts('first_seen')}, ${ts('last_seen')}, why FROM sweep_events WHERE ${activeIn(window)} ORDER BY hashes_observed DESC, detected_at, operator_ip LIMIT ${limit}`,
        empty: 'no sweep seen',
      },
    ],
  },
  {
    key: 'prefixWalkers',
    title: 'Prefix walkers',
    tables: ['prefix_walk_events'],
    queries: (window, limit) => [
      {
        title: 'Prefix walks',
        sql: `SELECT source_ip, asn, prefix_sequence, prefixes, total_hashes, duration_seconds, hashes_per_second, confidence, ${ts('start_time')}, ${ts('end_time')}, why FROM prefix_walk_events WHERE ${activeIn(window, 'start_time', 'end_time')} ORDER BY total_hashes DESC, start_time, source_ip LIMIT ${limit}`,
        empty: 'no prefix walker seen',
      },
    ],
  },
  {
    key: 'campaigns',
    title: 'Campaigns (tracked across days)',
    tables: ['campaigns'],
    queries: (window, limit) => [
      {
        title: 'Campaigns',
        sql: `SELECT campaign_id, kind, days_active, active_days, members, asns, asn_list, hashes, lookups, signals, ${ts('first_seen')}, ${ts('last_seen')}, addresses, why FROM campaigns WHERE ${activeIn(window)} ORDER BY kind = 'persistent_observer', members DESC, days_active DESC, campaign_id LIMIT ${limit}`,
        empty:
          'no campaign: no distributed campaign, scheduled monitor or persistent observer seen',
      },
    ],
  },
  {
    key: 'behavior',
    title: 'Behavioral anomalies (signal stacking)',
    tables: ['hash_behavior_profiles'],
    queries: (window, limit) => [
      {
        title: 'Infohashes by signal score',
        sql: `SELECT infohash, signal_score, classifications, total_events, lookup_count, announce_count, round(announce_ratio, 3) AS announce_ratio, unique_ips, unique_asns, round(burst_score, 2) AS burst_score, round(periodicity_score, 2) AS periodicity_score, ${ts('first_seen')}, ${ts('last_seen')} FROM hash_behavior_profiles WHERE signal_score > 0 AND ${activeIn(window)} ORDER BY signal_score DESC, total_events DESC, infohash LIMIT ${limit}`,
        empty: 'no infohash with an anomalous label',
      },
      {
        title: 'Labels',
        sql: `SELECT label, count(*) AS infohashes FROM (SELECT unnest(string_split(classifications, ',')) AS label FROM hash_behavior_profiles WHERE classifications <> '' AND ${activeIn(window)}) GROUP BY label ORDER BY infohashes DESC, label`,
        empty: 'no label given',
      },
    ],
  },
  {
    key: 'hash',
    title: 'Infohash',
    tables: ['hash_behavior_profiles'],
    queries: (window, limit, hash) => [
      {
        title: hash ?? '',
        sql: `SELECT infohash, classifications, signal_score, total_events, lookup_count, announce_count, announce_ratio, unique_ips, unique_asns, ${ts('first_seen')}, ${ts('last_seen')}, duration_minutes, lifespan_seconds, burst_score, periodicity_score, observer_score FROM hash_behavior_profiles WHERE infohash = '${hash}'`,
        empty: 'no profile: fewer events than the profiles need, or none at all in the store',
      },
      {
        title: 'Why each label',
        sql: `SELECT j.key AS label, trim(j.value::VARCHAR, '"') AS why FROM hash_behavior_profiles, json_each(why) AS j WHERE infohash = '${hash}' ORDER BY label`,
        empty: 'no label',
      },
      {
        title: 'Who asked',
        sql: `SELECT remote_ip, any_value(asn) AS asn, count(*) FILTER (WHERE kind = 'get_peers') AS lookups, count(*) FILTER (WHERE kind = 'announce_peer') AS announces, strftime(min(ts), '%Y-%m-%d %H:%M') AS first_seen, strftime(max(ts), '%Y-%m-%d %H:%M') AS last_seen FROM events WHERE target = '${hash}' AND kind IN ('get_peers', 'announce_peer') AND ${activeIn(window, 'ts', 'ts')} GROUP BY remote_ip ORDER BY lookups + announces DESC, remote_ip LIMIT ${limit}`,
        empty: 'nobody in the window',
      },
      {
        title: 'Gaps between visits',
        sql: `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, remote_ip, kind, CASE WHEN gap IS NULL THEN '' ELSE printf('%.1f min', gap / 60) END AS gap FROM (SELECT ts, remote_ip, kind, epoch(ts) - epoch(lag(ts) OVER (ORDER BY ts)) AS gap FROM events WHERE target = '${hash}' AND kind IN ('get_peers', 'announce_peer')) ORDER BY ts DESC LIMIT ${limit}`,
        empty: 'no visit',
      },
    ],
  },
  {
    key: 'prefixEntropy',
    title: 'Prefix entropy',
    tables: ['prefix_entropy'],
    queries: (_window, limit) => [
      {
        title: 'The whole keyspace',
        sql: "SELECT lookups, entropy_8, entropy_12, assessment, why FROM prefix_entropy WHERE scope = 'global'",
        empty: 'no lookups',
      },
      {
        title: 'Operators, most organised first',
        sql: `SELECT remote_ip, asn, lookups, entropy_8, entropy_12, assessment, why FROM prefix_entropy WHERE scope <> 'global' ORDER BY entropy_12, lookups DESC, remote_ip LIMIT ${limit}`,
        empty: 'no operator with enough lookups',
      },
    ],
  },
  {
    key: 'prefixes',
    title: 'Prefix families',
    tables: ['prefix_families'],
    queries: (window, limit) => [
      {
        title: 'Families of related prefixes',
        sql: `SELECT family_id, prefix_from, prefix_to, prefixes, span, hashes, addresses, events, ${ts('first_seen')}, ${ts('last_seen')}, why FROM prefix_families WHERE ${activeIn(window)} ORDER BY events DESC, family_id LIMIT ${limit}`,
        empty: 'no prefix family',
      },
    ],
  },
  {
    key: 'heatmap',
    title: 'Keyspace heatmap',
    tables: ['keyspace_heatmap', 'keyspace_scanners'],
    queries: (window, limit) => [
      {
        title: 'Hot and cold zones',
        sql: `SELECT zone, printf('%04x', zone_start) AS from_prefix, printf('%04x', zone_start + any_value(zone_cells) - 1) AS to_prefix, any_value(zone_cells) AS cells, sum(events) AS events, sum(lookups) AS lookups, max(addresses) AS max_addresses FROM keyspace_heatmap WHERE zone <> 'normal' GROUP BY zone, zone_start ORDER BY zone DESC, events DESC, zone_start LIMIT ${limit}`,
        empty: 'no hot or cold zone',
      },
      {
        title: 'Systematic scanners',
        sql: `SELECT remote_ip, asn, queries, coverage_share, span_from, span_to, direction, ${ts('first_seen')}, ${ts('last_seen')}, why FROM keyspace_scanners WHERE ${activeIn(window)} ORDER BY coverage_share DESC, remote_ip LIMIT ${limit}`,
        empty: 'no systematic scanner',
      },
    ],
  },
  {
    key: 'rendezvous',
    title: 'Timing patterns',
    tables: ['rendezvous_events'],
    queries: (window, limit) => [
      {
        title: 'Patterns',
        sql: `SELECT classification, count(*) AS pairs, count(DISTINCT operator_ip) AS addresses, count(DISTINCT infohash) AS infohashes FROM rendezvous_events WHERE ${activeIn(window, 'first_visit', 'last_visit')} GROUP BY classification ORDER BY classification`,
        empty: 'no timing pattern',
      },
      {
        title: 'Scheduled and returning lookups',
        sql: `SELECT operator_ip, asn, infohash, classification, visit_count, period_h, spread, mean_interval_h, max_gap_h, ${ts('first_visit')}, ${ts('last_visit')}, why FROM rendezvous_events WHERE classification <> 'CROSS_HASH' AND ${activeIn(window, 'first_visit', 'last_visit')} ORDER BY classification = 'RETURN_VISIT', visit_count DESC, operator_ip, infohash LIMIT ${limit}`,
        empty: 'no address returning to a hash',
      },
      {
        title: 'Hashes checked in sequence',
        sql: `SELECT operator_ip, any_value(asn) AS asn, count(*) AS hashes, max(visit_count) AS rounds, strftime(min(first_visit), '%Y-%m-%d %H:%M') AS first_visit, strftime(max(last_visit), '%Y-%m-%d %H:%M') AS last_visit, any_value(why) AS why FROM rendezvous_events WHERE classification = 'CROSS_HASH' AND ${activeIn(window, 'first_visit', 'last_visit')} GROUP BY operator_ip ORDER BY hashes DESC, operator_ip LIMIT ${limit}`,
        empty: 'no address checking hashes in sequence',
      },
    ],
  },
  {
    key: 'coordination',
    title: 'Coordination (the same infohashes from several networks)',
    tables: ['coordination', 'coordination_pairs'],
    queries: (window, limit) => [
      {
        title: 'Infohashes, most in step first',
        sql: `SELECT infohash, asns, asn_list, addresses, lookups, visits, co_timed_share, expected_share, coordination_score, ${ts('first_seen')}, ${ts('last_seen')}, why FROM coordination WHERE ${activeIn(window)} ORDER BY coordination_score DESC, asns DESC, lookups DESC, infohash LIMIT ${limit}`,
        empty: 'no infohash looked up from several networks',
      },
      {
        title: 'Networks looking up the same rarely shared infohashes',
        sql: `SELECT 'AS' || asn_a AS network_a, 'AS' || asn_b AS network_b, shared_hashes, hashes_a, hashes_b, jaccard, coordinated_hashes, why FROM coordination_pairs ORDER BY coordinated_hashes DESC, shared_hashes DESC, asn_a, asn_b LIMIT ${limit}`,
        empty: 'no pair of networks sharing infohashes',
      },
    ],
  },
  {
    key: 'clustering',
    title: 'Operator clustering (distributed crawler networks)',
    tables: ['operator_clusters'],
    queries: (window, limit) => [
      {
        title: 'Clusters, most coordinated first',
        sql: `SELECT cluster_id, members, asns, asn_list, link, classes, lookups, shared_hashes, jaccard, timing, behavior, coordination_score, ${ts('first_seen')}, ${ts('last_seen')}, addresses, why FROM operator_clusters WHERE ${activeIn(window)} ORDER BY coordination_score DESC, members DESC, cluster_id LIMIT ${limit}`,
        empty: 'no cluster: no addresses joined by shared infohashes or one split sweep',
      },
    ],
  },
];

function dayIn(window: ReportWindow): string {
  const parts: string[] = [];
  if (window.since !== undefined) parts.push(`date_utc >= '${window.since.slice(0, 10)}'`);
  if (window.until !== undefined) parts.push(`date_utc < '${window.until.slice(0, 10)}'`);
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

export function reportNamed(key: string): ReportSpec | undefined {
  return REPORTS.find((r) => r.key === key);
}
