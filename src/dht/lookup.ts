/**
 * The iterative Kademlia lookup (BEP 5), as an algorithm handed its network
 * call — as anacrolix/dht's traversal is — so it runs the same over any
 * transport, in a crawler or in a test with a fake `query`.
 *
 * Candidates are kept sorted by XOR distance to the target. Each step walks
 * them from the closest: a node that answered counts towards the k results,
 * one in flight or failed is passed over, and unqueried ones are queried
 * while fewer than `alpha` queries are in flight. The lookup ends when no
 * query is in flight and none is due, that is once the k closest nodes still
 * standing have all answered (libtorrent's traversal ends the same way).
 *
 * Seeds without an id (bootstrap addresses) sort first and are queried
 * first; once they answer they take their place by the id they report.
 * Everything is bounded: candidates kept, queries sent, peers collected.
 */
import { compareDistance, nodeIdsEqual, nodeIdToHex } from '../protocol/kademlia/index.ts';
import type { CompactNode, PeerAddress } from '../protocol/net/compact.ts';
import { endpointKey } from './address.ts';

/** A node to query: its address, and its id when known. */
export interface LookupNode {
  id?: Uint8Array;
  address: string;
  port: number;
}

/** What a queried node told us. */
export interface LookupReply {
  /** The id it answered with. */
  id: Uint8Array;
  /** Nodes closer to the target, of the family the lookup walks. */
  nodes: readonly CompactNode[];
  /** get_peers `values`. */
  peers?: readonly PeerAddress[];
  /** get_peers write token. */
  token?: Uint8Array;
}

export interface LookupParameters {
  /** Concurrent queries. Default 3 (Kademlia's alpha). */
  alpha: number;
  /** Results wanted: the lookup ends when the k closest have answered. Default 8 (BEP 5). */
  k: number;
  /** Queries sent at most. Default 256: a lookup in the real DHT takes 20–60. */
  maxQueries: number;
  /** Candidates kept, closest first. Default 128. */
  maxCandidates: number;
  /** Distinct peers collected at most. Default 2,000. */
  maxPeers: number;
}

export const LOOKUP_DEFAULTS: LookupParameters = {
  alpha: 3,
  k: 8,
  maxQueries: 256,
  maxCandidates: 128,
  maxPeers: 2_000,
};

export interface LookupAlgorithmOptions extends Partial<LookupParameters> {
  target: Uint8Array;
  seeds: readonly LookupNode[];
  /** Queries one node; rejects when it does not answer. */
  query(node: LookupNode): Promise<LookupReply>;
  /** Whether a node learned from an answer may become a candidate (own id, wrong family, …). */
  accept?(node: CompactNode): boolean;
}

export interface LookupResult {
  /** The k closest nodes that answered, closest first. */
  closest: CompactNode[];
  /** Peers from get_peers `values`, without duplicates. */
  peers: PeerAddress[];
  /** Write tokens by the hex id of the node that gave them. */
  tokens: Map<string, Uint8Array>;
  /** Queries sent. */
  queried: number;
  /** Queries answered. */
  responded: number;
}

type State = 'new' | 'waiting' | 'answered' | 'failed';

interface Candidate {
  id: Uint8Array | undefined;
  readonly address: string;
  readonly port: number;
  state: State;
}

export function iterativeLookup(options: LookupAlgorithmOptions): Promise<LookupResult> {
  const { alpha, k, maxQueries, maxCandidates, maxPeers } = { ...LOOKUP_DEFAULTS, ...options };
  const { target, query, accept } = options;
  const candidates: Candidate[] = [];
  const seenEndpoints = new Set<string>();
  const seenIds = new Set<string>();
  const peers: PeerAddress[] = [];
  const seenPeers = new Set<string>();
  const tokens = new Map<string, Uint8Array>();
  let inFlight = 0;
  let queried = 0;
  let responded = 0;
  let finished = false;

  const byDistance = (a: Candidate, b: Candidate): number => {
    if (a.id === undefined || b.id === undefined)
      return (a.id === undefined ? 0 : 1) - (b.id === undefined ? 0 : 1);
    return compareDistance(target, a.id, b.id);
  };

  const addCandidate = (node: LookupNode): void => {
    if (!Number.isInteger(node.port) || node.port < 1 || node.port > 65_535) return;
    const endpoint = endpointKey(node.address, node.port);
    if (seenEndpoints.has(endpoint)) return;
    const idKey = node.id === undefined ? undefined : nodeIdToHex(node.id);
    // One candidate per id: more addresses claiming one id are not more nodes.
    if (idKey !== undefined && seenIds.has(idKey)) return;
    seenEndpoints.add(endpoint);
    if (idKey !== undefined) seenIds.add(idKey);
    candidates.push({
      // A copy: the id may be a view into a datagram.
      id: node.id === undefined ? undefined : new Uint8Array(node.id),
      address: node.address,
      port: node.port,
      state: 'new',
    });
  };

  const onReply = (candidate: Candidate, reply: LookupReply): void => {
    responded++;
    if (candidate.id === undefined) {
      candidate.id = new Uint8Array(reply.id);
      seenIds.add(nodeIdToHex(reply.id));
    }
    // A node answering with another id than it was introduced by is not the
    // node we were told of: its nodes are still worth following, but its
    // claimed place in the result is not trusted.
    candidate.state = nodeIdsEqual(candidate.id, reply.id) ? 'answered' : 'failed';
    if (reply.token !== undefined) tokens.set(nodeIdToHex(reply.id), new Uint8Array(reply.token));
    for (const peer of reply.peers ?? []) {
      const key = endpointKey(peer.address, peer.port);
      if (peers.length >= maxPeers || seenPeers.has(key)) continue;
      seenPeers.add(key);
      peers.push({ address: peer.address, port: peer.port });
    }
    for (const node of reply.nodes) {
      if (accept === undefined || accept(node)) addCandidate(node);
    }
    candidates.sort(byDistance);
    // Far candidates beyond the bound go; one still in flight keeps its own
    // reference, so its answer is still handled.
    if (candidates.length > maxCandidates) candidates.length = maxCandidates;
  };

  return new Promise<LookupResult>((resolve) => {
    const finish = (): void => {
      finished = true;
      const closest: CompactNode[] = [];
      for (const c of candidates) {
        if (closest.length >= k) break;
        if (c.state === 'answered' && c.id !== undefined)
          closest.push({ id: c.id, address: c.address, port: c.port });
      }
      resolve({ closest, peers, tokens, queried, responded });
    };

    const send = (candidate: Candidate): void => {
      candidate.state = 'waiting';
      inFlight++;
      queried++;
      let answer: Promise<LookupReply>;
      try {
        answer = query(
          candidate.id === undefined
            ? { address: candidate.address, port: candidate.port }
            : { id: candidate.id, address: candidate.address, port: candidate.port },
        );
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (reply) => {
          inFlight--;
          onReply(candidate, reply);
          step();
        },
        () => {
          inFlight--;
          candidate.state = 'failed';
          step();
        },
      );
    };

    const step = (): void => {
      if (finished) return;
      let answered = 0;
      for (const candidate of candidates) {
        if (answered >= k || inFlight >= alpha || queried >= maxQueries) break;
        if (candidate.state === 'answered') answered++;
        else if (candidate.state === 'new') send(candidate);
      }
      if (inFlight === 0) finish();
    };

    for (const seed of options.seeds) addCandidate(seed);
    candidates.sort(byDistance);
    step();
  });
}
