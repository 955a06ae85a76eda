import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AddressTable } from '../../src/capture/addresses.ts';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import { isFailedAttempt } from '../../src/capture/conn-state.ts';
import { PacketDecoder, PROTO_TCP } from '../../src/capture/decode.ts';
import { FlowTable } from '../../src/capture/flow-table.ts';
import { MAX_OUT_OF_ORDER_SEGMENTS, StreamReassembler } from '../../src/capture/reassembly.ts';
import type { TcpFlow } from '../../src/capture/tcp-flow.ts';
import type { PredictionExtractor, TcpStreamRef } from '../../src/capture/types.ts';
import { ipv4Number } from '../../src/protocol/net/ip.ts';
import { tcpPacket, udpPacket } from '../helpers/pcap-writer.ts';

/** An IPv4 address as the flow table takes it (DecodedPacket). */
const ipv4 = (text: string) => ipv4Number(text) | 0;

const A = '192.0.2.1';
const B = '198.51.100.9';
type Step = [from: 'o' | 'r', flags: string, payload?: string, seq?: number];

/** Runs packets between A:1111 (o) and B:80 (r) through a flow table; returns the ended connections. */
function run(steps: Step[], options = {}, want = (_fromOrig: boolean) => true) {
  const addresses = new AddressTable();
  const decoder = new PacketDecoder(addresses);
  const ended: TcpFlow[] = [];
  const data: string[] = [];
  const table = new FlowTable(
    addresses,
    {
      data: (_f, fromOrig, _ts, bytes) => {
        data.push(`${fromOrig ? 'o' : 'r'}:${Buffer.from(bytes)}`);
        return want(fromOrig);
      },
      end: (f) => ended.push(f),
    },
    options,
  );
  let ts = 1_000_000;
  const seqs = { o: 100, r: 5000 };
  for (const [from, flags, payload, seq] of steps) {
    const bytes = payload === undefined ? undefined : new TextEncoder().encode(payload);
    const packet = tcpPacket({
      src: from === 'o' ? A : B,
      dst: from === 'o' ? B : A,
      srcPort: from === 'o' ? 1111 : 80,
      dstPort: from === 'o' ? 80 : 1111,
      flags,
      seq: seq ?? seqs[from],
      ...(bytes === undefined ? {} : { payload: bytes }),
    });
    if (seq === undefined)
      seqs[from] += (bytes?.length ?? 0) + (flags.includes('S') || flags.includes('F') ? 1 : 0);
    const view = new DataView(packet.buffer);
    assert.equal(decoder.decode(101, packet, view, 0, packet.length), PROTO_TCP);
    const p = decoder.packet;
    table.segment(
      ts,
      p.v6,
      p.src,
      p.dst,
      p.srcPort,
      p.dstPort,
      p.tcpFlags,
      p.seq,
      packet,
      p.payloadOffset,
      p.payloadLength,
    );
    ts += 1000;
  }
  table.finish();
  return { ended, data };
}

describe('payload delivery', () => {
  it('stops reassembling a direction the listener no longer wants, and only that one', () => {
    const { data, ended } = run(
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'PA', 'one'],
        ['r', 'PA', 'ok1'],
        ['o', 'PA', 'two'],
        ['r', 'PA', 'ok2'],
        ['o', 'FA'],
        ['r', 'FA'],
      ],
      {},
      (fromOrig) => !fromOrig,
    );
    assert.deepEqual(data, ['o:one', 'r:ok1', 'r:ok2']);
    // The connection itself is still followed to its end.
    assert.equal(ended[0]!.state(), 'SF');
    assert.equal(ended[0]!.origBytes, 6);
  });
});

describe('TCP connection states', () => {
  const cases: [string, Step[], string, string, boolean][] = [
    ['S0', [['o', 'S']], 'S0', 'S', true],
    [
      'REJ',
      [
        ['o', 'S'],
        ['r', 'RA'],
      ],
      'REJ',
      'Sr',
      true,
    ],
    [
      'S1',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
      ],
      'S1',
      'ShA',
      false,
    ],
    [
      'SF',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
        ['o', 'PA', 'GET'],
        ['r', 'PA', 'OK'],
        ['o', 'FA'],
        ['r', 'FA'],
        ['o', 'A'],
      ],
      'SF',
      'ShADdFf',
      false,
    ],
    [
      'S2',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
        ['o', 'FA'],
      ],
      'S2',
      'ShAF',
      false,
    ],
    [
      'S3',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
        ['r', 'FA'],
      ],
      'S3',
      'ShAf',
      false,
    ],
    [
      'RSTO after a SYN-ACK (SYN scan on an open port)',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'R'],
      ],
      'RSTO',
      'ShR',
      true,
    ],
    [
      'RSTO with data',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
        ['o', 'PA', 'x'],
        ['o', 'R'],
      ],
      'RSTO',
      'ShADR',
      false,
    ],
    [
      'RSTR',
      [
        ['o', 'S'],
        ['r', 'SA'],
        ['o', 'A'],
        ['r', 'R'],
      ],
      'RSTR',
      'ShAr',
      true,
    ],
    [
      'RSTOS0',
      [
        ['o', 'S'],
        ['o', 'R'],
      ],
      'RSTOS0',
      'SR',
      true,
    ],
    [
      'SH',
      [
        ['o', 'S'],
        ['o', 'F'],
      ],
      'SH',
      'SF',
      true,
    ],
    [
      'RSTRH',
      [
        ['r', 'SA'],
        ['r', 'R'],
      ],
      'RSTRH',
      'hr',
      false,
    ],
    [
      'SHR',
      [
        ['r', 'SA'],
        ['r', 'FA'],
      ],
      'SHR',
      'hf',
      false,
    ],
    [
      'OTH',
      [
        ['o', 'PA', 'midstream'],
        ['r', 'A'],
      ],
      'OTH',
      'Da',
      false,
    ],
  ];
  for (const [name, steps, state, history, failed] of cases) {
    it(`${name}: ${state}, history ${history}, ${failed ? '' : 'not '}a failed attempt`, () => {
      const { ended } = run(steps);
      assert.equal(ended.length, 1);
      const flow = ended[0]!;
      assert.equal(flow.state(), state);
      assert.equal(flow.history, history);
      assert.equal(isFailedAttempt(flow.state(), flow.orig, flow.resp), failed);
      if (state !== 'RSTRH' && state !== 'SHR') assert.equal(flow.initiator, A);
    });
  }

  it('a SYN-ACK without its SYN makes its destination the originator', () => {
    const { ended } = run([
      ['r', 'SA'],
      ['o', 'A'],
    ]);
    assert.equal(ended[0]!.initiator, A);
    assert.equal(ended[0]!.responderPort, 80);
  });

  it('a new SYN on the pair of a closed connection starts a new connection', () => {
    const { ended } = run([
      ['o', 'S'],
      ['r', 'RA'],
      ['o', 'S', undefined, 9000],
    ]);
    assert.deepEqual(
      ended.map((f) => f.state()),
      ['REJ', 'S0'],
    );
    assert.notEqual(ended[0]!.id, ended[1]!.id);
  });
});

describe('flow table limits', () => {
  it('ends unanswered attempts after the attempt timeout, while the capture goes on', () => {
    const addresses = new AddressTable();
    const ended: number[] = [];
    const table = new FlowTable(
      addresses,
      { data: () => true, end: (f) => ended.push(f.last) },
      { attemptTimeout: 5_000_000 },
    );
    const a = ipv4('10.0.0.1');
    for (let i = 0; i < 100; i++) {
      const b = ipv4(`10.1.0.${i}`);
      table.segment(i * 1_000_000, false, a, b, 5000, 22, 2, 0, new Uint8Array(0), 0, 0);
    }
    assert.ok(ended.length > 50, `${ended.length} ended before the end`);
    assert.ok(table.size < 30);
    table.finish();
    assert.equal(ended.length, 100);
  });

  it('keeps at most maxFlows open, ending the idlest first', () => {
    const addresses = new AddressTable();
    let ended = 0;
    const table = new FlowTable(
      addresses,
      { data: () => true, end: () => ended++ },
      { maxFlows: 1000 },
    );
    const a = ipv4('10.0.0.1');
    for (let i = 0; i < 5000; i++) {
      table.segment(
        i,
        false,
        a,
        ipv4(`10.2.${i >> 8}.${i & 255}`),
        5000,
        22,
        2,
        0,
        new Uint8Array(0),
        0,
        0,
      );
      assert.ok(table.size <= 1000);
    }
    assert.ok(table.evicted >= 4000);
    table.finish();
    assert.equal(ended, 5000);
  });

  it('finds every one of many connections again (hash table with deletions)', () => {
    const addresses = new AddressTable();
    const ended = new Map<number, number>();
    const table = new FlowTable(addresses, {
      data: () => true,
      end: (f) => ended.set(f.id, f.origPackets),
    });
    const ids = Array.from({ length: 300 }, (_, i) => ipv4(`172.16.${i >> 8}.${i & 255}`));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 300; i++)
        table.segment(
          round,
          false,
          ids[i]!,
          ids[(i * 7) % 300]!,
          1000 + i,
          80,
          0x10,
          0,
          new Uint8Array(0),
          0,
          0,
        );
    }
    table.finish();
    assert.equal(ended.size, 300);
    for (const packets of ended.values()) assert.equal(packets, 3);
  });
});

describe('reassembly', () => {
  it('delivers in order across reordering, retransmission and overlap', () => {
    const { data } = run([
      ['o', 'S'],
      ['r', 'SA'],
      ['o', 'PA', 'world', 106],
      ['o', 'PA', 'hello', 101],
      ['o', 'PA', 'hello', 101],
      ['o', 'PA', 'lo wor', 104],
      ['o', 'PA', '!', 111],
      ['r', 'PA', 'ok'],
    ]);
    assert.deepEqual(data, ['o:hello', 'o:world', 'o:!', 'r:ok']);
  });

  it('skips a hole that never fills once too much waits behind it', () => {
    const r = new StreamReassembler();
    const out: number[] = [];
    r.syn(0);
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 1; i <= 5; i++)
      r.segment(1 + i * chunk.length, chunk, 0, chunk.length, (d) => out.push(d.length));
    assert.ok(out.length > 0);
    assert.equal(r.skippedBytes, chunk.length);
  });

  it('delivers every byte once, in order, whatever order the segments come in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        (isn, sizes, shuffle) => {
          const total = sizes.reduce((a, b) => a + b, 0);
          const stream = Uint8Array.from({ length: total }, (_, i) => i & 255);
          const segments: [number, number][] = [];
          for (let at = 0, i = 0; i < sizes.length; at += sizes[i]!, i++) {
            segments.push([at, sizes[i]!]);
          }
          // A permutation, with some segments sent twice.
          const order = segments.map((s, i) => ({ s, key: shuffle[i]! }));
          order.sort((a, b) => a.key - b.key);
          const sent = [
            ...order.map((o) => o.s),
            ...order.filter((o) => o.key % 5 === 0).map((o) => o.s),
          ];
          const r = new StreamReassembler();
          r.syn(isn);
          const out: number[] = [];
          for (const [at, length] of sent) {
            r.segment((isn + 1 + at) >>> 0, stream, at, length, (d) => out.push(...d));
          }
          assert.deepEqual(out, [...stream]);
          assert.equal(r.skippedBytes, 0);
        },
      ),
      { numRuns: 300, seed: 0x7cb },
    );
  });

  it('skips the hole once more early segments wait than the bound, even tiny ones', () => {
    const r = new StreamReassembler();
    const out: number[] = [];
    r.syn(1000);
    const byte = new Uint8Array([7]);
    // Byte 1 is missing; bytes 2.. arrive backwards, one per segment.
    const early = MAX_OUT_OF_ORDER_SEGMENTS + 1;
    for (let i = early; i >= 1; i--) r.segment(1001 + i, byte, 0, 1, (d) => out.push(...d));
    assert.equal(r.skippedBytes, 1);
    assert.equal(out.length, early);
    // The stream goes on after the hole.
    r.segment(1002 + early, byte, 0, 1, (d) => out.push(...d));
    assert.equal(out.length, early + 1);
  });

  it('handles sequence numbers wrapping past 2^32', () => {
    const r = new StreamReassembler();
    const out: string[] = [];
    r.syn(0xfffffffd);
    const enc = (s: string) => new TextEncoder().encode(s);
    r.segment(0x00000001, enc('cd'), 0, 2, (d) => out.push(Buffer.from(d).toString()));
    r.segment(0xfffffffe, enc('ab!'), 0, 3, (d) => out.push(Buffer.from(d).toString()));
    assert.deepEqual(out, ['ab!', 'cd']);
  });
});

describe('analyzer and extractor', () => {
  it('hands the extractor UDP datagrams and in-order TCP bytes, and counts predicted failures', () => {
    const seen: string[] = [];
    const ended: TcpStreamRef[] = [];
    const analyzer = new CaptureAnalyzer({
      createExtractor: (onPrediction): PredictionExtractor => ({
        udp(d) {
          const text = Buffer.from(d.payload).toString();
          seen.push(`udp ${d.src}:${d.srcPort}>${d.dst}:${d.dstPort} ${text}`);
          if (text.startsWith('PEER ')) {
            const [peer, port] = text.slice(5).split(':');
            onPrediction({ ts: d.ts, host: d.dst, peer: peer!, port: Number(port), source: 'dht' });
          }
        },
        tcpData(stream, fromInitiator, _ts, bytes) {
          seen.push(
            `tcp ${stream.initiator}>${stream.responder}:${stream.responderPort} ${fromInitiator} ${Buffer.from(bytes)}`,
          );
          return true;
        },
        tcpEnd(stream) {
          ended.push(stream);
        },
        classifyUdp: (d) => (d.payload[0] === 0x64 ? 'dht' : undefined),
      }),
    });
    const enc = (s: string) => new TextEncoder().encode(s);
    const feed = (ts: number, bytes: Uint8Array) =>
      analyzer.frame(101, ts, bytes, new DataView(bytes.buffer), 0, bytes.length);
    feed(
      1e6,
      udpPacket({
        src: '203.0.113.1',
        dst: A,
        srcPort: 6881,
        dstPort: 6881,
        payload: enc('PEER 203.0.113.5:51413'),
      }),
    );
    feed(2e6, tcpPacket({ src: A, dst: '203.0.113.5', srcPort: 3000, dstPort: 51413, flags: 'S' }));
    feed(2e6, tcpPacket({ src: A, dst: '203.0.113.6', srcPort: 3001, dstPort: 51413, flags: 'S' }));
    feed(3e6, tcpPacket({ src: A, dst: B, srcPort: 3002, dstPort: 80, flags: 'S', seq: 10 }));
    feed(3e6, tcpPacket({ src: B, dst: A, srcPort: 80, dstPort: 3002, flags: 'SA', seq: 70 }));
    feed(
      3e6,
      tcpPacket({
        src: A,
        dst: B,
        srcPort: 3002,
        dstPort: 80,
        flags: 'PA',
        seq: 11,
        payload: enc('GET /'),
      }),
    );
    feed(
      3e6,
      tcpPacket({
        src: B,
        dst: A,
        srcPort: 80,
        dstPort: 3002,
        flags: 'PA',
        seq: 71,
        payload: enc('200'),
      }),
    );
    feed(
      4e6,
      udpPacket({
        src: A,
        dst: '203.0.113.7',
        srcPort: 6881,
        dstPort: 7000,
        payload: enc('d1:ad'),
      }),
    );
    analyzer.finish();
    assert.deepEqual(seen, [
      `udp 203.0.113.1:6881>${A}:6881 PEER 203.0.113.5:51413`,
      `tcp ${A}>${B}:80 true GET /`,
      `tcp ${A}>${B}:80 false 200`,
      `udp ${A}:6881>203.0.113.7:7000 d1:ad`,
    ]);
    assert.equal(ended.length, 1);
    const host = analyzer.addresses.internText(A)!;
    const counts = analyzer.tally;
    assert.ok(counts.ids().includes(host));
    assert.equal(counts.connections[host], 3);
    assert.equal(counts.failed[host], 2);
    assert.equal(counts.predictedFailed[host], 1);
    assert.deepEqual(counts.btUdpKinds[host], 1);
    assert.equal(analyzer.states.get('S0'), 2);
    assert.equal(analyzer.states.get('S1'), 1);
  });
});
