/**
 * periodic_lookup_target: visited on a schedule (metrics.ts defines
 * periodicity_score: the share of intervals between visits that sit near a
 * whole multiple of the typical interval). Scheduled checking, by one
 * script or by a fleet that fires together.
 */
import { countSql, type HashLabelRule, num, scoreSql, shown, text } from './rule.ts';

export const PERIODIC_LOOKUP_TARGET_DEFAULTS = {
  /** periodicity_score above this (the sources: "periodicity > 0.7"). */
  minPeriodicityScore: 0.7,
};

export type PeriodicLookupTargetConfig = typeof PERIODIC_LOOKUP_TARGET_DEFAULTS;

/** SQL: a period in microseconds as "12 min" or "6.0 h". */
const periodSql = (column: string) =>
  `CASE WHEN ${column} >= 7200e6 THEN printf('%.1f h', ${column} / 3600e6) WHEN ${column} >= 120e6 THEN printf('%.0f min', ${column} / 60e6) ELSE printf('%.0f s', ${column} / 1e6) END`;

export const periodicLookupTarget: HashLabelRule<PeriodicLookupTargetConfig> = {
  label: 'periodic_lookup_target',
  anomalous: true,
  when: (c) =>
    `periodicity_score > ${num(c.minPeriodicityScore, 'periodic_lookup_target.minPeriodicityScore')}`,
  why: (c) =>
    `'periodicity ' || ${scoreSql('periodicity_score')} || ${text(` > ${shown(c.minPeriodicityScore)}: `)} || ${countSql('regular_intervals')} || ' of ' || ${countSql('intervals')} || ' intervals between visits regular, every ~' || ${periodSql('period_us')}`,
};
