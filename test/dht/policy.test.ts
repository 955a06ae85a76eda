/**
 * The policy sees every outgoing datagram. A node whose policy lets only
 * pings through sends nothing else — checked on every datagram the memory
 * network carries — and counts what it held back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhtQueryError } from '../../src/dht/errors.ts';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { parseKrpc } from '../../src/protocol/krpc/index.ts';
import { ascii, makeNodes, RawPeer, seeded } from './helpers.ts';

describe('policy.allowSend', () => {
  it('a node allowed only pings sends only pings, and counts the rest as blocked', async (context) => {
    const network = memoryNetwork();
    const random = seeded(3);
    const clock = new ManualClock(0);
    const restricted = new DhtNode({
      id: randomNodeId(random),
      transport: network.transport('127.0.0.1', 6881),
      clock,
      upkeepPingRate: { perSecond: 100, burst: 100 },
      maintenanceIntervalMs: 60_000,
      policy: { allowSend: (message) => message.y === 'q' && message.method === 'ping' },
    });
    // Short timeouts on the wall clock: their queries to the restricted node go unanswered.
    const normal = makeNodes(
      Array.from({ length: 5 }, (_, i) => network.transport(`127.0.0.${i + 2}`, 6881)),
      4,
      { queryTimeoutMs: 50, maxRetries: 0 },
    );
    context.after(() => Promise.all([restricted.close(), normal.close()]));
    const fromRestricted: Uint8Array[] = [];
    network.observe((d) => {
      if (d.from.address === '127.0.0.1') fromRestricted.push(d.data);
    });

    // The others join among themselves and query the restricted node, which
    // then bootstraps from one of them.
    for (const node of normal.nodes) await node.start({ bootstrap: [normal.nodes[0]!.local] });
    const unanswered = normal.nodes.map((node) => node.findNode(restricted.local, node.id));
    await network.settle();
    const joined = await restricted.start({ bootstrap: [normal.nodes[0]!.local] });
    // It pinged the nodes that queried it (pings pass) and they answered, so
    // its table holds them; every find_node of its lookup was blocked.
    assert.equal(restricted.routingTable.size, 5);
    assert.equal(joined.queried, 5);
    assert.equal(joined.responded, 0);
    const peer = new RawPeer(network, '127.0.0.100', 5000);
    const id = randomNodeId(random);
    const t = ascii('aa');
    await peer.request({ t, y: 'q', method: 'ping', args: { id } }, restricted.local);
    await peer.request(ascii('d1:t2:xy1:y1:q1:q4:pinge'), restricted.local); // malformed: 203 due
    await peer.request(
      { t, y: 'q', method: 'get_peers', args: { id, infoHash: id } },
      restricted.local,
    );
    clock.advance(16 * 60_000); // upkeep: refresh lookups (find_node) would go out now
    await network.settle();
    await assert.rejects(
      restricted.getPeers(normal.nodes[0]!.local, id),
      (e: unknown) => e instanceof DhtQueryError && e.kind === 'blocked',
    );

    assert.ok(fromRestricted.length > 0, 'it did send its pings');
    for (const data of fromRestricted) {
      const parsed = parseKrpc(data);
      assert.ok(parsed.ok && parsed.message.y === 'q' && parsed.message.method === 'ping');
    }
    assert.ok(restricted.stats.blockedSends >= 5, `${restricted.stats.blockedSends}`);
    assert.equal(restricted.stats.answered.ping, 0, 'no response was sent');
    assert.equal(peer.received.filter((r) => r.parsed.ok && r.parsed.message.y !== 'q').length, 0);
    await Promise.all([restricted.close(), normal.close()]);
    const outcomes = await Promise.allSettled(unanswered);
    assert.ok(outcomes.every((o) => o.status === 'rejected'));
  });

  it('a blocked answer is reported as action "blocked"', async () => {
    const network = memoryNetwork();
    const node = new DhtNode({
      id: randomNodeId(seeded(5)),
      transport: network.transport('127.0.0.1', 6881),
      policy: { allowSend: () => false },
    });
    const actions: string[] = [];
    node.onInbound((i) => actions.push(i.action));
    const peer = new RawPeer(network, '127.0.0.2', 5000);
    const reply = await peer.request(
      { t: ascii('aa'), y: 'q', method: 'ping', args: { id: randomNodeId(seeded(6)) } },
      node.local,
    );
    assert.equal(reply, undefined);
    assert.deepEqual(actions, ['blocked']);
    // The answer, and the ping that would have checked the newcomer for the routing table.
    assert.equal(node.stats.blockedSends, 2);
    assert.equal(node.stats.upkeepPings, 1);
    await node.close();
  });

  it('a sensor-like policy serves no peers and stores no announces', async () => {
    const network = memoryNetwork();
    const announces: string[] = [];
    const node = new DhtNode({
      id: randomNodeId(seeded(8)),
      transport: network.transport('127.0.0.1', 6881),
      policy: {
        peersFor: () => [],
        onAnnounce: (infoHash) => announces.push(Buffer.from(infoHash).toString('hex')),
        samples: () => ({ samples: new Uint8Array(0), num: 0, interval: 21_600 }),
        scrape: () => undefined,
      },
    });
    const peer = new RawPeer(network, '127.0.0.2', 5000);
    const id = randomNodeId(seeded(9));
    const infoHash = randomNodeId(seeded(10));
    const t = ascii('aa');
    const first = await peer.request(
      { t, y: 'q', method: 'get_peers', args: { id, infoHash } },
      node.local,
    );
    const token =
      first?.parsed.ok && first.parsed.message.y === 'r'
        ? first.parsed.message.result.token
        : undefined;
    assert.ok(token);
    const args = { id, infoHash, port: 7000, token, impliedPort: false };
    await peer.request({ t, y: 'q', method: 'announce_peer', args }, node.local);
    const again = await peer.request(
      { t, y: 'q', method: 'get_peers', args: { id, infoHash, scrape: true } },
      node.local,
    );
    assert.ok(again?.parsed.ok && again.parsed.message.y === 'r');
    assert.equal(again.parsed.message.result.values, undefined);
    assert.equal(again.parsed.message.result.bfsd, undefined);
    assert.equal(announces.length, 1, 'the announce reached the policy');
    assert.equal(node.peerStore.size, 0);
    await node.close();
  });
});
