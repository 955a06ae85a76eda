import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import type { PredictionExtractor } from '../../src/capture/types.ts';
import { tcpPacket, udpPacket } from '../helpers/pcap-writer.ts';

const HOSTS = ['10.0.0.1', '10.0.0.2'];
const PEERS = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
const PORTS = [6881, 51413];
const SEC = 1_000_000;

/** One event of a capture: a host learns a peer (over UDP), or tries one over TCP (a SYN, never answered). */
const eventArb = fc.record({
  learn: fc.boolean(),
  host: fc.integer({ min: 0, max: HOSTS.length - 1 }),
  peer: fc.integer({ min: 0, max: PEERS.length - 1 }),
  port: fc.integer({ min: 0, max: PORTS.length - 1 }),
  // Mostly forward, sometimes a step back: captures from several interfaces interleave.
  step: fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 90 * SEC }) },
    fc.constant(-SEC),
  ),
  srcPort: fc.integer({ min: 1024, max: 1100 }),
});

/** Runs the events through an analyzer whose extractor turns "PEER a:p" datagrams into predictions. */
function run(
  events: {
    learn: boolean;
    host: number;
    peer: number;
    port: number;
    step: number;
    srcPort: number;
  }[],
  batch: number,
) {
  const analyzer = new CaptureAnalyzer({
    predictionBatch: batch,
    // Short validity and timeouts, so predictions run out and attempts end while the capture goes on.
    predictionTtl: 120 * SEC,
    flows: { attemptTimeout: 30 * SEC },
    createExtractor: (onPrediction): PredictionExtractor => ({
      udp(d) {
        const [peer, port] = Buffer.from(d.payload).toString().slice(5).split(':');
        onPrediction({
          ts: d.ts,
          host: d.dst,
          peer: peer!,
          port: Number(port),
          source: 'dht',
          contact: 'peer',
        });
      },
      tcpData: () => false,
      tcpEnd() {},
      classifyUdp: () => undefined,
    }),
  });
  let ts = 1_700_000_000 * SEC;
  for (const e of events) {
    ts += e.step;
    const host = HOSTS[e.host]!;
    const peer = PEERS[e.peer]!;
    const port = PORTS[e.port]!;
    const packet = e.learn
      ? udpPacket({
          src: '203.0.113.9',
          dst: host,
          srcPort: 6881,
          dstPort: 6881,
          payload: new TextEncoder().encode(`PEER ${peer}:${port}`),
        })
      : tcpPacket({ src: host, dst: peer, srcPort: e.srcPort, dstPort: port, flags: 'S' });
    analyzer.frame(101, ts, packet, new DataView(packet.buffer), 0, packet.length);
  }
  analyzer.finish();
  const a = analyzer.attempts;
  return {
    attempts: Array.from({ length: a.length }, (_, i) => [
      a.src[i],
      a.dst[i],
      a.port[i],
      a.ts[i],
      a.predicted[i],
      HOSTS.indexOf(analyzer.addresses.text(a.src[i]!)),
      analyzer.addresses.text(a.dst[i]!),
    ]),
    hosts: [...analyzer.tally.ids()].map((id) => [
      analyzer.addresses.text(id),
      analyzer.tally.failed[id],
      analyzer.tally.predictedFailed[id],
    ]),
    recorded: analyzer.predictions.recorded,
    learned: HOSTS.map((h) => analyzer.predictions.learnedBy(analyzer.addresses.internText(h)!)),
  };
}

describe('predictions stored in batches', () => {
  it('match failed attempts exactly as predictions stored one by one do', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 120 }),
        fc.integer({ min: 2, max: 9 }),
        (events, batch) => {
          // A batch of one stores each prediction the moment it is made: the plain way.
          const oneByOne = run(events, 1);
          // Each host's count of predicted failures is its attempts a prediction covered.
          for (const [address, , predictedFailed] of oneByOne.hosts) {
            const id = HOSTS.indexOf(address as string);
            const covered = oneByOne.attempts.filter((a) => a[5] === id && a[4] !== 0).length;
            assert.equal(predictedFailed, id < 0 ? 0 : covered);
          }
          assert.deepEqual(run(events, batch), oneByOne);
          assert.deepEqual(run(events, 1 << 17), oneByOne);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('covers an attempt to a peer learned before it, in every batch size', () => {
    const events = [
      { learn: true, host: 0, peer: 2, port: 1, step: SEC, srcPort: 0 },
      { learn: false, host: 0, peer: 2, port: 1, step: SEC, srcPort: 2000 },
      { learn: false, host: 0, peer: 1, port: 1, step: SEC, srcPort: 2001 },
    ];
    for (const batch of [1, 2, 1 << 17]) {
      const r = run(events, batch);
      // The DHT's source bit on the attempt to the learned peer, nothing on the other.
      const bits = Object.fromEntries(r.attempts.map((a) => [a[6], a[4]]));
      assert.deepEqual(bits, { [PEERS[2]!]: 4, [PEERS[1]!]: 0 }, `batch ${batch}`);
      assert.deepEqual(
        r.hosts.find((h) => h[0] === HOSTS[0]),
        [HOSTS[0], 2, 1],
      );
    }
  });

  it('does not let a prediction made after an attempt ended cover it, even with an earlier time', () => {
    const events = [
      { learn: false, host: 0, peer: 0, port: 0, step: 10 * SEC, srcPort: 2000 },
      // The attempt ends (timed out) when a later TCP packet runs the sweep …
      { learn: false, host: 1, peer: 1, port: 1, step: 60 * SEC, srcPort: 2001 },
      // … and only then is the peer learned, stamped before the attempt began.
      { learn: true, host: 0, peer: 0, port: 0, step: -80 * SEC, srcPort: 0 },
    ];
    for (const batch of [1, 1 << 17]) {
      const r = run(events, batch);
      assert.equal(r.attempts.length, 2);
      assert.equal(r.attempts[0]![4], 0, `batch ${batch}`);
    }
  });
});
