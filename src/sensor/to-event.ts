/**
 * One inbound datagram → one event row. Every datagram becomes a row:
 * queries with their arguments, responses and errors, and malformed ones
 * with their reason code (and, when sampled, their bytes).
 */
import type { Enrichment } from '../enrich/index.ts';
import { toHex } from '../protocol/hex.ts';
import { clientLabel, decodeClientVersion } from '../protocol/krpc/client-version.ts';
import type { ParseResult } from '../protocol/krpc/parse.ts';
import type { KrpcMessage } from '../protocol/krpc/types.ts';
import { bep42Verdict } from '../protocol/security/bep42.ts';
import type { EventKind, EventRecord } from '../store/schema.ts';

export interface Received {
  /** Microseconds since the epoch. */
  atMicros: number;
  from: { address: string; port: number; family: 4 | 6 };
  datagram: Uint8Array;
  result: ParseResult;
  /** announce_peer only: the token was one we issued to this address. */
  tokenValid?: boolean;
}

export interface Receiver {
  port: number;
  /** Hex node id of the identity the datagram is attributed to. */
  id: string;
}

/** Longest raw sample kept for a malformed datagram (a DHT datagram is normally < 1500 bytes). */
export const MAX_RAW_SAMPLE = 1500;

const PRINTABLE_METHOD = /^[\x21-\x7e]{1,64}$/;

/**
 * `v` → its hex and client label, for `v` of up to 4 bytes (all the common
 * ones): a sensor sees a few hundred distinct values, each of them over and
 * over, and decoding one took a fifth of building an event. Cleared, not
 * evicted, when full.
 */
const CLIENT_CACHE_LIMIT = 4096;
const clientCache = new Map<number, { hex: string; label: string | undefined }>();

function decodeClient(v: Uint8Array): { hex: string; label: string | undefined } {
  const decoded = decodeClientVersion(v);
  return { hex: decoded.hex, label: clientLabel(decoded) };
}

function clientOf(v: Uint8Array): { hex: string; label: string | undefined } {
  if (v.length > 4) return decodeClient(v);
  // The length, then the bytes: one integer per distinct value (below 2^35).
  let key = v.length;
  for (let i = 0; i < v.length; i++) key = key * 256 + v[i]!;
  let client = clientCache.get(key);
  if (client === undefined) {
    client = decodeClient(v);
    if (clientCache.size >= CLIENT_CACHE_LIMIT) clientCache.clear();
    clientCache.set(key, client);
  }
  return client;
}

export function toEvent(
  received: Received,
  receiver: Receiver,
  enrichment: Enrichment,
  keepRaw: boolean,
): EventRecord {
  const event: EventRecord = {
    ts: received.atMicros,
    sensorPort: receiver.port,
    sensorId: receiver.id,
    family: received.from.family,
    remoteIp: received.from.address,
    remotePort: received.from.port,
    kind: 'malformed',
    asn: enrichment.asn,
    org: enrichment.org,
    country: enrichment.country,
  };
  const result = received.result;
  if (!result.ok) {
    event.malformedReason = result.reason;
    if (result.t !== undefined) event.txid = toHex(result.t);
    if (keepRaw) event.raw = toHex(received.datagram.subarray(0, MAX_RAW_SAMPLE));
    return event;
  }
  const message = result.message;
  event.kind = kindOf(message);
  event.txid = toHex(message.t);
  if (message.v !== undefined) {
    const client = clientOf(message.v);
    event.clientV = client.hex;
    if (client.label !== undefined) event.client = client.label;
  }
  if (message.ro === true) event.readOnly = true;
  const remoteId =
    message.y === 'q' ? message.args.id : message.y === 'r' ? message.result.id : undefined;
  if (remoteId !== undefined && remoteId.length === 20) {
    event.remoteId = toHex(remoteId);
    event.bep42 = bep42Verdict(remoteId, received.from.address);
  }
  if (message.y === 'q') addQueryFields(event, message, received.tokenValid);
  return event;
}

function kindOf(message: KrpcMessage): EventKind {
  if (message.y === 'r') return 'response';
  if (message.y === 'e') return 'error';
  return message.method === 'unknown' ? 'other' : message.method;
}

function addQueryFields(
  event: EventRecord,
  message: KrpcMessage & { y: 'q' },
  tokenValid: boolean | undefined,
): void {
  switch (message.method) {
    case 'find_node':
    case 'sample_infohashes':
    case 'get':
      event.target = toHex(message.args.target);
      if ('want' in message.args && message.args.want !== undefined)
        event.want = message.args.want.join(',');
      break;
    case 'get_peers':
      event.target = toHex(message.args.infoHash);
      if (message.args.want !== undefined) event.want = message.args.want.join(',');
      if (message.args.scrape !== undefined) event.scrape = message.args.scrape;
      if (message.args.noseed !== undefined) event.noseed = message.args.noseed;
      break;
    case 'announce_peer':
      event.target = toHex(message.args.infoHash);
      event.announcePort = message.args.port;
      event.impliedPort = message.args.impliedPort;
      if (message.args.seed !== undefined) event.seed = message.args.seed;
      if (tokenValid !== undefined) event.tokenValid = tokenValid;
      break;
    case 'unknown': {
      const name = String.fromCharCode(...message.name);
      event.method = PRINTABLE_METHOD.test(name) ? name : toHex(message.name);
      const target = message.args.infoHash ?? message.args.target;
      if (target !== undefined) event.target = toHex(target);
      break;
    }
    default:
      break;
  }
}
