/**
 * The capture pipeline: frames → packets → TCP connections and UDP datagrams →
 * the BitTorrent extractor's predictions, per-host counts and the failed
 * attempts the scan detector works on. One object, fed frame by frame by the
 * reader; nothing is allocated per packet but the payload views the extractor
 * contract asks for (a connection or an address gets one object when first seen).
 */

import { formatIpv4, formatIpv6 } from '../protocol/net/ip.ts';
import { AddressTable } from './addresses.ts';
import { FailedAttempts } from './attempts.ts';
import { CONN_STATES, type ConnState, isFailedAttempt } from './conn-state.ts';
import {
  type ConnectionListener,
  tcpConnection,
  type UdpFlowOptions,
  UdpFlowTable,
} from './connections.ts';
import { PacketDecoder, PROTO_TCP, PROTO_UDP } from './decode.ts';
import { type FlowListener, FlowTable, type FlowTableOptions } from './flow-table.ts';
import { HostTally } from './host-tally.ts';
import { PredictionQueue } from './prediction-queue.ts';
import { PredictionStore, sourceBit } from './predictions.ts';
import type { FrameSink } from './reader.ts';
import type { TcpFlow } from './tcp-flow.ts';
import type {
  BitTorrentUdpKind,
  PeerPrediction,
  PredictionCallback,
  PredictionExtractor,
  PredictionSource,
  UdpDatagram,
} from './types.ts';

export const UDP_KINDS: readonly BitTorrentUdpKind[] = [
  'dht',
  'udp_tracker',
  'vuze_dht',
  'utp',
  'dht_like',
];

/** Each kind's bit in the tally's btUdpKinds: 1 << its index in UDP_KINDS. */
const UDP_KIND_BITS = Object.fromEntries(UDP_KINDS.map((kind, i) => [kind, 1 << i])) as Record<
  BitTorrentUdpKind,
  number
>;

export type ExtractorFactory = (onPrediction: PredictionCallback) => PredictionExtractor;

export interface AnalyzerOptions {
  /** The BitTorrent coordination extractor; without one nothing is predicted. */
  createExtractor?: ExtractorFactory;
  /** Keep every prediction for listing (`pcap peers`). */
  keepPredictions?: boolean;
  /** µs a prediction stays valid. */
  predictionTtl?: number;
  /** Predictions queued before they go into the store together (see `settle`). Default 131,072. */
  predictionBatch?: number;
  flows?: Partial<FlowTableOptions>;
  /**
   * Hears of every connection as it ends, TCP and UDP (`pcap conns`). Only
   * with a listener are UDP flows tracked at all.
   */
  onConnection?: ConnectionListener;
  udpFlows?: Partial<UdpFlowOptions>;
}

const DEFAULT_PREDICTION_BATCH = 1 << 17;

const BT_UDP = sourceBit('bt_udp');
const RECENT_SLOTS = 4096;

export class CaptureAnalyzer implements FrameSink, FlowListener {
  readonly addresses = new AddressTable();
  readonly decoder = new PacketDecoder(this.addresses);
  /** What hosts learned; complete once the analyzer has finished (predictions are stored in batches). */
  readonly predictions: PredictionStore;
  readonly attempts = new FailedAttempts();
  /**
   * Per-host counts by address id, for every source of UDP and opener of a TCP
   * connection (complete once the analyzer has finished).
   */
  readonly tally = new HostTally();
  readonly states = new Map<ConnState, number>(CONN_STATES.map((s) => [s, 0]));
  /** Every prediction, in arrival order, when `keepPredictions` is set. */
  readonly predictionList: PeerPrediction[] = [];
  /** Predictions naming something that is not an address. */
  badPredictions = 0;
  readonly flows: FlowTable;
  private readonly extractor: PredictionExtractor | undefined;
  private readonly keepPredictions: boolean;
  private readonly onConnection: ConnectionListener | undefined;
  private readonly udpFlows: UdpFlowTable | undefined;
  private readonly datagram: UdpDatagram = {
    ts: 0,
    src: '',
    srcPort: 0,
    dst: '',
    dstPort: 0,
    srcId: 0,
    dstId: 0,
    payload: new Uint8Array(0),
  };
  private finished = false;
  /** Predictions made but not yet in `predictions`. */
  private readonly queued = new PredictionQueue();
  private readonly predictionBatch: number;
  /**
   * For each failed attempt not yet matched against the predictions (those
   * from `settledAttempts` on, in order), how many queued predictions came
   * before it ended.
   */
  private readonly unsettled: number[] = [];
  /** Failed attempts matched so far: the unsettled ones follow. */
  private settledAttempts = 0;
  private lastHostText: string | undefined;
  private lastHostId: number | undefined;
  private readonly recent = {
    src: new Int32Array(RECENT_SLOTS).fill(-1),
    dst: new Int32Array(RECENT_SLOTS),
    port: new Int32Array(RECENT_SLOTS),
    ts: new Float64Array(RECENT_SLOTS),
  };

  constructor(options: AnalyzerOptions = {}) {
    this.predictions = new PredictionStore(options.predictionTtl);
    this.predictionBatch = options.predictionBatch ?? DEFAULT_PREDICTION_BATCH;
    this.keepPredictions = options.keepPredictions === true;
    this.flows = new FlowTable(this.addresses, this, options.flows);
    this.onConnection = options.onConnection;
    if (options.onConnection !== undefined) {
      this.udpFlows = new UdpFlowTable(this.addresses, options.onConnection, options.udpFlows);
    }
    const onPrediction = Object.assign((p: PeerPrediction) => this.predicted(p), {
      compact: this.compactPrediction.bind(this),
      // DHT contacts suppress nothing (see `predicted`); only a listing wants them.
      nodeContacts: this.keepPredictions,
    });
    this.extractor = options.createExtractor?.(onPrediction);
  }

  frame(
    linkType: number,
    ts: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    caplen: number,
  ): void {
    const decoder = this.decoder;
    const protocol = decoder.decode(linkType, bytes, view, offset, caplen);
    if (protocol === 0) return;
    const p = decoder.packet;
    if (protocol === PROTO_TCP) {
      this.flows.segment(
        ts,
        p.v6,
        p.src,
        p.dst,
        p.srcPort,
        p.dstPort,
        p.tcpFlags,
        p.seq,
        bytes,
        p.payloadOffset,
        p.payloadLength,
      );
    } else if (protocol === PROTO_UDP) {
      const addresses = this.addresses;
      const src = addresses.idOf(p.src, p.v6);
      const dst = addresses.idOf(p.dst, p.v6);
      this.udp(ts, bytes, src, dst, p.srcPort, p.dstPort, p.payloadOffset, p.payloadLength);
    }
  }

  private udp(
    ts: number,
    bytes: Uint8Array,
    src: number,
    dst: number,
    srcPort: number,
    dstPort: number,
    offset: number,
    length: number,
  ): void {
    const tally = this.tally;
    tally.add(src);
    tally.udpDatagrams[src]!++;
    this.udpFlows?.datagram(ts, src, dst, srcPort, dstPort, length);
    const extractor = this.extractor;
    if (extractor === undefined || length === 0) return;
    const d = this.datagram;
    d.ts = ts;
    d.src = this.addresses.text(src);
    d.dst = this.addresses.text(dst);
    d.srcPort = srcPort;
    d.dstPort = dstPort;
    d.srcId = src;
    d.dstId = dst;
    d.payload = bytes.subarray(offset, offset + length);
    const kind = extractor.classifyUdp(d);
    if (kind !== undefined) {
      tally.btUdpKinds[src]! |= UDP_KIND_BITS[kind];
      // A uTP connection (or other peer-to-peer BitTorrent UDP) between two
      // hosts predicts TCP between them: clients try both, on the port they
      // listen on. DHT and tracker datagrams go to nodes and trackers, which
      // are not connected to over TCP, so they predict nothing.
      if (
        (kind === 'utp' || kind === 'dht_like') &&
        !this.recentlyPredicted(src, dst, dstPort, ts)
      ) {
        this.queue(src, dst, dstPort, ts, BT_UDP);
        this.queue(dst, src, srcPort, ts, BT_UDP);
      }
    }
    extractor.udp(d);
  }

  /**
   * Whether this pair was recorded less than a second ago: a uTP transfer is
   * thousands of datagrams, and one prediction per second per pair is plenty
   * (a prediction's validity then ends at most a second early). A small
   * direct-mapped cache, so the check costs no allocation.
   */
  private recentlyPredicted(src: number, dst: number, port: number, ts: number): boolean {
    const slot =
      (Math.imul(src, 0x9e3779b1) ^ Math.imul(dst, 0x85ebca6b) ^ port) & (RECENT_SLOTS - 1);
    const recent = this.recent;
    if (recent.src[slot] === src && recent.dst[slot] === dst && recent.port[slot] === port) {
      const age = ts - recent.ts[slot]!;
      if (age >= 0 && age < 1_000_000) return true;
    }
    recent.src[slot] = src;
    recent.dst[slot] = dst;
    recent.port[slot] = port;
    recent.ts[slot] = ts;
    return false;
  }

  data(flow: TcpFlow, fromOriginator: boolean, ts: number, bytes: Uint8Array): boolean {
    // Without an extractor nobody reads payload: the flows need no reassembly at all.
    return this.extractor?.tcpData(flow, fromOriginator, ts, bytes) ?? false;
  }

  end(flow: TcpFlow): void {
    if (flow.delivered) this.extractor?.tcpEnd(flow);
    if (this.onConnection !== undefined) this.onConnection(tcpConnection(flow));
    const state = flow.state();
    this.states.set(state, this.states.get(state)! + 1);
    if (state === 'OTH' && flow.orig === 0) return;
    const tally = this.tally;
    tally.add(flow.origId);
    tally.connections[flow.origId]!++;
    if (isFailedAttempt(state, flow.orig, flow.resp)) {
      tally.failed[flow.origId]!++;
      this.unsettled.push(this.queued.length);
      this.attempts.push(
        flow.origId,
        flow.respId,
        flow.responderPort,
        flow.start,
        CONN_STATES.indexOf(state),
      );
    }
  }

  private queue(host: number, peer: number, port: number, ts: number, source: number): void {
    this.queued.push(host, peer, port, ts, source);
    if (this.queued.length >= this.predictionBatch) this.settle();
  }

  /**
   * Moves the queued predictions into the store and matches the failed
   * attempts that ended meanwhile, each exactly when it ended: after the
   * predictions made before its end, before those made after (the store
   * prunes as it fills, so this is also while the predictions it may match
   * are surely still held).
   */
  private settle(): void {
    const queued = this.queued;
    const store = this.predictions;
    const attempts = this.attempts;
    const unsettled = this.unsettled;
    let next = 0;
    const storeUpTo = (end: number) => {
      for (; next < end; next++) {
        store.add(
          queued.host[next]!,
          queued.peer[next]!,
          queued.port[next]!,
          queued.ts[next]!,
          queued.source[next]!,
        );
      }
    };
    for (let k = 0, i = this.settledAttempts; k < unsettled.length; k++, i++) {
      storeUpTo(unsettled[k]!);
      const bits = store.covering(
        attempts.src[i]!,
        attempts.dst[i]!,
        attempts.port[i]!,
        attempts.ts[i]!,
      );
      if (bits === 0) continue;
      attempts.predicted[i] = bits;
      this.tally.predictedFailed[attempts.src[i]!]!++;
    }
    storeUpTo(queued.length);
    queued.clear();
    unsettled.length = 0;
    this.settledAttempts = attempts.length;
  }

  private predicted(p: PeerPrediction): void {
    if (this.keepPredictions) this.predictionList.push({ ...p });
    // DHT contacts ('node') get UDP queries, not TCP connections: counting them
    // would let any host running a DHT node probe thousands of addresses unseen.
    if (p.contact === 'node') return;
    const host = this.addresses.internText(p.host);
    const peer = this.addresses.internText(p.peer);
    if (host === undefined || peer === undefined || !(p.port > 0 && p.port < 65536)) {
      this.badPredictions++;
      return;
    }
    this.queue(host, peer, p.port, p.ts, sourceBit(p.source));
  }

  /**
   * A prediction read from a compact entry: what `predicted` does with the
   * object it would have been, without making the object or the address text
   * (unless predictions are kept for listing). IPv6 peers take the general way.
   */
  private compactPrediction(
    ts: number,
    host: string,
    buf: Uint8Array,
    at: number,
    length: number,
    port: number,
    source: PredictionSource,
    contact: 'peer' | 'node',
  ): void {
    if (this.keepPredictions || (length !== 6 && contact !== 'node')) {
      const peer = length === 6 ? formatIpv4(buf, at) : formatIpv6(buf, at);
      this.predicted({ ts, host, peer, port, source, contact });
      return;
    }
    if (contact === 'node') return;
    const hostId = this.hostId(host);
    if (hostId === undefined || !(port > 0 && port < 65536)) {
      this.badPredictions++;
      return;
    }
    const peer = this.addresses.internV4(
      (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!,
    );
    this.queue(hostId, peer, port, ts, sourceBit(source));
  }

  /** `internText` of a prediction's host: one host learns many peers in a row. */
  private hostId(text: string): number | undefined {
    if (text === this.lastHostText) return this.lastHostId;
    const id = this.addresses.internText(text);
    this.lastHostText = text;
    this.lastHostId = id;
    return id;
  }

  /**
   * The capture is over: end every connection (which records the last failed
   * attempts), and settle the predictions: the store, the attempts' prediction
   * bits and the hosts' counts of predicted failures are complete after this.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.flows.finish();
    this.udpFlows?.finish();
    this.settle();
  }
}
