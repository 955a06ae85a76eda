/**
 * How many nodes the DHT holds, from how densely node ids pack around random
 * points. Node ids are uniform over the 2^160 key space, so among N nodes
 * the XOR distance (as a fraction of the key space) from a random target to
 * the k-th closest node is about k / N; precisely, under that model,
 * (k − 1) / d_k is an unbiased estimate of N. Each lookup gives one such
 * estimate; their mean is the answer, and their spread its confidence
 * interval (Student's t, 95 %), as measurement papers on the Mainline DHT do.
 *
 * A lookup that misses some of the truly closest nodes sees d_k too large and
 * the DHT too small: the estimate is only as good as the lookups.
 */
import { randomBytes } from 'node:crypto';
import { endpointKey } from '../dht/address.ts';
import { iterativeLookup, type LookupNode } from '../dht/lookup.ts';
import type { Destination } from '../dht/transport.ts';
import { compareDistance, type RandomBytes, randomNodeId } from '../protocol/kademlia/index.ts';
import type { ActiveQuerier } from './client.ts';
import { addressScope, scopesOf } from './endpoints.ts';

export interface EstimateOptions {
  querier: ActiveQuerier;
  bootstrap: readonly Destination[];
  /** Random-target lookups. Default 32. */
  lookups?: number;
  /** Closest nodes each lookup must find. Default 8: a find_node answer holds 8, so a lookup finds the 8 closest reliably and not many more. */
  k?: number;
  /** Lookups at once. Default 4. */
  parallel?: number;
  random?: RandomBytes;
  onLookup?(done: number, total: number, estimate: number): void;
}

export interface SizeEstimate {
  /** Mean of the per-lookup estimates. */
  estimate: number;
  /** 95 % confidence interval of that mean. */
  low: number;
  high: number;
  perLookup: number[];
  lookups: number;
  k: number;
  queried: number;
}

export const ESTIMATE_DEFAULTS = { lookups: 32, k: 8, parallel: 4 } as const;

export async function estimateSize(options: EstimateOptions): Promise<SizeEstimate> {
  const lookups = options.lookups ?? ESTIMATE_DEFAULTS.lookups;
  const k = options.k ?? ESTIMATE_DEFAULTS.k;
  const parallel = options.parallel ?? ESTIMATE_DEFAULTS.parallel;
  const random = options.random ?? ((n: number) => randomBytes(n));
  // Every node that answered, so later lookups start near their targets, not all at the bootstrap node.
  const known = new Map<string, LookupNode & { id: Uint8Array }>();
  const perLookup: number[] = [];
  const scopes = scopesOf(options.bootstrap);
  let queried = 0;
  let next = 0;

  const one = async (): Promise<void> => {
    const target = randomNodeId(random);
    const near = [...known.values()]
      .sort((a, b) => compareDistance(target, a.id, b.id))
      .slice(0, k);
    const result = await iterativeLookup({
      target,
      k,
      accept: (node) => node.port > 0 && scopes.has(addressScope(node.address)),
      // Bootstrap addresses carry no id and would be asked first by every lookup: only while nothing is known.
      seeds: near.length > 0 ? near : options.bootstrap,
      query: async (node) => {
        const response = await options.querier.query(node, {
          method: 'find_node',
          args: { target },
        });
        const { id, nodes = [] } = response.result;
        known.set(endpointKey(node.address, node.port), {
          id: new Uint8Array(id),
          address: node.address,
          port: node.port,
        });
        return { id, nodes };
      },
    });
    queried += result.queried;
    if (result.closest.length < k) return;
    const kth = result.closest[k - 1]!;
    perLookup.push((k - 1) / distanceFraction(target, kth.id));
    options.onLookup?.(perLookup.length, lookups, mean(perLookup));
  };

  const worker = async (): Promise<void> => {
    while (next < lookups) {
      next++;
      await one();
    }
  };
  // The first lookup alone: it fills `known` for the others.
  next++;
  await one();
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));

  const estimate = mean(perLookup);
  const n = perLookup.length;
  const sd =
    n > 1
      ? Math.sqrt(perLookup.reduce((s, x) => s + (x - estimate) ** 2, 0) / (n - 1))
      : Number.NaN;
  const half = n > 1 ? studentT975(n - 1) * (sd / Math.sqrt(n)) : Number.NaN;
  return {
    estimate,
    low: estimate - half,
    high: estimate + half,
    perLookup,
    lookups: n,
    k,
    queried,
  };
}

/** XOR distance as a fraction of the key space, from its first 64 bits (plenty for any DHT size). */
export function distanceFraction(a: Uint8Array, b: Uint8Array): number {
  let fraction = 0;
  for (let i = 7; i >= 0; i--) fraction = (fraction + (a[i]! ^ b[i]!)) / 256;
  return fraction;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, x) => s + x, 0) / values.length;
}

/** Two-sided 95 % quantile of Student's t with `df` degrees of freedom. */
function studentT975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
  if (df <= table.length) return table[df - 1]!;
  // Beyond 10 degrees of freedom, the Cornish–Fisher expansion is within 0.01.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}
