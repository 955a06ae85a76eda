/**
 * One TCP connection as its listeners see it: who opened it, what each side
 * sent (as bits), its history string, and the reassembly of each direction.
 *
 * While a connection is open the flow table keeps its state in a row of its
 * own (see flow-table.ts); a connection gets this object when it first carries
 * payload (the extractor needs a reference and reassembly needs buffers), or
 * when it ends. The fields below `start` are written when it ends.
 */
import { type ConnState, connState, historyText } from './conn-state.ts';
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
  /** Time of the last packet. */
  last: number;
  /** SENT_* bits of the originator and of the responder. */
  orig = 0;
  resp = 0;
  firstRstByOrig = false;
  /** History letters, packed (see conn-state.ts): `history` spells them. */
  historyLow = 0;
  historyHigh = 0;
  origPackets = 0;
  respPackets = 0;
  /**
   * Payload bytes each side sent (written when the connection ends, as the
   * rest of its counts, from the flow table's float64 columns). -0, not 0:
   * V8 lays a field out for what it first holds, and a 0 field that later
   * takes a float64 makes it lay every TcpFlow out anew and drop the code
   * compiled for the old layout (9 k objects migrated, a dozen functions
   * compiled again on the bench capture). -0 is a float64 and reads as 0.
   */
  origBytes = -0;
  respBytes = -0;
  /** Some payload went to the extractor, so it must hear of the end. */
  delivered = false;
  /** Directions whose payload nobody wants any more (1 originator, 2 responder): not reassembled. */
  ignored = 0;
  /** Made at the first payload of each direction. */
  origStream: StreamReassembler | undefined;
  respStream: StreamReassembler | undefined;

  constructor(
    id: number,
    origId: number,
    origText: string,
    origPort: number,
    respId: number,
    respText: string,
    respPort: number,
    start: number,
  ) {
    this.id = id;
    this.origId = origId;
    this.initiator = origText;
    this.initiatorPort = origPort;
    this.respId = respId;
    this.responder = respText;
    this.responderPort = respPort;
    this.start = start;
    this.last = start;
  }

  /** Stops reassembling one direction, and frees what it held. */
  ignore(fromOriginator: boolean): void {
    this.ignored |= fromOriginator ? 1 : 2;
    if (fromOriginator) this.origStream = undefined;
    else this.respStream = undefined;
  }

  /**
   * The reassembler of one direction, made on first use; `isn` is that
   * side's SYN sequence number, or undefined when its SYN was not seen.
   */
  stream(fromOriginator: boolean, isn: number | undefined): StreamReassembler {
    let stream = fromOriginator ? this.origStream : this.respStream;
    if (stream === undefined) {
      stream = new StreamReassembler();
      if (isn !== undefined) stream.syn(isn);
      if (fromOriginator) this.origStream = stream;
      else this.respStream = stream;
    }
    return stream;
  }

  /** The history string, in the style of Zeek's: one letter per kind of packet each side sent, in the order first seen. */
  get history(): string {
    return historyText(this.historyLow, this.historyHigh, this.orig, this.resp);
  }

  state(): ConnState {
    return connState(this.orig, this.resp, this.firstRstByOrig);
  }
}
