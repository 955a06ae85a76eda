/**
 * A crawler sweeping a slice of the keyspace in order: one address, one id,
 * a lookup every few seconds for targets that only ever go up (or down).
 * The sensor sees a thinned subsequence of them, still monotone.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { boundValue, rangeProblem, sweepTargets } from './keyspace.ts';
import { boundParam, countParam, durationParam, lookupMethodParam } from './params.ts';

const params = z
  .object({
    from: boundParam(
      0,
      'lower end of the range swept: a hex prefix ("8", "96a") or a fraction of the keyspace',
    ),
    to: boundParam(1, 'upper end (exclusive), as `from`; 1 is the end of the keyspace'),
    direction: z
      .enum(['ascending', 'descending'])
      .default('ascending')
      .describe('sweep order of the targets'),
    method: lookupMethodParam('the query sent for each target'),
    targets: countParam(2000, 1_000_000, 'targets in the sweep, evenly spaced over the range'),
    interval: durationParam(
      '5s',
      'mean gap between queries; each gap is drawn within ± 50 % of it',
    ),
    start: durationParam('1m', 'when the sweep begins (plus up to one interval)'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = rangeProblem(p.from, p.to, p.targets);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['from'] });
  });

type Params = z.output<typeof params>;

export const sequentialCrawler: Behavior<Params> = {
  name: 'sequential_crawler',
  summary:
    'one address sweeping a keyspace range in strictly monotone target order, 1 query per 2–10 s',
  defaultLabel: 'sequential_crawler',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const nodeId = rng.bytes(20);
    const targets = sweepTargets(
      rng,
      boundValue(p.from),
      boundValue(p.to),
      p.targets,
      p.direction === 'descending',
    );
    let at = p.start + rng.between(0, p.interval);
    for (const target of targets) {
      if (at >= durationMs) return;
      // Crawlers built on bare KRPC libraries send no `v`.
      yield { at, from: 0, nodeId, method: p.method, target };
      at += rng.jitter(p.interval, 0.5);
    }
  },
};
