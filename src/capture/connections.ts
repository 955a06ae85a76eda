/**
 * Connections as `dhtscope pcap conns` lists them, in the style of Zeek's
 * conn.log: TCP connections from the flow table, and UDP flows, kept here
 * only when someone listens for them (the scan analysis needs none).
 *
 * A UDP flow is the datagrams between two address/port pairs; its originator
 * sent the first one seen. It ends after a minute without a datagram (Zeek's
 * `udp_inactivity_timeout`), when too many are open (the idlest first), or
 * when the capture ends. Its state is `S0` when only the originator sent,
 * `SF` when both did; its history is `D` for the originator's datagrams and
 * `d` for the responder's, as Zeek writes them.
 */
import type { AddressTable } from './addresses.ts';
import type { ConnState } from './conn-state.ts';
import { HASH_SEED, mixSeeded } from './int-hash.ts';
import { nextSweepAfter } from './sweep-clock.ts';
import type { TcpFlow } from './tcp-flow.ts';

export interface ConnectionRecord {
  proto: 'tcp' | 'udp';
  /** First and last packet, µs since the epoch. */
  start: number;
  last: number;
  orig: string;
  origPort: number;
  resp: string;
  respPort: number;
  state: ConnState;
  history: string;
  origPackets: number;
  respPackets: number;
  /** Payload bytes (TCP: as sent, retransmissions included; UDP: datagram payloads). */
  origBytes: number;
  respBytes: number;
}

export type ConnectionListener = (connection: ConnectionRecord) => void;

export function tcpConnection(flow: TcpFlow): ConnectionRecord {
  return {
    proto: 'tcp',
    start: flow.start,
    last: flow.last,
    orig: flow.initiator,
    origPort: flow.initiatorPort,
    resp: flow.responder,
    respPort: flow.responderPort,
    state: flow.state(),
    history: flow.history,
    origPackets: flow.origPackets,
    respPackets: flow.respPackets,
    origBytes: flow.origBytes,
    respBytes: flow.respBytes,
  };
}

export interface UdpFlowOptions {
  /** µs without a datagram after which a flow ends. Default 60 s. */
  idleTimeout: number;
  /** Flows open at most. Default 1,000,000. */
  maxFlows: number;
}

export const DEFAULT_UDP_FLOW_OPTIONS: UdpFlowOptions = {
  idleTimeout: 60_000_000,
  maxFlows: 1_000_000,
};

interface UdpFlow {
  /** Which flow this is, counted from the capture's first. */
  serial: number;
  start: number;
  last: number;
  orig: number;
  origPort: number;
  resp: number;
  respPort: number;
  origPackets: number;
  respPackets: number;
  origBytes: number;
  respBytes: number;
}

export class UdpFlowTable {
  private readonly addresses: AddressTable;
  private readonly onEnd: ConnectionListener;
  private readonly options: UdpFlowOptions;
  /**
   * By the lower endpoint, then the higher, each as its address id mixed
   * under the run's seed × 65,536 + port (one number per endpoint, so no key
   * string per datagram). V8 hashes numbers without a seed, and ids and ports
   * follow from what senders chose: unmixed, a sender could pile its flows
   * into one of the Maps' buckets.
   */
  private readonly flows = new Map<number, Map<number, UdpFlow>>();
  /** Flows begun so far: which endpoint is lower depends on the seed, so ends are listed in this order. */
  private begun = 0;
  private nextSweep = 0;
  size = 0;
  /** Flows ended early because too many were open. */
  evicted = 0;

  constructor(
    addresses: AddressTable,
    onEnd: ConnectionListener,
    options: Partial<UdpFlowOptions> = {},
  ) {
    this.addresses = addresses;
    this.onEnd = onEnd;
    this.options = { ...DEFAULT_UDP_FLOW_OPTIONS, ...options };
  }

  datagram(
    ts: number,
    src: number,
    dst: number,
    srcPort: number,
    dstPort: number,
    bytes: number,
  ): void {
    if (ts >= this.nextSweep) {
      if (this.nextSweep !== 0) this.sweep(ts, 1);
      this.nextSweep = nextSweepAfter(ts);
    }
    const from = mixSeeded(src, HASH_SEED) * 65536 + srcPort;
    const to = mixSeeded(dst, HASH_SEED) * 65536 + dstPort;
    const low = Math.min(from, to);
    const high = Math.max(from, to);
    let flow = this.flows.get(low)?.get(high);
    if (flow !== undefined && ts - flow.last > this.options.idleTimeout) {
      // Idle past its timeout since the last sweep: that flow is over, this datagram begins another.
      this.flows.get(low)!.delete(high);
      this.size--;
      this.onEnd(this.record(flow));
      flow = undefined;
    }
    if (flow === undefined) {
      if (this.size >= this.options.maxFlows) this.makeRoom(ts);
      flow = {
        serial: this.begun++,
        start: ts,
        last: ts,
        orig: src,
        origPort: srcPort,
        resp: dst,
        respPort: dstPort,
        origPackets: 0,
        respPackets: 0,
        origBytes: 0,
        respBytes: 0,
      };
      this.inner(low).set(high, flow);
      this.size++;
    }
    flow.last = ts;
    if (src === flow.orig && srcPort === flow.origPort) {
      flow.origPackets++;
      flow.origBytes += bytes;
    } else {
      flow.respPackets++;
      flow.respBytes += bytes;
    }
  }

  /** Ends every open flow (the capture is over), in the order they began. */
  finish(): void {
    const open: UdpFlow[] = [];
    for (const inner of this.flows.values()) for (const flow of inner.values()) open.push(flow);
    this.flows.clear();
    this.size = 0;
    this.endInOrder(open);
  }

  private endInOrder(flows: UdpFlow[]): void {
    flows.sort((a, b) => a.serial - b.serial);
    for (const flow of flows) this.onEnd(this.record(flow));
  }

  private inner(low: number): Map<number, UdpFlow> {
    let inner = this.flows.get(low);
    if (inner === undefined) {
      inner = new Map();
      this.flows.set(low, inner);
    }
    return inner;
  }

  /** Ends the flows idle for longer than the timeout × `scale`, in the order they began. */
  private sweep(now: number, scale: number): void {
    const limit = this.options.idleTimeout * scale;
    const idle: UdpFlow[] = [];
    for (const [low, inner] of this.flows) {
      for (const [high, flow] of inner) {
        if (now - flow.last <= limit) continue;
        inner.delete(high);
        this.size--;
        idle.push(flow);
      }
      if (inner.size === 0) this.flows.delete(low);
    }
    this.endInOrder(idle);
  }

  /** The table is full: the idlest flows end, down to 90 % of the bound (as the TCP flow table does). */
  private makeRoom(now: number): void {
    const before = this.size;
    for (let scale = 0.5; this.size > this.options.maxFlows * 0.9 && scale > 1e-6; scale /= 2) {
      this.sweep(now, scale);
    }
    this.evicted += before - this.size;
  }

  private record(flow: UdpFlow): ConnectionRecord {
    const both = flow.respPackets > 0;
    return {
      proto: 'udp',
      start: flow.start,
      last: flow.last,
      orig: this.addresses.text(flow.orig),
      origPort: flow.origPort,
      resp: this.addresses.text(flow.resp),
      respPort: flow.respPort,
      state: both ? 'SF' : 'S0',
      history: both ? 'Dd' : 'D',
      origPackets: flow.origPackets,
      respPackets: flow.respPackets,
      origBytes: flow.origBytes,
      respBytes: flow.respBytes,
    };
  }
}
