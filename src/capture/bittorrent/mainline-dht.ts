/**
 * Mainline DHT (BEP 5, BEP 32): peers in `values` and contacts in `nodes` /
 * `nodes6` of responses, read with the project's KRPC codec. A response is
 * matched to its query by the two endpoints and the transaction id; one
 * without a matching query (the capture began after it, or the query took
 * another path) still yields its predictions and is counted as unmatched.
 * The host that learned is the response's destination.
 */
import { latin1 } from '../../protocol/bencode/index.ts';
import { parseKrpc } from '../../protocol/krpc/index.ts';
import type { PeerAddress } from '../../protocol/net/compact.ts';
import type { UdpDatagram } from '../types.ts';
import { BoundedTable } from './bounded-table.ts';
import type { ContactKind, PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';

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
  private readonly pending: BoundedTable<true>;

  constructor(sink: PredictionSink, counters: Counters, options: MainlineDhtOptions) {
    this.sink = sink;
    this.counters = counters;
    this.pending = new BoundedTable(options.maxPendingQueries, options.queryTtlUs);
  }

  /** A datagram whose first byte is 'd'. */
  datagram(d: UdpDatagram): void {
    const parsed = parseKrpc(d.payload);
    if (!parsed.ok) {
      this.counters.fail(parsed.reason);
      return;
    }
    const message = parsed.message;
    if (message.y === 'q') {
      this.counters.add('queries');
      this.pending.set(transactionKey(d.src, d.srcPort, d.dst, d.dstPort, message.t), d.ts, true);
      return;
    }
    const query = this.pending.take(
      transactionKey(d.dst, d.dstPort, d.src, d.srcPort, message.t),
      d.ts,
    );
    if (message.y === 'e') {
      this.counters.add('errors');
      return;
    }
    this.counters.add('responses');
    this.counters.add(query === undefined ? 'unmatched_responses' : 'matched_responses');
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

/** Querier endpoint, responder endpoint, transaction id. */
function transactionKey(
  querier: string,
  querierPort: number,
  responder: string,
  responderPort: number,
  t: Uint8Array,
): string {
  return `${querier} ${querierPort} ${responder} ${responderPort} ${latin1(t, 0, t.length)}`;
}
