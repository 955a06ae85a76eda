/**
 * The fallback: an address no detector claims behaves like an ordinary
 * client. Confidence grows with how much of it was seen, since a detector
 * can only fire on enough evidence.
 */
import { type Detection, formatSpan, round2 } from './detection.ts';
import { kindCount, type OperatorFeatures } from './operator-features.ts';

export function normalClient(f: OperatorFeatures): Detection {
  const lookups = kindCount(f, 'get_peers');
  const announces = kindCount(f, 'announce_peer');
  return {
    label: 'normal_client',
    confidence: round2(0.5 + 0.4 * Math.min(1, f.analysed / 20)),
    why: `no pattern: ${f.queries} queries (${lookups} get_peers, ${announces} announces) on ${f.uniqueTargets} targets over ${formatSpan(f.spanUs)}`,
  };
}
