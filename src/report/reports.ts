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
  /** Analysis II tables not built yet: the report says so rather than show nothing. */
  pending?: string;
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

function classRows(classes: string, title: string, empty: string): ReportSpec['queries'] {
  return (window, limit) => [
    {
      title,
      sql: `SELECT ${operatorProfileColumns}, group_id FROM operator_profiles WHERE class IN (${classes}) AND ${activeIn(window)} ORDER BY queries DESC, remote_ip LIMIT ${limit}`,
      empty,
    },
  ];
}

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
    tables: ['operator_profiles'],
    queries: (window, limit) => [
      {
        title: 'Addresses, flagged first',
        sql: `SELECT ${operatorProfileColumns}, clients FROM operator_profiles WHERE ${activeIn(window)} ORDER BY (class IN ('normal_client', 'dht_node')), confidence DESC, queries DESC, remote_ip LIMIT ${limit}`,
        empty: 'no address profiled',
      },
    ],
  },
  {
    key: 'sweeps',
    title: 'Keyspace sweeps',
    tables: ['operator_profiles'],
    pending:
      'per-sweep events (sweep_events, start and end prefix, rate) come with live detection; shown: addresses whose targets sweep the keyspace in order',
    queries: classRows(
      "'sequential_crawler', 'distributed_campaign'",
      'Sweeping addresses',
      'no sweep seen',
    ),
  },
  {
    key: 'prefixWalkers',
    title: 'Prefix walkers',
    tables: ['operator_profiles'],
    pending:
      'per-walk events (prefix_walk_events) come with live detection; shown: addresses that walk prefixes',
    queries: classRows("'prefix_walker'", 'Prefix walkers', 'no prefix walker seen'),
  },
  {
    key: 'campaigns',
    title: 'Campaigns',
    tables: ['operator_profiles'],
    pending:
      'tracking across days (campaigns) comes with Analysis II; shown: distributed campaigns found in the current events',
    queries: (window, limit) => [
      {
        title: 'Distributed campaigns',
        sql: `SELECT group_id AS campaign, count(*) AS members, count(DISTINCT asn) AS networks, string_agg(remote_ip, ', ' ORDER BY remote_ip) AS addresses, sum(queries) AS queries, strftime(min(first_seen), '%Y-%m-%d %H:%M') AS first_seen, strftime(max(last_seen), '%Y-%m-%d %H:%M') AS last_seen, any_value(why) AS why FROM operator_profiles WHERE class = 'distributed_campaign' AND ${activeIn(window)} GROUP BY group_id ORDER BY members DESC, campaign LIMIT ${limit}`,
        empty: 'no distributed campaign seen',
      },
    ],
  },
  ...(['rendezvous', 'coordination', 'clustering'] as const).map(
    (key): ReportSpec => ({
      key,
      title: {
        rendezvous: 'Timing patterns',
        coordination: 'Coordination',
        clustering: 'Operator clustering',
      }[key],
      tables: [
        {
          rendezvous: 'rendezvous_events',
          coordination: 'coordination',
          clustering: 'operator_clusters',
        }[key],
      ],
      queries: () => [],
    }),
  ),
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
