/**
 * DHT queries waiting for their response, found by querier, responder (each an
 * address id and a port) and transaction id without building a key string: a
 * capture of a busy link holds one DHT datagram in eight, and the string
 * (two addresses, two ports, the id as text) with its hashing was about a
 * tenth of the whole analysis. Addresses come as the analyzer's ids, so the
 * hash mixes a few integers instead of the characters of two address texts.
 *
 * The queries sit in a BoundedTable (past `maxEntries` the oldest goes, and
 * one older than `ttlUs` no longer matches) under a 52-bit hash of the five
 * parts, and each holds the parts themselves: a response matches only a query
 * equal in every part. A hash shared by two queries (about n²/2⁵³ for n
 * pending) keeps the later one, and a response whose hash meets another
 * query's takes it away unmatched: a collision can lose a match, never make one.
 */
import { latin1 } from '../../protocol/bencode/index.ts';
import { fmix32 } from '../int-hash.ts';
import { BoundedTable } from './bounded-table.ts';

interface Query {
  /** Address ids (UdpDatagram.srcId / dstId). */
  querier: number;
  responder: number;
  /** Querier port × 65536 + responder port. */
  ports: number;
  /** The transaction id: up to 6 bytes as a number (see `tidValue`), longer ones as text. */
  tid: number | string;
}

/** Transaction ids up to this long are kept as numbers (with their length, below 2^51). */
const NUMERIC_TID_BYTES = 6;

export class PendingQueries {
  private readonly table: BoundedTable<Query, number>;

  constructor(maxEntries: number, ttlUs: number) {
    this.table = new BoundedTable(maxEntries, ttlUs);
  }

  get size(): number {
    return this.table.size;
  }

  /** A query from `querier` to `responder` with the transaction id `buf[tStart..tEnd)`, seen at `ts`. */
  add(
    querier: number,
    querierPort: number,
    responder: number,
    responderPort: number,
    buf: Uint8Array,
    tStart: number,
    tEnd: number,
    ts: number,
  ): void {
    const tid = tidValue(buf, tStart, tEnd);
    const key = keyOf(querier, querierPort, responder, responderPort, tid);
    const ports = querierPort * 65536 + responderPort;
    this.table.set(key, ts, { querier, responder, ports, tid });
  }

  /**
   * Whether the response from `responder` to `querier` with this transaction
   * id answers a query still fresh at `ts`. The query is forgotten either way.
   */
  take(
    querier: number,
    querierPort: number,
    responder: number,
    responderPort: number,
    buf: Uint8Array,
    tStart: number,
    tEnd: number,
    ts: number,
  ): boolean {
    const tid = tidValue(buf, tStart, tEnd);
    const query = this.table.take(keyOf(querier, querierPort, responder, responderPort, tid), ts);
    return (
      query !== undefined &&
      query.ports === querierPort * 65536 + responderPort &&
      query.tid === tid &&
      query.querier === querier &&
      query.responder === responder
    );
  }
}

/**
 * The id's bytes as one number, its length above them so that "\x00" and
 * "\x00\x00" differ; ids longer than NUMERIC_TID_BYTES as text.
 */
function tidValue(buf: Uint8Array, start: number, end: number): number | string {
  const length = end - start;
  if (length > NUMERIC_TID_BYTES) return latin1(buf, start, end);
  let value = length;
  for (let i = start; i < end; i++) value = value * 256 + buf[i]!;
  return value;
}

/** A 52-bit hash of the parts: two 32-bit lanes over the same input, 32 + 20 bits of them kept. */
function keyOf(
  querier: number,
  querierPort: number,
  responder: number,
  responderPort: number,
  tid: number | string,
): number {
  let a = Math.imul(querier ^ 0x811c9dc5, 0x01000193);
  let b = Math.imul(querier ^ 0x27d4eb2f, 0x85ebca6b);
  a = Math.imul(a ^ responder, 0x01000193) ^ querierPort;
  b = Math.imul(b ^ responder, 0x85ebca6b) ^ responderPort;
  a = Math.imul(a ^ responderPort, 0x01000193);
  b = Math.imul(b ^ querierPort, 0xc2b2ae35);
  if (typeof tid === 'number') {
    const low = tid % 0x1000000;
    const high = Math.floor(tid / 0x1000000);
    a = Math.imul(a ^ low, 0x01000193) ^ high;
    b = Math.imul(b ^ high, 0xc2b2ae35) ^ low;
  } else {
    for (let i = 0; i < tid.length; i++) {
      const c = tid.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0xc2b2ae35);
    }
  }
  a = fmix32(a);
  b = fmix32(b);
  return (a >>> 0) * 0x100000 + (b >>> 12);
}
