/** Test helpers for the dht layer: raw peers that speak bytes, and small networks of nodes. */

import type { Clock } from '../../src/dht/clock.ts';
import type { Inbound } from '../../src/dht/inbound.ts';
import type { MemoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import type { DhtNodeOptions } from '../../src/dht/node-options.ts';
import type { Destination, Endpoint, Transport } from '../../src/dht/transport.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import {
  encodeKrpc,
  type KrpcMessage,
  type ParseResult,
  parseKrpc,
} from '../../src/protocol/krpc/index.ts';
import { seededRandomBytes } from '../../src/protocol/random.ts';

export { ascii, fromHex, toHex, toText } from '../helpers/bytes.ts';

/** A received datagram, copied, with its parse. */
export interface Received {
  data: Uint8Array;
  from: Endpoint;
  parsed: ParseResult;
}

/**
 * A peer that sends hand-made datagrams and keeps everything it receives:
 * how the handler tests look at a node from the outside, byte for byte.
 */
export class RawPeer {
  readonly transport: Transport;
  readonly received: Received[] = [];
  readonly #network: MemoryNetwork;

  constructor(network: MemoryNetwork, address: string, port: number) {
    this.#network = network;
    this.transport = network.transport(address, port);
    this.transport.onDatagram((data, from) => {
      const copy = new Uint8Array(data);
      this.received.push({ data: copy, from, parsed: parseKrpc(copy) });
    });
  }

  get local(): Endpoint {
    return this.transport.local;
  }

  send(message: KrpcMessage | Uint8Array, to: Destination): void {
    this.transport.send(message instanceof Uint8Array ? message : encodeKrpc(message), to);
  }

  /**
   * Sends, waits until the network is idle, and returns the first answer
   * (response or error) that came back, if any. Queries the node sent us
   * meanwhile (it pings newcomers) stay in `received`.
   */
  async request(message: KrpcMessage | Uint8Array, to: Destination): Promise<Received | undefined> {
    const before = this.received.length;
    this.send(message, to);
    await this.#network.settle();
    return this.received.slice(before).find((r) => !(r.parsed.ok && r.parsed.message.y === 'q'));
  }
}

/** The message of a reply that must have parsed. */
export function messageOf(received: Received | undefined): KrpcMessage {
  if (received === undefined) throw new Error('no reply');
  if (!received.parsed.ok) throw new Error(`reply did not parse: ${received.parsed.reason}`);
  return received.parsed.message;
}

/** Every inbound report of a node, in order. */
export function recordInbound(node: DhtNode): Inbound[] {
  const reports: Inbound[] = [];
  node.onInbound((inbound) => reports.push(inbound));
  return reports;
}

export interface TestNetwork {
  nodes: DhtNode[];
  close(): Promise<void>;
}

/**
 * `count` nodes on `transports`, with seeded ids. Upkeep pings get a large
 * budget: a whole network joining at once would otherwise wait on it.
 */
export function makeNodes(
  transports: Transport[],
  seed: number,
  options: Partial<DhtNodeOptions> & { clock?: Clock } = {},
): TestNetwork {
  const random = seededRandomBytes(seed);
  const nodes = transports.map(
    (transport) =>
      new DhtNode({
        id: randomNodeId(random),
        transport,
        upkeepPingRate: { perSecond: 10_000, burst: 10_000 },
        ...options,
      }),
  );
  return {
    nodes,
    close: async () => {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
}

/** Node ids sorted by XOR distance to `target`, as hex: the reference answer for lookups. */
export function bruteForceClosest(ids: Uint8Array[], target: Uint8Array, k: number): string[] {
  const t = toBigInt(target);
  return ids
    .map((id) => ({ hex: hexOf(id), distance: toBigInt(id) ^ t }))
    .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0))
    .slice(0, k)
    .map((entry) => entry.hex);
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function toBigInt(id: Uint8Array): bigint {
  return BigInt(`0x${hexOf(id)}`);
}

/** A deterministic byte source for ids and targets in tests. */
export const seeded = seededRandomBytes;
