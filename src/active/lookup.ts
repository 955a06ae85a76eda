/**
 * `dhtscope lookup`: an iterative get_peers for one infohash (the engine's
 * lookup algorithm, src/dht/lookup.ts, handed our polite query), reporting
 * peers as they arrive. Dual-stack when the tool has both an IPv4 and an IPv6
 * node: every query asks for both families (BEP 32 `want` n4 n6), and the
 * walk over the other family starts from the first such nodes it is given.
 */
import { endpointKey } from '../dht/address.ts';
import { iterativeLookup, type LookupNode, type LookupReply } from '../dht/lookup.ts';
import type { Destination } from '../dht/transport.ts';
import type { CompactNode, PeerAddress } from '../protocol/net/compact.ts';
import type { ActiveQuerier } from './client.ts';
import { addressScope, familyOfHost, scopesOf } from './endpoints.ts';

export interface ActiveLookupOptions {
  infoHash: Uint8Array;
  /** One querier per family the tool can speak. */
  queriers: { 4?: ActiveQuerier; 6?: ActiveQuerier };
  /** Where to start, either family. */
  bootstrap: readonly Destination[];
  /** Concurrent queries per family. Default 3. */
  alpha?: number;
  /** Closest nodes the walk must reach. Default 8. */
  k?: number;
  /** Queries per family at most. Default 256. */
  maxQueries?: number;
  onPeer?(peer: PeerAddress, from: Destination): void;
}

export interface ActiveLookupResult {
  peers: PeerAddress[];
  /** The closest nodes that answered, closest first, of every family walked. */
  closest: CompactNode[];
  queried: number;
  responded: number;
  /** Longest chain of referrals to a node that answered (a bootstrap node is hop 1). */
  hops: number;
  durationMs: number;
}

export async function activeLookup(options: ActiveLookupOptions): Promise<ActiveLookupResult> {
  const started = Date.now();
  const families = ([4, 6] as const).filter((f) => options.queriers[f] !== undefined);
  const dualStack = families.length === 2;
  const want = dualStack ? ['n4', 'n6'] : undefined;
  const hopOf = new Map<string, number>();
  const peers: PeerAddress[] = [];
  const seenPeers = new Set<string>();
  let hops = 0;
  // The walk stays in the scopes it starts in (a lab on loopback never leaves it).
  const scopes = scopesOf(options.bootstrap);
  const usable = (node: CompactNode): boolean =>
    node.port > 0 && scopes.has(addressScope(node.address));
  const walks = new Map<4 | 6, Promise<Awaited<ReturnType<typeof iterativeLookup>>>>();

  const walk = (family: 4 | 6, seeds: readonly LookupNode[]): void => {
    if (walks.has(family)) return;
    const querier = options.queriers[family]!;
    for (const seed of seeds) hopOf.set(endpointKey(seed.address, seed.port), 1);
    const query = async (node: LookupNode): Promise<LookupReply> => {
      const response = await querier.query(node, {
        method: 'get_peers',
        args:
          want === undefined
            ? { infoHash: options.infoHash }
            : { infoHash: options.infoHash, want },
      });
      const result = response.result;
      const hop = hopOf.get(endpointKey(node.address, node.port)) ?? 1;
      hops = Math.max(hops, hop);
      for (const next of [...(result.nodes ?? []), ...(result.nodes6 ?? [])]) {
        const key = endpointKey(next.address, next.port);
        if (!hopOf.has(key)) hopOf.set(key, hop + 1);
      }
      for (const peer of result.values ?? []) {
        const key = endpointKey(peer.address, peer.port);
        if (seenPeers.has(key)) continue;
        seenPeers.add(key);
        const copy = { address: peer.address, port: peer.port };
        peers.push(copy);
        options.onPeer?.(copy, { address: node.address, port: node.port });
      }
      // The other family's walk starts from the first of its nodes we are given.
      const other = family === 4 ? 6 : 4;
      const otherNodes = (other === 4 ? result.nodes : result.nodes6) ?? [];
      const usableOther = otherNodes.filter(usable);
      if (dualStack && usableOther.length > 0) walk(other, usableOther.map(copyNode));
      return {
        id: result.id,
        nodes: (family === 4 ? result.nodes : result.nodes6) ?? [],
        ...(result.token === undefined ? {} : { token: result.token }),
      };
    };
    walks.set(
      family,
      iterativeLookup({
        target: options.infoHash,
        seeds,
        query,
        ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
        ...(options.k === undefined ? {} : { k: options.k }),
        ...(options.maxQueries === undefined ? {} : { maxQueries: options.maxQueries }),
        accept: usable,
      }),
    );
  };

  for (const family of families) {
    const seeds = options.bootstrap.filter((b) => familyOfHost(b.address) === family);
    if (seeds.length > 0) walk(family, seeds);
  }
  // Host names resolve when sent to: they go to the IPv4 walk, or the only one.
  const named = options.bootstrap.filter((b) => familyOfHost(b.address) === undefined);
  if (named.length > 0 && families.length > 0) {
    const family = families[0]!;
    if (!walks.has(family)) walk(family, named);
  }

  const results = [];
  // Walks can start while others run: wait until no new one appears.
  for (let done = 0; done < walks.size; done = results.length) {
    results.push(...(await Promise.all([...walks.values()].slice(done))));
  }
  return {
    peers,
    closest: results.flatMap((r) => r.closest),
    queried: results.reduce((sum, r) => sum + r.queried, 0),
    responded: results.reduce((sum, r) => sum + r.responded, 0),
    hops,
    durationMs: Date.now() - started,
  };
}

function copyNode(node: CompactNode): LookupNode {
  return { id: new Uint8Array(node.id), address: node.address, port: node.port };
}
