/** Per-remote rate limiting of inbound queries, and its bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import { RateLimiter } from '../../src/dht/rate-limiter.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { ascii, RawPeer, recordInbound, seeded } from './helpers.ts';

describe('rate limiting', () => {
  it('drops excess queries from one address, unanswered, and still answers another', async () => {
    const network = memoryNetwork();
    const clock = new ManualClock(0);
    const random = seeded(11);
    const node = new DhtNode({
      id: randomNodeId(random),
      transport: network.transport('127.0.0.1', 6881),
      clock,
      rateLimit: { perSecond: 2, burst: 5 },
    });
    const inbound = recordInbound(node);
    const flooder = new RawPeer(network, '127.0.0.2', 5000);
    const polite = new RawPeer(network, '127.0.0.3', 5000);
    const ping = (i: number) => ({
      t: Uint8Array.of(i),
      y: 'q' as const,
      method: 'ping' as const,
      args: { id: randomNodeId(random) },
    });

    for (let i = 0; i < 20; i++) flooder.send(ping(i), node.local);
    // A malformed query with a t would cost an error reply: it counts too.
    flooder.send(ascii('d1:t1:z1:y1:q1:q4:pinge'), node.local);
    polite.send(ping(99), node.local);
    await network.settle();

    const answers = (peer: RawPeer) =>
      peer.received.filter((r) => r.parsed.ok && r.parsed.message.y !== 'q');
    assert.equal(answers(flooder).length, 5);
    assert.equal(answers(polite).length, 1);
    assert.equal(node.stats.rateLimited, 16);
    assert.equal(inbound.filter((i) => i.action === 'rate-limited').length, 16);
    assert.equal(inbound.length, 22, 'rate-limited queries are still reported');

    // Two tokens a second come back.
    clock.advance(1_000);
    for (let i = 0; i < 5; i++) flooder.send(ping(i), node.local);
    await network.settle();
    assert.equal(answers(flooder).length, 7);
    await node.close();
  });

  it('tracks at most maxTracked remotes, forgetting the least recently seen', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, 2, clock);
    assert.equal(limiter.allow('a'), true);
    assert.equal(limiter.allow('b'), true);
    assert.equal(limiter.allow('a'), false); // a is now the most recent
    assert.equal(limiter.allow('c'), true); // evicts b
    assert.equal(limiter.size, 2);
    assert.equal(limiter.allow('a'), false, 'a was kept, still empty');
    assert.equal(limiter.allow('b'), true, 'b was forgotten: a full bucket again');
  });

  it('refills at the configured rate up to the burst', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ perSecond: 10, burst: 3 }, 10, clock);
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (limiter.allow('x')) allowed++;
    assert.equal(allowed, 3);
    clock.advance(100);
    assert.equal(limiter.allow('x'), true);
    assert.equal(limiter.allow('x'), false);
    clock.advance(60_000);
    allowed = 0;
    for (let i = 0; i < 10; i++) if (limiter.allow('x')) allowed++;
    assert.equal(allowed, 3, 'never more than the burst');
  });
});
