import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AddressTable } from '../../src/capture/addresses.ts';
import {
  connState,
  historyLetter,
  SENT_ACK,
  SENT_ANY,
  SENT_DATA,
  SENT_FIN,
  SENT_RST,
  SENT_SYN,
  SENT_SYNACK,
} from '../../src/capture/conn-state.ts';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/capture/decode.ts';
import { FlowTable, type FlowTableOptions } from '../../src/capture/flow-table.ts';
import { StreamReassembler } from '../../src/capture/reassembly.ts';
import { ipv4Number } from '../../src/protocol/net/ip.ts';

interface Packet {
  ts: number;
  /** Whether src and dst are hosts of V6_HOSTS or of V4_HOSTS. */
  v6: boolean;
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  flags: number;
  seq: number;
  length: number;
}

/** What a test compares of an ended connection. */
interface Ended {
  id: number;
  initiator: string;
  initiatorPort: number;
  responder: string;
  responderPort: number;
  start: number;
  last: number;
  state: string;
  history: string;
  origPackets: number;
  respPackets: number;
  origBytes: number;
  respBytes: number;
  /** Packets fed before it ended: catches a connection ended too early or too late. */
  endedAfter: number;
}

interface ModelFlow {
  id: number;
  v6: boolean;
  orig: number;
  origPort: number;
  resp: number;
  respPort: number;
  start: number;
  last: number;
  origBits: number;
  respBits: number;
  firstRstByOrig: boolean;
  closed: boolean;
  history: string;
  origPackets: number;
  respPackets: number;
  origBytes: number;
  respBytes: number;
  isn: (number | undefined)[];
  streams: (StreamReassembler | undefined)[];
  ignored: boolean[];
}

/** The flow table's contract written the plain way: a Map keyed by the endpoints' text. */
class ModelTable {
  readonly ended: Ended[] = [];
  readonly data: string[] = [];
  evicted = 0;
  fed = 0;
  private readonly flows = new Map<string, ModelFlow>();
  private nextId = 1;
  private nextSweep = 0;
  private readonly options: FlowTableOptions;
  private readonly text: (v6: boolean, host: number) => string;
  private readonly wants: (id: number, fromOrig: boolean, n: number) => boolean;

  constructor(
    options: FlowTableOptions,
    text: (v6: boolean, host: number) => string,
    wants: (id: number, fromOrig: boolean, n: number) => boolean,
  ) {
    this.options = options;
    this.text = text;
    this.wants = wants;
  }

  private key(p: Packet): string {
    const [a, ap, b, bp] = [p.src, p.srcPort, p.dst, p.dstPort];
    const pair = a < b || (a === b && ap <= bp) ? `${a}:${ap}-${b}:${bp}` : `${b}:${bp}-${a}:${ap}`;
    return `${p.v6 ? 6 : 4} ${pair}`;
  }

  segment(p: Packet, payload: Uint8Array): void {
    if (p.ts >= this.nextSweep) {
      if (this.nextSweep !== 0) this.sweep(p.ts, 1);
      this.nextSweep = p.ts + 10_000_000;
    }
    const key = this.key(p);
    let flow = this.flows.get(key);
    if (flow?.closed && (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      this.end(key, flow);
      flow = undefined;
    }
    if (flow === undefined) {
      if (this.flows.size >= this.options.maxFlows) {
        const before = this.flows.size;
        for (let s = 0.5; this.flows.size > this.options.maxFlows * 0.9 && s > 1e-6; s /= 2) {
          this.sweep(p.ts, s);
        }
        this.evicted += before - this.flows.size;
      }
      const fromSrc = (p.flags & (TCP_SYN | TCP_ACK)) !== (TCP_SYN | TCP_ACK);
      flow = {
        id: this.nextId++,
        v6: p.v6,
        orig: fromSrc ? p.src : p.dst,
        origPort: fromSrc ? p.srcPort : p.dstPort,
        resp: fromSrc ? p.dst : p.src,
        respPort: fromSrc ? p.dstPort : p.srcPort,
        start: p.ts,
        last: p.ts,
        origBits: 0,
        respBits: 0,
        firstRstByOrig: false,
        closed: false,
        history: '',
        origPackets: 0,
        respPackets: 0,
        origBytes: 0,
        respBytes: 0,
        isn: [undefined, undefined],
        streams: [undefined, undefined],
        ignored: [false, false],
      };
      this.flows.set(key, flow);
    }
    const fromOrig = p.src === flow.orig && p.srcPort === flow.origPort;
    const side = fromOrig ? 0 : 1;
    flow.last = p.ts;
    let bits = SENT_ANY;
    if (p.flags & TCP_SYN) {
      bits |= p.flags & TCP_ACK ? SENT_SYNACK : SENT_SYN;
      flow.isn[side] ??= p.seq | 0;
    } else if (p.flags & TCP_ACK && p.length === 0 && (p.flags & (TCP_FIN | TCP_RST)) === 0) {
      bits |= SENT_ACK;
    }
    if (p.length > 0 && (p.flags & TCP_RST) === 0) {
      bits |= SENT_DATA;
      if (fromOrig) flow.origBytes += p.length;
      else flow.respBytes += p.length;
      if (!flow.ignored[side]) {
        let stream = flow.streams[side];
        if (stream === undefined) {
          stream = new StreamReassembler();
          if (flow.isn[side] !== undefined) stream.syn(flow.isn[side]);
          flow.streams[side] = stream;
        }
        const f = flow;
        stream.segment(p.seq, payload, 0, p.length, (bytes) => {
          this.data.push(`${f.id}${fromOrig ? 'o' : 'r'}:${bytes.join(',')}`);
          if (!this.wants(f.id, fromOrig, this.data.length)) {
            f.ignored[side] = true;
            f.streams[side] = undefined;
          }
        });
      }
    }
    if (p.flags & TCP_FIN) bits |= SENT_FIN;
    if (p.flags & TCP_RST) {
      if (((flow.origBits | flow.respBits) & SENT_RST) === 0) flow.firstRstByOrig = fromOrig;
      bits |= SENT_RST;
    }
    if (fromOrig) flow.origPackets++;
    else flow.respPackets++;
    const before = fromOrig ? flow.origBits : flow.respBits;
    const fresh = bits & ~before & ~SENT_ANY;
    for (let bit = 1; bit < SENT_ANY; bit <<= 1) {
      if (fresh & bit) flow.history += historyLetter(bit, fromOrig);
    }
    if (fromOrig) flow.origBits |= bits;
    else flow.respBits |= bits;
    if (bits & SENT_RST || flow.origBits & flow.respBits & SENT_FIN) flow.closed = true;
    this.fed++;
  }

  private sweep(now: number, scale: number): void {
    const { attemptTimeout, idleTimeout, closedLinger } = this.options;
    for (const [key, flow] of [...this.flows]) {
      const limit = flow.closed
        ? closedLinger
        : (flow.respBits & ~SENT_ANY) === 0 && (flow.origBits & SENT_DATA) === 0
          ? attemptTimeout
          : idleTimeout;
      if (now - flow.last > limit * scale) this.end(key, flow);
    }
  }

  private end(key: string, flow: ModelFlow): void {
    this.flows.delete(key);
    this.ended.push({
      id: flow.id,
      initiator: this.text(flow.v6, flow.orig),
      initiatorPort: flow.origPort,
      responder: this.text(flow.v6, flow.resp),
      responderPort: flow.respPort,
      start: flow.start,
      last: flow.last,
      state: connState(flow.origBits, flow.respBits, flow.firstRstByOrig),
      history: flow.history,
      origPackets: flow.origPackets,
      respPackets: flow.respPackets,
      origBytes: flow.origBytes,
      respBytes: flow.respBytes,
      endedAfter: this.fed,
    });
  }

  finish(): void {
    for (const [key, flow] of [...this.flows]) this.end(key, flow);
  }
}

const SEC = 1_000_000;
const V4_HOSTS = ['0.0.0.0', '0.0.0.1', '10.0.0.2', '192.0.2.7'];
const V6_HOSTS = ['2001:db8::1', '2001:db8::2', '2001:db8::3', '2001:db8::5'];
const FLAG_SETS = [
  TCP_SYN,
  TCP_SYN | TCP_ACK,
  TCP_ACK,
  TCP_ACK,
  TCP_ACK | 0x08,
  TCP_FIN | TCP_ACK,
  TCP_RST,
  TCP_RST | TCP_ACK,
  TCP_FIN,
];

const packetArb = fc.record({
  step: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 * SEC }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 40 * SEC }) },
  ),
  v6: fc.boolean(),
  src: fc.integer({ min: 0, max: 3 }),
  dst: fc.integer({ min: 0, max: 3 }),
  // 40000 and 65535 have the top bit of the 16-bit half set: the packed ports key goes negative.
  srcPort: fc.constantFrom(80, 6881, 40000, 65535),
  dstPort: fc.constantFrom(80, 6881, 40000, 65535),
  flags: fc.constantFrom(...FLAG_SETS),
  seq: fc.integer({ min: 0, max: 40 }).map((s) => s * 5),
  length: fc.constantFrom(0, 0, 0, 3, 5, 9),
});

const optionsArb = fc.record({
  attemptTimeout: fc.integer({ min: 1, max: 30 }).map((s) => s * SEC),
  idleTimeout: fc.integer({ min: 1, max: 60 }).map((s) => s * SEC),
  closedLinger: fc.integer({ min: 1, max: 20 }).map((s) => s * SEC),
  maxFlows: fc.integer({ min: 1, max: 12 }),
  // A small table collides, wraps around, grows and shifts rows back on removal.
  initialRows: fc.constantFrom(2, 4, 8, 1 << 16),
});

function byId(ended: Ended[]): Ended[] {
  return [...ended].sort((x, y) => x.id - y.id);
}

/** A packet with the time since the one before instead of its own time. */
type Step = Omit<Packet, 'ts'> & { step: number };

/** Feeds the same packets to the flow table and to the model; returns what each reported. */
function runBoth(steps: Step[], options: FlowTableOptions, pickiness: number) {
  const addresses = new AddressTable();
  // The IPv6 hosts get ids 0 to 3, the numbers of IPv4 hosts 0.0.0.0 and
  // 0.0.0.1 in the flow table's key: the key must keep the families apart.
  const v6Ids = V6_HOSTS.map((t) => addresses.internText(t)!);
  const endpoint = (v6: boolean, host: number) =>
    v6 ? v6Ids[host]! : ipv4Number(V4_HOSTS[host]!) | 0;
  const text = (v6: boolean, host: number) => (v6 ? V6_HOSTS[host]! : V4_HOSTS[host]!);
  // Some listeners refuse a direction after a while, so reassembly stops mid-connection.
  const wants = (id: number, fromOrig: boolean, n: number) =>
    pickiness === 0 || (id + (fromOrig ? 1 : 0) + n) % (pickiness + 1) !== 0;
  const model = new ModelTable(options, text, wants);
  const ended: Ended[] = [];
  const data: string[] = [];
  let fed = 0;
  const table = new FlowTable(
    addresses,
    {
      data: (flow, fromOrig, _ts, bytes) => {
        data.push(`${flow.id}${fromOrig ? 'o' : 'r'}:${bytes.join(',')}`);
        return wants(flow.id, fromOrig, data.length);
      },
      end: (f) =>
        ended.push({
          id: f.id,
          initiator: f.initiator,
          initiatorPort: f.initiatorPort,
          responder: f.responder,
          responderPort: f.responderPort,
          start: f.start,
          last: f.last,
          state: f.state(),
          history: f.history,
          origPackets: f.origPackets,
          respPackets: f.respPackets,
          origBytes: f.origBytes,
          respBytes: f.respBytes,
          endedAfter: fed,
        }),
    },
    options,
  );
  let ts = 1_700_000_000 * SEC;
  steps.forEach((s, k) => {
    ts += s.step;
    const p: Packet = {
      ts,
      v6: s.v6,
      src: s.src,
      dst: s.dst,
      srcPort: s.srcPort,
      dstPort: s.dstPort,
      flags: s.flags,
      seq: s.seq,
      length: s.length,
    };
    const payload = new Uint8Array(s.length).fill(k & 255);
    table.segment(
      ts,
      p.v6,
      endpoint(p.v6, p.src),
      endpoint(p.v6, p.dst),
      p.srcPort,
      p.dstPort,
      p.flags,
      p.seq,
      payload,
      0,
      p.length,
    );
    fed++;
    model.segment(p, payload);
  });
  table.finish();
  model.finish();
  return {
    table: { ended: byId(ended), data, evicted: table.evicted, size: table.size },
    model: { ended: byId(model.ended), data: model.data, evicted: model.evicted, size: 0 },
  };
}

const DEFAULTS: FlowTableOptions = {
  attemptTimeout: 60 * SEC,
  idleTimeout: 300 * SEC,
  closedLinger: 10 * SEC,
  maxFlows: 1000,
  initialRows: 2,
};

/** One packet of a hand-written conversation between host 0 port 6881 (o) and host 2 port 80 (r). */
function say(from: 'o' | 'r', flags: number, seq: number, length = 0): Step {
  const o = from === 'o';
  return {
    step: SEC,
    v6: false,
    src: o ? 0 : 2,
    dst: o ? 2 : 0,
    srcPort: o ? 6881 : 80,
    dstPort: o ? 80 : 6881,
    flags,
    seq,
    length,
  };
}

describe('flow table against a plain model', () => {
  it('ends the same connections, with the same state and counts, and delivers the same bytes', () => {
    fc.assert(
      fc.property(
        fc.array(packetArb, { maxLength: 250 }),
        optionsArb,
        fc.integer({ min: 0, max: 3 }),
        (steps, options, pickiness) => {
          const { table, model } = runBoth(steps, options, pickiness);
          assert.deepEqual(table, model);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes a history longer than one int holds, in the order the letters came', () => {
    const steps = [
      say('o', TCP_SYN, 100),
      say('r', TCP_SYN | TCP_ACK, 5000),
      say('o', TCP_ACK, 101),
      say('o', TCP_ACK | 0x08, 101, 3),
      say('r', TCP_ACK, 5001),
      say('r', TCP_ACK | 0x08, 5001, 5),
      say('o', TCP_FIN | TCP_ACK, 104),
      say('r', TCP_FIN | TCP_ACK, 5006),
      say('r', TCP_RST, 5007),
    ];
    const { table, model } = runBoth(steps, DEFAULTS, 0);
    assert.deepEqual(table, model);
    assert.equal(table.ended[0]!.history, 'ShADadFfr');
  });

  it("keeps each side's first sequence number when the table grows, so reassembly starts right", () => {
    const steps: Step[] = [say('o', TCP_SYN, 100), say('r', TCP_SYN | TCP_ACK, 5000)];
    // Other connections make the two-row table grow several times.
    for (let port = 1000; port < 1040; port++) {
      steps.push({ ...say('o', TCP_SYN, 1), srcPort: port });
    }
    // Each side's first payload arrives after the growth, second segment first.
    steps.push(say('r', TCP_ACK | 0x08, 5004, 2), say('r', TCP_ACK | 0x08, 5001, 3));
    steps.push(say('o', TCP_ACK | 0x08, 104, 2), say('o', TCP_ACK | 0x08, 101, 3));
    const { table, model } = runBoth(steps, DEFAULTS, 0);
    assert.deepEqual(table, model);
    const first = table.data.filter((d) => d.startsWith('1'));
    assert.equal(first.length, 4, 'both segments of each side, the later one once the gap fills');
  });
});
