/**
 * The body of an HTTP tracker's announce response (BEP 3, BEP 23, BEP 7):
 * a bencoded dictionary whose `peers` is either a compact string (6 bytes a
 * peer) or a list of dictionaries with `ip` (text) and `port`, and whose
 * `peers6` is a compact string of 18-byte entries.
 */
import { type BValue, decode, isDict } from '../../protocol/bencode/index.ts';
import { formatIp, parseIp } from '../../protocol/net/ip.ts';
import { emitCompact, type PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';

const LIMITS = { maxDepth: 8, maxElements: 1 << 20, allowTrailing: true } as const;

/**
 * Reads a response body; returns false if it is not a tracker response
 * (not a bencoded dictionary with `peers` or `peers6`).
 */
export function readTrackerBody(
  body: Uint8Array,
  ts: number,
  host: string,
  sink: PredictionSink,
  counters: Counters,
): boolean {
  const decoded = decode(body, LIMITS);
  if (!decoded.ok || !isDict(decoded.value)) return false;
  const root = decoded.value;
  const peers = root['peers'];
  const peers6 = root['peers6'];
  if (peers === undefined && peers6 === undefined) {
    if (root['failure reason'] !== undefined) counters.add('failures_from_tracker');
    return root['failure reason'] !== undefined || root['interval'] !== undefined;
  }
  counters.add('announce_responses');
  let emitted = 0;
  if (peers instanceof Uint8Array) {
    if (peers.length % 6 !== 0) counters.fail('partial-peer-entry');
    emitted += emitCompact(sink, peers, 0, peers.length, 6, ts, host, 'http_tracker', 'peer');
  } else if (Array.isArray(peers)) {
    for (const entry of peers) {
      const peer = dictionaryPeer(entry);
      if (peer === undefined) {
        counters.fail('bad-dictionary-peer');
        continue;
      }
      sink({
        ts,
        host,
        peer: peer.address,
        port: peer.port,
        source: 'http_tracker',
        contact: 'peer',
      });
      emitted++;
    }
  } else if (peers !== undefined) {
    counters.fail('peers-bad-type');
  }
  if (peers6 instanceof Uint8Array) {
    if (peers6.length % 18 !== 0) counters.fail('partial-peer-entry');
    emitted += emitCompact(sink, peers6, 0, peers6.length, 18, ts, host, 'http_tracker', 'peer');
  } else if (peers6 !== undefined) {
    counters.fail('peers6-bad-type');
  }
  counters.add('peers', emitted);
  return true;
}

/** `{ip: "1.2.3.4", port: 6881, "peer id": …}`; a host name in `ip` cannot be predicted. */
function dictionaryPeer(entry: BValue): { address: string; port: number } | undefined {
  if (!isDict(entry)) return undefined;
  const ip = entry['ip'];
  const port = entry['port'];
  if (!(ip instanceof Uint8Array) || typeof port !== 'number') return undefined;
  if (!Number.isInteger(port) || port <= 0 || port > 65_535 || ip.length > 64) return undefined;
  const bytes = parseIp(String.fromCharCode(...ip));
  if (bytes === null) return undefined;
  return { address: formatIp(bytes), port };
}
