/**
 * Turning compact peer lists into predictions: 6 bytes per IPv4 peer, 18 per
 * IPv6 peer (address then port, network order), as trackers, the DHT and PEX
 * all write them.
 */
import { formatIpv4, formatIpv6 } from '../../protocol/net/ip.ts';
import type { PeerPrediction, PredictionCallback, PredictionSource } from '../types.ts';

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

/** Receives predictions; `compact` and `nodeContacts` as PredictionCallback says. */
export interface PredictionSink extends Pick<PredictionCallback, 'compact' | 'nodeContacts'> {
  (prediction: BitTorrentPrediction): void;
}

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
  if (stride !== 6 && stride !== 18) return 0;
  let emitted = 0;
  for (let at = start; at + stride <= end; at += stride) {
    if (emitCompactEntry(sink, buf, at, stride, ts, host, source, contact)) emitted++;
  }
  return emitted;
}

/** The port of the compact entry of `length` bytes at `at` (its last two bytes); 0 is no port. */
export function compactPort(buf: Uint8Array, at: number, length: number): number {
  return (buf[at + length - 2]! << 8) | buf[at + length - 1]!;
}

/**
 * One compact entry of `length` (6 or 18) bytes at `at`: address then port.
 * Returns false, emitting nothing, for port 0.
 */
export function emitCompactEntry(
  sink: PredictionSink,
  buf: Uint8Array,
  at: number,
  length: number,
  ts: number,
  host: string,
  source: PredictionSource,
  contact: ContactKind,
): boolean {
  const port = compactPort(buf, at, length);
  if (port === 0) return false;
  const lane = sink.compact;
  if (lane !== undefined) lane(ts, host, buf, at, length, port, source, contact);
  else {
    const peer = length === 6 ? formatIpv4(buf, at) : formatIpv6(buf, at);
    sink({ ts, host, peer, port, source, contact });
  }
  return true;
}
