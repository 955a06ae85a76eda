/**
 * A watcher of a fixed list of torrents (an anti-piracy monitor, a tracker
 * scraper): every period it looks each one up, in the same order, and
 * never announces. The same hashes come back at regular intervals.
 */
import { z } from 'zod';
import { toHex } from '../../protocol/hex.ts';
import type { Behavior, PlannedQuery, SubjectLabel } from '../behavior.ts';
import type { Rng } from '../rng.ts';
import { durationParam, shareParam } from './params.ts';

const params = z
  .object({
    hashes: z
      .union([
        z.number().int().min(1).max(1000),
        z.array(z.string().regex(/^[0-9a-fA-F]{40}$/, '40 hex digits')).min(1),
      ])
      .default(10)
      .describe(
        'the watch list: how many fresh infohashes to draw, or the infohashes themselves (hex)',
      ),
    period: durationParam('1h', 'how often the whole list is looked up'),
    jitter: shareParam(0.1, 'relative jitter of each period'),
    start: durationParam('5m', 'when the first round begins (plus up to a minute)'),
  })
  .strict();

type Params = z.output<typeof params>;

/** The watch list: drawn first from the actor's stream, so hashLabels sees the same list. */
function watchList(rng: Rng, p: Params): Uint8Array[] {
  if (typeof p.hashes !== 'number')
    return p.hashes.map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));
  return Array.from({ length: p.hashes }, () => rng.bytes(20));
}

export const periodicMonitor: Behavior<Params> = {
  name: 'periodic_monitor',
  summary: 'looks up a fixed watch list of infohashes every hour (± 10 %), never announces',
  defaultLabel: 'periodic_monitor',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const hashes = watchList(rng, p);
    const nodeId = rng.bytes(20);
    let round = p.start + rng.between(0, 60_000);
    while (round < durationMs) {
      // A script walks its list one lookup after another.
      let at = round;
      for (const target of hashes) {
        if (at >= durationMs) return;
        yield { at, from: 0, nodeId, method: 'get_peers', target };
        at += rng.between(1000, 4000);
      }
      round += rng.jitter(p.period, p.jitter);
    }
  },
  hashLabels(context, p): SubjectLabel[] {
    return watchList(context.rng, p).map((hash) => ({
      kind: 'infohash',
      key: toHex(hash),
      label: 'periodic_lookup_target',
    }));
  },
};
