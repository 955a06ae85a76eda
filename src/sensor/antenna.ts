/**
 * The passive sensor: N ports × M identities of the DHT engine, every
 * inbound datagram recorded as an event (enriched on the way in), the
 * opsec contract enforced on every outgoing datagram, health sampled into
 * system_metrics, retention run every 6 hours. It knows nothing of
 * analysis: the `antenna` command wires live detectors to its event stream.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type Clock, systemClock } from '../dht/clock.ts';
import type { Inbound } from '../dht/inbound.ts';
import { DhtNode } from '../dht/node.ts';
import { type Transport, udpTransport } from '../dht/transport.ts';
import { createEnricher, type Enricher } from '../enrich/index.ts';
import { toHex } from '../protocol/hex.ts';
import { parseIp } from '../protocol/net/ip.ts';
import { seededRandomBytes } from '../protocol/random.ts';
// The store's modules one by one, not its index: the index also exports the readers,
// which load DuckDB (~47 MB resident) into the sensor. Rotation and retention run in
// child processes instead.
import { EVENTS, SYSTEM_METRICS } from '../store/datasets.ts';
import { Journal } from '../store/journal.ts';
import { openDataDir } from '../store/layout.ts';
import { RETENTION_INTERVAL_MS } from '../store/retention.ts';
import type { EventRecord, SystemMetrics } from '../store/schema.ts';
import { type AntennaConfig, PUBLIC_ROUTERS } from './config.ts';
import {
  bep42SliceId,
  IDENTITY_DEFAULTS,
  nextRotationDelay,
  planIdentities,
  sliceId,
} from './identities.ts';
import type { Logger } from './log.ts';
import { countDrop, MetricsSampler, newCounters, type SensorCounters } from './metrics.ts';
import { PASSIVE_ANSWERS, passiveVerdict } from './opsec.ts';
import { PortMux } from './port-mux.ts';
import { renderPrometheus, servePrometheus } from './prometheus.ts';
import { toEvent } from './to-event.ts';

/** Our `v` field: "DS" (dhtscope) and a version number, as BEP 5 suggests. */
export const ANTENNA_VERSION = Uint8Array.of(0x44, 0x53, 0x00, 0x01);

/** The CLI, for retention runs; the same path from src/sensor and dist/sensor. */
const DHTSCOPE_BIN = fileURLToPath(new URL('../../bin/dhtscope.js', import.meta.url));

/** An identity counts as reachable while it has received a query within this window. */
const REACHABLE_WINDOW_MS = 10 * 60_000;

interface Identity {
  port: number;
  index: number;
  slot: number;
  node: DhtNode;
  /** What every event of this identity says of its receiver (its id in hex); replaced with the id. */
  receiver: { port: number; id: string };
  lastQueryAt: number;
  rotation: unknown;
}

export interface AntennaStatus {
  identities: number;
  reachable: number;
  routingTableNodes: number;
  eventsPerSecond: number;
  received: number;
  recorded: number;
  drops: number;
  blockedSends: number;
}

export interface AntennaDeps {
  log: Logger;
  clock?: Clock;
  /** Inbound events from every identity, after they are recorded (the live detectors hook in here). */
  onEvent?: (event: EventRecord) => void;
  /** Opens the socket of one port; real UDP by default (the lab and benchmarks bring their own). */
  openSocket?: (address: string, port: number) => Promise<Transport>;
}

export class Antenna {
  readonly counters: SensorCounters = newCounters();
  readonly config: AntennaConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly onEvent: ((event: EventRecord) => void) | undefined;
  private readonly openSocket: (address: string, port: number) => Promise<Transport>;
  private readonly identities: Identity[] = [];
  private readonly muxes: PortMux[] = [];
  private readonly sockets: Transport[] = [];
  private readonly ownIds = new Set<string>();
  private events!: Journal<EventRecord>;
  private metricsJournal!: Journal<SystemMetrics>;
  private enricher!: Enricher;
  private sampler!: MetricsSampler;
  private server: Server | undefined;
  private readonly timers = new Map<string, unknown>();
  private bootstrap: { address: string; port: number }[] = [];
  private lastStatus = { at: 0, recorded: 0, rate: 0 };
  private stopped = false;

  private constructor(config: AntennaConfig, deps: AntennaDeps) {
    this.config = config;
    this.log = deps.log;
    this.clock = deps.clock ?? systemClock;
    this.onEvent = deps.onEvent;
    // A large receive buffer absorbs bursts; the kernel caps it at net.core.rmem_max.
    this.openSocket =
      deps.openSocket ??
      ((address, port) => udpTransport({ address, port, receiveBufferSize: 8 << 20 }));
  }

  static async start(config: AntennaConfig, deps: AntennaDeps): Promise<Antenna> {
    const antenna = new Antenna(config, deps);
    try {
      await antenna.open();
    } catch (error) {
      await antenna.stop().catch(() => {});
      throw error;
    }
    return antenna;
  }

  private async open(): Promise<void> {
    const config = this.config;
    const layout = openDataDir(config.dataDir, { create: true });
    this.events = await Journal.open<EventRecord>(layout, EVENTS, { writerId: config.writerId });
    this.metricsJournal = await Journal.open<SystemMetrics>(layout, SYSTEM_METRICS, {
      writerId: config.writerId,
    });
    this.enricher = createEnricher({
      builtin: config.enrichment.builtin,
      ...(config.enrichment.overlay === undefined
        ? {}
        : { overlayPath: config.enrichment.overlay }),
      ...(config.enrichment.maxmindAsn === undefined
        ? {}
        : { maxmindAsnPath: config.enrichment.maxmindAsn }),
      ...(config.enrichment.maxmindCity === undefined
        ? {}
        : { maxmindCityPath: config.enrichment.maxmindCity }),
    });
    this.enricher.preload();
    this.bootstrap = await resolveBootstrap(
      config.bootstrap.length > 0 ? config.bootstrap : [...PUBLIC_ROUTERS],
      this.log,
    );
    if (this.bootstrap.length === 0) {
      this.log.warn(
        'no bootstrap node could be resolved: the antenna will only see nodes that find it on their own',
        {
          hint: 'check DNS and the network, or give --bootstrap <ip:port> of a node you know',
        },
      );
    }

    const plans = planIdentities(config.ports, config.idsPerPort);
    const externalIp = config.externalIp === undefined ? null : parseIp(config.externalIp);
    // A lab passes a seed so its plans know the sensor's ids; anywhere else ids
    // must not be predictable, and come from the system's randomness.
    const idRandom = config.idSeed === undefined ? randomBytes : seededRandomBytes(config.idSeed);
    const newId = (index: number) =>
      config.bep42Ids && externalIp !== null
        ? bep42SliceId(externalIp, index, plans.length, idRandom)
        : sliceId(index, plans.length, idRandom);
    for (const port of config.ports) {
      const socket = await this.openSocket(config.bind, port);
      this.sockets.push(socket);
      this.muxes.push(new PortMux(socket, () => this.ownIds));
    }
    for (const plan of plans) {
      const id = newId(plan.index);
      const identity: Identity = {
        ...plan,
        node: undefined as unknown as DhtNode,
        receiver: { port: plan.port, id: toHex(id) },
        lastQueryAt: 0,
        rotation: undefined,
      };
      this.ownIds.add(identity.receiver.id);
      identity.node = this.startNode(identity, id);
      this.identities.push(identity);
      this.scheduleRotation(identity, newId);
    }
    this.log.info('antenna started', {
      identities: this.identities.length,
      ports: config.ports,
      bootstrap: this.bootstrap.map((b) => `${b.address}:${b.port}`),
      dataDir: layout.root,
    });

    this.sampler = new MetricsSampler(layout.root, config.ports, this.counters, this.clock.now());
    this.every('metrics', config.metricsIntervalSeconds * 1000, () => this.recordMetrics());
    this.every('retention', RETENTION_INTERVAL_MS, () => this.retention(layout.root));
    if (config.metricsPort > 0) {
      this.server = await servePrometheus(config.metricsPort, () => this.prometheus());
      this.log.info('metrics endpoint', { url: `http://127.0.0.1:${config.metricsPort}/metrics` });
    }
  }

  private startNode(identity: Identity, id: Uint8Array): DhtNode {
    const mux = this.muxes[this.config.ports.indexOf(identity.port)]!;
    const node = new DhtNode({
      id,
      transport: mux.channel(identity.slot, id),
      clock: this.clock,
      version: ANTENNA_VERSION,
      rateLimit: this.config.rateLimit,
      // Bucket refresh looks up random ids, which the passive contract forbids.
      refreshBuckets: false,
      policy: {
        ...PASSIVE_ANSWERS,
        scrape: () => undefined,
        allowSend: (message) => passiveVerdict(message, this.ownIds).allowed,
        answerUnknown: true,
      },
    });
    node.onInbound((inbound) => this.record(inbound, identity));
    node.start({ bootstrap: this.bootstrap }).catch((error: unknown) => {
      this.log.warn('bootstrap did not complete', {
        port: identity.port,
        slot: identity.slot,
        error: String(error),
      });
    });
    return node;
  }

  private scheduleRotation(identity: Identity, newId: (index: number) => Uint8Array): void {
    const hours = this.config.rotationHours;
    const period = hours * 3_600_000;
    const jitter = Math.min(IDENTITY_DEFAULTS.rotationJitterMs, period / 4);
    identity.rotation = this.clock.setTimeout(
      () => {
        if (this.stopped) return;
        const old = identity.node;
        const id = newId(identity.index);
        this.ownIds.delete(identity.receiver.id);
        identity.receiver = { port: identity.port, id: toHex(id) };
        this.ownIds.add(identity.receiver.id);
        this.muxes[this.config.ports.indexOf(identity.port)]!.setId(identity.slot, id);
        void old.close();
        identity.node = this.startNode(identity, id);
        this.log.info('identity rotated', {
          port: identity.port,
          slot: identity.slot,
          id: identity.receiver.id,
        });
        this.scheduleRotation(identity, newId);
      },
      nextRotationDelay(period, jitter, randomBytes),
    );
  }

  /** Every datagram any identity receives becomes one event. */
  private record(inbound: Inbound, identity: Identity): void {
    const counters = this.counters;
    counters.received++;
    counters.bytesReceived += inbound.datagram.length;
    const result = inbound.result;
    if (!result.ok)
      counters.malformed[result.reason] = (counters.malformed[result.reason] ?? 0) + 1;
    else if (result.message.y === 'q') identity.lastQueryAt = inbound.receivedAt;
    if (inbound.action === 'rate-limited') counters.rateLimited++;
    const queued = this.events.bufferedRows;
    counters.queueDepth = queued;
    if (queued >= this.config.maxQueuedEvents) {
      countDrop(counters, 'queue-full');
      return;
    }
    const keepRaw = !result.ok && Math.random() < this.config.malformedSampleRate;
    const event = toEvent(
      {
        atMicros: inbound.receivedAtMicros,
        from: inbound.from,
        datagram: inbound.datagram,
        result,
        tokenValid: inbound.tokenValid,
      },
      identity.receiver,
      this.enricher.lookup(inbound.from.address),
      keepRaw,
    );
    this.events.append(event);
    counters.recorded++;
    this.onEvent?.(event);
  }

  private recordMetrics(): void {
    this.syncSendCounters();
    this.metricsJournal.append(this.sampler.sample(this.counters, this.clock.now()));
  }

  /** `dhtscope retention` in a child process, so DuckDB never loads into the sensor. */
  private retention(dataDir: string): void {
    const child = spawn(
      process.execPath,
      [DHTSCOPE_BIN, 'retention', '--json', '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      if (code === 0) this.log.info('retention', { report: out.trim() });
      else this.log.error('retention failed', { exit: code, output: out.trim() });
    });
  }

  private syncSendCounters(): void {
    let sent = 0;
    let bytesSent = 0;
    for (const socket of this.sockets) {
      sent += socket.stats.sent;
      bytesSent += socket.stats.bytesSent;
    }
    this.counters.sent = sent;
    this.counters.bytesSent = bytesSent;
    this.counters.blockedSends = this.muxes.reduce((n, m) => n + m.stats.blocked, 0);
  }

  /** A snapshot for the status line and the metrics endpoint. */
  status(): AntennaStatus {
    this.syncSendCounters();
    const now = this.clock.now();
    if (now - this.lastStatus.at >= 1000) {
      const seconds = this.lastStatus.at === 0 ? 1 : (now - this.lastStatus.at) / 1000;
      this.lastStatus = {
        at: now,
        recorded: this.counters.recorded,
        rate: (this.counters.recorded - this.lastStatus.recorded) / seconds,
      };
    }
    return {
      identities: this.identities.length,
      reachable: this.identities.filter(
        (i) => now - i.lastQueryAt < REACHABLE_WINDOW_MS && i.lastQueryAt > 0,
      ).length,
      routingTableNodes: this.identities.reduce((n, i) => n + i.node.routingTable.size, 0),
      eventsPerSecond: Math.round(this.lastStatus.rate),
      received: this.counters.received,
      recorded: this.counters.recorded,
      drops: Object.values(this.counters.drops).reduce((a, b) => a + b, 0),
      blockedSends: this.counters.blockedSends,
    };
  }

  prometheus(): string {
    const status = this.status();
    return renderPrometheus(this.counters, {
      identities: status.identities,
      identitiesReachable: status.reachable,
      routingTableNodes: status.routingTableNodes,
      kernelDrops: this.sampler.kernelDrops(),
      eventsPerSecond: status.eventsPerSecond,
    });
  }

  /** The local endpoints, one per port (useful when ports were given as 0). */
  get endpoints(): { address: string; port: number }[] {
    return this.sockets.map((s) => ({ address: s.local.address, port: s.local.port }));
  }

  /** Node ids in use, hex. */
  get ids(): string[] {
    return this.identities.map((i) => i.receiver.id);
  }

  /** Flushes everything and stops: events, metrics, sockets, timers. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    for (const identity of this.identities) this.clock.clearTimeout(identity.rotation);
    if (this.sampler !== undefined) this.recordMetrics();
    await Promise.all(this.identities.map((i) => i.node.close()));
    await Promise.all(this.sockets.map((s) => s.close()));
    this.server?.close();
    this.sampler?.close();
    await this.events?.close();
    await this.metricsJournal?.close();
    this.log.info('antenna stopped', {
      received: this.counters.received,
      recorded: this.counters.recorded,
    });
  }

  private every(name: string, ms: number, fn: () => void): void {
    const tick = () => {
      if (this.stopped) return;
      fn();
      this.timers.set(name, this.clock.setTimeout(tick, ms));
    };
    this.timers.set(name, this.clock.setTimeout(tick, ms));
  }
}

async function resolveBootstrap(
  entries: string[],
  log: Logger,
): Promise<{ address: string; port: number }[]> {
  const resolved: { address: string; port: number }[] = [];
  for (const entry of entries) {
    const at = entry.lastIndexOf(':');
    const host = entry.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(entry.slice(at + 1));
    if (parseIp(host) !== null) {
      resolved.push({ address: host, port });
      continue;
    }
    try {
      const { address } = await dnsLookup(host);
      resolved.push({ address, port });
    } catch (error) {
      log.warn('bootstrap host not resolved', { host, error: String(error) });
    }
  }
  return resolved;
}
