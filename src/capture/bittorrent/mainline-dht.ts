/**
 * Mainline DHT (BEP 5, BEP 32): peers in `values` and contacts in `nodes` /
 * `nodes6` of responses, read with the project's KRPC codec. A response is
 * matched to its query by the two endpoints and the transaction id; one
 * without a matching query (the capture began after it, or the query took
 * another path) still yields its predictions and is counted as unmatched.
 * The host that learned is the response's destination.
 */
import { parseKrpc } from '../../protocol/krpc/index.ts';
import { KrpcSkim, stringHeader, Y_QUERY } from '../../protocol/krpc/skim.ts';
import type { PeerAddress } from '../../protocol/net/compact.ts';
import type { UdpDatagram } from '../types.ts';
import { type ContactKind, compactPort, emitCompactEntry, type PredictionSink } from './peers.ts';
import { PendingQueries } from './pending-queries.ts';
import type { Counters } from './stats.ts';

const END = 0x65;

export interface MainlineDhtOptions {
  /** Queries waiting for an answer, at most (oldest dropped first). */
  maxPendingQueries: number;
  /** How long a query may wait for its answer, µs. Real nodes give up after seconds. */
  queryTtlUs: number;
}

export const MAINLINE_DHT_DEFAULTS: Readonly<MainlineDhtOptions> = {
  maxPendingQueries: 200_000,
  queryTtlUs: 60_000_000,
};

export class MainlineDhtExtractor {
  private readonly sink: PredictionSink;
  private readonly counters: Counters;
  private readonly pending: PendingQueries;
  private readonly skim = new KrpcSkim();

  constructor(sink: PredictionSink, counters: Counters, options: MainlineDhtOptions) {
    this.sink = sink;
    this.counters = counters;
    this.pending = new PendingQueries(options.maxPendingQueries, options.queryTtlUs);
  }

  /**
   * Whether the datagram is a query or response the skim reads (see
   * protocol/krpc/skim.ts); when it is, `datagram` need not check it again.
   */
  skims(payload: Uint8Array): boolean {
    return this.skim.read(payload);
  }

  /** A datagram whose first byte is 'd'; `skimmed` when `skims` just said yes for its payload. */
  datagram(d: UdpDatagram, skimmed: boolean): void {
    if (skimmed || this.skim.read(d.payload)) this.skimmed(d);
    else this.parsed(d);
  }

  /** The common case: a well-formed query or response, read without building it. */
  private skimmed(d: UdpDatagram): void {
    const skim = this.skim;
    const b = d.payload;
    if (skim.y === Y_QUERY) {
      this.counters.add('queries');
      this.pending.add(d.srcId, d.srcPort, d.dstId, d.dstPort, b, skim.tStart, skim.tEnd, d.ts);
      return;
    }
    const matched = this.pending.take(
      d.dstId,
      d.dstPort,
      d.srcId,
      d.srcPort,
      b,
      skim.tStart,
      skim.tEnd,
      d.ts,
    );
    this.counters.add('responses');
    this.counters.add(matched ? 'matched_responses' : 'unmatched_responses');
    if (skim.values >= 0) {
      let emitted = 0;
      // Items were checked: canonical strings of 6 or 18 bytes, up to the list's `e`.
      for (let p = skim.values + 1; b[p] !== END; ) {
        const header = stringHeader(b, p);
        const length = b[p] === 0x36 ? 6 : 18;
        if (emitCompactEntry(this.sink, b, p + header, length, d.ts, d.dst, 'dht', 'peer'))
          emitted++;
        p += header + length;
      }
      this.counters.add('peers', emitted);
    }
    if (skim.nodesStart >= 0) this.emitNodes(d, skim.nodesStart, skim.nodesEnd, 26);
    if (skim.nodes6Start >= 0) this.emitNodes(d, skim.nodes6Start, skim.nodes6End, 38);
  }

  private emitNodes(d: UdpDatagram, start: number, end: number, size: number): void {
    let emitted = 0;
    const b = d.payload;
    if (this.sink.nodeContacts === false) {
      for (let at = start; at < end; at += size)
        if (compactPort(b, at + 20, size - 20) !== 0) emitted++;
    } else {
      for (let at = start; at < end; at += size) {
        if (emitCompactEntry(this.sink, b, at + 20, size - 20, d.ts, d.dst, 'dht', 'node'))
          emitted++;
      }
    }
    this.counters.add('nodes', emitted);
  }

  /** Anything the skim declines: the KRPC codec decides, and names what is wrong. */
  private parsed(d: UdpDatagram): void {
    const parsed = parseKrpc(d.payload);
    if (!parsed.ok) {
      this.counters.fail(parsed.reason);
      return;
    }
    const message = parsed.message;
    const t = message.t;
    if (message.y === 'q') {
      this.counters.add('queries');
      this.pending.add(d.srcId, d.srcPort, d.dstId, d.dstPort, t, 0, t.length, d.ts);
      return;
    }
    const matched = this.pending.take(d.dstId, d.dstPort, d.srcId, d.srcPort, t, 0, t.length, d.ts);
    if (message.y === 'e') {
      this.counters.add('errors');
      return;
    }
    this.counters.add('responses');
    this.counters.add(matched ? 'matched_responses' : 'unmatched_responses');
    const result = message.result;
    if (result.values !== undefined) this.emit(d, result.values, 'peer');
    if (result.nodes !== undefined) this.emit(d, result.nodes, 'node');
    if (result.nodes6 !== undefined) this.emit(d, result.nodes6, 'node');
  }

  /** One prediction per contact with a port; `contact` says peer (TCP) or node (UDP). */
  private emit(d: UdpDatagram, contacts: readonly PeerAddress[], contact: ContactKind): void {
    let emitted = 0;
    for (const c of contacts) {
      if (c.port === 0) continue;
      this.sink({ ts: d.ts, host: d.dst, peer: c.address, port: c.port, source: 'dht', contact });
      emitted++;
    }
    this.counters.add(contact === 'peer' ? 'peers' : 'nodes', emitted);
  }
}
