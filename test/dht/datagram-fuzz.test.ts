/**
 * Raw datagrams into a node (libtorrent keeps such a fuzzer beside its
 * parser's): generated KRPC messages of every kind, mutated, and the kept
 * fuzz corpus. Nothing throws, every datagram is reported exactly once, and
 * whatever the node sends back is valid KRPC addressed to the sender (or a
 * ping to a node it is checking).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { DhtNode } from '../../src/dht/node.ts';
import type { Destination, Endpoint, Transport } from '../../src/dht/transport.ts';
import { newTransportStats } from '../../src/dht/transport-support.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { encodeKrpc, parseKrpc } from '../../src/protocol/krpc/index.ts';
import { krpcMessage } from '../protocol/krpc/arbitraries.ts';
import { fromHex, seeded } from './helpers.ts';

/** A transport the test drives by hand, synchronously: nothing leaves the process. */
function handTransport() {
  const sent: { data: Uint8Array; to: Destination }[] = [];
  let handler: ((data: Uint8Array, from: Endpoint) => void) | undefined;
  const transport: Transport = {
    local: { address: '127.0.0.1', port: 6881, family: 4 },
    stats: newTransportStats(),
    send: (data, to) => sent.push({ data, to }),
    onDatagram: (h) => {
      handler = h;
    },
    close: async () => {},
  };
  return { transport, sent, deliver: (data: Uint8Array, from: Endpoint) => handler!(data, from) };
}

function harness() {
  const hand = handTransport();
  const random = seeded(61);
  const clock = new ManualClock(0);
  const node = new DhtNode({ id: randomNodeId(random), transport: hand.transport, clock });
  for (let i = 0; i < 30; i++) {
    const contact = { id: randomNodeId(random), address: `127.0.2.${i + 1}`, port: 6881 };
    node.routingTable.heardFrom(contact, 'response', 0);
  }
  let reports = 0;
  node.onInbound(() => reports++);
  let delivered = 0;
  const feed = (data: Uint8Array, i: number) => {
    const from: Endpoint = { address: `127.0.3.${i % 7}`, port: 1000 + (i % 3), family: 4 };
    const before = hand.sent.length;
    hand.deliver(data, from);
    delivered++;
    clock.advance(1);
    assert.equal(reports, delivered, 'one report per datagram');
    for (const { data: out, to } of hand.sent.slice(before)) {
      const parsed = parseKrpc(out);
      assert.ok(parsed.ok, `we sent invalid KRPC: ${!parsed.ok && parsed.reason}`);
      const toSender = to.address === from.address && to.port === from.port;
      const upkeepPing = parsed.message.y === 'q' && parsed.message.method === 'ping';
      assert.ok(toSender || upkeepPing, 'only answers to the sender, or pings');
      if (toSender && !upkeepPing) {
        const incoming = parseKrpc(data);
        const t = incoming.ok ? incoming.message.t : incoming.t;
        assert.deepEqual(parsed.message.t, t, "an answer echoes the query's t");
      }
    }
  };
  return { node, feed };
}

describe('raw datagrams into a node', () => {
  it('generated messages of every kind, mutated or not, never throw', () => {
    const { node, feed } = harness();
    let i = 0;
    const edit = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      kind: fc.nat({ max: 4 }),
    });
    fc.assert(
      fc.property(krpcMessage, fc.array(edit, { maxLength: 2 }), (message, edits) => {
        let bytes = encodeKrpc(message);
        for (const e of edits) {
          const at = bytes.length === 0 ? 0 : e.at % bytes.length;
          if (e.kind === 0) bytes = Uint8Array.from(bytes).fill(e.byte, at, at + 1);
          else if (e.kind === 1) bytes = bytes.subarray(0, at);
          else if (e.kind === 2)
            bytes = Uint8Array.from([...bytes.subarray(0, at), e.byte, ...bytes.subarray(at)]);
          // kind 3, 4: left as generated
        }
        feed(bytes, i++);
      }),
      { numRuns: 3000, seed: 0x64687431 },
    );
    assert.equal(node.stats.received, 3000);
    const answered = Object.values(node.stats.answered).reduce((a, b) => a + b, 0);
    const malformed = Object.values(node.stats.malformed).reduce((a, b) => a + b, 0);
    assert.ok(answered > 100, `${answered} answered`);
    assert.ok(malformed > 100, `${malformed} malformed`);
  });

  it('the kept fuzz corpus (test/fixtures/fuzz/*.hex) never throws', () => {
    const { node, feed } = harness();
    const dir = new URL('../fixtures/fuzz/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.hex'));
    assert.ok(files.length > 0);
    files.forEach((file, i) => {
      feed(fromHex(readFileSync(new URL(file, dir), 'utf8').replace(/#.*$/gm, '')), i);
    });
    assert.equal(node.stats.received, files.length);
  });
});
