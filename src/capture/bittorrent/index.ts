/**
 * The BitTorrent coordination extractors behind one `PredictionExtractor`:
 * HTTP and UDP trackers, the Mainline and Vuze DHTs and PEX each predict
 * which peers a host will try to reach, and `classifyUdp` recognises other
 * BitTorrent UDP traffic by its content. Datagrams and connections that cannot
 * be BitTorrent are turned away on their first byte(s) without allocating.
 *
 * Predictions carry, beyond the contract's fields, `contact`: 'peer' for
 * addresses the host will connect to over TCP or uTP (tracker and PEX peers,
 * DHT `values`, Vuze values) and 'node' for DHT contacts it will query over
 * UDP (`nodes`, `nodes6`, Vuze contacts). A TCP scan detector should suppress
 * failures only for 'peer' predictions: counting nodes too would let any
 * host that runs a DHT node probe thousands of addresses unnoticed, and
 * BitTorrent clients never open TCP connections to DHT contacts as such.
 */
import type {
  BitTorrentUdpKind,
  PredictionExtractor,
  TcpStreamRef,
  UdpDatagram,
} from '../types.ts';
import {
  HTTP_TRACKER_DEFAULTS,
  HttpTrackerExtractor,
  type HttpTrackerOptions,
} from './http-tracker.ts';
import {
  MAINLINE_DHT_DEFAULTS,
  MainlineDhtExtractor,
  type MainlineDhtOptions,
} from './mainline-dht.ts';
import type { PredictionSink } from './peers.ts';
import { PEX_DEFAULTS, PexExtractor, type PexOptions } from './pex.ts';
import { bencodeKind, isUtp } from './signatures.ts';
import { type BitTorrentStats, Counters, EXTRACTOR_NAMES, type ExtractorName } from './stats.ts';
import { TcpDispatcher } from './tcp-dispatch.ts';
import {
  UDP_TRACKER_DEFAULTS,
  UdpTrackerExtractor,
  type UdpTrackerOptions,
} from './udp-tracker.ts';
import { VUZE_DHT_DEFAULTS, VuzeDhtExtractor, type VuzeDhtOptions } from './vuze-dht.ts';

export type { BitTorrentPrediction, ContactKind, PredictionSink } from './peers.ts';
export type { BitTorrentStats, ExtractorName } from './stats.ts';

export interface BitTorrentExtractorOptions {
  http: HttpTrackerOptions;
  udpTracker: UdpTrackerOptions;
  dht: MainlineDhtOptions;
  vuze: VuzeDhtOptions;
  pex: PexOptions;
}

export const BITTORRENT_EXTRACTOR_DEFAULTS: Readonly<BitTorrentExtractorOptions> = {
  http: HTTP_TRACKER_DEFAULTS,
  udpTracker: UDP_TRACKER_DEFAULTS,
  dht: MAINLINE_DHT_DEFAULTS,
  vuze: VUZE_DHT_DEFAULTS,
  pex: PEX_DEFAULTS,
};

const D = 0x64;

export class BitTorrentExtractor implements PredictionExtractor {
  private readonly counters: Record<ExtractorName, Counters>;
  private readonly classified: Record<BitTorrentUdpKind, number> = {
    dht: 0,
    udp_tracker: 0,
    vuze_dht: 0,
    utp: 0,
    dht_like: 0,
  };
  private readonly httpTracker: HttpTrackerExtractor;
  private readonly udpTracker: UdpTrackerExtractor;
  private readonly dht: MainlineDhtExtractor;
  private readonly vuze: VuzeDhtExtractor;
  private readonly pex: PexExtractor;
  private readonly tcp: TcpDispatcher;
  /** The payload `classifyUdp` last skimmed as a DHT message, until `udp` reads it. */
  private skimmed: Uint8Array | undefined;

  constructor(onPrediction: PredictionSink, options: Partial<BitTorrentExtractorOptions> = {}) {
    const o = { ...BITTORRENT_EXTRACTOR_DEFAULTS, ...options };
    const counters = {} as Record<ExtractorName, Counters>;
    for (const name of EXTRACTOR_NAMES) counters[name] = new Counters();
    this.counters = counters;
    this.httpTracker = new HttpTrackerExtractor(onPrediction, counters.http_tracker, o.http);
    this.udpTracker = new UdpTrackerExtractor(onPrediction, counters.udp_tracker, o.udpTracker);
    this.dht = new MainlineDhtExtractor(onPrediction, counters.dht, o.dht);
    this.vuze = new VuzeDhtExtractor(onPrediction, counters.vuze_dht, o.vuze);
    this.pex = new PexExtractor(onPrediction, counters.pex, o.pex);
    this.tcp = new TcpDispatcher(this.httpTracker, this.pex);
  }

  udp(d: UdpDatagram): void {
    const b = d.payload;
    // The analyzer classifies each datagram just before reading it: a DHT
    // message skimmed then is not skimmed twice.
    const skimmed = this.skimmed === b;
    this.skimmed = undefined;
    if (b.length === 0) return;
    if (b[0] === D) {
      this.dht.datagram(d, skimmed);
      return;
    }
    if (b.length < 8) return;
    if (this.udpTracker.datagram(d)) return;
    this.vuze.datagram(d);
  }

  classifyUdp(d: UdpDatagram): BitTorrentUdpKind | undefined {
    const kind = this.kindOf(d);
    if (kind !== undefined) this.classified[kind]++;
    return kind;
  }

  private kindOf(d: UdpDatagram): BitTorrentUdpKind | undefined {
    const b = d.payload;
    if (b.length < 2) return undefined;
    if (b[0] === D) {
      // A message the DHT skim reads is a KRPC dictionary spanning the datagram.
      // Skimming overwrites what an earlier skim left: forget which payload that was.
      this.skimmed = undefined;
      if (this.dht.skims(b)) {
        this.skimmed = b;
        return 'dht';
      }
      return bencodeKind(b);
    }
    if (b.length < 8) return undefined;
    if (this.udpTracker.recognises(d)) return 'udp_tracker';
    if (this.vuze.recognises(d)) return 'vuze_dht';
    if (isUtp(b)) return 'utp';
    return undefined;
  }

  tcpData(stream: TcpStreamRef, fromInitiator: boolean, ts: number, data: Uint8Array): boolean {
    return this.tcp.data(stream, fromInitiator, ts, data);
  }

  tcpEnd(stream: TcpStreamRef): void {
    this.tcp.end(stream);
  }

  stats(): BitTorrentStats {
    const counts = {} as Record<ExtractorName, Record<string, number>>;
    const failures = {} as Record<ExtractorName, Record<string, number>>;
    for (const name of EXTRACTOR_NAMES) {
      counts[name] = { ...this.counters[name].counts };
      failures[name] = { ...this.counters[name].failures };
    }
    return { counts, failures, classified: { ...this.classified } };
  }
}
