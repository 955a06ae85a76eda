/**
 * The live lab: hundreds of real DHT nodes of our own engine, each on its own
 * loopback address, bootstrapped into one network, and the scenario's actors
 * sending real datagrams from their own addresses on a scaled clock. The
 * sensor is a separate process (the real `dhtscope antenna`), told the same
 * clock origin and scale, so the events it records carry lab time.
 *
 * Nothing here sends outside 127.0.0.0/8: every address comes from the
 * scenario, whose networks are checked to lie inside it, and every send is
 * checked again (`assertLoopback`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { type Clock, scaledClock, systemClock } from '../dht/clock.ts';
import { DhtNode } from '../dht/node.ts';
import { udpTransport } from '../dht/udp-transport.ts';
import { parseKrpc } from '../protocol/krpc/index.ts';
import { deliveries, encodeDelivery } from './delivery.ts';
import { Directory, type DirectoryNode } from './directory.ts';
import { Rng } from './rng.ts';
import { labNodeIds } from './sensor-plan.ts';
import { timeline } from './timeline.ts';
import type { World } from './world.ts';

/** The `v` of the lab's own nodes: "LB" (lab) 0.1. */
export const LAB_NODE_VERSION = Uint8Array.of(0x4c, 0x42, 0x00, 0x01);

export interface LiveProgress {
  /** Lab time done and total, ms. */
  doneMs: number;
  totalMs: number;
  sent: number;
  lost: number;
  /** Datagrams that reached one of the sensor's identities. */
  toSensor: number;
}

export interface LiveResult extends LiveProgress {
  answers: number;
}

export class LiveLab {
  readonly world: World;
  readonly clock: Clock;
  /** The wall-clock instant lab time counts from (lab time = origin + elapsed × scale). */
  readonly originMs: number;
  readonly nodes: DhtNode[];
  readonly #sockets = new Map<string, Socket>();
  /** Tokens the lab's nodes and the sensor handed each actor address, by destination. */
  readonly #tokens = new Map<string, Uint8Array>();
  #answers = 0;

  private constructor(world: World, clock: Clock, originMs: number, nodes: DhtNode[]) {
    this.world = world;
    this.clock = clock;
    this.originMs = originMs;
    this.nodes = nodes;
  }

  /** Binds every lab node and joins them into one network. */
  static async start(world: World, originMs = Date.now()): Promise<LiveLab> {
    const scale = world.scenario.timeScale;
    const clock = scaledClock(scale, systemClock, originMs);
    const ids = labNodeIds(world.scenario, world.dhtNodes.length);
    const nodes: DhtNode[] = [];
    try {
      for (const [i, spec] of world.dhtNodes.entries()) {
        assertLoopback(spec.address);
        const transport = await udpTransport({ address: spec.address, port: spec.port });
        nodes.push(
          new DhtNode({
            id: ids[i]!,
            transport,
            clock,
            version: LAB_NODE_VERSION,
            // Loopback answers take well under a millisecond, but two busy cores can
            // delay one by tens; a scaled 2 s timeout would be 20 ms at scale 100.
            queryTimeoutMs: Math.max(2000, 300 * scale),
            // Actors and the sensor share 127.0.0.1-like sources; the lab is not under attack.
            rateLimit: { perSecond: 10_000, burst: 10_000 },
          }),
        );
      }
    } catch (error) {
      await Promise.all(nodes.map((n) => n.close()));
      throw error;
    }
    const lab = new LiveLab(world, clock, originMs, nodes);
    await lab.#bootstrap();
    return lab;
  }

  /** `host:port` of a few lab nodes: where the sensor bootstraps. */
  bootstrapAddresses(count = 4): string[] {
    return this.nodes.slice(0, count).map((n) => `${n.local.address}:${n.local.port}`);
  }

  /** Mean routing-table size of the lab's nodes (how far the network has converged). */
  meanRoutingTableSize(): number {
    return this.nodes.reduce((sum, n) => sum + n.routingTable.size, 0) / this.nodes.length;
  }

  /** The sensor's identities, learned by pinging each of its ports. */
  async learnSensor(address: string, ports: readonly number[]): Promise<DirectoryNode[]> {
    assertLoopback(address);
    const asker = this.nodes[0]!;
    const found: DirectoryNode[] = [];
    for (const port of ports) {
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await asker.ping({ address, port });
          found.push({ id: Uint8Array.from(response.result.id), address, port, sensor: true });
          break;
        } catch (error) {
          if (attempt >= 20)
            throw new Error(
              `the sensor on ${address}:${port} does not answer pings: ${(error as Error).message}`,
            );
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    return found;
  }

  /**
   * Plays the scenario's actors against the lab and the sensor, in lab time.
   * Resolves when the last planned query is sent (or `signal` aborts).
   */
  async runActors(
    sensorNodes: readonly DirectoryNode[],
    options: { onProgress?: (progress: LiveProgress) => void; signal?: AbortSignal } = {},
  ): Promise<LiveResult> {
    const { scenario } = this.world;
    const ids = labNodeIds(scenario, this.world.dhtNodes.length);
    const directory = new Directory([
      ...sensorNodes,
      ...this.world.dhtNodes.map((n, i) => ({
        id: ids[i]!,
        address: n.address,
        port: n.port,
        sensor: false,
      })),
    ]);
    await this.#openActorSockets();
    const lossRng = Rng.derive(scenario.seed, 'network');
    const progress: LiveProgress = {
      doneMs: 0,
      totalMs: scenario.duration,
      sent: 0,
      lost: 0,
      toSensor: 0,
    };
    let lastReport = 0;
    for (const { actor, query } of timeline(this.world.actors)) {
      if (options.signal?.aborted === true) break;
      const due = this.originMs + query.at / scenario.timeScale;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
      const from = actor.context.addresses[query.from]!;
      const socket = this.#sockets.get(from.ip)!;
      const planned = query.fanout ?? (query.method === 'ping' ? 1 : 8);
      const sent = deliveries(query, directory, lossRng, scenario.lossRate, (to) =>
        this.#tokens.get(tokenKey(from.ip, to.address, to.port)),
      );
      progress.lost += planned - sent.length;
      for (const delivery of sent) {
        assertLoopback(delivery.to.address);
        socket.send(encodeDelivery(delivery), delivery.to.port, delivery.to.address);
        progress.sent++;
        if (delivery.to.sensor) progress.toSensor++;
      }
      progress.doneMs = query.at;
      if (Date.now() - lastReport > 250) {
        lastReport = Date.now();
        options.onProgress?.({ ...progress });
      }
    }
    progress.doneMs = scenario.duration;
    // Let the last answers (and the tokens they carry) arrive.
    await sleep(200);
    options.onProgress?.({ ...progress });
    return { ...progress, answers: this.#answers };
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
    await Promise.all(this.nodes.map((n) => n.close()));
  }

  /** Every node joins through the first and one earlier node, a batch at a time. */
  async #bootstrap(): Promise<void> {
    const rng = Rng.derive(this.world.scenario.seed, 'bootstrap');
    const first = this.nodes[0]!;
    first.start();
    const BATCH = 25;
    for (let i = 1; i < this.nodes.length; i += BATCH) {
      const batch = this.nodes.slice(i, i + BATCH).map((node, j) => {
        const earlier = this.nodes[rng.int(i + j)]!;
        return node.start({ bootstrap: [first.local, earlier.local] });
      });
      await Promise.all(batch);
    }
    // A second lookup once everyone is in: the early nodes learn of the later ones.
    await Promise.all(this.nodes.slice(0, BATCH).map((n) => n.lookup(n.id)));
  }

  async #openActorSockets(): Promise<void> {
    for (const actor of this.world.actors) {
      for (const address of actor.context.addresses) {
        if (this.#sockets.has(address.ip)) continue;
        assertLoopback(address.ip);
        const socket = createSocket({ type: 'udp4', reuseAddr: false });
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind({ address: address.ip, port: address.port, exclusive: true }, () => {
            socket.off('error', reject);
            resolve();
          });
        });
        socket.on('message', (data, rinfo) =>
          this.#onAnswer(address.ip, data, rinfo.address, rinfo.port),
        );
        socket.on('error', () => {});
        this.#sockets.set(address.ip, socket);
      }
    }
  }

  #onAnswer(ip: string, data: Uint8Array, fromAddress: string, fromPort: number): void {
    const result = parseKrpc(data);
    if (!result.ok || result.message.y !== 'r') return;
    this.#answers++;
    const token = result.message.result.token;
    if (token !== undefined)
      this.#tokens.set(tokenKey(ip, fromAddress, fromPort), Uint8Array.from(token));
  }
}

function tokenKey(ip: string, toAddress: string, toPort: number): string {
  return `${ip}>${toAddress}:${toPort}`;
}

/** The lab's promise: nothing leaves loopback. */
export function assertLoopback(address: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) && address !== '::1') {
    throw new Error(`the lab refuses to use ${address}: only 127.0.0.0/8 and ::1`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
