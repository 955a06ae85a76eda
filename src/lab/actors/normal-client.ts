/**
 * An ordinary BitTorrent user: joins with a lookup of its own id, then now
 * and then looks up a torrent (popular ones often), announces itself for
 * some of them a few seconds later (with the token the lookup earned), and
 * pings a contact once in a while. Few queries an hour, in no order.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { clientVersion } from './clients.ts';
import { durationParam, shareParam } from './params.ts';

const params = z
  .object({
    lookupInterval: durationParam('10m', 'mean gap between get_peers lookups (Poisson)'),
    announceShare: shareParam(
      0.3,
      'share of lookups followed 1–5 s later by an announce_peer of the same hash',
    ),
    pingInterval: durationParam('30m', 'mean gap between pings to a random contact (Poisson)'),
    joinWithin: durationParam(
      '10m',
      'the client joins (its own-id find_node) at a random time in this first stretch',
    ),
  })
  .strict();

type Params = z.output<typeof params>;

export const normalClient: Behavior<Params> = {
  name: 'normal_client',
  summary:
    'a home user: Zipf-popular get_peers lookups every ~10 min, some announces, occasional pings',
  defaultLabel: 'normal_client',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs, catalogue } = context;
    const nodeId = rng.bytes(20);
    const version = clientVersion(rng);
    // Half the clients name their listen port, the others rely on implied_port.
    const announcePort = rng.chance(0.5) ? context.addresses[0]!.port : undefined;
    const base = { from: 0, nodeId, ...(version === undefined ? {} : { version }) };

    const join = rng.between(0, Math.min(p.joinWithin, durationMs));
    if (join >= durationMs) return;
    yield { ...base, at: join, method: 'find_node', target: nodeId };

    // Announces and pings wait here until the lookup stream passes their time.
    const pending: PlannedQuery[] = [];
    const schedule = (query: PlannedQuery) => {
      if (query.at >= durationMs) return;
      let i = pending.length;
      while (i > 0 && pending[i - 1]!.at > query.at) i--;
      pending.splice(i, 0, query);
    };
    let nextPing = join + rng.exponential(p.pingInterval);
    let at = join + rng.exponential(p.lookupInterval);
    while (at < durationMs || pending.length > 0) {
      while (nextPing < Math.min(at, durationMs)) {
        schedule({ ...base, at: nextPing, method: 'ping', target: rng.bytes(20) });
        nextPing += rng.exponential(p.pingInterval);
      }
      while (pending.length > 0 && pending[0]!.at <= at) yield pending.shift()!;
      if (at >= durationMs) continue;
      const hash = catalogue.popular(rng);
      yield { ...base, at, method: 'get_peers', target: hash };
      if (rng.chance(p.announceShare)) {
        schedule({
          ...base,
          at: at + rng.between(1000, 5000),
          method: 'announce_peer',
          target: hash,
          ...(announcePort === undefined ? {} : { announcePort }),
        });
      }
      at += rng.exponential(p.lookupInterval);
    }
  },
};
