/**
 * What a normal node remembers from announce_peer: for each info-hash the
 * peers that announced it, each forgotten after a TTL. Everything is
 * bounded: info-hashes (least recently announced forgotten first), peers per
 * info-hash (oldest announce replaced), peers per answer, samples per
 * BEP 51 answer. The sensor's policy replaces this store with nothing.
 */
import { nodeIdToHex as bytesToHex } from '../protocol/kademlia/index.ts';
import type { PeerAddress } from '../protocol/net/compact.ts';
import { parseIp } from '../protocol/net/ip.ts';
import { ScrapeBloom } from '../protocol/swarm/bloom.ts';
import { familyOf } from './address.ts';
import type { Clock } from './clock.ts';
import { definedOnly } from './defined.ts';

export interface PeerStoreOptions {
  /** Info-hashes remembered. Default 5,000. */
  maxInfoHashes: number;
  /** Peers remembered per info-hash. Default 200. */
  maxPeersPerInfoHash: number;
  /**
   * How long an announce is remembered. Default 45 minutes: clients re-announce
   * about every 30 minutes, so one missed round does not drop a live peer.
   */
  peerTtlMs: number;
  /**
   * Peers in one get_peers answer. Default 50: 50 × 6 bytes of IPv4 (or
   * 50 × 18 of IPv6) plus the rest of the answer stays under a 1,280-byte MTU.
   */
  maxValuesPerAnswer: number;
  /** Info-hashes in one BEP 51 sample. Default 20, as libtorrent. */
  maxSamples: number;
}

export const PEER_STORE_DEFAULTS: PeerStoreOptions = {
  maxInfoHashes: 5_000,
  maxPeersPerInfoHash: 200,
  peerTtlMs: 45 * 60_000,
  maxValuesPerAnswer: 50,
  maxSamples: 20,
};

interface StoredPeer {
  readonly address: string;
  readonly port: number;
  readonly seed: boolean;
  readonly at: number;
}

interface Swarm {
  readonly infoHash: Uint8Array;
  /** By "address|port"; insertion order is announce order (re-announces move to the end). */
  readonly peers: Map<string, StoredPeer>;
}

export class PeerStore {
  readonly options: PeerStoreOptions;
  readonly #clock: Clock;
  readonly #randomBytes: (n: number) => Uint8Array;
  /** By hex info-hash; insertion order is last-announce order. */
  readonly #swarms = new Map<string, Swarm>();

  constructor(
    clock: Clock,
    randomBytes: (n: number) => Uint8Array,
    options: Partial<PeerStoreOptions> = {},
  ) {
    this.options = { ...PEER_STORE_DEFAULTS, ...definedOnly(options) };
    this.#clock = clock;
    this.#randomBytes = randomBytes;
  }

  /** Info-hashes with at least one peer that has not expired. */
  get size(): number {
    this.purgeExpired();
    return this.#swarms.size;
  }

  /** Records an announce. `infoHash` may be a view into a datagram: it is copied. */
  add(infoHash: Uint8Array, peer: PeerAddress, seed: boolean): void {
    const key = bytesToHex(infoHash);
    let swarm = this.#swarms.get(key);
    if (swarm === undefined) {
      swarm = { infoHash: new Uint8Array(infoHash), peers: new Map() };
      if (this.#swarms.size >= this.options.maxInfoHashes) {
        this.purgeExpired();
        const oldest = this.#swarms.keys().next().value;
        if (this.#swarms.size >= this.options.maxInfoHashes && oldest !== undefined)
          this.#swarms.delete(oldest);
      }
    } else {
      this.#swarms.delete(key);
    }
    this.#swarms.set(key, swarm);
    const peerKey = `${peer.address}|${peer.port}`;
    swarm.peers.delete(peerKey);
    if (swarm.peers.size >= this.options.maxPeersPerInfoHash) {
      const oldest = swarm.peers.keys().next().value;
      if (oldest !== undefined) swarm.peers.delete(oldest);
    }
    const at = this.#clock.now();
    swarm.peers.set(peerKey, { address: peer.address, port: peer.port, seed, at });
  }

  /**
   * Up to `maxValuesPerAnswer` live peers of `family`, the most recent
   * announces first (the likeliest to still be there). With `noseed`
   * (BEP 33) seeds are left out.
   */
  peers(infoHash: Uint8Array, family: 4 | 6, noseed = false): PeerAddress[] {
    const swarm = this.#live(infoHash);
    if (swarm === undefined) return [];
    const found: PeerAddress[] = [];
    const stored = [...swarm.peers.values()];
    for (let i = stored.length - 1; i >= 0; i--) {
      const peer = stored[i]!;
      if (noseed && peer.seed) continue;
      if (familyOf(peer.address) !== family) continue;
      found.push({ address: peer.address, port: peer.port });
      if (found.length >= this.options.maxValuesPerAnswer) break;
    }
    return found;
  }

  /** BEP 33 bloom filters of the seeds' and the other peers' addresses; undefined if none. */
  scrape(infoHash: Uint8Array): { seeds: Uint8Array; peers: Uint8Array } | undefined {
    const swarm = this.#live(infoHash);
    if (swarm === undefined) return undefined;
    const seeds = new ScrapeBloom();
    const peers = new ScrapeBloom();
    for (const peer of swarm.peers.values()) {
      const ip = parseIp(peer.address);
      if (ip !== null) (peer.seed ? seeds : peers).insert(ip);
    }
    return { seeds: seeds.bytes, peers: peers.bytes };
  }

  /** A random sample of stored info-hashes, concatenated (BEP 51), and how many are stored. */
  samples(): { samples: Uint8Array; num: number } {
    this.purgeExpired();
    const swarms = [...this.#swarms.values()];
    const count = Math.min(this.options.maxSamples, swarms.length);
    // A partial Fisher–Yates shuffle picks `count` distinct swarms.
    const random = this.#randomBytes(count * 4);
    const view = new DataView(random.buffer, random.byteOffset, random.byteLength);
    const samples = new Uint8Array(count * 20);
    for (let i = 0; i < count; i++) {
      const j = i + (view.getUint32(i * 4) % (swarms.length - i));
      [swarms[i], swarms[j]] = [swarms[j]!, swarms[i]!];
      samples.set(swarms[i]!.infoHash, i * 20);
    }
    return { samples, num: swarms.length };
  }

  /** Drops expired peers and the info-hashes left without any. */
  purgeExpired(): void {
    const oldestKept = this.#clock.now() - this.options.peerTtlMs;
    for (const [key, swarm] of this.#swarms) {
      for (const [peerKey, peer] of swarm.peers) {
        if (peer.at < oldestKept) swarm.peers.delete(peerKey);
      }
      if (swarm.peers.size === 0) this.#swarms.delete(key);
    }
  }

  #live(infoHash: Uint8Array): Swarm | undefined {
    const key = bytesToHex(infoHash);
    const swarm = this.#swarms.get(key);
    if (swarm === undefined) return undefined;
    const oldestKept = this.#clock.now() - this.options.peerTtlMs;
    for (const [peerKey, peer] of swarm.peers) {
      if (peer.at < oldestKept) swarm.peers.delete(peerKey);
    }
    if (swarm.peers.size > 0) return swarm;
    this.#swarms.delete(key);
    return undefined;
  }
}
