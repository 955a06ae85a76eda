/**
 * The crawler: a recursive find_node walk that maps every node it can reach.
 *
 * Each node is asked, in turn, for the nodes closest to its own id (the
 * deepest part of its routing table, which also says how deep that table
 * goes), then for one random target in each bucket above that depth (a
 * target sharing exactly d bits with its id lands in its bucket d). So a
 * node with a routing table D buckets deep costs D + 1 queries, and every
 * node it returns is walked in turn. With `sampleInfohashes` each node is
 * also asked for BEP 51 samples, again after the `interval` it names while
 * it says it holds more than we have seen, so the walk covers the key space
 * for infohashes too.
 *
 * Every packet goes through the querier's politeness budget; nothing here
 * sends on its own.
 */

import { randomBytes } from 'node:crypto';
import { familyOf, formatEndpoint } from '../dht/address.ts';
import { DhtQueryError } from '../dht/errors.ts';
import type { Destination } from '../dht/transport.ts';
import {
  commonPrefixLength,
  nodeIdFromHex,
  nodeIdToHex,
  type RandomBytes,
  randomIdWithPrefix,
  randomNodeId,
} from '../protocol/kademlia/index.ts';
import { clientLabel, decodeClientVersion } from '../protocol/krpc/client-version.ts';
import type { ResponseResult } from '../protocol/krpc/index.ts';
import type { CompactNode } from '../protocol/net/compact.ts';
import type { ActiveQuerier } from './client.ts';
import {
  type CrawlCounts,
  type CrawlNode,
  type CrawlSink,
  type CrawlSnapshot,
  countSnapshot,
} from './crawl-model.ts';
import { foldSample, markUnsupported } from './crawl-sampling.ts';
import { addressScope, familyOfHost, scopesOf } from './endpoints.ts';
import { HashedKeySet, hashKey } from './hashed-key-set.ts';
import { nearId, Queue } from './walk-support.ts';

export interface CrawlOptions {
  queriers: { 4?: ActiveQuerier; 6?: ActiveQuerier };
  bootstrap: readonly Destination[];
  /** A fresh snapshot, or one saved by an interrupted crawl to go on with. */
  snapshot: CrawlSnapshot;
  /** Where edges and samples go as they come. */
  sink: CrawlSink;
  /** Nodes walked at once. Default 128. */
  concurrency?: number;
  /** Nodes known at most; past it, nodes returned are no longer added. Default 1,000,000. */
  maxNodes?: number;
  /** Buckets asked per node at most. Default 32. */
  maxDepth?: number;
  /** Ask every node for BEP 51 samples. Default false. */
  sampleInfohashes?: boolean;
  /** sample_infohashes per node at most. Default 8. */
  maxSampleRounds?: number;
  /** A node asking to be sampled again later than this (seconds) is not waited for. Default 600. */
  maxSampleWaitSeconds?: number;
  signal?: AbortSignal;
  onProgress?(counts: CrawlCounts): void;
  now?: () => number;
  random?: RandomBytes;
}

export const CRAWL_DEFAULTS = {
  concurrency: 128,
  maxNodes: 1_000_000,
  maxDepth: 32,
  maxSampleRounds: 8,
  maxSampleWaitSeconds: 600,
} as const;

/** Walks until every node heard of is done (or failed), or `signal` aborts. */
export async function crawl(options: CrawlOptions): Promise<{ aborted: boolean }> {
  const o = {
    concurrency: options.concurrency ?? CRAWL_DEFAULTS.concurrency,
    maxNodes: options.maxNodes ?? CRAWL_DEFAULTS.maxNodes,
    maxDepth: options.maxDepth ?? CRAWL_DEFAULTS.maxDepth,
    maxSampleRounds: options.maxSampleRounds ?? CRAWL_DEFAULTS.maxSampleRounds,
    maxSampleWaitSeconds: options.maxSampleWaitSeconds ?? CRAWL_DEFAULTS.maxSampleWaitSeconds,
  };
  const now = options.now ?? Date.now;
  const random: RandomBytes = options.random ?? ((n) => randomBytes(n));
  const { snapshot, queriers } = options;
  const dualStack = queriers[4] !== undefined && queriers[6] !== undefined;
  const want = dualStack ? ['n4', 'n6'] : undefined;
  const { sink } = options;
  // Per node being sampled: the infohashes it gave, to tell when we have seen all it holds.
  const sampledFrom = new Map<string, HashedKeySet>();
  // A crawl stays in the scopes it starts in: from a lab on loopback it never leaves
  // loopback; from the internet it never probes private networks or junk addresses.
  const scopes = scopesOf(options.bootstrap);
  const queue = new Queue();
  let known = Object.keys(snapshot.nodes).length;

  const discover = (address: string, port: number, family: 4 | 6, id?: Uint8Array): void => {
    const key = formatEndpoint(address, port);
    if (snapshot.nodes[key] !== undefined || known >= o.maxNodes || port < 1) return;
    if (queriers[family] === undefined || !scopes.has(addressScope(address))) return;
    snapshot.nodes[key] = {
      address,
      port,
      family,
      status: 'pending',
      ...(id ? { id: nodeIdToHex(id) } : {}),
    };
    known++;
    queue.push(key);
  };

  for (const [key, node] of Object.entries(snapshot.nodes))
    if (node.status === 'pending') queue.push(key);
  if (known === 0) {
    for (const b of options.bootstrap) {
      const family = familyOfHost(b.address) ?? (queriers[4] ? 4 : 6);
      discover(b.address, b.port, family);
    }
  }

  /** Takes in an answer; `edgesSeen` folds the duplicates among one node's answers. */
  const heard = (
    node: CrawlNode,
    result: ResponseResult,
    v: Uint8Array | undefined,
    edgesSeen: HashedKeySet,
  ): void => {
    const at = now();
    node.id = nodeIdToHex(result.id);
    node.firstSeen ??= at;
    node.lastSeen = at;
    if (v !== undefined) {
      const version = decodeClientVersion(v);
      // A client we cannot name goes by its 2 letters.
      const client = clientLabel(version, version.client ?? version.code);
      if (client !== undefined) node.client = client;
    }
    const returned: CompactNode[] = [...(result.nodes ?? []), ...(result.nodes6 ?? [])];
    for (const n of returned) {
      if (edgesSeen.add(hashKey(n.id, n.address, n.port))) {
        const to = nodeIdToHex(n.id);
        snapshot.edges++;
        sink.edge({
          from: node.id,
          fromAddress: node.address,
          fromPort: node.port,
          to,
          toAddress: n.address,
          toPort: n.port,
        });
      }
      discover(n.address, n.port, familyOf(n.address), n.id);
    }
  };

  const aborted = (): boolean => options.signal?.aborted === true;

  const findNode = async (
    node: CrawlNode,
    target: Uint8Array,
    edgesSeen: HashedKeySet,
  ): Promise<ResponseResult> => {
    const querier = queriers[node.family]!;
    const to = { address: node.address, port: node.port };
    const response = await querier.query(to, {
      method: 'find_node',
      args: want === undefined ? { target } : { target, want },
    });
    heard(node, response.result, response.v, edgesSeen);
    return response.result;
  };

  const walk = async (key: string): Promise<void> => {
    const node = snapshot.nodes[key]!;
    const edgesSeen = new HashedKeySet();
    let first: ResponseResult;
    try {
      // Nodes closest to its own id: the deepest buckets, and how deep they go.
      const introduced = node.id;
      first = await findNode(
        node,
        introduced === undefined ? randomNodeId(random) : nearId(nodeIdFromHex(introduced)),
        edgesSeen,
      );
      // Its id was unknown (a bootstrap address) or it answered with another one: ask near the id it gave.
      if (introduced !== node.id) first = await findNode(node, nearId(first.id), edgesSeen);
    } catch {
      if (node.status === 'pending') node.status = 'failed';
      return;
    }
    const id = nodeIdFromHex(node.id!);
    const deepest = Math.min(
      o.maxDepth,
      Math.max(
        0,
        ...[...(first.nodes ?? []), ...(first.nodes6 ?? [])].map((n) =>
          commonPrefixLength(id, n.id),
        ),
      ),
    );
    let failures = 0;
    for (let depth = 0; depth < deepest && !aborted() && failures < 3; depth++) {
      try {
        await findNode(node, randomIdWithPrefix(id, depth, random), edgesSeen);
        failures = 0;
      } catch {
        failures++;
      }
    }
    if (aborted()) return;
    node.status = 'done';
    if (options.sampleInfohashes === true) await sample(key, node, edgesSeen);
  };

  let timers = 0;
  const pendingTimers = new Set<ReturnType<typeof setTimeout>>();

  const sample = async (key: string, node: CrawlNode, edgesSeen: HashedKeySet): Promise<void> => {
    const querier = queriers[node.family]!;
    let result: ResponseResult;
    try {
      const response = await querier.query(
        { address: node.address, port: node.port },
        {
          method: 'sample_infohashes',
          args:
            want === undefined
              ? { target: randomNodeId(random) }
              : { target: randomNodeId(random), want },
        },
      );
      result = response.result;
    } catch (error) {
      sampledFrom.delete(key);
      if (error instanceof DhtQueryError && error.kind === 'error-response') markUnsupported(node);
      return;
    }
    const at = now();
    heard(node, result, undefined, edgesSeen);
    const seen = sampledFrom.get(key) ?? new HashedKeySet();
    sampledFrom.set(key, seen);
    const { fresh, again } = foldSample(node, result, seen, at, {
      maxRounds: o.maxSampleRounds,
      maxWaitSeconds: o.maxSampleWaitSeconds,
    });
    for (const infohash of fresh) {
      snapshot.samples++;
      sink.sample({ infohash, address: node.address, port: node.port, at });
    }
    if (again === undefined || aborted()) {
      sampledFrom.delete(key);
      return;
    }
    timers++;
    const timer = setTimeout(
      () => {
        pendingTimers.delete(timer);
        sample(key, node, edgesSeen).finally(() => {
          timers--;
          pump();
        });
      },
      Math.max(0, again - now()),
    );
    pendingTimers.add(timer);
  };

  let active = 0;
  let finish: (value: { aborted: boolean }) => void = () => {};
  const finished = new Promise<{ aborted: boolean }>((resolve) => {
    finish = resolve;
  });
  let lastProgress = 0;
  const pump = (): void => {
    if (aborted()) {
      for (const timer of pendingTimers) clearTimeout(timer);
      timers -= pendingTimers.size;
      pendingTimers.clear();
    }
    while (!aborted() && active < o.concurrency && queue.length > 0) {
      const key = queue.shift();
      if (snapshot.nodes[key]?.status !== 'pending') continue;
      active++;
      walk(key).finally(() => {
        active--;
        pump();
      });
    }
    if (options.onProgress !== undefined && now() - lastProgress > 250) {
      lastProgress = now();
      options.onProgress(countSnapshot(snapshot));
    }
    if (active === 0 && timers === 0 && (queue.length === 0 || aborted())) {
      options.onProgress?.(countSnapshot(snapshot));
      finish({ aborted: aborted() });
    }
  };
  options.signal?.addEventListener('abort', () => pump(), { once: true });
  pump();
  return finished;
}
