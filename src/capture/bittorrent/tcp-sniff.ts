/**
 * Which BitTorrent coordination protocol a TCP connection speaks, decided on
 * the first bytes of each direction: the peer wire handshake ("\x13BitTorrent
 * protocol"), an HTTP request (GET, HEAD, POST) or an HTTP response. Nearly
 * every connection is decided on its first byte.
 */
import { asciiBytes } from './byte-buffer.ts';

export type SniffResult = 'peer_wire' | 'http_request' | 'http_response' | 'none' | 'more';

/** How the peer wire handshake (BEP 3) starts: 19, then the protocol name. */
export const HANDSHAKE_PREFIX = asciiBytes('\x13BitTorrent protocol');

const SIGNATURES: readonly [Uint8Array, SniffResult][] = [
  [HANDSHAKE_PREFIX, 'peer_wire'],
  [asciiBytes('GET '), 'http_request'],
  [asciiBytes('HEAD '), 'http_request'],
  [asciiBytes('POST '), 'http_request'],
  [asciiBytes('HTTP/1.'), 'http_response'],
];

/** The longest signature: how many leading bytes a direction may need to keep. */
export const SNIFF_BYTES = 20;

/**
 * Matches the first bytes of a direction (`seen`, what was kept of earlier
 * segments, then `data`) against the signatures: a match, 'none', or 'more'
 * while the bytes so far are a prefix of some signature.
 */
export function sniff(seen: Uint8Array, seenLength: number, data: Uint8Array): SniffResult {
  let partial = false;
  next: for (const [signature, result] of SIGNATURES) {
    const total = seenLength + data.length;
    const n = Math.min(signature.length, total);
    for (let i = 0; i < n; i++) {
      const c = i < seenLength ? seen[i] : data[i - seenLength];
      if (c !== signature[i]) continue next;
    }
    if (n === signature.length) return result;
    partial = true;
  }
  return partial ? 'more' : 'none';
}
