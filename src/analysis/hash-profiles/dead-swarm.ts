/**
 * dead_swarm: searched for, not shared. Fewer lookups than an observer
 * target needs, but next to no announces: people (or scripts) look for
 * content nobody offers any more. A lower bar than observer_target and a
 * stricter announce ratio, so a hash can be both.
 */
import { lookupDominatedRule } from './observer-target.ts';

export const DEAD_SWARM_DEFAULTS = {
  /** get_peers events (the sources: "50+ lookups"). */
  minLookups: 50,
  /** announce_count / total_events below this (the sources: "< 2 %", "0–1 announces"). */
  maxAnnounceRatio: 0.02,
};

export type DeadSwarmConfig = typeof DEAD_SWARM_DEFAULTS;

export const deadSwarm = lookupDominatedRule('dead_swarm');
