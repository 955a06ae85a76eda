/**
 * One class per remote address. Each detector looks at one address alone
 * (pure, over its ordered events and features); campaigns then look across
 * the sweeps; precedence picks one class where several detectors fire.
 *
 * Precedence, most specific evidence first:
 *  1. sample_infohashes_crawler — the method itself is the signature; such a
 *     crawler's random targets or per-node ids must not make it anything else.
 *  2. sybil_fleet — forged ids placed next to targets: deliberate, rare, and a
 *     fleet's lookups may also sweep or burst.
 *  3. distributed_campaign — a group of sweeps is more than each sweep.
 *  4. sequential_crawler — strict order; before prefix_walker (a sweep of a
 *     narrow range also steps prefixes by +1) and before burst_prober (a
 *     fast sweep crossing a visible region is dense).
 *  5. prefix_walker — ordered prefixes, before burst for the same reason.
 *  6. swarm_peer — announces; disjoint from periodic_monitor (no announces).
 *  7. periodic_monitor — before burst_prober: a monitor's rounds are bursts
 *     too when its watch list is long (50 hashes at once look like a burst
 *     in a store of 10 M events), but only a monitor comes back to the same
 *     hashes on a schedule; a prober's hashes never return.
 *  8. burst_prober
 *  9. dht_node — no content lookups at all.
 * 10. normal_client — the fallback.
 */
import { BURST_DEFAULTS, type BurstConfig, detectBurst } from './burst.ts';
import {
  CAMPAIGN_DEFAULTS,
  type CampaignCandidate,
  type CampaignConfig,
  campaignDetection,
  findCampaigns,
} from './campaign.ts';
import type { Detection, OperatorClass } from './detection.ts';
import { DHT_NODE_DEFAULTS, type DhtNodeConfig, detectDhtNode } from './dht-node.ts';
import { normalClient } from './normal-client.ts';
import {
  computeOperatorFeatures,
  type OperatorFeatures,
  type OperatorTrack,
} from './operator-features.ts';
import { detectPeriodic, PERIODIC_DEFAULTS, type PeriodicConfig } from './periodic.ts';
import { detectPrefixWalk, PREFIX_WALK_DEFAULTS, type PrefixWalkConfig } from './prefix-walk.ts';
import {
  detectSampleInfohashesCrawler,
  SAMPLE_INFOHASHES_DEFAULTS,
  type SampleInfohashesConfig,
} from './sample-infohashes-crawler.ts';
import { withNestedOverrides } from './step.ts';
import { detectSwarm, SWARM_DEFAULTS, type SwarmConfig } from './swarm.ts';
import {
  detectSweep,
  SWEEP_DEFAULTS,
  type SweepConfig,
  type SweepStats,
  sweepStats,
} from './sweep.ts';
import { detectSybil, SYBIL_DEFAULTS, type SybilConfig } from './sybil.ts';

export type ClassifierConfig = {
  sampleInfohashes: SampleInfohashesConfig;
  sybil: SybilConfig;
  sweep: SweepConfig;
  campaign: CampaignConfig;
  prefixWalk: PrefixWalkConfig;
  burst: BurstConfig;
  swarm: SwarmConfig;
  periodic: PeriodicConfig;
  dhtNode: DhtNodeConfig;
};

export const CLASSIFIER_DEFAULTS: ClassifierConfig = {
  sampleInfohashes: SAMPLE_INFOHASHES_DEFAULTS,
  sybil: SYBIL_DEFAULTS,
  sweep: SWEEP_DEFAULTS,
  campaign: CAMPAIGN_DEFAULTS,
  prefixWalk: PREFIX_WALK_DEFAULTS,
  burst: BURST_DEFAULTS,
  swarm: SWARM_DEFAULTS,
  periodic: PERIODIC_DEFAULTS,
  dhtNode: DHT_NODE_DEFAULTS,
};

/** Overrides per detector; what is not named keeps its default. */
export type ClassifierOverrides = { [K in keyof ClassifierConfig]?: Partial<ClassifierConfig[K]> };

export function resolveConfig(overrides: ClassifierOverrides = {}): ClassifierConfig {
  return withNestedOverrides(CLASSIFIER_DEFAULTS, overrides, 'operator_profiles');
}

/** One address after its own detectors ran: small, so a store's worth can wait for the campaign pass. */
export interface OperatorAnalysis {
  features: OperatorFeatures;
  sweep?: SweepStats | undefined;
  /** Every single-address detector that fired, in precedence order (campaigns come later). */
  detections: Detection[];
}

export interface OperatorVerdict extends Detection {
  remoteIp: string;
  /** The campaign, for distributed_campaign members. */
  group?: string | undefined;
}

export function analyseOperator(
  track: OperatorTrack,
  config: ClassifierConfig = CLASSIFIER_DEFAULTS,
): OperatorAnalysis {
  const features = computeOperatorFeatures(track);
  const events = track.events;
  const lookupTargets = track.distinct?.lookupTargets;
  const sweep = sweepStats(events, lookupTargets);
  const detections = [
    detectSampleInfohashesCrawler(features, config.sampleInfohashes),
    detectSybil(features, events, config.sybil),
    detectSweep(sweep, config.sweep),
    detectPrefixWalk(events, config.prefixWalk, lookupTargets),
    detectSwarm(features, events, config.swarm),
    detectPeriodic(features, events, config.periodic),
    detectBurst(events, config.burst),
    detectDhtNode(features, events, config.dhtNode),
  ].filter((d): d is Detection => d !== undefined);
  return { features, sweep, detections };
}

/** The class of every analysed address, campaigns included. */
export function classifyOperators(
  analyses: readonly OperatorAnalysis[],
  config: ClassifierConfig = CLASSIFIER_DEFAULTS,
): OperatorVerdict[] {
  const top = analyses.map((a) => a.detections[0] ?? normalClient(a.features));
  // Only addresses whose best class is a sweep can be campaign members.
  const candidates: CampaignCandidate[] = [];
  analyses.forEach((a, i) => {
    if (top[i]!.label === 'sequential_crawler' && a.sweep !== undefined) {
      candidates.push({ remoteIp: a.features.remoteIp, asn: a.features.asn, sweep: a.sweep });
    }
  });
  const campaignOf = new Map<string, string>();
  const campaigns = new Map<string, ReturnType<typeof findCampaigns>[number]>();
  for (const campaign of findCampaigns(candidates, config.campaign)) {
    campaigns.set(campaign.id, campaign);
    for (const member of campaign.members) campaignOf.set(member, campaign.id);
  }
  return analyses.map((a, i) => {
    const remoteIp = a.features.remoteIp;
    const group = campaignOf.get(remoteIp);
    if (group !== undefined) {
      return { remoteIp, group, ...campaignDetection(campaigns.get(group)!, top[i]!.why) };
    }
    return { remoteIp, ...top[i]! };
  });
}

/** Convenience for tests and small inputs: tracks in, verdicts out. */
export function classifyTracks(
  tracks: readonly OperatorTrack[],
  overrides: ClassifierOverrides = {},
): OperatorVerdict[] {
  const config = resolveConfig(overrides);
  return classifyOperators(
    tracks.map((t) => analyseOperator(t, config)),
    config,
  );
}

export type { OperatorClass };
