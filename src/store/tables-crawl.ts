/**
 * The tables of `dhtscope crawl` (src/active): the nodes a crawl reached, who
 * told it of whom, and the infohashes BEP 51 samples gave. Each crawl is a
 * snapshot, named by the instant it started; every snapshot is kept, so the
 * map can play the DHT back over time. Kept beside tables.ts so the table list
 * there stays one line per table; TABLES registers them.
 */
import { column } from './schema.ts';
import type { TableSpec } from './tables.ts';

/** crawl_nodes: one row per node a crawl snapshot reached. */
export const CRAWL_NODE_COLUMNS = [
  column('snapshot', 'snapshot', 'timestamp', false, 'start of the crawl snapshot'),
  column('node_id', 'nodeId', 'token', false, 'node id the node answered with (hex)'),
  column('ip', 'ip', 'token', false, 'its address'),
  column('port', 'port', 'integer', false, 'its UDP port'),
  column('family', 'family', 'integer', false, 'IP version: 4 or 6'),
  column('client', 'client', 'text', true, 'client name and version decoded from its v field'),
  column('bep42', 'bep42', 'boolean', true, 'whether its id is valid for its address (BEP 42)'),
  column('first_seen', 'firstSeen', 'timestamp', false, 'first answer from it, over all crawls'),
  column('last_seen', 'lastSeen', 'timestamp', false, 'last answer from it in this snapshot'),
  column('asn', 'asn', 'integer', true, 'autonomous system of its address'),
  column('org', 'org', 'text', true, 'organisation of that autonomous system'),
  column('country', 'country', 'token', true, 'country of its address (ISO 3166 alpha-2)'),
  column('latitude', 'latitude', 'double', true, 'latitude of its address (city database)'),
  column('longitude', 'longitude', 'double', true, 'longitude of its address (city database)'),
] as const;

export const CRAWL_NODES: TableSpec = {
  name: 'crawl_nodes',
  columns: CRAWL_NODE_COLUMNS,
  description: 'the nodes each crawl snapshot reached (written by crawl)',
};

/** crawl_edges: one row per node a crawled node returned in a find_node answer. */
export const CRAWL_EDGE_COLUMNS = [
  column('snapshot', 'snapshot', 'timestamp', false, 'start of the crawl snapshot'),
  column('from_id', 'fromId', 'token', false, 'node id of the node that answered (hex)'),
  column('from_ip', 'fromIp', 'token', false, 'its address'),
  column('from_port', 'fromPort', 'integer', false, 'its UDP port'),
  column('to_id', 'toId', 'token', false, 'node id of a node in its answer (hex)'),
  column('to_ip', 'toIp', 'token', false, 'that node’s address as given'),
  column('to_port', 'toPort', 'integer', false, 'that node’s port as given'),
] as const;

export const CRAWL_EDGES: TableSpec = {
  name: 'crawl_edges',
  columns: CRAWL_EDGE_COLUMNS,
  description:
    'who told the crawl of whom: routing-table links seen by each snapshot (written by crawl)',
};

/** sampled_infohashes: one row per infohash a node put in a BEP 51 sample. */
export const SAMPLED_INFOHASH_COLUMNS = [
  column('snapshot', 'snapshot', 'timestamp', false, 'start of the crawl snapshot'),
  column('infohash', 'infohash', 'token', false, 'the infohash sampled (hex)'),
  column('ip', 'ip', 'token', false, 'address of the node that sampled it'),
  column('port', 'port', 'integer', false, 'its UDP port'),
  column('ts', 'ts', 'timestamp', false, 'when the sample arrived'),
] as const;

export const SAMPLED_INFOHASHES: TableSpec = {
  name: 'sampled_infohashes',
  columns: SAMPLED_INFOHASH_COLUMNS,
  description:
    'infohashes found by `crawl --sample-infohashes` (BEP 51), per node (written by crawl)',
};
