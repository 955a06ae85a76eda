/**
 * One address behind many node ids: each round of queries goes out under a
 * fresh id, and each id is placed next to the node it is sent to (or next
 * to the target) by copying its leading bits, the way an eclipse or a
 * harvesting tool gets itself into routing tables. The tool behind it reuses
 * a single transaction id.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { copyBits } from '../delivery.ts';
import { countParam, durationParam } from './params.ts';

const params = z
  .object({
    ids: countParam(16, 100_000, 'node ids the fleet cycles through, a new one each round'),
    copyBits: z
      .number()
      .int()
      .min(0)
      .max(160)
      .default(80)
      .describe('leading bits each id copies from where it is placed'),
    placeNear: z
      .enum(['destination', 'target'])
      .default('destination')
      .describe(
        "copy the bits from the receiving node's id (`destination`) or from the query's target",
      ),
    txid: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,8}$/, '1 to 8 bytes of hex such as 6a1f')
      .optional()
      .describe('the constant transaction id, hex (default: 2 random bytes, drawn once)'),
    method: z
      .enum(['get_peers', 'find_node', 'mixed'])
      .default('mixed')
      .describe('the query sent; `mixed` picks get_peers or find_node at random'),
    queriesPerRound: countParam(25, 100_000, 'queries sent under one id, about a second apart'),
    interval: durationParam('10m', 'gap between rounds (each ± 20 %)'),
    start: durationParam('2m', 'when the first round begins (plus up to a minute)'),
  })
  .strict();

type Params = z.output<typeof params>;

export const sybilFleet: Behavior<Params> = {
  name: 'sybil_fleet',
  summary:
    'one address, many node ids placed next to their destinations, one constant transaction id',
  defaultLabel: 'sybil_fleet',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const ids = Array.from({ length: p.ids }, () => rng.bytes(20));
    const txid = p.txid === undefined ? rng.bytes(2) : Uint8Array.from(Buffer.from(p.txid, 'hex'));
    let round = p.start + rng.between(0, 60_000);
    for (let r = 0; round < durationMs; r++) {
      const id = ids[r % ids.length]!;
      let at = round;
      for (let q = 0; q < p.queriesPerRound; q++) {
        if (at >= durationMs) return;
        const target = rng.bytes(20);
        const method =
          p.method === 'mixed' ? (rng.chance(0.5) ? 'get_peers' : 'find_node') : p.method;
        const placed =
          p.placeNear === 'destination'
            ? { nodeId: id, idFromDestination: p.copyBits }
            : { nodeId: copyBits(id, target, p.copyBits) };
        yield { at, from: 0, ...placed, method, target, txid };
        at += rng.between(200, 2000);
      }
      round = Math.max(at, round + rng.jitter(p.interval, 0.2));
    }
  },
};
