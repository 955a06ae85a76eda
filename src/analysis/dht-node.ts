/**
 * DHT nodes: routing upkeep only (pings, find_node of random targets), no
 * content lookups. A client's single find_node of its own id when it joins
 * is upkeep too, so it alone is not enough: a node refreshes buckets with
 * other targets, or pings more than once.
 */
import { type Detection, round2 } from './detection.ts';
import { kindCount, type OperatorEvent, type OperatorFeatures } from './operator-features.ts';

export const DHT_NODE_DEFAULTS = {
  /** Share of queries that are ping or find_node. */
  minRoutingShare: 0.95,
  /** Evidence of upkeep beyond a join: refreshes of other targets … */
  minRefreshes: 1,
  /**
   * … or this many pings. Two, not one: a lone ping is as likely a client
   * whose lookups all missed the sensor, and a client wrongly flagged costs
   * more than a node left unclassified.
   */
  minPings: 2,
};

export type DhtNodeConfig = typeof DHT_NODE_DEFAULTS;

export function detectDhtNode(
  f: OperatorFeatures,
  events: readonly OperatorEvent[],
  config: DhtNodeConfig = DHT_NODE_DEFAULTS,
): Detection | undefined {
  const pings = kindCount(f, 'ping');
  const findNodes = kindCount(f, 'find_node');
  if (f.analysed === 0 || (pings + findNodes) / f.analysed < config.minRoutingShare)
    return undefined;
  let refreshes = 0;
  for (const e of events) {
    if (e.kind === 'find_node' && e.target !== undefined && e.target !== e.remoteId) refreshes++;
  }
  if (refreshes < config.minRefreshes && pings < config.minPings) return undefined;
  return {
    label: 'dht_node',
    confidence: round2(Math.min(0.9, 0.5 + 0.05 * (refreshes + pings))),
    why: `routing upkeep only: ${findNodes} find_node (${refreshes} bucket refreshes), ${pings} ping, no content lookups`,
  };
}
