/**
 * Single-file tables kept under tables/ (daily_summaries now; the derived
 * tables of `compute` register here as they are built). A table with no file
 * yet still has its view, empty, with its columns.
 */
import { type Column, type ColumnType, DAILY_SUMMARY_COLUMNS } from './schema.ts';

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

/** The schema.ts `column` helper (not exported there), for tables derived outside the store. */
function column<
  const N extends string,
  const P extends string,
  const T extends ColumnType,
  const U extends boolean,
>(name: N, prop: P, type: T, nullable: U, description: string) {
  return { name, prop, type, nullable, description } as const;
}

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
  column('class', 'class', 'token', false, 'operator class (docs: lab classes)'),
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
  column('flagged_addresses', 'flaggedAddresses', 'integer', false, 'of those, in a class other than normal_client or dht_node'),
  column('queries', 'queries', 'integer', false, 'queries received from it'),
  column('unique_hashes', 'uniqueHashes', 'integer', false, 'distinct targets and infohashes it asked for'),
  column('depth', 'depth', 'double', false, 'lookups per distinct infohash'),
  column('posture', 'posture', 'token', false, 'broad_sweep, targeted_depth or light (thresholds in docs/analysis.md)'),
  column('queries_per_hour', 'queriesPerHour', 'double', false, 'queries per hour over its active span (at least one hour)'),
  column('classes', 'classes', 'text', false, 'classes of its addresses with counts, e.g. normal_client:40, sequential_crawler:1'),
  column('top_addresses', 'topAddresses', 'text', false, 'its busiest addresses with their queries'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from it'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from it'),
  column('why', 'why', 'text', false, 'the figures behind the posture'),
] as const;

export const OPERATORS: TableSpec = {
  name: 'operators',
  columns: OPERATOR_COLUMNS,
  description: 'one row per ASN: broad sweep or targeted depth, activity, classes, top addresses',
};

export const TABLES: readonly TableSpec[] = [DAILY_SUMMARIES, OPERATOR_PROFILES, OPERATORS];
