/**
 * Routing-table upkeep: who gets into the table and how (answers in,
 * queriers verified by a ping first, read-only queriers never), timeouts
 * reported, questionable nodes pinged and stale buckets refreshed on the
 * injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { ascii, hexOf, RawPeer, seeded } from './helpers.ts';

const MINUTE = 60_000;

function setup() {
  const network = memoryNetwork();
  const clock = new ManualClock(0);
  const random = seeded(31);
  const node = new DhtNode({
    id: randomNodeId(random),
    transport: network.transport('127.0.0.1', 6881),
    clock,
    queryTimeoutMs: 1_000,
    maxRetries: 0,
  });
  const peer = new RawPeer(network, '127.0.0.2', 6881);
  const peerId = randomNodeId(random);
  /** The peer answers every query it got and has not answered yet. */
  let answered = 0;
  const answerQueries = async () => {
    for (const r of peer.received.slice(answered)) {
      if (r.parsed.ok && r.parsed.message.y === 'q')
        peer.send({ t: r.parsed.message.t, y: 'r', result: { id: peerId } }, node.local);
    }
    answered = peer.received.length;
    await network.settle();
  };
  const pingsTo = () =>
    peer.received.filter(
      (r) => r.parsed.ok && r.parsed.message.y === 'q' && r.parsed.message.method === 'ping',
    ).length;
  return { network, clock, node, peer, peerId, random, answerQueries, pingsTo };
}

describe('routing-table upkeep', () => {
  it('a node that queries us is pinged, and enters the table once it answers', async () => {
    const s = setup();
    await s.peer.request(
      { t: ascii('aa'), y: 'q', method: 'ping', args: { id: s.peerId } },
      s.node.local,
    );
    assert.equal(s.node.routingTable.size, 0, 'a query alone does not get a node in');
    assert.equal(s.node.routingTable.buckets()[0]!.replacements.length, 1);
    assert.equal(s.pingsTo(), 1);
    await s.answerQueries();
    assert.equal(s.node.routingTable.size, 1);
    assert.equal(hexOf(s.node.routingTable.get(s.peerId)!.id), hexOf(s.peerId));
    assert.equal(s.node.stats.upkeepPings, 1);
    await s.node.close();
  });

  it('a read-only querier (BEP 43 ro) is neither cached nor pinged', async () => {
    const s = setup();
    const query = {
      t: ascii('aa'),
      y: 'q' as const,
      method: 'ping' as const,
      args: { id: s.peerId },
      ro: true,
    };
    const reply = await s.peer.request(query, s.node.local);
    assert.ok(reply?.parsed.ok && reply.parsed.message.y === 'r', 'it is answered');
    assert.equal(s.node.routingTable.buckets()[0]!.replacements.length, 0);
    assert.equal(s.pingsTo(), 0);
    await s.node.close();
  });

  it('a node that answers our query enters the table; a timeout counts against it', async () => {
    const s = setup();
    const asked = s.node.ping(s.peer.local);
    await s.network.settle();
    await s.answerQueries();
    await asked;
    assert.ok(s.node.routingTable.get(s.peerId));
    const unanswered = s.node.ping({ ...s.peer.local, id: s.peerId });
    await s.network.settle();
    s.clock.advance(1_000);
    await assert.rejects(unanswered);
    assert.equal(s.node.routingTable.get(s.peerId)?.failures, 1);
    await s.node.close();
  });

  it('pings a questionable node on the upkeep tick', async () => {
    const s = setup();
    s.node.routingTable.heardFrom({ ...s.peer.local, id: s.peerId }, 'response', s.clock.now());
    s.node.start();
    await s.network.settle();
    await s.answerQueries(); // the start lookup's find_node
    s.clock.advance(14 * MINUTE);
    await s.network.settle();
    assert.equal(s.pingsTo(), 0, 'still good for 15 minutes');
    s.clock.advance(2 * MINUTE); // 16 min: questionable
    await s.network.settle();
    assert.equal(s.pingsTo(), 1);
    await s.answerQueries();
    assert.equal(
      s.node.routingTable.state(s.node.routingTable.get(s.peerId)!, s.clock.now()),
      'good',
    );
    await s.node.close();
  });

  it('refreshes a stale bucket with a find_node lookup, once per 15 minutes', async () => {
    const s = setup();
    s.node.routingTable.heardFrom({ ...s.peer.local, id: s.peerId }, 'response', s.clock.now());
    s.node.start();
    await s.network.settle();
    await s.answerQueries();
    const findNodes = () =>
      s.peer.received.filter(
        (r) => r.parsed.ok && r.parsed.message.y === 'q' && r.parsed.message.method === 'find_node',
      ).length;
    const afterStart = findNodes();
    assert.equal(afterStart, 1, 'start looked up our own id');
    for (let minute = 0; minute < 16; minute++) {
      s.clock.advance(MINUTE);
      await s.network.settle();
      await s.answerQueries();
    }
    assert.ok(s.node.stats.refreshes >= 1);
    const afterRefresh = findNodes();
    assert.ok(afterRefresh > afterStart, 'the refresh queried the peer');
    const refreshes = s.node.stats.refreshes;
    s.clock.advance(5 * MINUTE);
    await s.network.settle();
    assert.equal(s.node.stats.refreshes, refreshes, 'no second refresh within 15 minutes');
    await s.node.close();
  });

  it('with refreshBuckets false the tick pings but never refreshes', async () => {
    const network = memoryNetwork();
    const clock = new ManualClock(0);
    const node = new DhtNode({
      id: randomNodeId(seeded(2)),
      transport: network.transport('127.0.0.1', 6881),
      clock,
      refreshBuckets: false,
    });
    await node.start();
    clock.advance(60 * MINUTE);
    assert.equal(node.stats.refreshes, 0);
    await node.close();
  });

  it('with maintenanceIntervalMs 0 no timer runs', async () => {
    const network = memoryNetwork();
    const clock = new ManualClock(0);
    const node = new DhtNode({
      id: randomNodeId(seeded(1)),
      transport: network.transport('127.0.0.1', 6881),
      clock,
      maintenanceIntervalMs: 0,
    });
    await node.start();
    assert.equal(clock.pendingTimers, 0);
    await node.close();
  });
});
