/**
 * The operator roles of the source documents (crawler, normal_client,
 * tracker_node, measurement_node, indexer): a coarser view than the behavior
 * classes, for the fleet view and for analysts who think in those terms.
 * A role follows from the behavior class, except tracker_node, which no
 * behavior class covers: an address announcing many torrents, mostly
 * announcing, as a seedbox or a tracker's DHT node does.
 */
import { kindCount, type OperatorFeatures } from './operator-features.ts';

export const OPERATOR_ROLES = [
  'crawler',
  'indexer',
  'measurement_node',
  'tracker_node',
  'normal_client',
] as const;

export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Which role each behavior class plays. */
export const ROLE_OF_CLASS: Readonly<Record<string, OperatorRole>> = {
  sequential_crawler: 'crawler',
  prefix_walker: 'crawler',
  distributed_campaign: 'crawler',
  sybil_fleet: 'crawler',
  sample_infohashes_crawler: 'indexer',
  periodic_monitor: 'measurement_node',
  burst_prober: 'measurement_node',
  swarm_peer: 'normal_client',
  dht_node: 'normal_client',
  normal_client: 'normal_client',
};

export const TRACKER_NODE_DEFAULTS = {
  /** Announces seen from the address. */
  minAnnounces: 20,
  /** Distinct infohashes it announced. */
  minAnnouncedHashes: 5,
  /** Share of its queries that are announces (a client looks up more than it announces). */
  minAnnounceShare: 0.5,
};

export function roleOf(
  behaviorClass: string,
  f: OperatorFeatures,
  t = TRACKER_NODE_DEFAULTS,
): OperatorRole {
  const role = ROLE_OF_CLASS[behaviorClass] ?? 'normal_client';
  if (role !== 'normal_client') return role;
  const announces = kindCount(f, 'announce_peer');
  // Distinct announced hashes are not tracked per kind; unique targets bound them from above,
  // and a tracker-like address has few lookups, so the bound is close.
  if (
    announces >= t.minAnnounces &&
    f.uniqueTargets >= t.minAnnouncedHashes &&
    announces / Math.max(1, f.analysed) >= t.minAnnounceShare
  )
    return 'tracker_node';
  return role;
}

/** Queries per hour over the active span, counting at least one hour. */
export function ratePerHour(queries: number, spanUs: number): number {
  return Math.round((queries / Math.max(1, spanUs / 3_600_000_000)) * 100) / 100;
}
