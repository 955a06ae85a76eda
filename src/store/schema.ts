/**
 * Column definitions: the one place a dataset's fields are declared. The
 * TypeScript row type, the journal's CSV layout, the Parquet files and the
 * SQL views are all derived from these lists, so a field cannot drift
 * between them.
 */

/** How a column is stored: SQL type, and how the journal writes it. */
export type ColumnType =
  /** UTC microseconds since the epoch; TIMESTAMP in SQL and Parquet. */
  | 'timestamp'
  /** A whole number (ports, ASNs, counts); BIGINT-safe up to 2^53. */
  | 'integer'
  /** A real number (coordinates, percentages). */
  | 'double'
  /** Text written by dhtscope itself: hex, enum values, reason codes. Never contains , " or newlines. */
  | 'token'
  /** Free text from outside (organisation names): quoted in the journal when needed; line breaks are stored as spaces. */
  | 'text'
  | 'boolean';

export interface Column {
  /** SQL and Parquet column name. */
  readonly name: string;
  /** Property of the TypeScript row. */
  readonly prop: string;
  readonly type: ColumnType;
  /** May be absent (NULL). */
  readonly nullable: boolean;
  readonly description: string;
}

type TsType<T extends ColumnType> = T extends 'timestamp' | 'integer' | 'double'
  ? number
  : T extends 'boolean'
    ? boolean
    : string;

/** The row type of a column list: required columns required, nullable ones optional. */
export type RowOf<C extends readonly Column[]> = {
  [K in C[number] as K['nullable'] extends true ? never : K['prop']]: TsType<K['type']>;
} & {
  [K in C[number] as K['nullable'] extends true ? K['prop'] : never]?:
    | TsType<K['type']>
    | undefined;
};

export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  timestamp: 'TIMESTAMP',
  integer: 'BIGINT',
  double: 'DOUBLE',
  token: 'VARCHAR',
  text: 'VARCHAR',
  boolean: 'BOOLEAN',
};

/** A column definition, its literal types kept (tables.ts declares the derived tables with it). */
export function column<
  const N extends string,
  const P extends string,
  const T extends ColumnType,
  const U extends boolean,
>(name: N, prop: P, type: T, nullable: U, description: string) {
  return { name, prop, type, nullable, description } as const;
}

/** What an inbound message was. `other` is a query with a method we do not know. */
export const EVENT_KINDS = [
  'ping',
  'find_node',
  'get_peers',
  'announce_peer',
  'sample_infohashes',
  'get',
  'put',
  'other',
  'response',
  'error',
  'malformed',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** One row per inbound KRPC message seen by a sensor identity (DESIGN.md, "Events"). */
export const EVENT_COLUMNS = [
  column('ts', 'ts', 'timestamp', false, 'when the datagram arrived (UTC, microseconds)'),
  column(
    'sensor_port',
    'sensorPort',
    'integer',
    false,
    'local UDP port of the identity that received it',
  ),
  column('sensor_id', 'sensorId', 'token', false, 'node id of the identity that received it (hex)'),
  column('family', 'family', 'integer', false, 'IP version of the sender: 4 or 6'),
  column('remote_ip', 'remoteIp', 'token', false, 'sender address'),
  column('remote_port', 'remotePort', 'integer', false, 'sender UDP port'),
  column('remote_id', 'remoteId', 'token', true, 'node id the sender claimed (hex)'),
  column('kind', 'kind', 'token', false, `message kind: ${EVENT_KINDS.join(', ')}`),
  column(
    'method',
    'method',
    'token',
    true,
    'method name as sent, for kind other (hex when not printable)',
  ),
  column(
    'target',
    'target',
    'token',
    true,
    'info_hash (get_peers, announce_peer) or target (find_node, sample_infohashes, get), hex',
  ),
  column('txid', 'txid', 'token', true, 'transaction id (hex)'),
  column('announce_port', 'announcePort', 'integer', true, 'port argument of announce_peer'),
  column(
    'implied_port',
    'impliedPort',
    'boolean',
    true,
    'announce_peer asked to use its UDP source port (BEP 5)',
  ),
  column(
    'token_valid',
    'tokenValid',
    'boolean',
    true,
    'announce_peer carried a token we issued to this address',
  ),
  column('seed', 'seed', 'boolean', true, 'announce_peer from a seed (BEP 33)'),
  column('scrape', 'scrape', 'boolean', true, 'get_peers asked for bloom filters (BEP 33)'),
  column('noseed', 'noseed', 'boolean', true, 'get_peers asked for non-seeds (BEP 33)'),
  column('read_only', 'readOnly', 'boolean', true, 'sender set ro (BEP 43)'),
  column('want', 'want', 'text', true, 'BEP 32 want list, comma-separated (n4,n6)'),
  column('client_v', 'clientV', 'token', true, 'client version field v as sent (hex)'),
  column('client', 'client', 'text', true, 'client name and version decoded from v'),
  column(
    'bep42',
    'bep42',
    'token',
    true,
    'sender id against its address (BEP 42): valid, invalid or exempt',
  ),
  column(
    'malformed_reason',
    'malformedReason',
    'token',
    true,
    'reason code when kind is malformed',
  ),
  column('raw', 'raw', 'token', true, 'the datagram (hex), kept for malformed ones when sampled'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column('org', 'org', 'text', true, 'organisation of that autonomous system'),
  column('country', 'country', 'token', true, 'country of the sender (ISO 3166 alpha-2)'),
] as const;

export type EventRecord = RowOf<typeof EVENT_COLUMNS>;

/** Per-day aggregates kept after raw events expire (names as in the source documents). */
export const DAILY_SUMMARY_COLUMNS = [
  column('date_utc', 'dateUtc', 'token', false, 'the day (YYYY-MM-DD, UTC)'),
  column('total_events', 'totalEvents', 'integer', false, 'events that day'),
  column('unique_hashes', 'uniqueHashes', 'integer', false, 'distinct targets and infohashes'),
  column('unique_ips', 'uniqueIps', 'integer', false, 'distinct sender addresses'),
  column('unique_asns', 'uniqueAsns', 'integer', false, 'distinct sender ASNs'),
  column('get_peers', 'getPeers', 'integer', false, 'get_peers queries'),
  column('announce_peer', 'announcePeer', 'integer', false, 'announce_peer queries'),
  column('find_node', 'findNode', 'integer', false, 'find_node queries'),
  column('ping', 'ping', 'integer', false, 'ping queries'),
  column('sample_infohashes', 'sampleInfohashes', 'integer', false, 'sample_infohashes queries'),
  column('malformed', 'malformed', 'integer', false, 'malformed datagrams'),
  column(
    'observer_targets',
    'observerTargets',
    'integer',
    false,
    'infohashes looked up from 3+ addresses and never announced',
  ),
  column(
    'burst_activity',
    'burstActivity',
    'integer',
    false,
    'infohashes with 10+ lookups within one minute',
  ),
  column(
    'multi_asn_hashes',
    'multiAsnHashes',
    'integer',
    false,
    'infohashes looked up from 3+ ASNs',
  ),
  column('top_country', 'topCountry', 'token', true, 'country sending the most events'),
  column('top_asn', 'topAsn', 'integer', true, 'ASN sending the most events'),
  column('computed_at', 'computedAt', 'timestamp', false, 'when this summary was folded'),
] as const;

export type DailySummary = RowOf<typeof DAILY_SUMMARY_COLUMNS>;

/** Sensor health, one row a minute (filled by the sensor; rolling 7 days). */
export const SYSTEM_METRICS_COLUMNS = [
  column('ts', 'ts', 'timestamp', false, 'when measured (UTC)'),
  column('cpu_percent', 'cpuPercent', 'double', false, 'process CPU use over the interval'),
  column('memory_mb', 'memoryMb', 'double', false, 'resident set size'),
  column('heap_mb', 'heapMb', 'double', false, 'JavaScript heap used'),
  column('disk_free_gb', 'diskFreeGb', 'double', true, 'free space on the data directory volume'),
  column(
    'network_bytes_recv',
    'networkBytesRecv',
    'integer',
    false,
    'UDP bytes received over the interval',
  ),
  column(
    'network_bytes_sent',
    'networkBytesSent',
    'integer',
    false,
    'UDP bytes sent over the interval',
  ),
  column('open_files', 'openFiles', 'integer', true, 'open file descriptors'),
  column(
    'event_loop_delay_ms',
    'eventLoopDelayMs',
    'double',
    true,
    'event-loop delay, 99th percentile',
  ),
  column('queue_depth', 'queueDepth', 'integer', false, 'events waiting to be written'),
  column(
    'events_per_second',
    'eventsPerSecond',
    'double',
    false,
    'events recorded per second over the interval',
  ),
  column('drops', 'drops', 'integer', false, 'events dropped over the interval (all reasons)'),
] as const;

export type SystemMetrics = RowOf<typeof SYSTEM_METRICS_COLUMNS>;

/** Live detection findings, one row per alert (written by the antenna; kept until removed by hand). */
export const ALERT_COLUMNS = [
  column(
    'ts',
    'ts',
    'timestamp',
    false,
    'when the detector concluded (the sensor clock: lab time in a lab)',
  ),
  column('type', 'type', 'token', false, 'what was found: sweep, prefix_walk or scheduled'),
  column('remote_ip', 'remoteIp', 'token', false, 'the address it is about'),
  column('asn', 'asn', 'integer', true, 'its autonomous system'),
  column(
    'latency_us',
    'latencyUs',
    'integer',
    false,
    'µs from the event that completed the finding to the conclusion',
  ),
  column('why', 'why', 'text', false, 'the finding in words'),
  column('finding', 'finding', 'text', false, "the detector's figures (JSON)"),
] as const;

export type AlertRow = RowOf<typeof ALERT_COLUMNS>;

export function columnsSql(columns: readonly Column[]): string {
  return columns.map((c) => `${c.name} ${SQL_TYPES[c.type]}`).join(', ');
}
