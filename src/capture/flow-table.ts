/**
 * Every open TCP connection, found by its address/port pair without building
 * a key string: an open-addressing hash table over typed arrays (linear
 * probing, deletion by backward shift). Each row holds the key and all a
 * packet updates — the time, what each side sent, packet and byte counts —
 * in one 64-byte cache line, so a packet costs one line where a key row, a
 * slot array and an object cost three. The key holds the addresses as the
 * packet decoder gives them (IPv4 as numbers): a connection's addresses get
 * their ids once, when it starts. What is written once or rarely (start, id,
 * address ids, history) sits in a second, dense table, by a record index that
 * does not move when rows do. The many connections that never carry payload (scans,
 * failed attempts) never become objects until they end.
 * Connections end when both sides close or one resets (after a short linger
 * for stray packets), after an idle timeout, when the table is full (the
 * idlest go first) or at the end; several ending at once end in the order
 * of the table (the same for the same capture).
 */

import type { AddressTable } from './addresses.ts';
import { extend, writtenThrough } from './columns.ts';
import {
  HISTORY_CODES_PER_WORD,
  historyCode,
  historyLength,
  SENT_ACK,
  SENT_ANY,
  SENT_DATA,
  SENT_FIN,
  SENT_RST,
  SENT_SYN,
  SENT_SYNACK,
} from './conn-state.ts';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from './decode.ts';
import { hashTriple } from './int-hash.ts';
import { nextSweepAfter } from './sweep-clock.ts';
import { TcpFlow } from './tcp-flow.ts';

export interface FlowTableOptions {
  /** µs an unanswered attempt waits before it counts as S0. Default 60 s. */
  attemptTimeout: number;
  /** µs an established connection may stay idle. Default 5 min (Zeek's tcp_inactivity_timeout). */
  idleTimeout: number;
  /** µs a closed connection lingers for retransmissions. Default 10 s. */
  closedLinger: number;
  /** Open connections kept at most. Default 1,000,000. */
  maxFlows: number;
  /** Rows the table starts with (a power of two, at least 2); it doubles when half full. Default 65,536. */
  initialRows: number;
}

export const DEFAULT_FLOW_OPTIONS: FlowTableOptions = {
  attemptTimeout: 60_000_000,
  idleTimeout: 300_000_000,
  closedLinger: 10_000_000,
  maxFlows: 1_000_000,
  initialRows: 1 << 16,
};

export interface FlowListener {
  /**
   * Bytes of one direction, in order; the view must be copied to be kept.
   * False stops reassembling this direction of this connection (bytes already
   * queued in the reassembler may still arrive in the same pass).
   */
  data(flow: TcpFlow, fromOriginator: boolean, ts: number, bytes: Uint8Array): boolean;
  /** The connection is over; `flow` is not touched again. */
  end(flow: TcpFlow): void;
}

// A row of the hash table: 16 int32s; the first six also read as three float64s.
const ROW = 16;
const ROW_SHIFT = 4;
/** Float64 indices, from the row's float64 index (its int32 offset / 2). */
const LAST = 0;
const ORIG_BYTES = 1;
const RESP_BYTES = 2;
/**
 * The key: lower address, higher address, both ports (the lower address's in
 * the high half), and the IPV6 bit of STATE. An address is an IPv4 address
 * as a signed 32-bit number, or an IPv6 address's id (DecodedPacket).
 */
const KEY_A = 6;
const KEY_B = 7;
const KEY_PORTS = 8;
/** The connection's record index + 1; EMPTY (0) marks an empty row. */
const RECORD = 9;
const EMPTY = 0;
/** Bit fields: see below. */
const STATE = 10;
const ORIG_PACKETS = 11;
const RESP_PACKETS = 12;
const ORIG_ISN = 13;
const RESP_ISN = 14;

// STATE: what the originator sent (SENT_* bits), what the responder sent (shifted), flags.
const RESP_SHIFT = 8;
const SENT_MASK = 0x7f;
const ORIG_ISN_SEEN = 1 << 16;
const RESP_ISN_SEEN = 1 << 17;
const FIRST_RST_BY_ORIG = 1 << 18;
/** The originator is the key's lower side (KEY_A, the high port half). */
const ORIG_IS_A = 1 << 20;
/** Payload of that direction is not wanted (see FlowListener.data). */
const IGNORED_SHIFT = 21;
const IGNORES_ORIG = 1 << IGNORED_SHIFT;
const IGNORES_RESP = 2 << IGNORED_SHIFT;
/** The key's addresses are IPv6 ids: part of the key, so no IPv4 number meets an id. */
const IPV6 = 1 << 24;

// A record: 8 int32s; the first two also read as one float64.
const RECORD_INTS = 8;
/** The first packet's time: a float64 index, from the record's float64 index. */
const START = 0;
/** Int32 offsets in the record: the connection's id, its history, its address ids (one int spare). */
const ID = 2;
/** History letters in the order first seen, two ints packed as conn-state.ts says. */
const HISTORY = 3;
/** Address ids of the key's lower and higher address. */
const ID_A = 5;
const ID_B = 6;

export class FlowTable {
  private readonly options: FlowTableOptions;
  private readonly addresses: AddressTable;
  private readonly listener: FlowListener;
  private capacity: number;
  private rows: Int32Array;
  private rowTimes: Float64Array;
  private records = new Int32Array(1024 * RECORD_INTS);
  private recordTimes = new Float64Array(this.records.buffer);
  private recordCount = 0;
  private readonly freeRecords: number[] = [];
  /** Objects of connections that carried payload, by record index. */
  private readonly objects: (TcpFlow | undefined)[] = [];
  private nextId = 1;
  private nextSweep = 0;
  size = 0;
  /** Connections ended because the table was full. */
  evicted = 0;
  // The connection and direction `deliver` writes to: one bound function, no closure per packet.
  private current: TcpFlow | undefined;
  private currentFromOrig = false;
  private currentTs = 0;
  private readonly deliver = (bytes: Uint8Array): void => {
    const flow = this.current!;
    flow.delivered = true;
    if (!this.listener.data(flow, this.currentFromOrig, this.currentTs, bytes))
      flow.ignore(this.currentFromOrig);
  };

  constructor(
    addresses: AddressTable,
    listener: FlowListener,
    options: Partial<FlowTableOptions> = {},
  ) {
    this.addresses = addresses;
    this.listener = listener;
    this.options = { ...DEFAULT_FLOW_OPTIONS, ...options };
    const rows = this.options.initialRows;
    if (!(rows >= 2 && (rows & (rows - 1)) === 0)) {
      throw new RangeError(`initialRows must be a power of two, at least 2 (got ${rows})`);
    }
    this.capacity = rows;
    this.rows = writtenThrough(new Int32Array(rows * ROW));
    this.rowTimes = new Float64Array(this.rows.buffer);
  }

  /** One segment; `src` and `dst` as DecodedPacket has them (IPv4 numbers unless `v6`). */
  segment(
    ts: number,
    v6: boolean,
    src: number,
    dst: number,
    srcPort: number,
    dstPort: number,
    flags: number,
    seq: number,
    bytes: Uint8Array,
    payloadOffset: number,
    payloadLength: number,
  ): void {
    if (ts >= this.nextSweep) {
      if (this.nextSweep !== 0) this.sweep(ts, 1);
      this.nextSweep = nextSweepAfter(ts);
    }
    const swap = src > dst || (src === dst && srcPort > dstPort);
    const a = swap ? dst : src;
    const b = swap ? src : dst;
    const ports = swap ? (dstPort << 16) | srcPort : (srcPort << 16) | dstPort;
    const family = v6 ? IPV6 : 0;
    const syn = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let r = this.find(a, b, ports, family);
    if (r >= 0 && syn && closed(this.rows[r + STATE]!)) {
      // A new connection reusing the pair of a closed one.
      this.end([r]);
      r = -1;
    }
    if (r < 0) {
      // A SYN-ACK without its SYN: the side it goes to opened the connection.
      const fromSrc = (flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK);
      // Both endpoints the same (a spoofed or looped packet): every packet is the originator's.
      const same = src === dst && srcPort === dstPort;
      // Ids in the packet's order, as every earlier packet's addresses got theirs.
      const srcId = this.addresses.idOf(src, v6);
      const dstId = this.addresses.idOf(dst, v6);
      r = this.insert(ts, a, b, ports, family, same || fromSrc !== swap);
      const at = (this.rows[r + RECORD]! - 1) * RECORD_INTS;
      this.records[at + ID_A] = swap ? dstId : srcId;
      this.records[at + ID_B] = swap ? srcId : dstId;
    }
    const rows = this.rows;
    let state = rows[r + STATE]!;
    const fromOrig = ((state & ORIG_IS_A) !== 0) !== swap;
    const f = r >> 1;
    this.rowTimes[f + LAST] = ts;
    let bits = SENT_ANY;
    if (flags & TCP_SYN) {
      bits |= flags & TCP_ACK ? SENT_SYNACK : SENT_SYN;
      const seen = fromOrig ? ORIG_ISN_SEEN : RESP_ISN_SEEN;
      if ((state & seen) === 0) {
        state |= seen;
        rows[r + (fromOrig ? ORIG_ISN : RESP_ISN)] = seq | 0;
      }
    } else if (flags & TCP_ACK && payloadLength === 0 && (flags & (TCP_FIN | TCP_RST)) === 0) {
      bits |= SENT_ACK;
    }
    if (payloadLength > 0 && (flags & TCP_RST) === 0) {
      bits |= SENT_DATA;
      this.rowTimes[f + (fromOrig ? ORIG_BYTES : RESP_BYTES)]! += payloadLength;
      if ((state & (fromOrig ? IGNORES_ORIG : IGNORES_RESP)) === 0) {
        state = this.payload(r, state, fromOrig, ts, seq, bytes, payloadOffset, payloadLength);
      }
    }
    if (flags & TCP_FIN) bits |= SENT_FIN;
    if (flags & TCP_RST) {
      if ((state & ((SENT_RST << RESP_SHIFT) | SENT_RST)) === 0 && fromOrig) {
        state |= FIRST_RST_BY_ORIG;
      }
      bits |= SENT_RST;
    }
    rows[r + (fromOrig ? ORIG_PACKETS : RESP_PACKETS)]!++;
    const shift = fromOrig ? 0 : RESP_SHIFT;
    const fresh = bits & ~(state >> shift) & SENT_MASK & ~SENT_ANY;
    if (fresh !== 0) this.appendHistory(rows[r + RECORD]! - 1, letterCount(state), fresh, fromOrig);
    state |= bits << shift;
    rows[r + STATE] = state;
  }

  /**
   * Reassembles a segment's payload (the connection gets its object now if
   * it has none); returns the state with the directions nobody wants marked.
   */
  private payload(
    r: number,
    state: number,
    fromOrig: boolean,
    ts: number,
    seq: number,
    bytes: Uint8Array,
    payloadOffset: number,
    payloadLength: number,
  ): number {
    const record = this.rows[r + RECORD]! - 1;
    let flow = this.objects[record];
    if (flow === undefined) {
      flow = this.makeObject(r);
      this.objects[record] = flow;
    }
    const seen = (state & (fromOrig ? ORIG_ISN_SEEN : RESP_ISN_SEEN)) !== 0;
    const isn = seen ? this.rows[r + (fromOrig ? ORIG_ISN : RESP_ISN)]! : undefined;
    this.current = flow;
    this.currentFromOrig = fromOrig;
    this.currentTs = ts;
    flow.stream(fromOrig, isn).segment(seq, bytes, payloadOffset, payloadLength, this.deliver);
    return state | (flow.ignored << IGNORED_SHIFT);
  }

  /** Row offset of a key, or -1. */
  private find(a: number, b: number, ports: number, family: number): number {
    const rows = this.rows;
    const mask = this.capacity - 1;
    let i = hashTriple(a, b, ports) & mask;
    for (;;) {
      const r = i << ROW_SHIFT;
      if (rows[r + RECORD] === EMPTY) return -1;
      if (
        rows[r + KEY_A] === a &&
        rows[r + KEY_B] === b &&
        rows[r + KEY_PORTS] === ports &&
        (rows[r + STATE]! & IPV6) === family
      ) {
        return r;
      }
      i = (i + 1) & mask;
    }
  }

  /** Ends connections idle for longer than their timeout × `scale`. */
  private sweep(now: number, scale: number): void {
    const { attemptTimeout, idleTimeout, closedLinger } = this.options;
    const rows = this.rows;
    const times = this.rowTimes;
    const idle: number[] = [];
    for (let r = 0; r < rows.length; r += ROW) {
      if (rows[r + RECORD] === EMPTY) continue;
      const state = rows[r + STATE]!;
      const limit = closed(state)
        ? closedLinger
        : ((state >> RESP_SHIFT) & SENT_MASK & ~SENT_ANY) === 0 && (state & SENT_DATA) === 0
          ? attemptTimeout
          : idleTimeout;
      if (now - times[(r >> 1) + LAST]! > limit * scale) idle.push(r);
    }
    if (idle.length > 0) this.end(this.inOrderMade(idle));
  }

  /**
   * The rows, sorted in place by their connection's id: the order the connections began in.
   * Slots follow the hash, and the hash is seeded per run (int-hash.ts): ended
   * in slot order, connections would be listed in another order each run.
   */
  private inOrderMade(rowOffsets: number[]): number[] {
    const rows = this.rows;
    const records = this.records;
    const id = (r: number) => records[(rows[r + RECORD]! - 1) * RECORD_INTS + ID]!;
    return rowOffsets.sort((x, y) => id(x) - id(y));
  }

  /**
   * Ends the connections in these rows, in this order. Emptying a row moves
   * others, so each is found again by its key just before it ends; only the
   * keys are held, not an object per connection (a full table's eviction may
   * end hundreds of thousands at once).
   */
  private end(rowOffsets: number[]): void {
    const rows = this.rows;
    const keys = new Int32Array(rowOffsets.length * 4);
    rowOffsets.forEach((r, k) => {
      keys[4 * k] = rows[r + KEY_A]!;
      keys[4 * k + 1] = rows[r + KEY_B]!;
      keys[4 * k + 2] = rows[r + KEY_PORTS]!;
      keys[4 * k + 3] = rows[r + STATE]! & IPV6;
    });
    for (let k = 0; k < keys.length; k += 4) {
      const r = this.find(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!);
      const flow = this.record(r);
      this.remove(r);
      this.size--;
      this.listener.end(flow);
    }
  }

  /** Ends every open connection (the capture is over), in the order they began. */
  finish(): void {
    const rows = this.rows;
    const open: number[] = [];
    for (let r = 0; r < rows.length; r += ROW) if (rows[r + RECORD] !== EMPTY) open.push(r);
    // Nothing is removed one by one: the whole table empties at once.
    for (const r of this.inOrderMade(open)) {
      const flow = this.record(r);
      rows[r + RECORD] = EMPTY;
      this.listener.end(flow);
    }
    this.size = 0;
  }

  /**
   * The ended connection: its object (made if it had none) with the row's
   * state written into it. Frees the record; the row stays until removed.
   */
  private record(r: number): TcpFlow {
    const rows = this.rows;
    const state = rows[r + STATE]!;
    const record = rows[r + RECORD]! - 1;
    const flow = this.objects[record] ?? this.makeObject(r);
    const f = r >> 1;
    flow.last = this.rowTimes[f + LAST]!;
    flow.origBytes = this.rowTimes[f + ORIG_BYTES]!;
    flow.respBytes = this.rowTimes[f + RESP_BYTES]!;
    flow.orig = state & SENT_MASK;
    flow.resp = (state >> RESP_SHIFT) & SENT_MASK;
    flow.firstRstByOrig = (state & FIRST_RST_BY_ORIG) !== 0;
    flow.origPackets = rows[r + ORIG_PACKETS]!;
    flow.respPackets = rows[r + RESP_PACKETS]!;
    const at = record * RECORD_INTS + HISTORY;
    flow.historyLow = this.records[at]!;
    flow.historyHigh = this.records[at + 1]!;
    this.objects[record] = undefined;
    this.freeRecords.push(record);
    return flow;
  }

  private makeObject(r: number): TcpFlow {
    const rows = this.rows;
    const origIsA = (rows[r + STATE]! & ORIG_IS_A) !== 0;
    const ports = rows[r + KEY_PORTS]!;
    const record = rows[r + RECORD]! - 1;
    const a = this.records[record * RECORD_INTS + ID_A]!;
    const b = this.records[record * RECORD_INTS + ID_B]!;
    const origId = origIsA ? a : b;
    const respId = origIsA ? b : a;
    return new TcpFlow(
      this.records[record * RECORD_INTS + ID]!,
      origId,
      this.addresses.text(origId),
      origIsA ? ports >>> 16 : ports & 0xffff,
      respId,
      this.addresses.text(respId),
      origIsA ? ports & 0xffff : ports >>> 16,
      this.recordTimes[record * (RECORD_INTS / 2) + START]!,
    );
  }

  /** A fresh row (and record, its address ids for the caller to fill) for a new connection; returns the row's offset. */
  private insert(
    ts: number,
    a: number,
    b: number,
    ports: number,
    family: number,
    origIsA: boolean,
  ): number {
    if (this.size >= this.options.maxFlows) {
      const before = this.size;
      for (let scale = 0.5; this.size > this.options.maxFlows * 0.9 && scale > 1e-6; scale /= 2) {
        this.sweep(ts, scale);
      }
      this.evicted += before - this.size;
    }
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    const rows = this.rows;
    const mask = this.capacity - 1;
    let i = hashTriple(a, b, ports) & mask;
    while (rows[(i << ROW_SHIFT) + RECORD] !== EMPTY) i = (i + 1) & mask;
    const r = i << ROW_SHIFT;
    rows.fill(0, r, r + ROW);
    rows[r + KEY_A] = a;
    rows[r + KEY_B] = b;
    rows[r + KEY_PORTS] = ports;
    rows[r + STATE] = (origIsA ? ORIG_IS_A : 0) | family;
    this.rowTimes[(r >> 1) + LAST] = ts;
    const record = this.newRecord();
    rows[r + RECORD] = record + 1;
    const at = record * RECORD_INTS;
    this.records.fill(0, at, at + RECORD_INTS);
    this.records[at + ID] = this.nextId++;
    this.recordTimes[at / 2 + START] = ts;
    this.size++;
    return r;
  }

  private newRecord(): number {
    const free = this.freeRecords.pop();
    if (free !== undefined) return free;
    if ((this.recordCount + 1) * RECORD_INTS > this.records.length) {
      this.records = extend(this.records, new Int32Array(this.records.length * 2));
      this.recordTimes = new Float64Array(this.records.buffer);
    }
    return this.recordCount++;
  }

  private grow(): void {
    const old = this.rows;
    this.capacity *= 2;
    this.rows = writtenThrough(new Int32Array(this.capacity * ROW));
    this.rowTimes = new Float64Array(this.rows.buffer);
    const rows = this.rows;
    const mask = this.capacity - 1;
    for (let at = 0; at < old.length; at += ROW) {
      if (old[at + RECORD] === EMPTY) continue;
      let i = hashTriple(old[at + KEY_A]!, old[at + KEY_B]!, old[at + KEY_PORTS]!) & mask;
      while (rows[(i << ROW_SHIFT) + RECORD] !== EMPTY) i = (i + 1) & mask;
      const to = i << ROW_SHIFT;
      for (let k = 0; k < ROW; k++) rows[to + k] = old[at + k]!;
    }
  }

  /** Empties a row; backward-shift deletion keeps every probe chain unbroken without tombstones. */
  private remove(r: number): void {
    const rows = this.rows;
    const mask = this.capacity - 1;
    let hole = r >> ROW_SHIFT;
    for (let j = (hole + 1) & mask; rows[(j << ROW_SHIFT) + RECORD] !== EMPTY; j = (j + 1) & mask) {
      const at = j << ROW_SHIFT;
      const home = hashTriple(rows[at + KEY_A]!, rows[at + KEY_B]!, rows[at + KEY_PORTS]!) & mask;
      if (((hole - home) & mask) <= ((j - home) & mask)) {
        const to = hole << ROW_SHIFT;
        for (let k = 0; k < ROW; k++) rows[to + k] = rows[at + k]!;
        hole = j;
      }
    }
    rows[(hole << ROW_SHIFT) + RECORD] = EMPTY;
  }

  /** Appends the letters of `fresh` bits (lowest first), after the `count` already there. */
  private appendHistory(record: number, count: number, fresh: number, fromOrig: boolean): void {
    const records = this.records;
    let p = count;
    for (let bit = 1; bit < SENT_ANY; bit <<= 1) {
      if ((fresh & bit) === 0) continue;
      const at = record * RECORD_INTS + HISTORY + ((p / HISTORY_CODES_PER_WORD) | 0);
      records[at] =
        records[at]! | (historyCode(bit, fromOrig) << (4 * (p % HISTORY_CODES_PER_WORD)));
      p++;
    }
  }
}

/** Whether a side reset the connection or both closed it (sent bits are never cleared). */
function closed(state: number): boolean {
  return (
    (state & ((SENT_RST << RESP_SHIFT) | SENT_RST)) !== 0 ||
    (state & (state >> RESP_SHIFT) & SENT_FIN) !== 0
  );
}

/** History letters so far (the row's state holds both sides' SENT_* bits). */
function letterCount(state: number): number {
  return historyLength(state & SENT_MASK, (state >> RESP_SHIFT) & SENT_MASK);
}
