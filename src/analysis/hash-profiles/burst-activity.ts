/**
 * burst_activity: events crowded into a few short windows (metrics.ts
 * defines burst_score: the share of the hash's events inside dense
 * 5-minute windows). A flash crowd or a coordinated probe, rather than
 * interest spread over time.
 */
import { countSql, type HashLabelRule, num, percentSql, scoreSql, shown, text } from './rule.ts';

export const BURST_ACTIVITY_DEFAULTS = {
  /** burst_score above this (the sources: "burst score > 0.6"). */
  minBurstScore: 0.6,
};

export type BurstActivityConfig = typeof BURST_ACTIVITY_DEFAULTS;

export const burstActivity: HashLabelRule<BurstActivityConfig> = {
  label: 'burst_activity',
  anomalous: true,
  when: (c) => `burst_score > ${num(c.minBurstScore, 'burst_activity.minBurstScore')}`,
  why: (c) =>
    `'burst score ' || ${scoreSql('burst_score')} || ${text(` > ${shown(c.minBurstScore)}: `)} || ${percentSql('burst_score')} || ' of ' || ${countSql('total_events')} || ' events in 5-minute windows of ≥ ' || ${countSql('burst_threshold')} || ' events, peak ' || ${countSql('burst_peak')}`,
};
