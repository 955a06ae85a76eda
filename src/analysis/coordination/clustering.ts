/**
 * Operator clustering: addresses (in one network or several) that act as
 * one operator. Two addresses are linked when something ties their work
 * together — their lookup targets overlap (MinHash Jaccard, candidates from
 * LSH banding so the work stays near linear), or they split one sweep
 * between them (the operator profiles' distributed-campaign geometry, whose
 * members by design share no target) — and that link is confirmed by
 * acting at the same hours (timing) and in the same way (behavior). Linked
 * addresses are joined transitively; a group of at least `minMembers` is a
 * cluster, a distributed crawler network when it spans several ASNs.
 * (Members of one campaign skip the timing gate: see buildClusters.)
 *
 * Pair score = 0.5 overlap + 0.3 timing + 0.2 behavior, where overlap is the
 * Jaccard estimate, or 1 for members of one campaign; a cluster's
 * coordination score is the mean over its links. Overlap weighs most: it is
 * the one signal unrelated operators rarely produce by chance.
 */

import { createHash } from 'node:crypto';
import { round2 } from '../detection.ts';
import { DisjointSets } from '../disjoint-sets.ts';
import { estimateJaccard, lshCandidates, MINHASH_DEFAULTS, minhashSignatures } from './minhash.ts';
import {
  type BehaviorFeatures,
  behaviorSimilarity,
  type HourlyActivity,
  timingSimilarity,
} from './similarity.ts';

export const CLUSTERING_DEFAULTS = {
  ...MINHASH_DEFAULTS,
  /** Addresses with fewer get_peers are not clustered: too little to compare. */
  minLookups: 20,
  /**
   * 1: cluster addresses the profiles call normal (normal_client, swarm_peer,
   * dht_node) too. Off by default: a torrent's swarm or a flash crowd shares
   * hashes and hours by nature, which is popularity, not an operator.
   */
  includeNormalClients: 0,
  /** Smallest overlap (Jaccard estimate) that links two addresses. */
  minJaccard: 0.5,
  /** Smallest cosine similarity of hourly activity that confirms a hash-overlap link. */
  minTiming: 0.5,
  /** Smallest behavior similarity that confirms a link. */
  minBehavior: 0.6,
  minMembers: 2,
};

export type ClusteringConfig = typeof CLUSTERING_DEFAULTS;

export interface ClusterCandidate {
  remoteIp: string;
  asn?: number | undefined;
  /** The profiles' distributed-campaign group, if any. */
  groupId?: string | undefined;
  features: BehaviorFeatures;
  /** 32-bit hashes of its distinct get_peers targets. */
  hashes: ArrayLike<number>;
  lookups: number;
  firstUs: number;
  lastUs: number;
}

export interface CandidatePair {
  a: number;
  b: number;
  jaccard: number;
  sameGroup: boolean;
}

/** Pairs worth confirming: LSH candidates at or above minJaccard, and members of one campaign. */
export function candidatePairs(
  candidates: readonly ClusterCandidate[],
  config: ClusteringConfig = CLUSTERING_DEFAULTS,
): CandidatePair[] {
  const k = config.hashes;
  const sig = minhashSignatures(
    candidates.map((c) => c.hashes),
    k,
  );
  const pairs = new Map<string, CandidatePair>();
  for (const [a, b] of lshCandidates(sig, candidates.length, config)) {
    const jaccard = estimateJaccard(sig, a, b, k);
    if (jaccard >= config.minJaccard) pairs.set(`${a} ${b}`, { a, b, jaccard, sameGroup: false });
  }
  const byGroup = new Map<string, number[]>();
  candidates.forEach((c, i) => {
    if (c.groupId !== undefined) byGroup.set(c.groupId, [...(byGroup.get(c.groupId) ?? []), i]);
  });
  for (const members of byGroup.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const [a, b] = [members[i]!, members[j]!];
        const found = pairs.get(`${a} ${b}`);
        if (found !== undefined) found.sameGroup = true;
        else
          pairs.set(`${a} ${b}`, { a, b, jaccard: estimateJaccard(sig, a, b, k), sameGroup: true });
      }
    }
  }
  return [...pairs.values()];
}

export interface OperatorCluster {
  clusterId: string;
  members: string[];
  asns: number[];
  classes: string;
  lookups: number;
  sharedHashes: number;
  link: 'hash_overlap' | 'campaign_geometry' | 'both';
  jaccard: number;
  timing: number;
  behavior: number;
  coordinationScore: number;
  firstUs: number;
  lastUs: number;
  why: string;
}

interface Link {
  pair: CandidatePair;
  timing: number;
  behavior: number;
  score: number;
}

/** Confirms candidate pairs with timing and behavior and joins the linked addresses into clusters. */
export function buildClusters(
  candidates: readonly ClusterCandidate[],
  pairs: readonly CandidatePair[],
  hourly: ReadonlyMap<string, HourlyActivity>,
  config: ClusteringConfig = CLUSTERING_DEFAULTS,
): OperatorCluster[] {
  const links: Link[] = [];
  const empty: HourlyActivity = new Map();
  for (const pair of pairs) {
    const a = candidates[pair.a]!;
    const b = candidates[pair.b]!;
    const overlap = pair.sameGroup ? 1 : pair.jaccard;
    if (overlap < config.minJaccard) continue;
    const timing = timingSimilarity(
      hourly.get(a.remoteIp) ?? empty,
      hourly.get(b.remoteIp) ?? empty,
    );
    // A campaign's geometry already demands that its members sweep at once; the sensor sees
    // each member only while its part of the sweep passes near a sensor identity, so their
    // hours seen overlap only in part, and timing would wrongly cut them apart.
    if (!pair.sameGroup && timing < config.minTiming) continue;
    const behavior = behaviorSimilarity(a.features, b.features);
    if (behavior < config.minBehavior) continue;
    links.push({ pair, timing, behavior, score: 0.5 * overlap + 0.3 * timing + 0.2 * behavior });
  }
  const sets = new DisjointSets(candidates.length);
  for (const { pair } of links) sets.union(pair.a, pair.b);
  const groups = new Map<number, { members: number[]; links: Link[] }>();
  const groupOf = (i: number) => {
    const r = sets.find(i);
    const g = groups.get(r) ?? { members: [], links: [] };
    groups.set(r, g);
    return g;
  };
  for (const link of links) groupOf(link.pair.a).links.push(link);
  for (const i of new Set(links.flatMap((l) => [l.pair.a, l.pair.b]))) groupOf(i).members.push(i);
  const clusters: OperatorCluster[] = [];
  for (const g of groups.values()) {
    if (g.members.length < config.minMembers) continue;
    clusters.push(describe(candidates, g.members, g.links, config));
  }
  return clusters.sort(
    (x, y) => y.members.length - x.members.length || x.clusterId.localeCompare(y.clusterId),
  );
}

function describe(
  candidates: readonly ClusterCandidate[],
  indices: number[],
  links: Link[],
  config: ClusteringConfig,
): OperatorCluster {
  const members = indices
    .map((i) => candidates[i]!)
    .sort((a, b) => compareIp(a.remoteIp, b.remoteIp));
  const asns = [...new Set(members.flatMap((m) => (m.asn === undefined ? [] : [m.asn])))].sort(
    (a, b) => a - b,
  );
  const classCounts = new Map<string, number>();
  for (const m of members)
    classCounts.set(m.features.class, (classCounts.get(m.features.class) ?? 0) + 1);
  const classes = [...classCounts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => `${name}:${n}`)
    .join(', ');
  const counts = new Map<number, number>();
  for (const m of members)
    for (const h of new Set(Array.from(m.hashes))) counts.set(h, (counts.get(h) ?? 0) + 1);
  const sharedHashes = [...counts.values()].filter((n) => n >= 2).length;
  const byHashes = links.some((l) => l.pair.jaccard >= config.minJaccard);
  const byGroup = links.some((l) => l.pair.sameGroup);
  const link = byHashes && byGroup ? 'both' : byGroup ? 'campaign_geometry' : 'hash_overlap';
  const mean = (f: (l: Link) => number) =>
    round2(links.reduce((s, l) => s + f(l), 0) / links.length);
  const jaccard = mean((l) => l.pair.jaccard);
  const timing = mean((l) => l.timing);
  const behavior = mean((l) => l.behavior);
  const ips = members.map((m) => m.remoteIp);
  const networks =
    asns.length <= 1
      ? `${asns.length === 1 ? 'one network' : 'no known network'}`
      : `${asns.length} networks`;
  const evidence =
    link === 'hash_overlap'
      ? `look up the same ${sharedHashes} infohash${sharedHashes === 1 ? '' : 'es'} (Jaccard ≈ ${jaccard.toFixed(2)})`
      : `split one sweep between them (${members.find((m) => m.groupId !== undefined)?.groupId})${link === 'both' ? ` and share ${sharedHashes} infohashes` : ''}`;
  return {
    clusterId: `oc-${createHash('sha1').update(ips.join(',')).digest('hex').slice(0, 10)}`,
    members: ips,
    asns,
    classes,
    lookups: members.reduce((s, m) => s + m.lookups, 0),
    sharedHashes,
    link,
    jaccard,
    timing,
    behavior,
    coordinationScore: mean((l) => l.score),
    firstUs: Math.min(...members.map((m) => m.firstUs)),
    lastUs: Math.max(...members.map((m) => m.lastUs)),
    why: `${members.length} addresses in ${networks} ${evidence}, busy in the same hours (timing ${timing.toFixed(2)}) and alike (behavior ${behavior.toFixed(2)}; ${classes}); ${links.length} confirmed link${links.length === 1 ? '' : 's'}`,
  };
}

/** Addresses in numeric order (IPv4 by octets; anything else as text after). */
export function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (
    pa.length === 4 &&
    pb.length === 4 &&
    pa.every(Number.isFinite) &&
    pb.every(Number.isFinite)
  ) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a.localeCompare(b);
}
