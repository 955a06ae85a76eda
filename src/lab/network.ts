/**
 * A standing lab network: N DHT nodes of our own engine, each on its own
 * loopback address, joined into one DHT, holding a few swarms (infohashes
 * announced with peers) and more stored infohashes that BEP 51 samples
 * reveal. It is what `dhtscope lab network` keeps up for the active tools
 * (`lookup`, `crawl`, `estimate`) to point `--bootstrap` at, and what their
 * tests run against: it knows the ground truth (every node, every peer of
 * every swarm, every stored infohash) and, with `meter`, counts what each of
 * its nodes receives per source address and second.
 *
 * Nothing here leaves 127.0.0.0/8: every address is checked.
 */
import { DhtNode } from '../dht/node.ts';
import type { Destination } from '../dht/transport.ts';
import { udpTransport } from '../dht/udp-transport.ts';
import { compareDistance } from '../protocol/kademlia/index.ts';
import type { PeerAddress } from '../protocol/net/compact.ts';
import { seededRandomBytes } from '../protocol/random.ts';
import { InboundMeter } from './inbound-meter.ts';
import { assertLoopback, LAB_NODE_VERSION } from './live.ts';

export interface LabNetworkOptions {
  /** DHT nodes. Default 64. */
  nodes: number;
  /** Address of the first node; the others count up from it (skipping .0 and .255). Default 127.42.0.1. */
  firstAddress: string;
  /** UDP port of every node; 0 lets the system pick one per node. Default 6881. */
  port: number;
  /** Infohashes announced with peers (swarms). Default 5. */
  swarms: number;
  /** Peers per swarm. Default 4. */
  peersPerSwarm: number;
  /** More infohashes stored (one peer each), for BEP 51 samples. Default 40. */
  stored: number;
  /** Nodes that hold each infohash: its closest ones, as announces would place it. Default 8. */
  replication: number;
  /** BEP 51 `interval` the nodes answer with, seconds. Default 60. */
  sampleIntervalSeconds: number;
  /** Node ids, infohashes and peers follow from it. Default 1. */
  seed: number;
  /** Count every datagram each node receives, per source and second (see InboundMeter). Default false. */
  meter: boolean;
  /** Query timeout of the lab's nodes, ms. Default 2,000. */
  queryTimeoutMs: number;
  /**
   * After joining, let every node hear of every other, so routing tables are
   * as full as in a DHT that has run for hours (a fresh join leaves them
   * half empty, and lookups then miss some of the closest nodes). Default true.
   */
  converge: boolean;
  /**
   * Dual-stack: every node gets an IPv6 twin on ::1 (its own id, a port of
   * its own), the twins form the IPv6 side of the DHT, every routing table
   * knows both families (so BEP 32 `want` n4 n6 is answered), and each swarm
   * gets as many IPv6 peers as IPv4 ones. Default false.
   */
  ipv6: boolean;
}

export const LAB_NETWORK_DEFAULTS: LabNetworkOptions = {
  nodes: 64,
  firstAddress: '127.42.0.1',
  port: 6881,
  swarms: 5,
  peersPerSwarm: 4,
  stored: 40,
  replication: 8,
  sampleIntervalSeconds: 60,
  seed: 1,
  meter: false,
  queryTimeoutMs: 2_000,
  converge: true,
  ipv6: false,
};

/** Most nodes one network runs: 10,000 sockets is already far more than a lab needs. */
export const LAB_NETWORK_MAX_NODES = 10_000;

export interface LabSwarm {
  infoHash: Uint8Array;
  peers: PeerAddress[];
}

/** Peers stay as long as the network runs: it announces once, at start. */
const FOREVER_MS = 365 * 24 * 3_600_000;

export class LabNetwork {
  readonly nodes: DhtNode[];
  /** The IPv6 twins, with `ipv6` (otherwise empty). */
  readonly nodes6: DhtNode[] = [];
  /** Per node address, when `meter` is on. */
  readonly meters: ReadonlyMap<string, InboundMeter>;
  readonly swarms: LabSwarm[];
  /** Every infohash some node stores: the swarms' and the extra ones. */
  readonly infoHashes: Uint8Array[];
  readonly options: LabNetworkOptions;

  private constructor(
    options: LabNetworkOptions,
    nodes: DhtNode[],
    meters: Map<string, InboundMeter>,
  ) {
    this.options = options;
    this.nodes = nodes;
    this.meters = meters;
    this.swarms = [];
    this.infoHashes = [];
  }

  static async start(partial: Partial<LabNetworkOptions> = {}): Promise<LabNetwork> {
    const options = { ...LAB_NETWORK_DEFAULTS, ...partial };
    if (
      !Number.isInteger(options.nodes) ||
      options.nodes < 2 ||
      options.nodes > LAB_NETWORK_MAX_NODES
    )
      throw new RangeError(
        `a lab network has 2 to ${LAB_NETWORK_MAX_NODES} nodes, not ${options.nodes}`,
      );
    const random = seededRandomBytes(options.seed);
    const addresses = loopbackAddresses(options.firstAddress, options.nodes);
    const nodes: DhtNode[] = [];
    const meters = new Map<string, InboundMeter>();
    try {
      for (const address of addresses) {
        const node = await labNode(address, options.port, random(20), options);
        if (options.meter) {
          const meter = new InboundMeter();
          meters.set(address, meter);
          node.onInbound((inbound) => meter.record(inbound.from.address, inbound.receivedAt));
        }
        nodes.push(node);
      }
    } catch (error) {
      await Promise.all(nodes.map((n) => n.close()));
      throw error;
    }
    const network = new LabNetwork(options, nodes, meters);
    try {
      await joinAll(nodes, random);
      if (options.ipv6) {
        // Twins' ids from a stream of their own: an IPv4 lab is the same with or without them.
        const random6 = seededRandomBytes(options.seed ^ 0x0606_0606);
        for (let i = 0; i < nodes.length; i++)
          network.nodes6.push(await labNode('::1', 0, random6(20), options));
        await joinAll(network.nodes6, random6);
      }
    } catch (error) {
      await network.close();
      throw error;
    }
    if (options.converge) network.#converge();
    network.#plant(random);
    return network;
  }

  /** Where to bootstrap from: the first node. */
  get bootstrap(): Destination {
    const { address, port } = this.nodes[0]!.local;
    return { address, port };
  }

  /** The most datagrams one source sent any single lab node within a second. */
  peakPerSecondFrom(source: string): number {
    let peak = 0;
    for (const meter of this.meters.values()) peak = Math.max(peak, meter.peakPerSecond(source));
    return peak;
  }

  /** Where to bootstrap IPv6 from, with `ipv6`. */
  get bootstrap6(): Destination | undefined {
    const first = this.nodes6[0];
    return first === undefined
      ? undefined
      : { address: first.local.address, port: first.local.port };
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes, ...this.nodes6].map((n) => n.close()));
  }

  /** Every node hears from every other, of both families, as answers to its queries would tell it. */
  #converge(): void {
    const now = Date.now();
    // Interleaved, so that a dual-stack node's buckets hold both families (its table is shared).
    const all = this.nodes.flatMap((n, i) => {
      const twin = this.nodes6[i];
      return twin === undefined ? [n] : [n, twin];
    });
    const contacts = all.map((n) => ({ id: n.id, address: n.local.address, port: n.local.port }));
    for (const node of all) {
      for (const contact of contacts) node.routingTable.heardFrom(contact, 'response', now);
    }
  }

  /** Places each infohash at its closest nodes, as announces would. */
  #plant(random: (n: number) => Uint8Array): void {
    const { swarms, peersPerSwarm, stored, replication } = this.options;
    const nodes = this.nodes;
    let next = 0;
    const peerAt = (): PeerAddress => {
      // Peers live on the nodes' own addresses (a client's DHT and BitTorrent ports share an IP).
      const node = nodes[next % nodes.length]!;
      const peer = { address: node.local.address, port: 50_000 + Math.floor(next / nodes.length) };
      next++;
      return peer;
    };
    const place = (
      infoHash: Uint8Array,
      among: readonly DhtNode[],
      peers: readonly PeerAddress[],
    ) => {
      const holders = [...among]
        .sort((a, b) => compareDistance(infoHash, a.id, b.id))
        .slice(0, replication);
      for (const holder of holders)
        for (const peer of peers) holder.peerStore.add(infoHash, peer, false);
    };
    let next6 = 0;
    for (let s = 0; s < swarms + stored; s++) {
      const infoHash = random(20);
      const peers = Array.from({ length: s < swarms ? peersPerSwarm : 1 }, peerAt);
      place(infoHash, nodes, peers);
      if (this.nodes6.length > 0 && s < swarms) {
        // The IPv6 side of a swarm: as many peers on ::1, held by the twins closest to it.
        const peers6 = peers.map(() => ({ address: '::1', port: 50_000 + next6++ }));
        place(infoHash, this.nodes6, peers6);
        peers.push(...peers6);
      }
      this.infoHashes.push(infoHash);
      if (s < swarms) this.swarms.push({ infoHash, peers });
    }
  }
}

/** Every node joins through the first and a random earlier one, a batch at a time; then all look themselves up again. */
async function joinAll(
  nodes: readonly DhtNode[],
  random: (n: number) => Uint8Array,
): Promise<void> {
  const first = nodes[0]!;
  first.start();
  const BATCH = 25;
  for (let i = 1; i < nodes.length; i += BATCH) {
    await Promise.all(
      nodes.slice(i, i + BATCH).map((node, j) => {
        const earlier = nodes[(random(4).reduce((a, b) => a * 256 + b, 0) >>> 0) % (i + j)]!;
        return node.start({ bootstrap: [first.local, earlier.local] });
      }),
    );
  }
  // The early nodes joined a small network: a second round lets everyone learn of the later ones.
  for (let i = 0; i < nodes.length; i += BATCH) {
    await Promise.all(nodes.slice(i, i + BATCH).map((n) => n.lookup(n.id)));
  }
}

/** One lab node: our engine, storing announces for good, answering BEP 51 with the lab's interval. */
async function labNode(
  address: string,
  port: number,
  id: Uint8Array,
  options: LabNetworkOptions,
): Promise<DhtNode> {
  assertLoopback(address);
  const transport = await udpTransport({ address, port });
  let self: DhtNode | undefined;
  const node = new DhtNode({
    id,
    transport,
    version: LAB_NODE_VERSION,
    queryTimeoutMs: options.queryTimeoutMs,
    // Tools under test share one source address; the lab is not under attack.
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    peerStore: { peerTtlMs: FOREVER_MS },
    policy: {
      samples: () => ({
        ...(self?.peerStore.samples() ?? { samples: new Uint8Array(0), num: 0 }),
        interval: options.sampleIntervalSeconds,
      }),
    },
  });
  self = node;
  return node;
}

/** `count` loopback addresses counting up from `first`, skipping x.y.z.0 and x.y.z.255. */
export function loopbackAddresses(first: string, count: number): string[] {
  assertLoopback(first);
  const octets = first.split('.').map(Number);
  let value = ((octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const out: string[] = [];
  while (out.length < count) {
    if (value > 0xff_ff_fe)
      throw new RangeError(`not enough addresses in 127.0.0.0/8 after ${first}`);
    const low = value & 0xff;
    if (low !== 0 && low !== 255)
      out.push(`127.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${low}`);
    value++;
  }
  return out;
}
