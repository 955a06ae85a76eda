/**
 * Peer exchange over the BitTorrent peer wire protocol: after the 68-byte
 * handshake (BEP 3), messages are a 4-byte length, an id and a payload. The
 * extension protocol (BEP 10, message id 20) starts with an extended
 * handshake (extended id 0) whose `m` dictionary tells which extended id the
 * *sender* wants to receive each extension under; `ut_pex` messages (BEP 11)
 * then carry `added` (6-byte peers), `added6` (18-byte) and `dropped`. The
 * host that learned is the receiver of the message. Pieces and other
 * messages are skipped without being copied.
 */
import { type BDict, decode, isDict } from '../../protocol/bencode/index.ts';
import type { TcpStreamRef } from '../types.ts';
import { ByteBuffer } from './byte-buffer.ts';
import { emitCompact, type PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';

export const HANDSHAKE_LENGTH = 68;
const EXTENDED = 20;

export interface PexOptions {
  /** Largest extended message read; larger ones are counted and skipped. */
  maxExtendedBytes: number;
}

export const PEX_DEFAULTS: Readonly<PexOptions> = { maxExtendedBytes: 1024 * 1024 };

type Phase = 'handshake' | 'length' | 'id' | 'extended' | 'skip' | 'dead';

class Direction {
  phase: Phase = 'handshake';
  /** Bytes left of the handshake, of a skipped message or of an extended one. */
  remaining = HANDSHAKE_LENGTH;
  lengthBytes = 0;
  length = 0;
  readonly message: ByteBuffer;
  /** The extended id this direction's *sender* asked to receive ut_pex under (0: none). */
  pexId = 0;

  constructor(max: number) {
    this.message = new ByteBuffer(max);
  }
}

export class PeerWireConnection {
  readonly fromInitiator: Direction;
  readonly fromResponder: Direction;

  constructor(options: PexOptions) {
    this.fromInitiator = new Direction(options.maxExtendedBytes);
    this.fromResponder = new Direction(options.maxExtendedBytes);
  }
}

export class PexExtractor {
  private readonly sink: PredictionSink;
  private readonly counters: Counters;
  private readonly options: PexOptions;

  constructor(sink: PredictionSink, counters: Counters, options: PexOptions) {
    this.sink = sink;
    this.counters = counters;
    this.options = options;
  }

  connection(): PeerWireConnection {
    this.counters.add('connections');
    return new PeerWireConnection(this.options);
  }

  data(
    conn: PeerWireConnection,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    data: Uint8Array,
  ): void {
    const dir = fromInitiator ? conn.fromInitiator : conn.fromResponder;
    let p = 0;
    while (p < data.length) {
      switch (dir.phase) {
        case 'handshake':
        case 'skip': {
          const n = Math.min(dir.remaining, data.length - p);
          p += n;
          dir.remaining -= n;
          if (dir.remaining === 0) this.nextMessage(dir);
          break;
        }
        case 'length':
          dir.length = ((dir.length << 8) | data[p++]!) >>> 0;
          if (++dir.lengthBytes === 4) {
            if (dir.length > 0) dir.phase = 'id';
            else this.nextMessage(dir); // keep-alive
          }
          break;
        case 'id': {
          const id = data[p++]!;
          dir.remaining = dir.length - 1;
          if (
            id === EXTENDED &&
            dir.remaining > 0 &&
            dir.remaining <= this.options.maxExtendedBytes
          ) {
            dir.phase = 'extended';
            dir.message.clear();
          } else {
            if (id === EXTENDED && dir.remaining > 0) this.counters.fail('extended-too-large');
            dir.phase = 'skip';
            if (dir.remaining === 0) this.nextMessage(dir);
          }
          break;
        }
        case 'extended': {
          const n = Math.min(dir.remaining, data.length - p);
          dir.message.append(data.subarray(p, p + n));
          p += n;
          dir.remaining -= n;
          if (dir.remaining === 0) {
            this.extended(conn, stream, fromInitiator, ts, dir.message.view());
            dir.message.clear();
            this.nextMessage(dir);
          }
          break;
        }
        case 'dead':
          return;
      }
    }
  }

  private nextMessage(dir: Direction): void {
    dir.phase = 'length';
    dir.length = 0;
    dir.lengthBytes = 0;
  }

  private extended(
    conn: PeerWireConnection,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    message: Uint8Array,
  ): void {
    const sender = fromInitiator ? conn.fromInitiator : conn.fromResponder;
    const receiver = fromInitiator ? conn.fromResponder : conn.fromInitiator;
    const extendedId = message[0]!;
    if (extendedId === 0) {
      const dict = decodeDict(message.subarray(1));
      if (dict === undefined) {
        this.counters.fail('bad-extended-handshake');
        return;
      }
      this.counters.add('extended_handshakes');
      const m = dict['m'];
      const id = isDict(m) ? m['ut_pex'] : undefined;
      // Id 0 in `m` means the extension is switched off.
      sender.pexId = typeof id === 'number' && id > 0 && id < 256 ? id : 0;
      return;
    }
    // The sender writes the id the receiver declared.
    if (receiver.pexId === 0 || extendedId !== receiver.pexId) return;
    const dict = decodeDict(message.subarray(1));
    if (dict === undefined) {
      this.counters.fail('bad-pex-message');
      return;
    }
    this.counters.add('pex_messages');
    const host = fromInitiator ? stream.responder : stream.initiator;
    let emitted = 0;
    const added = dict['added'];
    if (added instanceof Uint8Array) {
      if (added.length % 6 !== 0) this.counters.fail('partial-peer-entry');
      emitted += emitCompact(this.sink, added, 0, added.length, 6, ts, host, 'pex', 'peer');
    }
    const added6 = dict['added6'];
    if (added6 instanceof Uint8Array) {
      if (added6.length % 18 !== 0) this.counters.fail('partial-peer-entry');
      emitted += emitCompact(this.sink, added6, 0, added6.length, 18, ts, host, 'pex', 'peer');
    }
    const dropped = dict['dropped'];
    if (dropped instanceof Uint8Array) this.counters.add('dropped', Math.floor(dropped.length / 6));
    this.counters.add('peers', emitted);
  }
}

function decodeDict(bytes: Uint8Array): BDict | undefined {
  const decoded = decode(bytes, { maxDepth: 8, maxElements: 65_536, allowTrailing: true });
  return decoded.ok && isDict(decoded.value) ? decoded.value : undefined;
}
