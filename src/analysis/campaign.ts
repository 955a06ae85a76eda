/**
 * Distributed campaigns: several addresses (in different networks) that
 * split one keyspace range between them and sweep their parts at once. Each
 * member alone is a sequential crawler; what joins them is geometry. Member
 * k of a campaign that starts at t0 is at S + k·W + b·(t − t0): the members
 * are parallel lines (the same slope b, since they share the rate and the
 * sub-range width), their observed targets do not overlap, and the distance
 * between two adjacent lines, W, is what each covers in the campaign's
 * duration D = W / b, so everything the sensor saw of both fits in one
 * window of length D. Independent crawlers rarely share a slope, and those
 * that sweep the same default range overlap and are never joined.
 */

import { type Detection, formatSpan, round2 } from './detection.ts';
import { DisjointSets } from './disjoint-sets.ts';
import type { SweepStats } from './sweep.ts';

export const CAMPAIGN_DEFAULTS = {
  /** Largest ratio between two members' slopes (keyspace per second). */
  maxSlopeRatio: 1.2,
  /** Largest ratio between two members' median gaps between lookups (their query rate). */
  maxRateRatio: 1.25,
  /** Slack on "everything seen fits in one campaign duration" (clock jitter, starts a minute apart). */
  durationSlack: 0.25,
  slackUs: 5 * 60_000_000,
  minMembers: 2,
  /** Members must come from at least this many autonomous systems. */
  minAsns: 2,
};

export type CampaignConfig = typeof CAMPAIGN_DEFAULTS;

export interface CampaignCandidate {
  remoteIp: string;
  asn?: number | undefined;
  sweep: SweepStats;
}

export interface Campaign {
  /** Stable name: `campaign:` and the member whose range comes first. */
  id: string;
  /** Members in keyspace order. */
  members: string[];
  asns: number;
  why: string;
}

function keyAt(s: SweepStats, tSec: number): number {
  return s.meanKey + s.slope * (tSec - s.meanT);
}

/** Whether two sweeps can be adjacent (or, through others, related) parts of one campaign. */
export function compatible(a: SweepStats, b: SweepStats, config: CampaignConfig): boolean {
  if (a.direction !== b.direction) return false;
  if (a.slope === 0 || b.slope === 0 || Math.sign(a.slope) !== Math.sign(b.slope)) return false;
  const slopeRatio = Math.abs(a.slope / b.slope);
  if (Math.max(slopeRatio, 1 / slopeRatio) > config.maxSlopeRatio) return false;
  const rateRatio = a.medianGapUs / b.medianGapUs;
  if (!(Math.max(rateRatio, 1 / rateRatio) <= config.maxRateRatio)) return false;
  if (a.maxKey >= b.minKey && b.maxKey >= a.minKey) return false; // observed ranges overlap
  // Along the direction of travel: `lo` is the member whose part comes first.
  const [lo, hi] = a.minKey < b.minKey === (a.direction === 1) ? [a, b] : [b, a];
  const slack = Math.abs(lo.slope) * (config.slackUs / 1e6);
  const start = Math.min(a.firstUs, b.firstUs) / 1e6;
  const end = Math.max(a.lastUs, b.lastUs) / 1e6;
  // All of `lo`'s part lies before where `hi` was when the campaign started, and all of
  // `hi`'s beyond where `lo` is at its end: the parts are adjacent (or further apart) in order.
  const sign = lo.direction;
  const loFar = sign === 1 ? lo.maxKey : lo.minKey;
  const hiNear = sign === 1 ? hi.minKey : hi.maxKey;
  if (sign * (loFar - keyAt(hi, start)) > slack) return false;
  if (sign * (keyAt(lo, end) - hiNear) > slack) return false;
  const tRef = (a.meanT + b.meanT) / 2;
  const offset = Math.abs(keyAt(b, tRef) - keyAt(a, tRef));
  const slope = (Math.abs(a.slope) + Math.abs(b.slope)) / 2;
  const durationUs = (offset / slope) * 1e6;
  const union = Math.max(a.lastUs, b.lastUs) - Math.min(a.firstUs, b.firstUs);
  return union <= durationUs * (1 + config.durationSlack) + config.slackUs;
}

/** Groups compatible sweeps (connected components) and keeps those with enough members and networks. */
export function findCampaigns(
  candidates: readonly CampaignCandidate[],
  config: CampaignConfig = CAMPAIGN_DEFAULTS,
): Campaign[] {
  const sets = new DisjointSets(candidates.length);
  // Quadratic in the number of sweeps, which are few (a handful in a lab, dozens on the real DHT).
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      if (compatible(candidates[i]!.sweep, candidates[j]!.sweep, config)) sets.union(i, j);
    }
  }
  const groups = new Map<number, CampaignCandidate[]>();
  candidates.forEach((c, i) => {
    const r = sets.find(i);
    groups.set(r, [...(groups.get(r) ?? []), c]);
  });
  const campaigns: Campaign[] = [];
  for (const members of groups.values()) {
    if (members.length < config.minMembers) continue;
    const asns = new Set(members.map((m) => m.asn ?? `ip:${m.remoteIp}`)).size;
    if (asns < config.minAsns) continue;
    members.sort((a, b) => a.sweep.minKey - b.sweep.minKey);
    const first = members[0]!.sweep;
    const last = members[members.length - 1]!.sweep;
    const start = Math.min(...members.map((m) => m.sweep.firstUs));
    const end = Math.max(...members.map((m) => m.sweep.lastUs));
    const rate = members.map((m) => m.sweep.medianGapUs / 1e6);
    campaigns.push({
      id: `campaign:${members[0]!.remoteIp}`,
      members: members.map((m) => m.remoteIp),
      asns,
      why: `${members.length} addresses in ${asns} networks sweep adjacent ranges ${first.minKey.toFixed(3)}–${last.maxKey.toFixed(3)} of the keyspace in parallel at one rate (~${round2(Math.min(...rate))}–${round2(Math.max(...rate))} s a step) over ${formatSpan(end - start)}`,
    });
  }
  return campaigns;
}

export function campaignDetection(campaign: Campaign, memberWhy: string): Detection {
  const members = campaign.members.length;
  return {
    label: 'distributed_campaign',
    confidence: round2(Math.min(1, 0.6 + 0.1 * members)),
    why: `${campaign.why}; this member: ${memberWhy}`,
  };
}
