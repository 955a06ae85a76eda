/**
 * Whole networks of DhtNodes: 25 on the memory network and 6 on real UDP
 * loopback. They bootstrap from one node, fill their routing tables, find
 * the true closest nodes to a random target (checked against a brute-force
 * sort of every id), and an announce is found by another node's get_peers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import type { DhtNode } from '../../src/dht/node.ts';
import type { Transport } from '../../src/dht/transport.ts';
import { udpTransport } from '../../src/dht/udp-transport.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { bruteForceClosest, hexOf, makeNodes, seeded, type TestNetwork } from './helpers.ts';

/** Joins every node through node 0, one after the other, then lets each look itself up once more. */
async function join(nodes: DhtNode[]): Promise<void> {
  const first = nodes[0]!.local;
  for (const node of nodes.slice(1)) await node.start({ bootstrap: [first] });
  // Node 0 and the early joiners learn the later ones in this second round.
  for (const node of nodes) await node.start();
}

function describeNetwork(name: string, size: number, transports: () => Promise<Transport[]>): void {
  describe(name, () => {
    let network: TestNetwork;
    let ids: Uint8Array[];
    const random = seeded(7);

    before(async () => {
      network = makeNodes(await transports(), 1000 + size);
      ids = network.nodes.map((n) => n.id);
      await join(network.nodes);
    });
    after(() => network.close());

    it('fills every routing table from one bootstrap node', () => {
      const sizes = network.nodes.map((n) => n.routingTable.size);
      // Every node knows a good part of a network this small.
      assert.ok(
        sizes.every((s) => s >= Math.min(8, size - 1)),
        `table sizes ${sizes.join(',')}`,
      );
      const ids = new Set(network.nodes.map((n) => hexOf(n.id)));
      for (const node of network.nodes) {
        for (const contact of node.routingTable.contacts()) {
          assert.ok(ids.has(hexOf(contact.id)), 'only real nodes in tables');
          assert.notEqual(hexOf(contact.id), hexOf(node.id));
        }
      }
    });

    it('a lookup of random targets finds the true k closest nodes', async () => {
      for (let round = 0; round < 5; round++) {
        const target = randomNodeId(random);
        const from = network.nodes[(round * 7) % size]!;
        const result = await from.lookup(target);
        const others = ids.filter((id) => hexOf(id) !== hexOf(from.id));
        assert.deepEqual(
          result.closest.map((n) => hexOf(n.id)),
          bruteForceClosest(others, target, 8),
          `round ${round}`,
        );
        assert.ok(result.queried >= result.closest.length);
      }
    });

    it('an announced peer is returned by get_peers from another node', async () => {
      const infoHash = randomNodeId(random);
      const announcer = network.nodes[1]!;
      const announced = await announcer.announce(infoHash, { port: 51413 });
      assert.ok(announced.announcedTo >= Math.min(8, size - 1) / 2, `${announced.announcedTo}`);
      const seeker = network.nodes[size - 1]!;
      const found = await seeker.lookup(infoHash, { method: 'get_peers' });
      assert.deepEqual(found.peers, [{ address: announcer.local.address, port: 51413 }]);
      assert.ok(found.tokens.size >= 1);
    });

    it('no query went unanswered on a network without loss', () => {
      for (const node of network.nodes) {
        assert.equal(node.stats.timeouts, 0);
        assert.equal(node.stats.rateLimited, 0);
        assert.ok(Object.values(node.stats.malformed).every((n) => n === 0));
      }
    });
  });
}

describeNetwork('a 25-node DHT on the memory network', 25, async () => {
  const network = memoryNetwork();
  return Array.from({ length: 25 }, (_, i) => network.transport(`127.0.0.${i + 1}`, 6881));
});

describeNetwork('a 6-node DHT on UDP loopback', 6, async () => {
  const transports: Transport[] = [];
  for (let i = 0; i < 6; i++)
    transports.push(await udpTransport({ address: '127.0.0.1', port: 0 }));
  return transports;
});
