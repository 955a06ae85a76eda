/**
 * The background of a trace: what a lab's own DHT nodes send while keeping
 * their routing tables (a find_node for a random target about every 15
 * minutes, a ping to a questionable contact about every 5). A live run has
 * no need of it: there, real engines do their real upkeep.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from './behavior.ts';
import { DHT_NODE_LABEL } from './world.ts';

const params = z
  .object({
    refreshMeanMs: z
      .number()
      .positive()
      .default(15 * 60_000),
    pingMeanMs: z
      .number()
      .positive()
      .default(5 * 60_000),
    nodeIds: z.array(z.instanceof(Uint8Array)),
  })
  .strict();

type Params = z.output<typeof params>;

export const dhtUpkeep: Behavior<Params> = {
  name: 'dht_upkeep',
  summary: "the lab's own DHT nodes keeping their routing tables (traces only)",
  defaultLabel: DHT_NODE_LABEL,
  params,
  addressesFor: (p) => p.nodeIds.length,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng } = context;
    // One merged Poisson stream for all nodes: the sum of per-node streams.
    const n = context.addresses.length;
    const refreshRate = n / p.refreshMeanMs;
    const pingRate = n / p.pingMeanMs;
    let at = rng.exponential(1 / (refreshRate + pingRate));
    while (at < context.durationMs) {
      const from = rng.int(n);
      const refresh = rng.chance(refreshRate / (refreshRate + pingRate));
      yield {
        at,
        from,
        nodeId: p.nodeIds[from]!,
        method: refresh ? 'find_node' : 'ping',
        target: rng.bytes(20),
        version: Uint8Array.of(0x44, 0x53, 0, 1),
      };
      at += rng.exponential(1 / (refreshRate + pingRate));
    }
  },
};
