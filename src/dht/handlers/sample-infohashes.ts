/**
 * sample_infohashes (BEP 51): a sample of the info-hashes we store, how many
 * we store, how long to wait before asking again, and nodes close to the
 * target so an indexer can walk the key space with one query per node.
 * `samples` is always present, even empty: that is how the asker tells a
 * BEP 51 node from one answering an unknown query like find_node.
 */
import type { Handler } from './context.ts';
import { nodesFor } from './nodes-for.ts';

/** BEP 51: "The permissible range is between 0 and 21600 seconds (inclusive)." */
const MAX_INTERVAL_SECONDS = 21_600;

export const answerSampleInfohashes: Handler<'sample_infohashes'> = (context, query, from) => {
  const { samples, num, interval } = context.policy.samples();
  // Whole 20-byte hashes only: a policy's slip must not make the answer unparseable.
  const whole = samples.subarray(0, samples.length - (samples.length % 20));
  return {
    y: 'r',
    result: {
      id: context.id,
      ...nodesFor(context, query.args.target, query.args.want, from),
      samples: whole,
      num: Math.max(0, Math.floor(num)),
      interval: Math.min(MAX_INTERVAL_SECONDS, Math.max(0, Math.floor(interval))),
    },
  };
};
