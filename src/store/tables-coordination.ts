/**
 * The derived tables of coordination, operator clustering and campaign
 * tracking (src/analysis/coordination), kept beside tables.ts so the table
 * list there stays one line per table; TABLES registers them.
 */
import { column } from './schema.ts';
import type { TableSpec } from './tables.ts';

/** coordination: one row per infohash looked up from several networks. */
export const COORDINATION_COLUMNS = [
  column('infohash', 'infohash', 'token', false, 'the infohash looked up (hex)'),
  column('asns', 'asns', 'integer', false, 'distinct networks (ASNs) that looked it up'),
  column('asn_list', 'asnList', 'token', false, 'those ASNs, busiest first: AS64520,AS64521…'),
  column('addresses', 'addresses', 'integer', false, 'distinct addresses that looked it up'),
  column('lookups', 'lookups', 'integer', false, 'get_peers events for it'),
  column(
    'visits',
    'visits',
    'integer',
    false,
    "visits: one network's lookups of it under a minute apart, counted once",
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first lookup of it'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last lookup of it'),
  column('window_hours', 'windowHours', 'double', false, 'first to last lookup, hours'),
  column(
    'co_timed_share',
    'coTimedShare',
    'double',
    false,
    "share of visits with another network's visit within a minute",
  ),
  column(
    'expected_share',
    'expectedShare',
    'double',
    false,
    'that share if the networks looked it up independently (Poisson at their rates)',
  ),
  column(
    'coordination_score',
    'coordinationScore',
    'double',
    false,
    '(co_timed_share − expected_share) / (1 − expected_share), 0 … 1: how far above chance',
  ),
  column('why', 'why', 'text', false, 'the figures behind the score'),
] as const;

export const COORDINATION: TableSpec = {
  name: 'coordination',
  columns: COORDINATION_COLUMNS,
  description:
    'infohashes looked up from several ASNs, with how tightly in time the networks act (written by compute)',
};

/** coordination_pairs: pairs of networks that look up the same rarely shared hashes. */
export const COORDINATION_PAIR_COLUMNS = [
  column('asn_a', 'asnA', 'integer', false, 'the lower ASN of the pair'),
  column('asn_b', 'asnB', 'integer', false, 'the higher ASN'),
  column(
    'shared_hashes',
    'sharedHashes',
    'integer',
    false,
    'infohashes both looked up (among those few networks ask for)',
  ),
  column('hashes_a', 'hashesA', 'integer', false, 'such infohashes asn_a looked up'),
  column('hashes_b', 'hashesB', 'integer', false, 'such infohashes asn_b looked up'),
  column('jaccard', 'jaccard', 'double', false, 'shared / (hashes_a + hashes_b − shared)'),
  column(
    'coordinated_hashes',
    'coordinatedHashes',
    'integer',
    false,
    'shared hashes whose coordination_score reaches the threshold',
  ),
  column('why', 'why', 'text', false, 'the figures behind the pair'),
] as const;

export const COORDINATION_PAIRS: TableSpec = {
  name: 'coordination_pairs',
  columns: COORDINATION_PAIR_COLUMNS,
  description: 'pairs of ASNs co-appearing on the same infohashes (written by compute)',
};

/** operator_clusters: one row per group of addresses acting as one operator. */
export const OPERATOR_CLUSTER_COLUMNS = [
  column('cluster_id', 'clusterId', 'token', false, 'oc- and a digest of the sorted members'),
  column('members', 'members', 'integer', false, 'addresses in the cluster'),
  column('addresses', 'addresses', 'text', false, 'the members, sorted'),
  column('asns', 'asns', 'integer', false, 'distinct networks of the members'),
  column('asn_list', 'asnList', 'token', false, 'those ASNs: AS64520,AS64521…'),
  column('classes', 'classes', 'text', false, "the members' classes with counts"),
  column('lookups', 'lookups', 'integer', false, "the members' get_peers"),
  column(
    'shared_hashes',
    'sharedHashes',
    'integer',
    false,
    'infohashes looked up by at least two members',
  ),
  column(
    'link',
    'link',
    'token',
    false,
    'what joins them: hash_overlap, campaign_geometry or both',
  ),
  column(
    'jaccard',
    'jaccard',
    'double',
    false,
    "mean MinHash estimate of the joined pairs' hash-set Jaccard",
  ),
  column(
    'timing',
    'timing',
    'double',
    false,
    'mean cosine similarity of the joined pairs’ hourly activity',
  ),
  column('behavior', 'behavior', 'double', false, 'mean behavior similarity of the joined pairs'),
  column(
    'coordination_score',
    'coordinationScore',
    'double',
    false,
    'mean over joined pairs of 0.5 overlap + 0.3 timing + 0.2 behavior, 0 … 1',
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from a member'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from a member'),
  column('why', 'why', 'text', false, 'the figures behind the cluster'),
] as const;

export const OPERATOR_CLUSTERS: TableSpec = {
  name: 'operator_clusters',
  columns: OPERATOR_CLUSTER_COLUMNS,
  description:
    'distributed crawler networks: addresses joined by hash-set overlap or campaign geometry, timing and behavior (written by compute)',
};

/** campaigns: persistent observers, scheduled monitoring and distributed campaigns across days. */
export const CAMPAIGN_COLUMNS = [
  column(
    'campaign_id',
    'campaignId',
    'token',
    false,
    'po-, sm- or dc- and a digest of the sorted members (stable while they are)',
  ),
  column(
    'kind',
    'kind',
    'token',
    false,
    'persistent_observer, scheduled_monitoring or distributed_campaign',
  ),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first query from a member'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last query from a member'),
  column('days_active', 'daysActive', 'integer', false, 'UTC days with a query from a member'),
  column(
    'active_days',
    'activeDays',
    'token',
    false,
    'those days as runs: 2026-01-05…2026-01-07,2026-01-09',
  ),
  column('members', 'members', 'integer', false, 'addresses in the campaign'),
  column('addresses', 'addresses', 'text', false, 'the members, sorted'),
  column('asns', 'asns', 'integer', false, 'distinct networks of the members'),
  column('asn_list', 'asnList', 'token', false, 'those ASNs: AS64520,AS64521…'),
  column('hashes', 'hashes', 'integer', false, 'distinct infohashes the members looked up'),
  column('lookups', 'lookups', 'integer', false, "the members' get_peers"),
  column(
    'signals',
    'signals',
    'text',
    false,
    "the members' tool fingerprints (fingerprints table), each with how many members show it: constant_txid×3",
  ),
  column('why', 'why', 'text', false, 'the evidence for the campaign'),
] as const;

export const CAMPAIGNS: TableSpec = {
  name: 'campaigns',
  columns: CAMPAIGN_COLUMNS,
  description:
    'campaigns tracked across days: persistent observers, scheduled monitoring, distributed campaigns (written by compute)',
};
