/**
 * Single-file tables kept under tables/ (daily_summaries now; the derived
 * tables of `compute` register here as they are built). A table with no file
 * yet still has its view, empty, with its columns.
 */
import { type Column, column, DAILY_SUMMARY_COLUMNS } from './schema.ts';
import {
  CAMPAIGNS,
  COORDINATION,
  COORDINATION_PAIRS,
  OPERATOR_CLUSTERS,
} from './tables-coordination.ts';
import { CRAWL_EDGES, CRAWL_NODES, SAMPLED_INFOHASHES } from './tables-crawl.ts';

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly description: string;
}

export const DAILY_SUMMARIES: TableSpec = {
  name: 'daily_summaries',
  columns: DAILY_SUMMARY_COLUMNS,
  description:
    'per-day aggregates folded from raw events before retention deletes them (kept forever)',
};

/** One row per remote address: its behavior and the class src/analysis gives it. */
export const OPERATOR_PROFILE_COLUMNS = [
  column('remote_ip', 'remoteIp', 'token', false, 'sender address'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column('org', 'org', 'text', true, 'organisation of that autonomous system'),
  column('country', 'country', 'token', true, 'country of the sender (ISO 3166 alpha-2)'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from this address'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from this address'),
  column('queries', 'queries', 'integer', false, 'queries received from this address'),
  column('unique_targets', 'uniqueTargets', 'integer', false, 'distinct targets and infohashes'),
  column('node_ids', 'nodeIds', 'integer', false, 'distinct node ids the address claimed'),
  column(
    'get_peers_share',
    'getPeersShare',
    'double',
    false,
    'share of queries that are get_peers',
  ),
  column('announce_share', 'announceShare', 'double', false, 'share that are announce_peer'),
  column('find_node_share', 'findNodeShare', 'double', false, 'share that are find_node'),
  column('ping_share', 'pingShare', 'double', false, 'share that are ping'),
  column(
    'sample_infohashes_share',
    'sampleInfohashesShare',
    'double',
    false,
    'share that are sample_infohashes',
  ),
  column(
    'monotone',
    'monotone',
    'double',
    true,
    'share of consecutive lookup targets moving in the main direction (absent under 3 targets)',
  ),
  column('class', 'class', 'token', false, 'behavior class, see docs/analysis.md'),
  column('confidence', 'confidence', 'double', false, 'confidence of the class, 0 … 1'),
  column('why', 'why', 'text', false, 'the evidence for the class, in words'),
  column(
    'group_id',
    'groupId',
    'token',
    true,
    'the campaign this address belongs to (`group` is an SQL keyword)',
  ),
  column(
    'rate_per_hour',
    'ratePerHour',
    'double',
    false,
    'queries per hour over its active span (at least one hour)',
  ),
  column('clients', 'clients', 'text', true, 'client versions it sent (v), most frequent first'),
  column(
    'role',
    'role',
    'token',
    false,
    'operator role: crawler, indexer, measurement_node, tracker_node or normal_client',
  ),
] as const;

export const OPERATOR_PROFILES: TableSpec = {
  name: 'operator_profiles',
  columns: OPERATOR_PROFILE_COLUMNS,
  description: 'per-address behavior features and operator class (written by compute)',
};

/** One row per ASN: the fleet view of `report --operators`. */
export const OPERATOR_COLUMNS = [
  column('asn', 'asn', 'integer', false, 'autonomous system number'),
  column('org', 'org', 'text', true, 'its organisation'),
  column('country', 'country', 'token', true, 'the most common country of its addresses'),
  column('addresses', 'addresses', 'integer', false, 'addresses seen from it'),
  column(
    'flagged_addresses',
    'flaggedAddresses',
    'integer',
    false,
    'of those, in a class other than normal_client or dht_node',
  ),
  column('queries', 'queries', 'integer', false, 'queries received from it'),
  column(
    'unique_hashes',
    'uniqueHashes',
    'integer',
    false,
    'distinct targets and infohashes it asked for',
  ),
  column('depth', 'depth', 'double', false, 'lookups per distinct infohash'),
  column(
    'posture',
    'posture',
    'token',
    false,
    'broad_sweep, targeted_depth or light (thresholds in docs/analysis.md)',
  ),
  column(
    'queries_per_hour',
    'queriesPerHour',
    'double',
    false,
    'queries per hour over its active span (at least one hour)',
  ),
  column(
    'classes',
    'classes',
    'text',
    false,
    'classes of its addresses with counts, e.g. normal_client:40, sequential_crawler:1',
  ),
  column(
    'top_addresses',
    'topAddresses',
    'text',
    false,
    'its busiest addresses with their queries',
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from it'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from it'),
  column('why', 'why', 'text', false, 'the figures behind the posture'),
] as const;

export const OPERATORS: TableSpec = {
  name: 'operators',
  columns: OPERATOR_COLUMNS,
  description: 'one row per ASN: broad sweep or targeted depth, activity, classes, top addresses',
};

/** One row per infohash with enough events: its behavior metrics and labels (src/analysis/hash-profiles). */
export const HASH_BEHAVIOR_PROFILE_COLUMNS = [
  column('infohash', 'infohash', 'token', false, 'the infohash (hex)'),
  column(
    'total_events',
    'totalEvents',
    'integer',
    false,
    'get_peers and announce_peer events for it',
  ),
  column('lookup_count', 'lookupCount', 'integer', false, 'get_peers events'),
  column('announce_count', 'announceCount', 'integer', false, 'announce_peer events'),
  column('announce_ratio', 'announceRatio', 'double', false, 'announce_count / total_events'),
  column('unique_ips', 'uniqueIps', 'integer', false, 'distinct sender addresses'),
  column('unique_asns', 'uniqueAsns', 'integer', false, 'distinct sender ASNs'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first event for it'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last event for it'),
  column(
    'duration_minutes',
    'durationMinutes',
    'double',
    false,
    'last_seen − first_seen, in minutes',
  ),
  column(
    'lifespan_seconds',
    'lifespanSeconds',
    'double',
    false,
    'first to last announce_peer, in seconds (0 under two announces): how long it lived as a swarm',
  ),
  column(
    'burst_score',
    'burstScore',
    'double',
    false,
    'share of its events inside dense 5-minute windows, 0 … 1',
  ),
  column(
    'periodicity_score',
    'periodicityScore',
    'double',
    false,
    'share of intervals between its visits that are regular, 0 … 1',
  ),
  column(
    'observer_score',
    'observerScore',
    'double',
    false,
    'share of its events that are lookups from addresses never announcing it, 0 … 1',
  ),
  column(
    'classifications',
    'classifications',
    'text',
    false,
    'its labels, comma-separated (empty when none)',
  ),
  column(
    'signal_score',
    'signalScore',
    'integer',
    false,
    'how many anomalous labels it carries (all but swarm_like)',
  ),
  column(
    'why',
    'why',
    'text',
    false,
    'the figures behind each label against its thresholds: a JSON object, label → text',
  ),
] as const;

export const HASH_BEHAVIOR_PROFILES: TableSpec = {
  name: 'hash_behavior_profiles',
  columns: HASH_BEHAVIOR_PROFILE_COLUMNS,
  description: 'per-infohash behavior metrics and multi-label classes (written by compute)',
};

/** keyspace_heatmap: one row per 16-bit prefix of the keyspace, all 65,536 of them (src/analysis/keyspace). */
export const KEYSPACE_HEATMAP_COLUMNS = [
  column('prefix16', 'prefix16', 'integer', false, 'the 16-bit prefix, 0 … 65535'),
  column('prefix', 'prefix', 'token', false, 'the same as 4 hex digits'),
  column(
    'events',
    'events',
    'integer',
    false,
    'queries whose target falls in the cell (find_node, get_peers, announce_peer, sample_infohashes, get)',
  ),
  column('lookups', 'lookups', 'integer', false, 'of those, get_peers'),
  column('addresses', 'addresses', 'integer', false, 'distinct senders'),
  column(
    'infohashes',
    'infohashes',
    'integer',
    false,
    'distinct infohashes asked for (get_peers, announce_peer)',
  ),
  column(
    'expected',
    'expected',
    'double',
    false,
    'the baseline: the larger of the uniform share and the neighbourhood median',
  ),
  column('ratio', 'ratio', 'double', true, 'events / expected (absent for an empty store)'),
  column(
    'z',
    'z',
    'double',
    false,
    'distance from expected in standard deviations, on the square-root (Anscombe) scale',
  ),
  column('zone', 'zone', 'token', false, 'hot, cold or normal'),
  column(
    'zone_start',
    'zoneStart',
    'integer',
    true,
    'first prefix16 of the run of hot or cold cells this one is in',
  ),
  column('zone_cells', 'zoneCells', 'integer', true, 'length of that run in cells'),
] as const;

export const KEYSPACE_HEATMAP: TableSpec = {
  name: 'keyspace_heatmap',
  columns: KEYSPACE_HEATMAP_COLUMNS,
  description: 'traffic per 16-bit keyspace prefix with hot and cold zones (written by compute)',
};

/** keyspace_scanners: addresses whose targets move through the keyspace in order. */
export const KEYSPACE_SCANNER_COLUMNS = [
  column('remote_ip', 'remoteIp', 'token', false, 'sender address'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column('queries', 'queries', 'integer', false, 'its queries that carry a target'),
  column(
    'prefixes_covered',
    'prefixesCovered',
    'integer',
    false,
    'distinct 16-bit prefixes its targets fell in',
  ),
  column('coverage_share', 'coverageShare', 'double', false, 'prefixes_covered / 65536'),
  column('span_from', 'spanFrom', 'token', false, 'lowest 16-bit prefix it touched (hex)'),
  column('span_to', 'spanTo', 'token', false, 'highest 16-bit prefix it touched (hex)'),
  column(
    'span_share',
    'spanShare',
    'double',
    false,
    'share of the keyspace between span_from and span_to',
  ),
  column(
    'ordered_share',
    'orderedShare',
    'double',
    false,
    'share of its judged queries in time buckets of ordered targets',
  ),
  column('direction', 'direction', 'token', false, 'ascending, descending or both'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'its first targeted query'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'its last targeted query'),
  column('why', 'why', 'text', false, 'the figures behind the finding'),
] as const;

export const KEYSPACE_SCANNERS: TableSpec = {
  name: 'keyspace_scanners',
  columns: KEYSPACE_SCANNER_COLUMNS,
  description:
    'systematic scanners: addresses sweeping 16-bit prefixes in keyspace order (written by compute)',
};

/** prefix_entropy: entropy of target prefixes, over the whole keyspace and per address. */
export const PREFIX_ENTROPY_COLUMNS = [
  column('scope', 'scope', 'token', false, "global (every query) or address (one sender's)"),
  column('remote_ip', 'remoteIp', 'token', true, 'the sender, for scope address'),
  column('asn', 'asn', 'integer', true, 'its autonomous system'),
  column('lookups', 'lookups', 'integer', false, 'queries that carry a target'),
  column(
    'prefixes_12',
    'prefixes12',
    'integer',
    false,
    'distinct 12-bit prefixes among their targets',
  ),
  column(
    'entropy_8',
    'entropy8',
    'double',
    false,
    'Shannon entropy of the first 8 bits, normalised 0 … 1',
  ),
  column(
    'entropy_12',
    'entropy12',
    'double',
    false,
    'Shannon entropy of the first 12 bits, normalised 0 … 1',
  ),
  column('assessment', 'assessment', 'token', false, 'organised, concentrated, mixed or random'),
  column('why', 'why', 'text', false, 'the figures behind the assessment'),
] as const;

export const PREFIX_ENTROPY: TableSpec = {
  name: 'prefix_entropy',
  columns: PREFIX_ENTROPY_COLUMNS,
  description:
    'entropy of target prefixes: low = organised scanning, high = random (written by compute)',
};

/** prefix_families: runs of adjacent 12-bit prefixes dug together (src/analysis/keyspace/prefix-families.ts). */
export const PREFIX_FAMILY_COLUMNS = [
  column('family_id', 'familyId', 'token', false, 'pf- and the first and last prefix'),
  column('prefix_from', 'prefixFrom', 'token', false, 'first 12-bit prefix (hex)'),
  column('prefix_to', 'prefixTo', 'token', false, 'last 12-bit prefix (hex)'),
  column('prefixes', 'prefixes', 'integer', false, 'prefixes dug between them'),
  column('span', 'span', 'integer', false, 'prefixes from first to last'),
  column('hashes', 'hashes', 'integer', false, 'distinct targets looked up in its dug prefixes'),
  column('addresses', 'addresses', 'integer', false, 'addresses that dug them'),
  column(
    'top_addresses',
    'topAddresses',
    'text',
    false,
    'the busiest of those, with their lookups',
  ),
  column('events', 'events', 'integer', false, 'the lookups that make up the family'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first of them'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last of them'),
  column('why', 'why', 'text', false, 'the figures behind the family'),
] as const;

export const PREFIX_FAMILIES: TableSpec = {
  name: 'prefix_families',
  columns: PREFIX_FAMILY_COLUMNS,
  description:
    'prefix families: adjacent 12-bit prefixes dug together by the same addresses (written by compute)',
};

/** sweep_events: one row per sweep, replayed through the live sweep tracker (src/analysis/sequences). */
export const SWEEP_EVENT_COLUMNS = [
  column('operator_ip', 'operatorIp', 'token', false, 'sender address'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column(
    'detected_at',
    'detectedAt',
    'timestamp',
    false,
    'when the sweep reached its tenth target: the moment the live detector alerts',
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first target of the sweep'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last target of the sweep'),
  column('prefix_start', 'prefixStart', 'token', false, "first target's 16-bit prefix (hex)"),
  column('prefix_end', 'prefixEnd', 'token', false, "last target's 16-bit prefix (hex)"),
  column('hashes_observed', 'hashesObserved', 'integer', false, 'distinct targets in the sweep'),
  column('duration_seconds', 'durationSeconds', 'double', false, 'first to last target'),
  column('hashes_per_sec', 'hashesPerSec', 'double', false, 'targets per second'),
  column('direction', 'direction', 'token', false, 'ascending or descending'),
  column(
    'confidence',
    'confidence',
    'double',
    false,
    "share of the steps in the sweep's direction, 0 … 1",
  ),
  column('why', 'why', 'text', false, 'the figures behind the finding'),
] as const;

export const SWEEP_EVENTS: TableSpec = {
  name: 'sweep_events',
  columns: SWEEP_EVENT_COLUMNS,
  description:
    'one row per keyspace sweep, found by the live sweep detector replayed over the events (written by compute)',
};

/** prefix_walk_events: one row per walk through 12-bit prefixes (src/analysis/live/prefix-walk-tracker.ts). */
export const PREFIX_WALK_EVENT_COLUMNS = [
  column('source_ip', 'sourceIp', 'token', false, 'sender address'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column(
    'prefix_sequence',
    'prefixSequence',
    'token',
    false,
    'the 12-bit prefixes walked, shortened: 96a→96b→96c…→9a0',
  ),
  column('prefixes', 'prefixes', 'integer', false, 'distinct prefixes walked through'),
  column('start_time', 'startTime', 'timestamp', false, 'first target of the walk'),
  column('end_time', 'endTime', 'timestamp', false, 'last target of the walk'),
  column(
    'detected_at',
    'detectedAt',
    'timestamp',
    false,
    'when the walk first met the thresholds: the moment a live detector would alert',
  ),
  column('total_hashes', 'totalHashes', 'integer', false, 'distinct targets on the walk'),
  column('duration_seconds', 'durationSeconds', 'double', false, 'first to last target'),
  column('hashes_per_second', 'hashesPerSecond', 'double', false, 'targets per second'),
  column(
    'confidence',
    'confidence',
    'double',
    false,
    'from the share of steps on the walk and the prefixes it spans, 0 … 1',
  ),
  column('why', 'why', 'text', false, 'the figures behind the finding'),
] as const;

export const PREFIX_WALK_EVENTS: TableSpec = {
  name: 'prefix_walk_events',
  columns: PREFIX_WALK_EVENT_COLUMNS,
  description: 'one row per walk through sequential 12-bit prefixes (written by compute)',
};

/** rendezvous_events: timing patterns of one address on one infohash (src/analysis/rendezvous). */
export const RENDEZVOUS_EVENT_COLUMNS = [
  column('infohash', 'infohash', 'token', false, 'the infohash looked up (hex)'),
  column('operator_ip', 'operatorIp', 'token', false, 'the address looking it up'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the address'),
  column(
    'classification',
    'classification',
    'token',
    false,
    'RETURN_VISIT, SCHEDULED or CROSS_HASH (a pair may have a timing row and a CROSS_HASH row)',
  ),
  column(
    'visit_count',
    'visitCount',
    'integer',
    false,
    'visits: runs of its get_peers for the hash under a minute apart',
  ),
  column('first_visit', 'firstVisit', 'timestamp', false, 'start of the first visit'),
  column('last_visit', 'lastVisit', 'timestamp', false, 'start of the last visit'),
  column(
    'mean_interval_h',
    'meanIntervalH',
    'double',
    false,
    'mean interval between visits, hours',
  ),
  column('period_h', 'periodH', 'double', false, 'median interval between visits, hours'),
  column(
    'spread',
    'spread',
    'double',
    false,
    'largest deviation of an interval from the period, as a share of it',
  ),
  column('max_gap_h', 'maxGapH', 'double', false, 'longest interval between visits, hours'),
  column('why', 'why', 'text', false, 'the figures behind the classification'),
] as const;

export const RENDEZVOUS_EVENTS: TableSpec = {
  name: 'rendezvous_events',
  columns: RENDEZVOUS_EVENT_COLUMNS,
  description:
    'timing patterns per address and infohash: return visits, schedules, hashes checked in sequence (written by compute)',
};

/** fingerprints: per address, the tool marks in its queries (src/analysis/fingerprints). */
export const FINGERPRINT_COLUMNS = [
  column('remote_ip', 'remoteIp', 'token', false, 'sender address'),
  column('asn', 'asn', 'integer', true, 'autonomous system of the sender'),
  column('queries', 'queries', 'integer', false, 'queries received from it'),
  column('node_ids', 'nodeIds', 'integer', false, 'distinct node ids it claimed'),
  column(
    'bep42_invalid_share',
    'bep42InvalidShare',
    'double',
    true,
    'share of its node ids failing BEP 42 for the address (absent when every id was exempt)',
  ),
  column(
    'sensor_prefix_share',
    'sensorPrefixShare',
    'double',
    false,
    'share of its node ids sharing the first 80 bits or more with the sensor identity they queried',
  ),
  column(
    'top_txid_share',
    'topTxidShare',
    'double',
    false,
    'share of its queries carrying its most common transaction id',
  ),
  column(
    'sequential_txid_share',
    'sequentialTxidShare',
    'double',
    false,
    'share of consecutive queries whose transaction id is the previous one plus one',
  ),
  column('clients', 'clients', 'text', true, 'client versions it sent (v), most frequent first'),
  column(
    'signals',
    'signals',
    'token',
    false,
    'comma-separated: many_node_ids, bep42_invalid, sensor_prefix, constant_txid, sequential_txid, many_clients',
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from it'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from it'),
  column('why', 'why', 'text', false, 'the figures behind each signal'),
] as const;

export const FINGERPRINTS: TableSpec = {
  name: 'fingerprints',
  columns: FINGERPRINT_COLUMNS,
  description:
    'per-address tool fingerprints: node ids, BEP 42, copied id prefixes, transaction ids, client versions (written by compute)',
};

export const TABLES: readonly TableSpec[] = [
  DAILY_SUMMARIES,
  OPERATOR_PROFILES,
  OPERATORS,
  HASH_BEHAVIOR_PROFILES,
  KEYSPACE_HEATMAP,
  KEYSPACE_SCANNERS,
  PREFIX_ENTROPY,
  PREFIX_FAMILIES,
  SWEEP_EVENTS,
  PREFIX_WALK_EVENTS,
  RENDEZVOUS_EVENTS,
  FINGERPRINTS,
  COORDINATION,
  COORDINATION_PAIRS,
  OPERATOR_CLUSTERS,
  CAMPAIGNS,
  CRAWL_NODES,
  CRAWL_EDGES,
  SAMPLED_INFOHASHES,
];
