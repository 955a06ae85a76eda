/**
 * Hands each TCP connection to the reader of the protocol it speaks: the
 * peer wire protocol (for PEX) or HTTP (for tracker responses). Each
 * direction is recognised on its first bytes (see tcp-sniff.ts). A direction
 * that starts with anything else may still be BitTorrent behind a Message
 * Stream Encryption handshake that settled on plaintext (what aria2 and
 * libtorrent do by default): the peer wire handshake then follows in clear
 * within the first 1,200 bytes (Diffie-Hellman key, padding, hashes, the
 * encrypted negotiation), so they are searched for it. TLS is turned away on
 * its first two bytes, both directions at once. A direction found to be
 * neither is refused (data returns false), and the flow table then stops
 * reassembling it; the connection's entry stays until end().
 */
import { joinBytes } from '../bytes.ts';
import type { TcpStreamRef } from '../types.ts';
import type { HttpConnection, HttpTrackerExtractor } from './http-tracker.ts';
import type { PeerWireConnection, PexExtractor } from './pex.ts';
import { HANDSHAKE_PREFIX, SNIFF_BYTES, type SniffResult, sniff } from './tcp-sniff.ts';

/**
 * How far into a direction a handshake may start after an MSE preamble: the
 * longest preamble is 1,176 bytes (a 96-byte key, 512 of padding, two 20-byte
 * hashes, then VC, crypto fields and up to 512 more of padding, encrypted).
 */
export const MSE_SCAN_BYTES = 1200;

type Phase = 'prefix' | 'scan' | 'ours' | 'not-ours';

class Direction {
  phase: Phase = 'prefix';
  /** The first bytes, kept while they are a prefix of a signature; or the last bytes scanned. */
  kept: Uint8Array = new Uint8Array(0);
  scanned = 0;

  giveUp(): void {
    this.phase = 'not-ours';
    this.kept = new Uint8Array(0);
  }
}

interface Connection {
  http: HttpConnection | undefined;
  peerWire: PeerWireConnection | undefined;
  fromInitiator: Direction;
  fromResponder: Direction;
}

const TLS_HANDSHAKE = 0x16;

export class TcpDispatcher {
  private readonly http: HttpTrackerExtractor;
  private readonly pex: PexExtractor;
  private readonly connections = new Map<number, Connection>();

  constructor(http: HttpTrackerExtractor, pex: PexExtractor) {
    this.http = http;
    this.pex = pex;
  }

  /** Feeds one direction's bytes; false once that direction is known not to be ours. */
  data(stream: TcpStreamRef, fromInitiator: boolean, ts: number, data: Uint8Array): boolean {
    if (data.length === 0) return true;
    let conn = this.connections.get(stream.id);
    if (conn === undefined) {
      conn = {
        http: undefined,
        peerWire: undefined,
        fromInitiator: new Direction(),
        fromResponder: new Direction(),
      };
      this.connections.set(stream.id, conn);
      if (data[0] === TLS_HANDSHAKE && data[1] === 3) {
        conn.fromInitiator.giveUp();
        conn.fromResponder.giveUp();
      }
    }
    const dir = fromInitiator ? conn.fromInitiator : conn.fromResponder;
    switch (dir.phase) {
      case 'ours':
        this.feed(conn, stream, fromInitiator, ts, data);
        break;
      case 'prefix':
        this.prefix(conn, dir, stream, fromInitiator, ts, data);
        break;
      case 'scan':
        this.scan(conn, dir, stream, fromInitiator, ts, data);
        break;
    }
    // A 'not-ours' direction matches no case: the other side of a TLS connection, or bytes the
    // reassembler releases in the same pass as the ones that got a direction refused.
    return dir.phase !== 'not-ours';
  }

  end(stream: TcpStreamRef): void {
    const conn = this.connections.get(stream.id);
    if (conn === undefined) return;
    this.connections.delete(stream.id);
    if (conn.http !== undefined) this.http.end(conn.http, stream);
  }

  private prefix(
    conn: Connection,
    dir: Direction,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    data: Uint8Array,
  ): void {
    const result = sniff(dir.kept, dir.kept.length, data);
    if (result === 'more') {
      dir.kept = joinBytes(dir.kept, data, SNIFF_BYTES);
      return;
    }
    if (result === 'none') {
      dir.kept = new Uint8Array(0);
      if (conn.http !== undefined) dir.giveUp();
      else {
        dir.phase = 'scan';
        this.scan(conn, dir, stream, fromInitiator, ts, data);
      }
      return;
    }
    const kept = dir.kept;
    dir.kept = new Uint8Array(0);
    if (!this.adopt(conn, result)) {
      dir.giveUp();
      return;
    }
    dir.phase = 'ours';
    // Replay what was kept while deciding, then this segment.
    if (kept.length > 0) this.feed(conn, stream, fromInitiator, ts, kept);
    this.feed(conn, stream, fromInitiator, ts, data);
  }

  /** Searches the first bytes of a direction for a peer wire handshake sent after an MSE preamble. */
  private scan(
    conn: Connection,
    dir: Direction,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    data: Uint8Array,
  ): void {
    // Only a handshake that starts within the first MSE_SCAN_BYTES of the direction counts.
    const room = MSE_SCAN_BYTES - dir.scanned + HANDSHAKE_PREFIX.length - 1;
    let found: Uint8Array | undefined;
    if (dir.kept.length > 0) {
      // A signature straddling the previous segment and this one: search the seam only.
      const seam = joinBytes(dir.kept, data, dir.kept.length + HANDSHAKE_PREFIX.length - 1);
      const at = indexOfHandshake(seam);
      if (at >= 0)
        found = joinBytes(seam.subarray(at), data.subarray(seam.length - dir.kept.length));
    }
    if (found === undefined) {
      const at = indexOfHandshake(data.length > room ? data.subarray(0, room) : data);
      if (at >= 0) found = data.subarray(at);
    }
    if (found !== undefined && this.adopt(conn, 'peer_wire')) {
      dir.phase = 'ours';
      dir.kept = new Uint8Array(0);
      this.feed(conn, stream, fromInitiator, ts, found);
      return;
    }
    dir.scanned += data.length;
    if (dir.scanned >= MSE_SCAN_BYTES) {
      dir.giveUp();
      return;
    }
    // The signature may straddle this segment and the next.
    const tail = HANDSHAKE_PREFIX.length - 1;
    dir.kept = data.length >= tail ? data.slice(-tail) : joinBytes(dir.kept, data).slice(-tail);
  }

  /** Sets up the reader a sniff result calls for; false if it is not ours. */
  private adopt(conn: Connection, result: SniffResult): boolean {
    // Both directions must speak the same protocol.
    if (result === 'peer_wire' && conn.http === undefined) {
      conn.peerWire ??= this.pex.connection();
      return true;
    }
    if ((result === 'http_request' || result === 'http_response') && conn.peerWire === undefined) {
      conn.http ??= this.http.connection();
      return true;
    }
    return false;
  }

  private feed(
    conn: Connection,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    data: Uint8Array,
  ): void {
    if (conn.peerWire !== undefined) this.pex.data(conn.peerWire, stream, fromInitiator, ts, data);
    else if (conn.http !== undefined) this.http.data(conn.http, stream, fromInitiator, ts, data);
  }
}

const HANDSHAKE_NEEDLE = Buffer.from(HANDSHAKE_PREFIX);

/** Offset of "\x13BitTorrent protocol" in `buf`, or -1 (Buffer's native search: 2× a JS loop). */
function indexOfHandshake(buf: Uint8Array): number {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(HANDSHAKE_NEEDLE);
}
