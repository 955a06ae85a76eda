/**
 * A BEP 51 indexer: asks node after node for a sample of the infohashes it
 * stores, a few per second, each query to a single node (fanout 1), with an
 * occasional find_node to discover more nodes. Nearly everything the sensor
 * gets from it is sample_infohashes.
 */
import { z } from 'zod';
import type { Behavior, PlannedQuery } from '../behavior.ts';
import { durationParam, shareParam } from './params.ts';

const params = z
  .object({
    interval: durationParam('400ms', 'mean gap between queries (Poisson): 2.5 queries a second'),
    sampleShare: shareParam(
      0.9,
      'share of queries that are sample_infohashes; the rest are find_node',
    ),
    start: durationParam('0s', 'when the crawler starts (plus up to a minute)'),
  })
  .strict();

type Params = z.output<typeof params>;

/** What the indexer claims to be: "sI" 0.1, a code no client uses. */
const VERSION = Uint8Array.of(0x73, 0x49, 0x00, 0x01);

export const sampleInfohashesCrawler: Behavior<Params> = {
  name: 'sample_infohashes_crawler',
  summary: 'BEP 51 indexer: sample_infohashes to one node at a time, a few per second',
  defaultLabel: 'sample_infohashes_crawler',
  params,
  addressesFor: () => 1,
  *plan(context, p): Generator<PlannedQuery> {
    const { rng, durationMs } = context;
    const nodeId = rng.bytes(20);
    let at = p.start + rng.between(0, 60_000);
    while (at < durationMs) {
      const method = rng.chance(p.sampleShare) ? 'sample_infohashes' : 'find_node';
      // A random target picks a random node to ask; an indexer visits each node itself.
      yield { at, from: 0, nodeId, method, target: rng.bytes(20), fanout: 1, version: VERSION };
      at += rng.exponential(p.interval);
    }
  },
};
