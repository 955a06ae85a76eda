/**
 * UDP tracker protocol (BEP 15). The client sends a connect request with the
 * protocol magic, then announces with the connection id it got; the tracker
 * answers an announce with its interval, leecher and seeder counts and a
 * compact peer list: 6-byte entries, or 18-byte ones when the announce went
 * over IPv6. An announce response is read only when it answers an announce
 * seen in the capture (same endpoints, same transaction id): the response
 * alone, action 1 and a transaction id, is too weak a signature. The host
 * that learned is the one that announced.
 */
import type { UdpDatagram } from '../types.ts';
import { BoundedTable } from './bounded-table.ts';
import { u32 } from './byte-buffer.ts';
import { emitCompact, type PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';

/** 0x41727101980: the first 8 bytes of every connect request. */
const MAGIC_HIGH = 0x417;
const MAGIC_LOW = 0x27101980;

const ACTION_CONNECT = 0;
const ACTION_ANNOUNCE = 1;
const ACTION_SCRAPE = 2;
const ACTION_ERROR = 3;

const CONNECT_LENGTH = 16;
const ANNOUNCE_REQUEST_LENGTH = 98;
const ANNOUNCE_RESPONSE_HEADER = 20;

export interface UdpTrackerOptions {
  maxPending: number;
  /** BEP 15 clients retry after 15 s·2^n; an answer later than this is not matched. */
  requestTtlUs: number;
}

export const UDP_TRACKER_DEFAULTS: Readonly<UdpTrackerOptions> = {
  maxPending: 100_000,
  requestTtlUs: 120_000_000,
};

type Pending = typeof ACTION_CONNECT | typeof ACTION_ANNOUNCE | typeof ACTION_SCRAPE;

export class UdpTrackerExtractor {
  private readonly sink: PredictionSink;
  private readonly counters: Counters;
  private readonly pending: BoundedTable<Pending>;
  /** Client–tracker endpoint pairs seen exchanging a connect: their traffic is tracker traffic. */
  private readonly flows: BoundedTable<true>;

  constructor(sink: PredictionSink, counters: Counters, options: UdpTrackerOptions) {
    this.sink = sink;
    this.counters = counters;
    this.pending = new BoundedTable(options.maxPending, options.requestTtlUs);
    // A connection id lives 2 minutes, but clients keep announcing to the same tracker for hours.
    this.flows = new BoundedTable(options.maxPending, 24 * 3600 * 1_000_000);
  }

  /** Whether this is a connect request, or a request or response on a known tracker flow. */
  recognises(d: UdpDatagram): boolean {
    const b = d.payload;
    if (b.length < 8) return false;
    if (isConnectRequest(b)) return true;
    // Nothing but a connect can be tracker traffic before a tracker flow was seen.
    if (this.flows.size === 0) return false;
    if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3]! <= ACTION_ERROR) {
      if (this.flows.has(flowKey(d.dst, d.dstPort, d.src, d.srcPort), d.ts)) return true;
    }
    if (b.length < CONNECT_LENGTH) return false;
    const action = u32(b, 8);
    return (
      (action === ACTION_ANNOUNCE || action === ACTION_SCRAPE) &&
      this.flows.has(flowKey(d.src, d.srcPort, d.dst, d.dstPort), d.ts)
    );
  }

  /** Reads the datagram if it is tracker traffic; returns whether it was. */
  datagram(d: UdpDatagram): boolean {
    const b = d.payload;
    if (b.length < 8) return false;
    if (isConnectRequest(b)) {
      this.counters.add('connect_requests');
      this.flows.set(flowKey(d.src, d.srcPort, d.dst, d.dstPort), d.ts, true);
      this.pending.set(
        requestKey(d.src, d.srcPort, d.dst, d.dstPort, u32(b, 12)),
        d.ts,
        ACTION_CONNECT,
      );
      return true;
    }
    if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3]! <= ACTION_ERROR && this.pending.size > 0) {
      if (this.response(d, b[3]!)) return true;
    }
    if (b.length < CONNECT_LENGTH) return false;
    const action = u32(b, 8);
    if (action === ACTION_ANNOUNCE && b.length >= ANNOUNCE_REQUEST_LENGTH) {
      // event (offset 80) is 0..3 in every client; a cheap check against look-alikes.
      if (u32(b, 80) > 3) return false;
      this.counters.add('announce_requests');
      this.flows.set(flowKey(d.src, d.srcPort, d.dst, d.dstPort), d.ts, true);
      this.pending.set(
        requestKey(d.src, d.srcPort, d.dst, d.dstPort, u32(b, 12)),
        d.ts,
        ACTION_ANNOUNCE,
      );
      return true;
    }
    if (
      action === ACTION_SCRAPE &&
      this.flows.size > 0 &&
      this.flows.has(flowKey(d.src, d.srcPort, d.dst, d.dstPort), d.ts)
    ) {
      this.pending.set(
        requestKey(d.src, d.srcPort, d.dst, d.dstPort, u32(b, 12)),
        d.ts,
        ACTION_SCRAPE,
      );
      return true;
    }
    return false;
  }

  /** A datagram that starts like a response: read it if it answers a request we saw. */
  private response(d: UdpDatagram, action: number): boolean {
    const b = d.payload;
    const request = this.pending.take(
      requestKey(d.dst, d.dstPort, d.src, d.srcPort, u32(b, 4)),
      d.ts,
    );
    if (request === undefined) {
      if (
        action === ACTION_ANNOUNCE &&
        this.flows.has(flowKey(d.dst, d.dstPort, d.src, d.srcPort), d.ts)
      ) {
        this.counters.add('unmatched_responses');
        return true;
      }
      return false;
    }
    if (action === ACTION_ERROR) {
      this.counters.add('error_responses');
      return true;
    }
    if (action !== request) {
      this.counters.fail('action-mismatch');
      return true;
    }
    if (action === ACTION_CONNECT) {
      this.counters.add('connect_responses');
      return true;
    }
    if (action === ACTION_SCRAPE) return true;
    if (b.length < ANNOUNCE_RESPONSE_HEADER) {
      this.counters.fail('truncated-announce-response');
      return true;
    }
    this.counters.add('announce_responses');
    // The peers' family follows the announce's: 18-byte entries when it went over IPv6.
    const stride = d.src.includes(':') ? 18 : 6;
    if ((b.length - ANNOUNCE_RESPONSE_HEADER) % stride !== 0)
      this.counters.fail('partial-peer-entry');
    const n = emitCompact(
      this.sink,
      b,
      ANNOUNCE_RESPONSE_HEADER,
      b.length,
      stride,
      d.ts,
      d.dst,
      'udp_tracker',
      'peer',
    );
    this.counters.add('peers', n);
    return true;
  }
}

function isConnectRequest(b: Uint8Array): boolean {
  return (
    b.length >= CONNECT_LENGTH &&
    u32(b, 0) === MAGIC_HIGH &&
    u32(b, 4) === MAGIC_LOW &&
    u32(b, 8) === ACTION_CONNECT
  );
}

function flowKey(client: string, clientPort: number, tracker: string, trackerPort: number): string {
  return `${client} ${clientPort} ${tracker} ${trackerPort}`;
}

function requestKey(
  client: string,
  clientPort: number,
  tracker: string,
  trackerPort: number,
  transaction: number,
): string {
  return `${client} ${clientPort} ${tracker} ${trackerPort} ${transaction}`;
}
