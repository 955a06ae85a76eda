/**
 * Turning compact peer lists into predictions: 6 bytes per IPv4 peer, 18 per
 * IPv6 peer (address then port, network order), as trackers, the DHT and PEX
 * all write them.
 */
import { formatIpv4, formatIpv6 } from '../../protocol/net/ip.ts';
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
 * Emits one prediction per whole `stride`-byte entry of `buf[start..end)`,
 * where the address sits `offset` bytes into each entry (20 for DHT nodes).
 * Port 0 entries are skipped: nobody can connect to them. Returns how many were emitted.
 */
export function emitCompact(
  sink: PredictionSink,
  buf: Uint8Array,
  start: number,
  end: number,
  stride: number,
  offset: number,
  ts: number,
  host: string,
  source: PredictionSource,
  contact: ContactKind,
): number {
  const v6 = stride - offset === 18;
  let emitted = 0;
  for (let at = start; at + stride <= end; at += stride) {
    const ip = at + offset;
    const portAt = ip + (v6 ? 16 : 4);
    const port = (buf[portAt]! << 8) | buf[portAt + 1]!;
    if (port === 0) continue;
    const peer = v6 ? formatIpv6(buf, ip) : formatIpv4(buf, ip);
    sink({ ts, host, peer, port, source, contact });
    emitted++;
  }
  return emitted;
}
