// Kademlia layer of the Mainline DHT (BEP 5): node ids and the routing table.

export {
  CONTACT_STATE_DEFAULTS,
  type Contact,
  type ContactInfo,
  type ContactState,
  type ContactStateOptions,
  contactState,
  hasResponded,
  lastSeen,
} from './contact.ts';
export {
  bitAt,
  commonPrefixLength,
  compareDistance,
  isNodeId,
  NODE_ID_BITS,
  NODE_ID_BYTES,
  type NodeId,
  nodeIdFromHex,
  nodeIdsEqual,
  nodeIdToHex,
  type RandomBytes,
  randomIdInPrefix,
  randomIdWithPrefix,
  randomNodeId,
  xorDistance,
} from './node-id.ts';
export { RoutingTable } from './routing-table.ts';
export {
  ROUTING_TABLE_DEFAULTS,
  type RoutingTableConfig,
  type RoutingTableOptions,
} from './routing-table-config.ts';
export type {
  BucketSnapshot,
  FailedResult,
  HeardFromResult,
  RejectReason,
} from './routing-table-results.ts';
