/**
 * Random mutations of valid captures through the whole pipeline (reader,
 * decoder, flows, the BitTorrent extractor, the detector): the only error
 * that may come out is the reader's own, and every run ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import { BitTorrentExtractor } from '../../src/capture/bittorrent/index.ts';
import { CaptureFormatError } from '../../src/capture/errors.ts';
import { summarize } from '../../src/capture/pcap-analysis.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import { PRESETS } from '../../src/capture/scan-config.ts';
import { connectionCsv, connectionLine } from '../../src/report/pcap-report.ts';
import { labeledScenario } from '../helpers/capture-scenario.ts';
import { pcapFile, pcapngFile } from '../helpers/pcap-writer.ts';

const { frames, labels } = labeledScenario();
const small = frames.filter((_, i) => i % 40 === 0 || i < 6).slice(0, 60);
const SEEDS = [
  pcapFile(small),
  pcapFile(small, { nano: true, bigEndian: true }),
  pcapngFile([
    { interfaces: [{ linkType: 1, tsresol: 9 }], packets: small.slice(0, 30), extraBlocks: true },
    {
      bigEndian: true,
      interfaces: [{ linkType: 1 }],
      packets: small.slice(30).map((f) => ({ ...f, simple: true })),
    },
  ]),
];

/** Reads a (damaged) capture as `pcap analyze` and `pcap conns` together would. */
function analyze(bytes: Uint8Array, chunk: number): void {
  let tcpConnections = 0;
  const analyzer = new CaptureAnalyzer({
    createExtractor: (p) => new BitTorrentExtractor(p),
    onConnection: (c) => {
      if (c.proto === 'tcp') tcpConnections++;
      assert.ok(c.origPackets + c.respPackets >= 1, 'a connection is at least one packet');
      // A UDP flow's originator sent its first datagram (a TCP one may be inferred from a SYN-ACK).
      if (c.proto === 'udp') assert.ok(c.origPackets >= 1);
      connectionLine(c);
      connectionCsv(c);
    },
  });
  const reader = new CaptureReader(analyzer);
  try {
    for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
    reader.end();
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    assert.ok(error.offset >= 0 && error.offset <= bytes.length, `offset ${error.offset}`);
  }
  summarize(analyzer, [], PRESETS.bro, labels, [10, 100]);
  let ended = 0;
  for (const n of analyzer.states.values()) ended += n;
  assert.equal(tcpConnections, ended, 'every ended connection is listed once');
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
);

describe('fuzzing the capture pipeline', () => {
  it('mutated captures give CaptureFormatError or a result, nothing else', {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 4096 }),
        (seed, mutations, chunk) => {
          let bytes = SEEDS[seed]!.slice();
          for (const m of mutations) {
            const at = m.at % bytes.length;
            if (m.kind === 'flip') bytes[at] = m.value;
            else if (m.kind === 'cut') bytes = bytes.slice(0, at);
            else if (at + 4 <= bytes.length)
              new DataView(bytes.buffer).setUint32(at, m.value, true);
            if (bytes.length === 0) break;
          }
          analyze(bytes, chunk);
        },
      ),
      { numRuns: 400, seed: 0x5eed },
    );
  });

  it('random bytes after a valid header are an error or packets, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.boolean(), (tail, ng) => {
        const head = ng ? SEEDS[2]!.subarray(0, 48) : SEEDS[0]!.subarray(0, 24);
        const bytes = new Uint8Array(head.length + tail.length);
        bytes.set(head);
        bytes.set(tail, head.length);
        analyze(bytes, 997);
      }),
      { numRuns: 300, seed: 0xbad },
    );
  });
});
