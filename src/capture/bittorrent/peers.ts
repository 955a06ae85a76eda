/**
 * Turning compact peer lists into predictions: 6 bytes per IPv4 peer, 18 per
 * IPv6 peer (address then port, network order), as trackers, the DHT and PEX
 * all write them.
 */
import { readCompactPeer } from '../../protocol/net/compact.ts';
import type { PeerPrediction, PredictionSource } from '../types.ts';

/**
 * What the host will do with the address: connect to a `peer` over TCP (or
 * uTP), or send DHT queries to a `node` over UDP. Scan detection over TCP
 * should count only peers; node contacts explain unanswered UDP flows.
 */
export type ContactKind = 'peer' | 'node';

/** A prediction as the BitTorrent extractors make it: the contract's, plus its kind. */
export interface BitTorrentPrediction extends PeerPrediction {
  contact: ContactKind;
}

export type PredictionSink = (prediction: BitTorrentPrediction) => void;

/**
 * Emits one prediction per whole `stride`-byte (6 or 18) compact peer of
 * `buf[start..end)`. Port 0 entries are skipped: nobody can connect to them.
 * Returns how many were emitted.
 */
export function emitCompact(
  sink: PredictionSink,
  buf: Uint8Array,
  start: number,
  end: number,
  stride: number,
  ts: number,
  host: string,
  source: PredictionSource,
  contact: ContactKind,
): number {
  let emitted = 0;
  for (let at = start; at + stride <= end; at += stride) {
    const entry = readCompactPeer(buf, at, stride);
    if (entry === null || entry.port === 0) continue;
    sink({ ts, host, peer: entry.address, port: entry.port, source, contact });
    emitted++;
  }
  return emitted;
}
