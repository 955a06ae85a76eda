/**
 * Counters of the BitTorrent extractors: what each one read and predicted,
 * and, apart, every input it could not read, one counter per reason. Bad
 * input is data here: it is counted, never thrown.
 */
import type { BitTorrentUdpKind } from '../types.ts';

export type ExtractorName = 'http_tracker' | 'udp_tracker' | 'dht' | 'vuze_dht' | 'pex';

export const EXTRACTOR_NAMES: readonly ExtractorName[] = [
  'http_tracker',
  'udp_tracker',
  'dht',
  'vuze_dht',
  'pex',
];

/** One extractor's counts: named events (messages, matches, predictions) and failures by reason. */
export class Counters {
  readonly counts: Record<string, number> = {};
  readonly failures: Record<string, number> = {};

  add(name: string, n = 1): void {
    if (n === 0) return;
    this.counts[name] = (this.counts[name] ?? 0) + n;
  }

  fail(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}

export interface BitTorrentStats {
  /** Per extractor: messages read, matched, predictions made (`peers`, `nodes`). */
  counts: Record<ExtractorName, Record<string, number>>;
  /** Per extractor: inputs that could not be read, by reason. */
  failures: Record<ExtractorName, Record<string, number>>;
  /** Datagrams per kind `classifyUdp` answered. */
  classified: Record<BitTorrentUdpKind, number>;
}
