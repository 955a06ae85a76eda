/**
 * observer_target: lookup-dominated surveillance. Many lookups, almost no
 * announces: someone keeps checking who shares it without sharing it
 * themselves (content monitoring, availability checks).
 */
import {
  countSql,
  type HashLabelRule,
  num,
  percentSql,
  shown,
  shownPercent,
  text,
} from './rule.ts';

export const OBSERVER_TARGET_DEFAULTS = {
  /** get_peers events (the sources: "1000+ lookups"). */
  minLookups: 1000,
  /** announce_count / total_events below this (the sources: "< 5 % announces"). */
  maxAnnounceRatio: 0.05,
};

export type ObserverTargetConfig = typeof OBSERVER_TARGET_DEFAULTS;

/** A lookup-dominated label: at least `minLookups` lookups, announces under `maxAnnounceRatio` (observer_target, dead_swarm). */
export function lookupDominatedRule(label: string): HashLabelRule<ObserverTargetConfig> {
  return {
    label,
    anomalous: true,
    when: (c) =>
      `lookup_count >= ${num(c.minLookups, `${label}.minLookups`)} AND announce_ratio < ${num(c.maxAnnounceRatio, `${label}.maxAnnounceRatio`)}`,
    why: (c) =>
      `${countSql('lookup_count')} || ${text(` lookups ≥ ${shown(c.minLookups)}, `)} || ${percentSql('announce_ratio')} || ${text(` announces < ${shownPercent(c.maxAnnounceRatio)}`)}`,
  };
}

export const observerTarget = lookupDominatedRule('observer_target');
