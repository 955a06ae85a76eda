/**
 * A prober that is silent most of the time, then fires hundreds of lookups
 * of random hashes within seconds: a few bursts a scenario, each in its own
 * stretch of the timeline. Its peak minute dwarfs its average one.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { countParam, durationParam, lookupMethodParam } from './params.ts';
import { sortedTimes } from './schedule.ts';

const params = z
  .object({
    bursts: countParam(3, 1000, 'bursts in the scenario, one in each equal stretch of it'),
    burstSize: countParam(
      350,
      100_000,
      'queries per burst (each burst ± 40 %: 210–490 by default)',
    ),
    burstLength: durationParam(
      '20s',
      'how long a burst lasts (each burst ± 50 %: 10–30 s by default)',
    ),
    method: lookupMethodParam('the query sent in bursts'),
  })
  .strict();

type Params = z.output<typeof params>;

export const burstProber: Behavior<Params> = {
  name: 'burst_prober',
  summary:
    'silence, then bursts of 200–500 get_peers of random hashes within 10–30 s, a few per scenario',
  defaultLabel: 'burst_prober',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const nodeId = rng.bytes(20);
    const stretch = durationMs / p.bursts;
    for (let burst = 0; burst < p.bursts; burst++) {
      const length = rng.jitter(p.burstLength, 0.5);
      // Somewhere in the middle of its stretch, never at its very start, and ended before the next.
      const start = burst * stretch + rng.between(0.1, 0.9) * Math.max(0, stretch - length);
      const size = Math.max(1, Math.round(rng.jitter(p.burstSize, 0.4)));
      for (const at of sortedTimes(rng, size, start, start + length)) {
        if (at >= durationMs) return;
        yield { at, from: 0, nodeId, method: p.method, target: rng.bytes(20) };
      }
    }
  },
};
