/**
 * Our nodes and a third-party implementation (webtorrent's bittorrent-dht,
 * a dev dependency) in one DHT on UDP loopback: it bootstraps from us, each
 * side's announce is found by the other side's get_peers. Everything binds
 * 127.0.0.1 and bootstraps only from there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Transport } from '../../src/dht/transport.ts';
import { udpTransport } from '../../src/dht/udp-transport.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { makeNodes, seeded, type TestNetwork } from './helpers.ts';

/** The little of bittorrent-dht's API this test uses. */
interface ThirdPartyDht {
  listen(port: number, address: string): void;
  once(event: 'ready', listener: () => void): void;
  on(
    event: 'peer',
    listener: (peer: { host: string; port: number }, infoHash: Buffer) => void,
  ): void;
  announce(infoHash: Uint8Array, port: number, callback: (error: Error | null) => void): void;
  lookup(infoHash: Uint8Array, callback: (error: Error | null) => void): void;
  nodes: { count(): number };
  destroy(callback: () => void): void;
}
type ThirdPartyDhtClass = new (options: { bootstrap: string[]; timeout?: number }) => ThirdPartyDht;

// A specifier in a variable: no type declarations are needed for the package.
const packageName = 'bittorrent-dht';
const { default: DHT } = (await import(packageName)) as { default: ThirdPartyDhtClass };

describe('interop with bittorrent-dht on UDP loopback', () => {
  let ours: TestNetwork;
  let theirs: ThirdPartyDht;
  const random = seeded(77);

  before(async () => {
    const transports: Transport[] = [];
    for (let i = 0; i < 4; i++)
      transports.push(await udpTransport({ address: '127.0.0.1', port: 0 }));
    ours = makeNodes(transports, 555);
    const first = ours.nodes[0]!.local;
    for (const node of ours.nodes.slice(1)) await node.start({ bootstrap: [first] });
    theirs = new DHT({ bootstrap: [`127.0.0.1:${first.port}`], timeout: 1_000 });
    // listen and the ready listener in the constructor's tick (see test/helpers/bittorrent-dht-swarm.ts).
    const ready = new Promise<void>((resolve) => theirs.once('ready', resolve));
    theirs.listen(0, '127.0.0.1');
    await ready;
    for (const node of ours.nodes) await node.start();
  });

  after(async () => {
    await new Promise<void>((resolve) => theirs.destroy(resolve));
    await ours.close();
  });

  it('it bootstraps from our node and our nodes take it into their tables', () => {
    assert.ok(theirs.nodes.count() >= 3, `it knows ${theirs.nodes.count()} nodes`);
    const known = ours.nodes.filter((n) => n.routingTable.size === ours.nodes.length);
    assert.ok(known.length >= 1, 'at least one of ours has every other node, theirs included');
    for (const node of ours.nodes) {
      assert.ok(
        Object.values(node.stats.malformed).every((n) => n === 0),
        'all it sent parsed',
      );
    }
  });

  it('its announce is found by our get_peers lookup', async () => {
    const infoHash = randomNodeId(random);
    await new Promise<void>((resolve, reject) =>
      theirs.announce(infoHash, 6_999, (error) => (error ? reject(error) : resolve())),
    );
    const found = await ours.nodes[3]!.lookup(infoHash, { method: 'get_peers' });
    assert.deepEqual(found.peers, [{ address: '127.0.0.1', port: 6_999 }]);
  });

  it('our announce is found by its lookup', async () => {
    const infoHash = randomNodeId(random);
    const announced = await ours.nodes[2]!.announce(infoHash, { port: 7_001 });
    assert.ok(announced.announcedTo >= 3);
    const peers: string[] = [];
    theirs.on('peer', (peer, hash) => {
      if (Buffer.from(hash).equals(Buffer.from(infoHash))) peers.push(`${peer.host}:${peer.port}`);
    });
    await new Promise<void>((resolve, reject) =>
      theirs.lookup(infoHash, (error) => (error ? reject(error) : resolve())),
    );
    assert.ok(peers.includes('127.0.0.1:7001'), `peers seen: ${peers.join(', ')}`);
  });
});
