/**
 * A watched torrent: a monitoring operation (anti-piracy, a takedown
 * service) keeps a few torrents under watch from several addresses in
 * several networks. Each observer looks every watched hash up once per
 * period, in the same order, and never announces. Synchronized, the
 * operation's scheduler fires all observers together each round (the
 * hash is then visited on a schedule); otherwise each observer keeps its
 * own phase (each observer is regular, the hash's visits are not).
 *
 * Each observer on its own is a periodic monitor (address label
 * `periodic_monitor`, as the operator classifier sees it: a short watch
 * list back at regular intervals, no announces). What the hashes become —
 * observer_target, dead_swarm, high_asn_interest — follows from the volume
 * and the networks, which `lab eval` counts from the plan; the behavior
 * labels only what its design decides: `periodic_lookup_target` when
 * synchronized.
 */
import { z } from 'zod';
import { toHex } from '../../protocol/hex.ts';
import type { ActorContext, Behavior, PlannedQuery, SubjectLabel } from '../behavior.ts';
import { Rng } from '../rng.ts';
import { countParam, durationParam, shareParam } from './params.ts';
import { mergeByTime } from './schedule.ts';

const params = z
  .object({
    observers: countParam(
      6,
      10_000,
      'observer addresses (with `network: [a, b, …]` they alternate between networks)',
    ),
    hashes: countParam(3, 1000, 'watched infohashes, fresh ones drawn from its own stream'),
    period: durationParam('30m', 'how often each observer looks up every watched hash'),
    jitter: shareParam(0.1, 'relative jitter of each period'),
    synchronized: z
      .boolean()
      .default(false)
      .describe(
        'all observers share the round times (each fires within `spread` of them); otherwise each keeps its own phase',
      ),
    spread: durationParam('20s', 'synchronized rounds: observers start within this long'),
    start: durationParam(
      '5m',
      'when the first round begins (plus up to one period when not synchronized)',
    ),
  })
  .strict();

type Params = z.output<typeof params>;

/**
 * The watched hashes, from a stream keyed by the actor's first address
 * rather than the actor's own stream: plan and hashLabels then agree
 * whatever the world drew from the actor's stream before planning.
 */
function watched(addresses: ActorContext['addresses'], p: Params): Uint8Array[] {
  const rng = Rng.derive(0, `watched_torrent ${addresses[0]!.ip}:${addresses[0]!.port}`);
  return Array.from({ length: p.hashes }, () => rng.bytes(20));
}

export const watchedTorrent: Behavior<Params> = {
  name: 'watched_torrent',
  summary:
    'observers in several networks looking up the same few hashes every period, never announcing',
  defaultLabel: 'periodic_monitor',
  params,
  addressesFor: (p) => p.observers,
  plan(context, p): Iterable<PlannedQuery> {
    const { rng, durationMs } = context;
    const hashes = watched(context.addresses, p);
    // Shared round times, drawn once, for the synchronized mode.
    const rounds: number[] = [];
    if (p.synchronized) {
      for (let at = p.start; at < durationMs; at += rng.jitter(p.period, p.jitter)) rounds.push(at);
    }
    const observers = context.addresses.map((_, from) => {
      const nodeId = rng.bytes(20);
      const times = p.synchronized
        ? rounds.map((at) => at + rng.between(0, p.spread))
        : ownRounds(rng, p, durationMs);
      return observer(rng, from, nodeId, hashes, times, durationMs);
    });
    return mergeByTime(observers);
  },
  hashLabels(context, p): SubjectLabel[] {
    if (!p.synchronized) return [];
    return watched(context.addresses, p).map((hash) => ({
      kind: 'infohash',
      key: toHex(hash),
      label: 'periodic_lookup_target',
    }));
  },
};

/** An observer's own schedule: a random phase, then every period ± jitter. */
function ownRounds(rng: Rng, p: Params, durationMs: number): number[] {
  const rounds: number[] = [];
  let at = p.start + rng.between(0, p.period);
  while (at < durationMs) {
    rounds.push(at);
    at += rng.jitter(p.period, p.jitter);
  }
  return rounds;
}

function* observer(
  rng: Rng,
  from: number,
  nodeId: Uint8Array,
  hashes: readonly Uint8Array[],
  rounds: readonly number[],
  durationMs: number,
): Generator<PlannedQuery> {
  for (const round of rounds) {
    // A script walks its list one lookup after another.
    let at = round;
    for (const target of hashes) {
      if (at >= durationMs) return;
      yield { at, from, nodeId, method: 'get_peers', target };
      at += rng.between(1000, 4000);
    }
  }
}
