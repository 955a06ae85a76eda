/**
 * One TCP connection: who opened it, what each side sent (as bits), its
 * history string and the reassembly of each direction.
 */
import { type ConnState, connState, historyLetter, SENT_ANY } from './conn-state.ts';
import { StreamReassembler } from './reassembly.ts';
import type { TcpStreamRef } from './types.ts';

export class TcpFlow implements TcpStreamRef {
  readonly id: number;
  readonly initiator: string;
  readonly initiatorPort: number;
  readonly responder: string;
  readonly responderPort: number;
  readonly origId: number;
  readonly respId: number;
  readonly start: number;
  last: number;
  /** When both sides closed or one reset; 0 while open. */
  closedAt = 0;
  /** SENT_* bits of the originator and of the responder. */
  orig = 0;
  resp = 0;
  firstRstByOrig = false;
  history = '';
  origBytes = 0;
  respBytes = 0;
  origPackets = 0;
  respPackets = 0;
  /** Some payload went to the extractor, so it must hear of the end. */
  delivered = false;
  /** Directions whose payload nobody wants any more (1 originator, 2 responder): not reassembled. */
  ignored = 0;
  /** Made at the first payload: most connections in a scan never carry any. */
  origStream: StreamReassembler | undefined;
  respStream: StreamReassembler | undefined;
  /** Sequence number of each side's SYN, valid once `isnSeen` has its bit (1 originator, 2 responder). */
  origIsn = 0;
  respIsn = 0;
  isnSeen = 0;
  /** Index in the flow table's array. */
  slot = -1;

  constructor(
    id: number,
    origId: number,
    origText: string,
    origPort: number,
    respId: number,
    respText: string,
    respPort: number,
    ts: number,
  ) {
    this.id = id;
    this.origId = origId;
    this.initiator = origText;
    this.initiatorPort = origPort;
    this.respId = respId;
    this.responder = respText;
    this.responderPort = respPort;
    this.start = ts;
    this.last = ts;
  }

  /** Records what one side sent; appends the history letters seen for the first time. */
  mark(fromOriginator: boolean, bits: number): void {
    const before = fromOriginator ? this.orig : this.resp;
    const fresh = bits & ~before & ~SENT_ANY;
    if (fromOriginator) this.orig = before | bits;
    else this.resp = before | bits;
    if (fresh === 0) return;
    for (let bit = 1; bit < SENT_ANY; bit <<= 1) {
      if (fresh & bit) this.history += historyLetter(bit, fromOriginator);
    }
  }

  /** Stops reassembling one direction, and frees what it held. */
  ignore(fromOriginator: boolean): void {
    this.ignored |= fromOriginator ? 1 : 2;
    if (fromOriginator) this.origStream = undefined;
    else this.respStream = undefined;
  }

  ignores(fromOriginator: boolean): boolean {
    return (this.ignored & (fromOriginator ? 1 : 2)) !== 0;
  }

  /** The reassembler of one direction, made on first use. */
  stream(fromOriginator: boolean): StreamReassembler {
    let stream = fromOriginator ? this.origStream : this.respStream;
    if (stream === undefined) {
      stream = new StreamReassembler();
      if (this.isnSeen & (fromOriginator ? 1 : 2))
        stream.syn(fromOriginator ? this.origIsn : this.respIsn);
      if (fromOriginator) this.origStream = stream;
      else this.respStream = stream;
    }
    return stream;
  }

  state(): ConnState {
    return connState(this.orig, this.resp, this.firstRstByOrig);
  }
}
