/**
 * A walker stepping through 12-bit prefixes (96a, 96b, 96c …): a few
 * random targets inside each prefix, a few minutes per prefix, one walk
 * inside a window of about two hours. Prefixes climb by one; the targets
 * within a prefix come in no order, unlike a sequential crawler's.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { countParam, durationParam, lookupMethodParam } from './params.ts';
import { sortedTimes } from './schedule.ts';

const PREFIXES = 4096;

const params = z
  .object({
    prefixes: countParam(40, PREFIXES, 'prefixes visited per walk, each one above the last'),
    minPerPrefix: countParam(3, 1000, 'fewest random targets looked up inside one prefix'),
    maxPerPrefix: countParam(8, 1000, 'most random targets looked up inside one prefix'),
    window: durationParam('2h', 'how long one walk takes; each prefix gets an equal share of it'),
    walks: countParam(2, 1000, 'walks in the scenario; each starts at a fresh random prefix'),
    pause: durationParam('30m', 'silence between two walks'),
    start: durationParam('5m', 'when the first walk begins'),
    startPrefix: z
      .string()
      .regex(/^[0-9a-fA-F]{3}$/, 'three hex digits such as 96a')
      .optional()
      .describe('first prefix of the first walk (default: random)'),
    method: lookupMethodParam('the query sent for each target'),
  })
  .strict()
  .refine((p) => p.minPerPrefix <= p.maxPerPrefix, {
    message: 'minPerPrefix must not exceed maxPerPrefix',
    path: ['minPerPrefix'],
  })
  .refine(
    (p) =>
      p.startPrefix === undefined || Number.parseInt(p.startPrefix, 16) + p.prefixes <= PREFIXES,
    {
      message: 'the walk would run past prefix fff',
      path: ['startPrefix'],
    },
  );

type Params = z.output<typeof params>;

export const prefixWalker: Behavior<Params> = {
  name: 'prefix_walker',
  summary: 'walks 12-bit prefixes upward, 3–8 random targets in each, one walk per 2-hour window',
  defaultLabel: 'prefix_walker',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const nodeId = rng.bytes(20);
    const slot = p.window / p.prefixes;
    let walkStart = p.start + rng.between(0, 60_000);
    for (let walk = 0; walk < p.walks && walkStart < durationMs; walk++) {
      // No wrap past fff: a walk starts low enough to finish.
      const first =
        walk === 0 && p.startPrefix !== undefined
          ? Number.parseInt(p.startPrefix, 16)
          : rng.int(PREFIXES - p.prefixes + 1);
      for (let step = 0; step < p.prefixes; step++) {
        const slotStart = walkStart + step * slot;
        const count = p.minPerPrefix + rng.int(p.maxPerPrefix - p.minPerPrefix + 1);
        for (const at of sortedTimes(rng, count, slotStart, slotStart + slot)) {
          if (at >= durationMs) return;
          yield {
            at,
            from: 0,
            nodeId,
            method: p.method,
            target: inPrefix(rng.bytes(20), first + step),
          };
        }
      }
      walkStart += p.window + rng.jitter(p.pause, 0.2);
    }
  },
};

/** `random` with its first 12 bits replaced by `prefix`. */
function inPrefix(random: Uint8Array, prefix: number): Uint8Array {
  random[0] = prefix >> 4;
  random[1] = ((prefix & 0x0f) << 4) | (random[1]! & 0x0f);
  return random;
}
