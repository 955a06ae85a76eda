/**
 * Timestamps far past what Date or a float64's 10 s steps can hold: a corrupt
 * pcapng interface that counts in whole seconds gives 10^24 µs and more. The
 * analysis must neither fail on them nor sweep its tables on every packet.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import { type ConnectionRecord, UdpFlowTable } from '../../src/capture/connections.ts';
import { FlowTable } from '../../src/capture/flow-table.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import { nextSweepAfter } from '../../src/capture/sweep-clock.ts';
import { connectionCsv, connectionLine } from '../../src/report/pcap-report.ts';
import { frame, pcapngFile, tcpPacket, udpPacket } from '../helpers/pcap-writer.ts';

/** `count` SYNs and datagrams from distinct ports, one ms apart from `startMicros`, on an interface counting seconds. */
function capture(count: number, startMicros: number): Uint8Array {
  const packets = [];
  for (let i = 0; i < count; i++) {
    const port = 1024 + i;
    const ip =
      i % 2 === 0
        ? tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: port, dstPort: 80, flags: 'S' })
        : udpPacket({ src: '10.0.0.1', dst: '10.0.0.3', srcPort: port, dstPort: 6881 });
    packets.push({ ts: startMicros + i * 1000, data: frame(1, ip) });
  }
  return pcapngFile([{ interfaces: [{ linkType: 1, tsresol: 0 }], packets }]);
}

function analyze(bytes: Uint8Array): ConnectionRecord[] {
  const connections: ConnectionRecord[] = [];
  const analyzer = new CaptureAnalyzer({ onConnection: (c) => connections.push(c) });
  const reader = new CaptureReader(analyzer);
  reader.push(bytes);
  reader.end();
  analyzer.finish();
  return connections;
}

/** Counts the calls of a private method on every instance of a class, until `restore`. */
function countCalls(prototype: object, method: string) {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  const original = target[method]!;
  const counter = {
    calls: 0,
    restore: () => {
      target[method] = original;
    },
  };
  target[method] = function (this: unknown, ...args: unknown[]) {
    counter.calls++;
    return original.apply(this, args);
  };
  return counter;
}

describe('timestamps past Date and past 10 s float steps', () => {
  const tcpSweeps = countCalls(FlowTable.prototype, 'sweep');
  const udpSweeps = countCalls(UdpFlowTable.prototype, 'sweep');
  after(() => {
    tcpSweeps.restore();
    udpSweeps.restore();
  });

  it('the next sweep stays 10 s ahead while a float64 can tell, and is never due where it cannot', () => {
    const now = 1.7e15;
    assert.equal(nextSweepAfter(now), now + 10_000_000);
    assert.equal(nextSweepAfter(2 ** 70), 2 ** 70 + 10_000_000);
    assert.equal(nextSweepAfter(1e25), Number.POSITIVE_INFINITY);
  });

  it('a capture at 10^24 µs is analyzed with no sweep per packet, and its connections print', () => {
    tcpSweeps.calls = 0;
    udpSweeps.calls = 0;
    const connections = analyze(capture(2000, 1e24));
    assert.equal(connections.length, 2000);
    // Without the guard, every packet after the first started a sweep (1,999 in all).
    assert.ok(tcpSweeps.calls + udpSweeps.calls <= 2, `${tcpSweeps.calls} + ${udpSweeps.calls}`);
    for (const c of connections) {
      assert.match(connectionLine(c), /^1\.000000e\+18 s /);
      assert.match(connectionCsv(c), /^1\.000000e\+18 s,/);
    }
  });

  it('the same capture at an ordinary time sweeps every 10 s of it and prints ISO times', () => {
    tcpSweeps.calls = 0;
    udpSweeps.calls = 0;
    // 30,000 packets one ms apart: 30 s of capture, a sweep at 10 s and at 20 s in each table.
    const connections = analyze(capture(30_000, 1.7e15));
    assert.equal(connections.length, 30_000);
    assert.equal(tcpSweeps.calls, 2);
    assert.equal(udpSweeps.calls, 2);
    const first = connections.reduce((a, b) => (b.start < a.start ? b : a));
    assert.match(connectionLine(first), /^2023-11-14T22:13:20\.000Z /);
  });
});
