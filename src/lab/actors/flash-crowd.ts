/**
 * A flash crowd: a fresh torrent everybody wants at once (a release, a
 * leak). Many addresses look the same hash up within minutes, retry once
 * or twice, and half of them announce themselves, then the crowd is gone.
 * Each member is an ordinary user (address label `normal_client`: a few
 * queries, nothing the operator classifier should flag); the hash carries
 * `burst_activity`. Whether it is also swarm_like or of high ASN interest
 * follows from its peers and networks, which `lab eval` counts from the
 * plan.
 */
import { z } from 'zod';
import { toHex } from '../../protocol/hex.ts';
import type { ActorContext, Behavior, PlannedQuery, SubjectLabel } from '../behavior.ts';
import { Rng } from '../rng.ts';
import { clientVersion } from './clients.ts';
import { countParam, durationParam, shareParam } from './params.ts';
import { mergeByTime } from './schedule.ts';

const params = z
  .object({
    peers: countParam(60, 100_000, 'addresses in the crowd, one node id each'),
    start: durationParam('1h', 'when the crowd arrives'),
    window: durationParam('3m', "the peers' first lookups fall uniformly within this long"),
    lookups: countParam(2, 100, 'lookups per peer: the first, then retries'),
    retry: durationParam('30s', 'gap between one peer’s lookups (each ± 50 %)'),
    announceShare: shareParam(0.5, 'share of peers announcing 1–5 s after their first lookup'),
  })
  .strict();

type Params = z.output<typeof params>;

/**
 * The crowd's torrent, from a stream keyed by the actor's first address
 * rather than the actor's own stream: plan and hashLabels then agree
 * whatever the world drew from the actor's stream before planning.
 */
function crowdHash(addresses: ActorContext['addresses']): Uint8Array {
  return Rng.derive(0, `flash_crowd ${addresses[0]!.ip}:${addresses[0]!.port}`).bytes(20);
}

export const flashCrowd: Behavior<Params> = {
  name: 'flash_crowd',
  summary: 'many addresses looking up one fresh hash within minutes, half of them announcing',
  defaultLabel: 'normal_client',
  params,
  addressesFor: (p) => p.peers,
  plan(context, p): Iterable<PlannedQuery> {
    const { rng, durationMs } = context;
    const hash = crowdHash(context.addresses);
    const peers = context.addresses.map((_, from) => peer(rng, from, hash, durationMs, p));
    return mergeByTime(peers);
  },
  hashLabels(context): SubjectLabel[] {
    return [
      { kind: 'infohash', key: toHex(crowdHash(context.addresses)), label: 'burst_activity' },
    ];
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
  const first = p.start + rng.between(0, p.window);
  const announce = rng.chance(p.announceShare) ? first + rng.between(1000, 5000) : undefined;
  const queries: PlannedQuery[] = [];
  let at = first;
  for (let i = 0; i < p.lookups; i++) {
    queries.push({ ...base, at, method: 'get_peers' });
    at += rng.jitter(p.retry, 0.5);
  }
  if (announce !== undefined) queries.push({ ...base, at: announce, method: 'announce_peer' });
  queries.sort((a, b) => a.at - b.at);
  for (const q of queries) {
    if (q.at >= durationMs) return;
    yield q;
  }
}
