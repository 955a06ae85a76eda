/**
 * Our own queries: random transaction ids, timeouts and retries on a manual
 * clock, answers matched by id and endpoint, typed failures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhtQueryError } from '../../src/dht/errors.ts';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import type { DhtNodeOptions } from '../../src/dht/node-options.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import type { KrpcMessage } from '../../src/protocol/krpc/index.ts';
import { ascii, RawPeer, seeded, toHex } from './helpers.ts';

function setup(options: Partial<DhtNodeOptions> = {}) {
  const network = memoryNetwork();
  const clock = new ManualClock(0);
  const random = seeded(21);
  const node = new DhtNode({
    id: randomNodeId(random),
    transport: network.transport('127.0.0.1', 6881),
    clock,
    version: ascii('DS\x00\x01'),
    queryTimeoutMs: 1_000,
    maxRetries: 2,
    ...options,
  });
  const remote = new RawPeer(network, '127.0.0.2', 6881);
  const queries = () =>
    remote.received.flatMap((r) =>
      r.parsed.ok && r.parsed.message.y === 'q' ? [r.parsed.message] : [],
    );
  return { network, clock, node, remote, queries, remoteId: randomNodeId(random) };
}

const failsWith =
  (kind: string, extra: (e: DhtQueryError) => boolean = () => true) =>
  (error: unknown) =>
    error instanceof DhtQueryError && error.kind === kind && extra(error);

describe('queries', () => {
  it('re-sends the same datagram after each timeout, then rejects with timeout', async () => {
    const s = setup();
    const settled = s.node.ping(s.remote.local);
    let rejected: unknown;
    settled.catch((e: unknown) => {
      rejected = e;
    });
    await s.network.settle();
    assert.equal(s.remote.received.length, 1);
    s.clock.advance(999);
    await s.network.settle();
    assert.equal(s.remote.received.length, 1, 'no retry before the timeout');
    s.clock.advance(1);
    await s.network.settle();
    assert.equal(s.remote.received.length, 2);
    assert.deepEqual(s.remote.received[1]!.data, s.remote.received[0]!.data, 'same bytes, same t');
    s.clock.advance(1_000);
    await s.network.settle();
    assert.equal(s.remote.received.length, 3);
    assert.equal(rejected, undefined, 'still waiting after the last retry');
    s.clock.advance(1_000);
    await assert.rejects(settled, failsWith('timeout'));
    assert.equal(s.node.stats.retries, 2);
    assert.equal(s.node.stats.timeouts, 1);
    assert.equal(s.node.stats.queriesSent, 1);
    assert.equal(s.node.pendingQueries, 0);
    await s.node.close();
  });

  it('an answer to the first send that arrives after a retry still settles the query', async () => {
    const s = setup();
    const answered = s.node.ping(s.remote.local);
    await s.network.settle();
    s.clock.advance(1_000); // one retry
    await s.network.settle();
    const [first] = s.queries();
    s.remote.send({ t: first!.t, y: 'r', result: { id: s.remoteId } }, s.node.local);
    const response = await answered;
    assert.deepEqual(response.result.id, s.remoteId);
    assert.equal(s.node.stats.responses, 1);
    await s.node.close();
  });

  it('transaction ids are random: distinct, 4 bytes, not a sequence', async () => {
    const s = setup({ randomBytes: undefined }); // node:crypto
    const pending = Array.from({ length: 64 }, () => s.node.ping(s.remote.local).catch(() => {}));
    await s.network.settle();
    const ids = s.queries().map((q) => toHex(q.t));
    assert.equal(ids.length, 64);
    assert.equal(new Set(ids).size, 64);
    assert.ok(ids.every((id) => id.length === 8));
    const numbers = ids.map((id) => Number.parseInt(id, 16));
    const steps = new Set(numbers.slice(1).map((n, i) => n - numbers[i]!));
    assert.ok(steps.size > 32, 'no constant step between consecutive ids');
    await s.node.close();
    await Promise.all(pending);
  });

  it('queries carry our id, our v, and ro when read-only (BEP 43)', async () => {
    const s = setup({ readOnly: true });
    const target = randomNodeId(seeded(99));
    s.node.findNode(s.remote.local, target).catch(() => {});
    await s.network.settle();
    const [query] = s.queries();
    assert.ok(query?.method === 'find_node');
    assert.deepEqual(query.args.id, s.node.id);
    assert.deepEqual(query.args.target, target);
    assert.deepEqual(query.v, ascii('DS\x00\x01'));
    assert.equal(query.ro, true);
    await s.node.close();
  });

  it('an error answer rejects with its code and message', async () => {
    const s = setup();
    const asked = s.node.ping(s.remote.local);
    await s.network.settle();
    const [query] = s.queries();
    s.remote.send({ t: query!.t, y: 'e', code: 201, message: ascii('go away') }, s.node.local);
    await assert.rejects(
      asked,
      failsWith('error-response', (e) => e.code === 201 && e.remoteMessage === 'go away'),
    );
    assert.equal(s.node.stats.errorResponses, 1);
    await s.node.close();
  });

  it('an answer from another endpoint, or with an unknown t, settles nothing', async () => {
    const s = setup();
    const impostor = new RawPeer(s.network, '127.0.0.3', 6881);
    const samePortOtherHost = s.node.ping(s.remote.local);
    await s.network.settle();
    const [query] = s.queries();
    const answer: KrpcMessage = { t: query!.t, y: 'r', result: { id: s.remoteId } };
    impostor.send(answer, s.node.local);
    s.remote.send({ ...answer, t: ascii('zzzz') }, s.node.local);
    await s.network.settle();
    assert.equal(s.node.stats.unsolicited, 2);
    assert.equal(s.node.pendingQueries, 1);
    s.remote.send(answer, s.node.local);
    await samePortOtherHost;
    await s.node.close();
  });

  it('a malformed answer fails the query at once with invalid-response', async () => {
    const s = setup();
    const asked = s.node.ping(s.remote.local);
    await s.network.settle();
    const [query] = s.queries();
    // A response whose id is 3 bytes long.
    const t = String.fromCharCode(...query!.t);
    s.remote.send(ascii(`d1:rd2:id3:abce1:t4:${t}1:y1:re`), s.node.local);
    await assert.rejects(asked, failsWith('invalid-response'));
    await s.node.close();
  });

  it('refuses queries beyond maxPendingQueries, and fails those in flight on close', async () => {
    const s = setup({ maxPendingQueries: 2 });
    const first = s.node.ping(s.remote.local);
    const second = s.node.ping(s.remote.local);
    await assert.rejects(s.node.ping(s.remote.local), failsWith('overloaded'));
    assert.equal(s.node.stats.overloaded, 1);
    await s.node.close();
    await assert.rejects(first, failsWith('closed'));
    await assert.rejects(second, failsWith('closed'));
    await assert.rejects(s.node.ping(s.remote.local), failsWith('closed'));
    assert.equal(s.clock.pendingTimers, 0, 'close left no timer behind');
  });
});
