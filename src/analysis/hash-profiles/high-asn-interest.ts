/**
 * high_asn_interest: looked at from many autonomous systems. Ordinary
 * popular content reaches this too (many home ISPs); it is a signal to
 * read with the others, not an accusation on its own.
 */
import { countSql, type HashLabelRule, num, shown, text } from './rule.ts';

export const HIGH_ASN_INTEREST_DEFAULTS = {
  /** Distinct sender ASNs (the sources: "5+ distinct ASNs"). */
  minAsns: 5,
};

export type HighAsnInterestConfig = typeof HIGH_ASN_INTEREST_DEFAULTS;

export const highAsnInterest: HashLabelRule<HighAsnInterestConfig> = {
  label: 'high_asn_interest',
  anomalous: true,
  when: (c) => `unique_asns >= ${num(c.minAsns, 'high_asn_interest.minAsns')}`,
  why: (c) =>
    `${countSql('unique_asns')} || ${text(` ASNs ≥ ${shown(c.minAsns)}, `)} || ${countSql('unique_ips')} || ' addresses'`,
};
