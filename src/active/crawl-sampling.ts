/**
 * BEP 51 bookkeeping of the crawl, as a pure function: fold one
 * sample_infohashes answer into what we know of a node, and say whether and
 * when to ask it again. A node is asked again only while it says it holds
 * more infohashes (`num`) than we have seen from it, never before the
 * `interval` it gave, at most `maxRounds` times, and not at all when that
 * interval is longer than the crawl will wait.
 */
import { nodeIdToHex } from '../protocol/kademlia/index.ts';
import type { ResponseResult } from '../protocol/krpc/index.ts';
import type { CrawlNode } from './crawl-model.ts';
import { type HashedKeySet, hashKey } from './hashed-key-set.ts';

export interface SampleLimits {
  maxRounds: number;
  maxWaitSeconds: number;
}

export interface SampleFold {
  /** Infohashes not seen from this node before, hex. */
  fresh: string[];
  /** When to ask again (ms, the clock of `at`), or undefined: done with this node. */
  again: number | undefined;
}

/** `seen` holds the infohashes this node gave so far; it is updated. */
export function foldSample(
  node: CrawlNode,
  result: ResponseResult,
  seen: HashedKeySet,
  at: number,
  limits: SampleLimits,
): SampleFold {
  const rounds = (node.sample?.rounds ?? 0) + 1;
  if (result.samples === undefined) {
    // An answer without `samples` is a node answering like find_node: it does not speak BEP 51.
    node.sample = { num: 0, interval: 0, rounds, nextAt: 0, supported: false, seen: seen.size };
    return { fresh: [], again: undefined };
  }
  const fresh: string[] = [];
  for (let i = 0; i + 20 <= result.samples.length; i += 20) {
    const sample = result.samples.subarray(i, i + 20);
    if (seen.add(hashKey(sample))) fresh.push(nodeIdToHex(sample));
  }
  const num = result.num ?? 0;
  const interval = result.interval ?? 0;
  const nextAt = at + interval * 1000;
  node.sample = { num, interval, rounds, nextAt, supported: true, seen: seen.size };
  const more = seen.size < num;
  const again = more && rounds < limits.maxRounds && interval <= limits.maxWaitSeconds;
  return { fresh, again: again ? nextAt : undefined };
}

/** A node that answered sample_infohashes with an error (204: unknown method). */
export function markUnsupported(node: CrawlNode): void {
  node.sample = {
    num: 0,
    interval: 0,
    rounds: (node.sample?.rounds ?? 0) + 1,
    nextAt: 0,
    supported: false,
    seen: 0,
  };
}
