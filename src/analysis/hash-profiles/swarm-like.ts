/**
 * swarm_like: ordinary content distribution. A fair share of announces
 * from many distinct peers. Not anomalous: it does not count in the
 * signal score, it tells the reader the hash is a living torrent.
 */
import {
  countSql,
  type HashLabelRule,
  num,
  percentSql,
  shown,
  shownPercent,
  text,
} from './rule.ts';

export const SWARM_LIKE_DEFAULTS = {
  /** announce_count / total_events at least this (the sources: "10 %+ announce ratio"). */
  minAnnounceRatio: 0.1,
  /** Distinct sender addresses (the sources: "20+ unique IPs"). */
  minIps: 20,
};

export type SwarmLikeConfig = typeof SWARM_LIKE_DEFAULTS;

export const swarmLike: HashLabelRule<SwarmLikeConfig> = {
  label: 'swarm_like',
  anomalous: false,
  when: (c) =>
    `announce_ratio >= ${num(c.minAnnounceRatio, 'swarm_like.minAnnounceRatio')} AND unique_ips >= ${num(c.minIps, 'swarm_like.minIps')}`,
  why: (c) =>
    `${percentSql('announce_ratio')} || ${text(` announces ≥ ${shownPercent(c.minAnnounceRatio)}, `)} || ${countSql('unique_ips')} || ${text(` addresses ≥ ${shown(c.minIps)}`)}`,
};
