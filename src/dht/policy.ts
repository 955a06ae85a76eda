/**
 * What a node answers with and what it may send. The engine is the same for
 * every kind of node; a normal node uses the default policy (a bounded peer
 * store), a sensor restricts it (serves no peers, stores nothing, sends only
 * what its opsec contract allows). The engine never knows which it is.
 */
import type { KrpcMessage } from '../protocol/krpc/index.ts';
import type { PeerAddress } from '../protocol/net/compact.ts';
import type { PeerStore } from './peer-store.ts';
import type { Destination, Endpoint } from './transport.ts';

export interface NodePolicy {
  /**
   * Peers to put in `values` of a get_peers answer to `from` (only those of
   * `from`'s family are sent, BEP 32). `infoHash` is a view into the datagram:
   * copy it to keep it. Default: what announces stored; a sensor returns [].
   */
  peersFor(infoHash: Uint8Array, from: Endpoint, options?: { noseed: boolean }): PeerAddress[];
  /**
   * A valid announce_peer (good token, port resolved from `implied_port`).
   * `infoHash` is a view: copy it to keep it. Default: store it; sensor: nothing.
   */
  onAnnounce(infoHash: Uint8Array, peer: PeerAddress, seed: boolean): void;
  /**
   * BEP 33 bloom filters (256 bytes each) for a get_peers with `scrape`;
   * undefined leaves them out. Default: from the store when it knows the
   * info-hash; a sensor returns undefined.
   */
  scrape(
    infoHash: Uint8Array,
    from: Endpoint,
  ): { seeds: Uint8Array; peers: Uint8Array } | undefined;
  /**
   * BEP 51 answer: concatenated 20-byte info-hashes, how many are stored, and
   * seconds before asking again (0..21600). Default: from the store; a sensor
   * returns an empty sample, num 0.
   */
  samples(): { samples: Uint8Array; num: number; interval: number };
  /**
   * Consulted for every outgoing datagram, queries, responses and errors
   * alike; false means it is not sent and is counted in `blockedSends`.
   */
  allowSend(message: KrpcMessage, to: Destination): boolean;
  /**
   * BEP 5 forward compatibility: answer a query of an unknown method (and a
   * BEP 44 `get`, which this node does not serve) like find_node when it has
   * `target`, like get_peers when it has `info_hash`. False: error 204.
   */
  answerUnknown: boolean;
}

/** BEP 51's largest interval, and what libtorrent uses by default: six hours. */
export const DEFAULT_SAMPLE_INTERVAL_SECONDS = 21_600;

/** A normal node's policy: serve and store announces in `store`, send anything. */
export function defaultPolicy(store: PeerStore): NodePolicy {
  return {
    peersFor: (infoHash, from, options) =>
      store.peers(infoHash, from.family, options?.noseed === true),
    onAnnounce: (infoHash, peer, seed) => store.add(infoHash, peer, seed),
    scrape: (infoHash) => store.scrape(infoHash),
    samples: () => ({ ...store.samples(), interval: DEFAULT_SAMPLE_INTERVAL_SECONDS }),
    allowSend: () => true,
    answerUnknown: true,
  };
}
