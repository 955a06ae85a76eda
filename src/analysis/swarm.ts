/**
 * Swarm peers: get_peers and announce_peer for the one torrent they share,
 * round after round. The sensor sees a hash either always (it lies near one
 * of our identities) or never, so a visible peer shows every round: few
 * distinct hashes, a high share of announces, and announces in at least two
 * rounds (a single lookup-and-announce is what any client does once), at
 * a steady period.
 */
import { confidenceFrom, type Detection, formatSpan, percent } from './detection.ts';
import { kindCount, type OperatorEvent, type OperatorFeatures } from './operator-features.ts';
import { regularity } from './periodic.ts';

export const SWARM_DEFAULTS = {
  /** announce_peer / (get_peers + announce_peer); a peer's rounds give ~50 %. */
  minAnnounceShare: 0.3,
  /** Distinct infohashes looked up or announced. */
  maxHashes: 2,
  /** Announces of one infohash. */
  minAnnounces: 2,
  /** The first and last announce of that infohash at least this far apart: two rounds (30 min − 20 %), not one. */
  minRoundSpanUs: 20 * 60_000_000,
  /** Share of peer queries that go to the main infohash. */
  minMainShare: 0.75,
  /** Share of all queries that are get_peers or announce_peer. */
  minPeerShare: 0.6,
  /** Rounds (visits of the main infohash) seen: three, as two make any re-fetch look like a swarm. */
  minRounds: 3,
  /** Lookups and announces of the hash closer than this are one round. */
  sameRoundUs: 60_000_000,
  /**
   * Round intervals must be regular (as periodic.ts measures it); loosely, since each gap is jittered by ± 20 % and a
   * round is lost only when both its queries are.
   */
  tolerance: 0.45,
  maxMultiple: 2,
  minRegularShare: 0.6,
};

export type SwarmConfig = typeof SWARM_DEFAULTS;

export function detectSwarm(
  f: OperatorFeatures,
  events: readonly OperatorEvent[],
  config: SwarmConfig = SWARM_DEFAULTS,
): Detection | undefined {
  const announces = kindCount(f, 'announce_peer');
  const peer = kindCount(f, 'get_peers') + announces;
  if (announces < config.minAnnounces || peer === 0) return undefined;
  const share = announces / peer;
  if (share < config.minAnnounceShare || peer / f.analysed < config.minPeerShare) return undefined;
  const hashes = new Set<string>();
  const announceTimes = new Map<string, number[]>();
  for (const e of events) {
    if (e.kind !== 'get_peers' && e.kind !== 'announce_peer') continue;
    if (e.target === undefined) continue;
    hashes.add(e.target);
    if (e.kind === 'announce_peer') {
      const times = announceTimes.get(e.target);
      if (times === undefined) announceTimes.set(e.target, [e.ts]);
      else times.push(e.ts);
    }
  }
  if (hashes.size > config.maxHashes) return undefined;
  // Rounds of one torrent: its announces (events are in time order) spread over two rounds or more.
  let rounds = 0;
  let main: string | undefined;
  for (const [hash, times] of announceTimes) {
    const span = times[times.length - 1]! - times[0]!;
    if (times.length >= config.minAnnounces && span >= rounds) {
      rounds = span;
      main = hash;
    }
  }
  if (rounds < config.minRoundSpanUs) return undefined;
  // Rounds come at a steady period; a client re-fetching a popular torrent comes back at random.
  const visits: number[] = [];
  let onMain = 0;
  for (const e of events) {
    if ((e.kind !== 'get_peers' && e.kind !== 'announce_peer') || e.target !== main) continue;
    onMain++;
    if (visits.length === 0 || e.ts - visits[visits.length - 1]! >= config.sameRoundUs)
      visits.push(e.ts);
  }
  if (onMain / peer < config.minMainShare || visits.length < config.minRounds) return undefined;
  const intervals = visits.slice(1).map((t, i) => t - visits[i]!);
  const { share: regular } = regularity(intervals, config.tolerance, config.maxMultiple);
  if (regular < config.minRegularShare) return undefined;
  return {
    label: 'swarm_peer',
    confidence: confidenceFrom(
      share,
      config.minAnnounceShare,
      0.5,
      announces,
      4 * config.minAnnounces,
    ),
    why: `${announces} announces of ${peer} peer queries (${percent(share)}) for ${hashes.size} infohash${hashes.size === 1 ? '' : 'es'} over ${formatSpan(rounds)}`,
  };
}
