/**
 * Every open TCP connection, found by its address/port pair without building
 * a key string: an open-addressing hash table over typed arrays (linear
 * probing, deletion by backward shift). Connections end when both sides close
 * or one resets (after a short linger for stray packets), after an idle
 * timeout, when the table is full (the idlest go first) or at the end.
 */

import type { AddressTable } from './addresses.ts';
import {
  SENT_ACK,
  SENT_ANY,
  SENT_DATA,
  SENT_FIN,
  SENT_RST,
  SENT_SYN,
  SENT_SYNACK,
} from './conn-state.ts';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './decode.ts';
import { hashTriple } from './int-hash.ts';
import { TcpFlow } from './tcp-flow.ts';

export interface FlowTableOptions {
  /** µs an unanswered attempt waits before it counts as S0. Default 60 s. */
  attemptTimeout: number;
  /** µs an established connection may stay idle. Default 5 min (Zeek's tcp_inactivity_timeout). */
  idleTimeout: number;
  /** µs a closed connection lingers for retransmissions. Default 10 s. */
  closedLinger: number;
  /** Open connections kept at most. Default 1,000,000. */
  maxFlows: number;
}

export const DEFAULT_FLOW_OPTIONS: FlowTableOptions = {
  attemptTimeout: 60_000_000,
  idleTimeout: 300_000_000,
  closedLinger: 10_000_000,
  maxFlows: 1_000_000,
};

export interface FlowListener {
  /**
   * Bytes of one direction, in order; the view must be copied to be kept.
   * False stops reassembling this direction of this connection (bytes already
   * queued in the reassembler may still arrive in the same pass).
   */
  data(flow: TcpFlow, fromOriginator: boolean, ts: number, bytes: Uint8Array): boolean;
  /** The connection is over; `flow` is not touched again. */
  end(flow: TcpFlow): void;
}

const SWEEP_EVERY = 10_000_000;

export class FlowTable {
  private readonly options: FlowTableOptions;
  private readonly addresses: AddressTable;
  private readonly listener: FlowListener;
  private capacity = 1 << 16;
  /**
   * The hash table: per index, the key (lower address id, higher address id,
   * both ports) and the connection's slot in `flows` (-1: empty), side by
   * side so a probe reads one cache line.
   */
  private table = emptyTable(this.capacity);
  private readonly flows: (TcpFlow | undefined)[] = [];
  private readonly free: number[] = [];
  private nextId = 1;
  private nextSweep = 0;
  size = 0;
  /** Connections ended because the table was full. */
  evicted = 0;
  // The connection and direction `deliver` writes to: one bound function, no closure per packet.
  private current: TcpFlow | undefined;
  private currentFromOrig = false;
  private currentTs = 0;
  private readonly deliver = (bytes: Uint8Array): void => {
    const flow = this.current!;
    flow.delivered = true;
    if (!this.listener.data(flow, this.currentFromOrig, this.currentTs, bytes))
      flow.ignore(this.currentFromOrig);
  };

  constructor(
    addresses: AddressTable,
    listener: FlowListener,
    options: Partial<FlowTableOptions> = {},
  ) {
    this.addresses = addresses;
    this.listener = listener;
    this.options = { ...DEFAULT_FLOW_OPTIONS, ...options };
  }

  segment(
    ts: number,
    src: number,
    dst: number,
    srcPort: number,
    dstPort: number,
    flags: number,
    seq: number,
    bytes: Uint8Array,
    payloadOffset: number,
    payloadLength: number,
  ): void {
    if (ts >= this.nextSweep) {
      if (this.nextSweep !== 0) this.sweep(ts, 1);
      this.nextSweep = ts + SWEEP_EVERY;
    }
    const swap = src > dst || (src === dst && srcPort > dstPort);
    const a = swap ? dst : src;
    const b = swap ? src : dst;
    const ports = swap ? (dstPort << 16) | srcPort : (srcPort << 16) | dstPort;
    const mask = this.capacity - 1;
    const table = this.table;
    let i = hashTriple(a, b, ports) & mask;
    let slot = -1;
    for (;;) {
      const at = i << 2;
      const s = table[at + 3]!;
      if (s < 0) break;
      if (table[at] === a && table[at + 1] === b && table[at + 2] === ports) {
        slot = s;
        break;
      }
      i = (i + 1) & mask;
    }
    const syn = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let flow = slot >= 0 ? this.flows[slot] : undefined;
    if (flow !== undefined && flow.closedAt > 0 && syn) {
      // A new connection reusing the pair of a closed one.
      this.remove(flow, i);
      flow = undefined;
    }
    if (flow === undefined) {
      // A SYN-ACK without its SYN: the side it goes to opened the connection.
      const fromSrc = (flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK);
      flow = this.insert(
        ts,
        fromSrc ? src : dst,
        fromSrc ? srcPort : dstPort,
        fromSrc ? dst : src,
        fromSrc ? dstPort : srcPort,
        a,
        b,
        ports,
      );
    }
    const fromOrig = src === flow.origId && srcPort === flow.initiatorPort;
    flow.last = ts;
    let bits = SENT_ANY;
    if (flags & TCP_SYN) {
      bits |= flags & TCP_ACK ? SENT_SYNACK : SENT_SYN;
      const bit = fromOrig ? 1 : 2;
      if ((flow.isnSeen & bit) === 0) {
        flow.isnSeen |= bit;
        if (fromOrig) flow.origIsn = seq | 0;
        else flow.respIsn = seq | 0;
      }
    } else if (flags & TCP_ACK && payloadLength === 0 && (flags & (TCP_FIN | TCP_RST)) === 0) {
      bits |= SENT_ACK;
    }
    if (payloadLength > 0 && (flags & TCP_RST) === 0) {
      bits |= SENT_DATA;
      if (fromOrig) flow.origBytes += payloadLength;
      else flow.respBytes += payloadLength;
      if (!flow.ignores(fromOrig)) {
        this.current = flow;
        this.currentFromOrig = fromOrig;
        this.currentTs = ts;
        flow.stream(fromOrig).segment(seq, bytes, payloadOffset, payloadLength, this.deliver);
      }
    }
    if (flags & TCP_FIN) bits |= SENT_FIN;
    if (flags & TCP_RST) {
      if (((flow.orig | flow.resp) & SENT_RST) === 0) flow.firstRstByOrig = fromOrig;
      bits |= SENT_RST;
    }
    if (fromOrig) flow.origPackets++;
    else flow.respPackets++;
    flow.mark(fromOrig, bits);
    if (flow.closedAt === 0 && (bits & SENT_RST || (flow.orig & flow.resp & SENT_FIN) !== 0)) {
      flow.closedAt = ts;
    }
  }

  /** Ends every open connection (the capture is over). */
  finish(): void {
    for (const flow of this.flows) if (flow !== undefined) this.remove(flow, -1);
  }

  /** Ends connections idle for longer than their timeout × `scale`. */
  private sweep(now: number, scale: number): void {
    const { attemptTimeout, idleTimeout, closedLinger } = this.options;
    for (const flow of this.flows) {
      if (flow === undefined) continue;
      const idle = now - flow.last;
      const limit =
        flow.closedAt > 0
          ? closedLinger
          : (flow.resp & ~SENT_ANY) === 0 && (flow.orig & SENT_DATA) === 0
            ? attemptTimeout
            : idleTimeout;
      if (idle > limit * scale) this.remove(flow, -1);
    }
  }

  private insert(
    ts: number,
    orig: number,
    origPort: number,
    resp: number,
    respPort: number,
    a: number,
    b: number,
    ports: number,
  ): TcpFlow {
    if (this.size >= this.options.maxFlows) {
      const before = this.size;
      for (let scale = 0.5; this.size > this.options.maxFlows * 0.9 && scale > 1e-6; scale /= 2) {
        this.sweep(ts, scale);
      }
      this.evicted += before - this.size;
    }
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    const flow = new TcpFlow(
      this.nextId++,
      orig,
      this.addresses.text(orig),
      origPort,
      resp,
      this.addresses.text(resp),
      respPort,
      ts,
    );
    const slot = this.free.pop() ?? this.flows.length;
    flow.slot = slot;
    this.flows[slot] = flow;
    this.place(a, b, ports, slot);
    this.size++;
    return flow;
  }

  private place(a: number, b: number, ports: number, slot: number): void {
    const mask = this.capacity - 1;
    const table = this.table;
    let i = hashTriple(a, b, ports) & mask;
    while (table[(i << 2) + 3]! >= 0) i = (i + 1) & mask;
    const at = i << 2;
    table[at] = a;
    table[at + 1] = b;
    table[at + 2] = ports;
    table[at + 3] = slot;
  }

  private grow(): void {
    const old = this.table;
    this.capacity *= 2;
    this.table = emptyTable(this.capacity);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 3]! >= 0) this.place(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!);
    }
  }

  /** Ends `flow`; `index` is its hash slot if known, else it is looked up. */
  private remove(flow: TcpFlow, index: number): void {
    const mask = this.capacity - 1;
    const table = this.table;
    let i = index;
    if (i < 0) {
      i = mask; // found below
      const swap =
        flow.origId > flow.respId ||
        (flow.origId === flow.respId && flow.initiatorPort > flow.responderPort);
      const a = swap ? flow.respId : flow.origId;
      const b = swap ? flow.origId : flow.respId;
      const ports = swap
        ? (flow.responderPort << 16) | flow.initiatorPort
        : (flow.initiatorPort << 16) | flow.responderPort;
      i = hashTriple(a, b, ports) & mask;
      while (table[(i << 2) + 3] !== flow.slot) i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let hole = i;
    for (let j = (i + 1) & mask; table[(j << 2) + 3]! >= 0; j = (j + 1) & mask) {
      const at = j << 2;
      const home = hashTriple(table[at]!, table[at + 1]!, table[at + 2]!) & mask;
      const distanceToJ = (j - home) & mask;
      const distanceToHole = (hole - home) & mask;
      if (distanceToHole <= distanceToJ) {
        const to = hole << 2;
        table[to] = table[at]!;
        table[to + 1] = table[at + 1]!;
        table[to + 2] = table[at + 2]!;
        table[to + 3] = table[at + 3]!;
        hole = j;
      }
    }
    table[(hole << 2) + 3] = -1;
    this.flows[flow.slot] = undefined;
    this.free.push(flow.slot);
    this.size--;
    this.listener.end(flow);
  }
}

function emptyTable(capacity: number): Int32Array {
  const table = new Int32Array(capacity * 4);
  for (let at = 3; at < table.length; at += 4) table[at] = -1;
  return table;
}
