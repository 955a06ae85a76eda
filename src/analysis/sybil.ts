/**
 * Sybil fleets: one address speaking with many node ids that are forged to
 * sit next to what they ask about (an id copying the target's leading bits
 * lands in the bucket that stores it) or next to the node they ask, often
 * with a constant transaction id (a tool's fingerprint). Ordinary clients
 * keep one id; even many clients behind one NAT have random, unrelated ids,
 * so the "near" test, not the id count, carries the evidence.
 */
import { confidenceFrom, type Detection, percent } from './detection.ts';
import type { OperatorEvent, OperatorFeatures } from './operator-features.ts';
import { commonPrefixBits } from './targets.ts';

export const SYBIL_DEFAULTS = {
  /** Distinct node ids the address must claim. */
  minNodeIds: 5,
  /** Leading bits an id must share with the target or the receiving identity to count as placed (random: 1 in 2^24). */
  nearBits: 24,
  /** Share of the address's id-carrying queries whose id is placed. */
  minNearShare: 0.5,
  /** Alternative evidence: a transaction id repeated across this share of queries … */
  minConstantTxidShare: 0.8,
  /** … together with a fresh id at least this often (ids per query). */
  minIdsPerQuery: 0.2,
};

export type SybilConfig = typeof SYBIL_DEFAULTS;

export function nearIdShare(events: readonly OperatorEvent[], nearBits: number): number {
  let withId = 0;
  let near = 0;
  for (const e of events) {
    if (e.remoteId === undefined) continue;
    withId++;
    const toTarget = e.target === undefined ? 0 : commonPrefixBits(e.remoteId, e.target);
    const toSensor = e.sensorId === undefined ? 0 : commonPrefixBits(e.remoteId, e.sensorId);
    if (Math.max(toTarget, toSensor) >= nearBits) near++;
  }
  return withId === 0 ? 0 : near / withId;
}

export function detectSybil(
  f: OperatorFeatures,
  events: readonly OperatorEvent[],
  config: SybilConfig = SYBIL_DEFAULTS,
): Detection | undefined {
  if (f.nodeIds < config.minNodeIds) return undefined;
  const near = nearIdShare(events, config.nearBits);
  const idsPerQuery = f.analysed === 0 ? 0 : f.nodeIds / f.analysed;
  const constantTxid =
    f.topTxidShare >= config.minConstantTxidShare && idsPerQuery >= config.minIdsPerQuery;
  if (near < config.minNearShare && !constantTxid) return undefined;
  const reasons = [`${f.nodeIds} node ids from one address`];
  if (near > 0)
    reasons.push(
      `${percent(near)} placed within ${config.nearBits} bits of their target or of our id`,
    );
  if (f.topTxidShare >= config.minConstantTxidShare)
    reasons.push(`constant transaction id on ${percent(f.topTxidShare)}`);
  const score = Math.max(near, constantTxid ? f.topTxidShare : 0);
  return {
    label: 'sybil_fleet',
    confidence: confidenceFrom(score, config.minNearShare, 1, f.nodeIds, 3 * config.minNodeIds),
    why: reasons.join(', '),
  };
}
