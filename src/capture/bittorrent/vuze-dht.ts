/**
 * Vuze (Azureus) DHT find-value and find-node replies. Vuze's DHT tracker
 * stores, under a torrent's key, values written
 * `[ip_override:]tcp_port[;flags][;udp_port]` by the peer itself, who is the
 * value's originator: the peer is the override address if any, else the
 * originator's address, at the TCP port. A find-value reply without values,
 * and a find-node reply, carry contacts close to the key, which the host will
 * query next over UDP (kind `node`). The host that learned is the reply's
 * destination. Find-value replies are matched to their requests by
 * transaction id and endpoints; unmatched ones still count.
 */
import { formatIp, parseIp } from '../../protocol/net/ip.ts';
import type { UdpDatagram } from '../types.ts';
import { BoundedTable } from './bounded-table.ts';
import type { PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';
import {
  FIND_NODE_REPLY,
  FIND_VALUE_REPLY,
  FIND_VALUE_REQUEST,
  readFindNodeReply,
  readFindValueReply,
  readVuzeHeader,
  type VuzeAddress,
  type VuzeHeader,
} from './vuze-wire.ts';

export interface VuzeDhtOptions {
  maxPendingRequests: number;
  requestTtlUs: number;
}

export const VUZE_DHT_DEFAULTS: Readonly<VuzeDhtOptions> = {
  maxPendingRequests: 100_000,
  requestTtlUs: 60_000_000,
};

export class VuzeDhtExtractor {
  private readonly sink: PredictionSink;
  private readonly counters: Counters;
  private readonly pending: BoundedTable<true>;
  /** Reused for every packet: reading a header allocates nothing. */
  private readonly header: VuzeHeader = {
    request: false,
    action: 0,
    transaction: 0,
    version: 0,
    end: 0,
  };

  constructor(sink: PredictionSink, counters: Counters, options: VuzeDhtOptions) {
    this.sink = sink;
    this.counters = counters;
    this.pending = new BoundedTable(options.maxPendingRequests, options.requestTtlUs);
  }

  /** Whether the datagram has the structure of a Vuze DHT request or reply. */
  recognises(d: UdpDatagram): boolean {
    return readVuzeHeader(d.payload, this.header);
  }

  /** Reads the datagram if it is Vuze DHT; returns whether it was. */
  datagram(d: UdpDatagram): boolean {
    const h = this.header;
    if (!readVuzeHeader(d.payload, h)) return false;
    if (h.request) {
      if (h.action === FIND_VALUE_REQUEST) {
        this.counters.add('find_value_requests');
        this.pending.set(key(d.src, d.srcPort, d.dst, d.dstPort, h.transaction), d.ts, true);
      }
      return true;
    }
    if (h.action === FIND_NODE_REPLY) {
      this.counters.add('find_node_replies');
      const contacts = readFindNodeReply(d.payload, h.end, h.version);
      if (typeof contacts === 'string') this.counters.fail(contacts);
      else this.emitNodes(d, contacts);
      return true;
    }
    if (h.action !== FIND_VALUE_REPLY) return true;
    this.counters.add('find_value_replies');
    const matched = this.pending.take(key(d.dst, d.dstPort, d.src, d.srcPort, h.transaction), d.ts);
    this.counters.add(matched === undefined ? 'unmatched_replies' : 'matched_replies');
    const reply = readFindValueReply(d.payload, h.end, h.version);
    if (typeof reply === 'string') {
      this.counters.fail(reply);
      return true;
    }
    this.emitNodes(d, reply.contacts);
    for (const value of reply.values) {
      const peer = peerOfValue(value.bytes, value.originator.address);
      if (peer === undefined) {
        this.counters.fail('value-not-a-peer');
        continue;
      }
      this.sink({
        ts: d.ts,
        host: d.dst,
        peer: peer.address,
        port: peer.port,
        source: 'vuze_dht',
        contact: 'peer',
      });
      this.counters.add('peers');
    }
    return true;
  }

  /** DHT contacts the host will query next, over UDP. */
  private emitNodes(d: UdpDatagram, contacts: readonly VuzeAddress[]): void {
    let emitted = 0;
    for (const contact of contacts) {
      if (contact.port === 0) continue;
      this.sink({
        ts: d.ts,
        host: d.dst,
        peer: contact.address,
        port: contact.port,
        source: 'vuze_dht',
        contact: 'node',
      });
      emitted++;
    }
    this.counters.add('nodes', emitted);
  }
}

/** `[ip_override:]tcp_port[;…]` → the peer, or undefined if the value is something else. */
export function peerOfValue(
  bytes: Uint8Array,
  originator: string,
): { address: string; port: number } | undefined {
  let end = bytes.indexOf(0x3b); // ';'
  if (end < 0) end = bytes.length;
  if (end === 0 || end > 60) return undefined;
  const first = String.fromCharCode(...bytes.subarray(0, end));
  const colon = first.lastIndexOf(':');
  const portText = colon < 0 ? first : first.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port === 0 || port > 65_535) return undefined;
  if (colon < 0) return { address: originator, port };
  const override = parseIp(first.slice(0, colon));
  return { address: override === null ? originator : formatIp(override), port };
}

function key(
  from: string,
  fromPort: number,
  to: string,
  toPort: number,
  transaction: number,
): string {
  return `${from} ${fromPort} ${to} ${toPort} ${transaction}`;
}
