/**
 * The peers of one torrent keeping themselves findable: each peer, about
 * every 30 minutes, looks the torrent up and announces itself to the nodes
 * that answered. Half of what the sensor sees from them is announces, all
 * for one infohash, which is what makes that hash swarm-like.
 */
import { z } from 'zod';
import { toHex } from '../../protocol/hex.ts';
import type { Behavior, PlannedQuery, SubjectLabel } from '../behavior.ts';
import type { Rng } from '../rng.ts';
import { clientVersion } from './clients.ts';
import { countParam, durationParam, shareParam } from './params.ts';
import { mergeByTime } from './schedule.ts';

const params = z
  .object({
    peers: countParam(20, 10_000, 'peers in the swarm, one address and node id each'),
    period: durationParam(
      '30m',
      'how often each peer re-announces (each gap jittered by ± `jitter`)',
    ),
    jitter: shareParam(0.2, 'relative jitter of each re-announce gap'),
  })
  .strict();

type Params = z.output<typeof params>;

/** The swarm's torrent: the first draw of the actor's stream, so hashLabels sees the same one. */
function swarmHash(rng: Rng): Uint8Array {
  return rng.bytes(20);
}

export const swarm: Behavior<Params> = {
  name: 'swarm',
  summary: 'N peers of one torrent, each doing get_peers + announce_peer for it every 30 min',
  defaultLabel: 'swarm_peer',
  params,
  addressesFor: (p) => p.peers,
  plan(context, p): Iterable<PlannedQuery> {
    const { rng, durationMs } = context;
    const hash = swarmHash(rng);
    const peers = context.addresses.map((_, from) => peer(rng, from, hash, durationMs, p));
    return mergeByTime(peers);
  },
  hashLabels(context): SubjectLabel[] {
    return [{ kind: 'infohash', key: toHex(swarmHash(context.rng)), label: 'swarm_like' }];
  },
};

function* peer(
  rng: Rng,
  from: number,
  hash: Uint8Array,
  durationMs: number,
  p: Params,
): Generator<PlannedQuery> {
  const nodeId = rng.bytes(20);
  const version = clientVersion(rng);
  const base = { from, nodeId, target: hash, ...(version === undefined ? {} : { version }) };
  // The swarm exists before the lab starts: peers are at random points of their cycle.
  let at = rng.between(0, p.period);
  while (at < durationMs) {
    yield { ...base, at, method: 'get_peers' };
    const announce = at + rng.between(1000, 5000);
    if (announce < durationMs) yield { ...base, at: announce, method: 'announce_peer' };
    at += rng.jitter(p.period, p.jitter);
  }
}
