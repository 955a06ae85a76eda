/** Time-ordering helpers for behaviors whose queries come from several interleaved streams. */
import type { PlannedQuery } from '../behavior.ts';
import type { Rng } from '../rng.ts';

/** Merges plans that are each in time order into one in time order (few streams: a linear scan). */
export function* mergeByTime(plans: Iterable<PlannedQuery>[]): Generator<PlannedQuery> {
  const heads: { query: PlannedQuery; rest: Iterator<PlannedQuery> }[] = [];
  for (const plan of plans) {
    const rest = plan[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) heads.push({ query: first.value, rest });
  }
  while (heads.length > 0) {
    let soonest = 0;
    for (let i = 1; i < heads.length; i++)
      if (heads[i]!.query.at < heads[soonest]!.query.at) soonest = i;
    const head = heads[soonest]!;
    yield head.query;
    const next = head.rest.next();
    if (next.done) heads.splice(soonest, 1);
    else head.query = next.value;
  }
}

/** `n` instants drawn uniformly in [start, end), ascending. */
export function sortedTimes(rng: Rng, n: number, start: number, end: number): number[] {
  return Array.from({ length: n }, () => rng.between(start, end)).sort((a, b) => a - b);
}
