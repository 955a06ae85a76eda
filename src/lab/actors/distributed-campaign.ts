/**
 * One crawl split among several addresses (in different networks when the
 * scenario lists several): member i sweeps sub-range i of the range, all
 * members start within about a minute of each other and run at the same
 * rate. Each alone looks like a sequential crawler; together they cover
 * adjacent, disjoint slices at the same time.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import type { Rng } from '../rng.ts';
import { boundValue, rangeProblem, sweepTargets } from './keyspace.ts';
import { boundParam, countParam, durationParam, lookupMethodParam } from './params.ts';
import { mergeByTime } from './schedule.ts';

const params = z
  .object({
    members: countParam(4, 1000, 'addresses in the campaign; each sweeps an equal sub-range'),
    from: boundParam(0, 'lower end of the whole range: a hex prefix or a fraction of the keyspace'),
    to: boundParam(1, 'upper end (exclusive) of the whole range, as `from`'),
    targetsPerMember: countParam(
      1000,
      1_000_000,
      'targets each member sweeps, evenly spaced over its sub-range',
    ),
    interval: durationParam(
      '5s',
      "gap between one member's queries, the same for all (each gap ± 20 %)",
    ),
    start: durationParam('5m', 'when the campaign begins'),
    startSpread: durationParam(
      '45s',
      'members start at random moments within this long after `start`',
    ),
    method: lookupMethodParam('the query sent for each target'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = rangeProblem(p.from, p.to, p.targetsPerMember * p.members);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['from'] });
  });

type Params = z.output<typeof params>;

export const distributedCampaign: Behavior<Params> = {
  name: 'distributed_campaign',
  summary:
    'M addresses splitting one keyspace range, each sweeping its sub-range ascending at the same rate',
  defaultLabel: 'distributed_campaign',
  params,
  addressesFor: (p) => p.members,
  plan(context, p): Iterable<PlannedQuery> {
    const lo = boundValue(p.from);
    const width = boundValue(p.to) - lo;
    const members = Array.from({ length: p.members }, (_, i) => {
      const subLo = lo + (width * BigInt(i)) / BigInt(p.members);
      const subHi = lo + (width * BigInt(i + 1)) / BigInt(p.members);
      return member(context.rng, i, subLo, subHi, context.durationMs, p);
    });
    return mergeByTime(members);
  },
};

function* member(
  rng: Rng,
  from: number,
  lo: bigint,
  hi: bigint,
  durationMs: number,
  p: Params,
): Generator<PlannedQuery> {
  const nodeId = rng.bytes(20);
  let at = p.start + rng.between(0, p.startSpread);
  for (const target of sweepTargets(rng, lo, hi, p.targetsPerMember, false)) {
    if (at >= durationMs) return;
    yield { at, from, nodeId, method: p.method, target };
    at += rng.jitter(p.interval, 0.2);
  }
}
