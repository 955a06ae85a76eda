/**
 * Labels per infohash, in SQL over the metrics table: every rule of its own
 * file is tested on every row, so a hash carries all the labels that fit
 * (multi-label, as the sources define it). The result per hash: the labels
 * (comma-separated, in the order below), the signal score (how many
 * anomalous labels stack up) and a JSON object with the figures behind each
 * label, which `report --hash` shows.
 */

import { withNestedOverrides } from '../step.ts';
import { BURST_ACTIVITY_DEFAULTS, burstActivity } from './burst-activity.ts';
import { DEAD_SWARM_DEFAULTS, deadSwarm } from './dead-swarm.ts';
import { HIGH_ASN_INTEREST_DEFAULTS, highAsnInterest } from './high-asn-interest.ts';
import { HASH_METRICS_DEFAULTS, METRICS_TABLE } from './metrics.ts';
import { OBSERVER_TARGET_DEFAULTS, observerTarget } from './observer-target.ts';
import { PERIODIC_LOOKUP_TARGET_DEFAULTS, periodicLookupTarget } from './periodic-lookup-target.ts';
import { type HashLabelRule, text } from './rule.ts';
import { SWARM_LIKE_DEFAULTS, swarmLike } from './swarm-like.ts';

/** The detector defaults, by the key a config file uses under `hash_profiles`. */
export const HASH_PROFILE_DEFAULTS = {
  metrics: HASH_METRICS_DEFAULTS,
  observer_target: OBSERVER_TARGET_DEFAULTS,
  high_asn_interest: HIGH_ASN_INTEREST_DEFAULTS,
  burst_activity: BURST_ACTIVITY_DEFAULTS,
  periodic_lookup_target: PERIODIC_LOOKUP_TARGET_DEFAULTS,
  dead_swarm: DEAD_SWARM_DEFAULTS,
  swarm_like: SWARM_LIKE_DEFAULTS,
};

export type HashProfileConfig = typeof HASH_PROFILE_DEFAULTS;

/**
 * `hash_profiles` of the config file: any subset, e.g.
 * `{ metrics: { minEvents: 20 }, observer_target: { minLookups: 500 } }`.
 */
export type HashProfileOverrides = {
  [K in keyof HashProfileConfig]?: Partial<HashProfileConfig[K]>;
};

/** The labels, in the order they are listed in `classifications`. */
export const HASH_LABELS = [
  'observer_target',
  'high_asn_interest',
  'burst_activity',
  'periodic_lookup_target',
  'dead_swarm',
  'swarm_like',
] as const;

export type HashLabel = (typeof HASH_LABELS)[number];

export function resolveHashProfileConfig(overrides: HashProfileOverrides = {}): HashProfileConfig {
  return withNestedOverrides(HASH_PROFILE_DEFAULTS, overrides, 'hash_profiles');
}

/** Each rule with its resolved thresholds, erased to one type for the query builder. */
function boundRules(config: HashProfileConfig): { rule: HashLabelRule<never>; config: never }[] {
  const bind = <C extends Record<string, number>>(rule: HashLabelRule<C>, c: C) => ({
    rule: rule as unknown as HashLabelRule<never>,
    config: c as never,
  });
  return [
    bind(observerTarget, config.observer_target),
    bind(highAsnInterest, config.high_asn_interest),
    bind(burstActivity, config.burst_activity),
    bind(periodicLookupTarget, config.periodic_lookup_target),
    bind(deadSwarm, config.dead_swarm),
    bind(swarmLike, config.swarm_like),
  ];
}

/**
 * SELECT over the metrics table adding `classifications`, `signal_score`
 * and `why`; metrics are rounded for the table after the rules saw them
 * exact (a ratio of 0.04996 must not round into 0.05 before the test).
 */
export function classifySql(config: HashProfileConfig): string {
  const rules = boundRules(config);
  const flags = rules
    .map(({ rule, config: c }) => `(${rule.when(c)}) AS "is_${rule.label}"`)
    .join(',\n  ');
  const labels = `list_filter([${rules.map(({ rule }) => `CASE WHEN "is_${rule.label}" THEN ${text(rule.label)} END`).join(', ')}], x -> x IS NOT NULL)`;
  const signal = rules
    .filter(({ rule }) => rule.anomalous)
    .map(({ rule }) => `"is_${rule.label}"::INTEGER`)
    .join(' + ');
  // One "label": "figures" member per label that applies; to_json does the escaping.
  const members = `list_filter([${rules
    .map(
      ({ rule, config: c }) =>
        `CASE WHEN "is_${rule.label}" THEN to_json(${text(rule.label)})::VARCHAR || ':' || to_json(${rule.why(c)})::VARCHAR END`,
    )
    .join(', ')}], x -> x IS NOT NULL)`;
  return `
WITH flagged AS (SELECT *, ${flags} FROM ${METRICS_TABLE}),
labelled AS (
  SELECT *, ${labels} AS labels, (${signal})::BIGINT AS signal_score,
    '{' || array_to_string(${members}, ',') || '}' AS why
  FROM flagged)
SELECT infohash, total_events, lookup_count, announce_count,
  round(announce_ratio, 4) AS announce_ratio, unique_ips, unique_asns, first_seen, last_seen,
  round(duration_minutes, 2) AS duration_minutes, round(lifespan_seconds, 1) AS lifespan_seconds,
  round(burst_score, 4) AS burst_score, round(periodicity_score, 4) AS periodicity_score,
  round(observer_score, 4) AS observer_score,
  array_to_string(labels, ',') AS classifications, signal_score, why
FROM labelled`;
}
