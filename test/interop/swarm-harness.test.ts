/**
 * The bittorrent-dht harness itself: six instances on 127.0.0.1, one the
 * bootstrap of the other five; an announce by one is found by a lookup from
 * another, through the announce_peer the others stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseKrpc } from '../../src/protocol/krpc/index.ts';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import {
  addressOf,
  announce,
  isLoopbackV4,
  lookup,
  type Swarm,
  type SwarmNode,
  startSwarm,
} from '../helpers/bittorrent-dht-swarm.ts';

describe('bittorrent-dht swarm harness', () => {
  const rng = seededRandomBytes(0xd47_5a4);
  let seed: Swarm;
  let rest: Swarm;
  let all: SwarmNode[];

  before(async () => {
    seed = await startSwarm({ count: 1, bootstrap: [], queryTimeoutMs: 500 });
    rest = await startSwarm({
      count: 5,
      bootstrap: [addressOf(seed.nodes[0]!)],
      nodeIds: Array.from({ length: 5 }, () => rng(20)),
      queryTimeoutMs: 500,
    });
    all = [...seed.nodes, ...rest.nodes];
  });

  after(async () => {
    await rest?.close();
    await seed?.close();
  });

  it('starts six listening, ready instances on distinct loopback ports, with the ids asked for', () => {
    assert.equal(all.length, 6);
    assert.equal(new Set(all.map((n) => n.port)).size, 6);
    for (const node of all) {
      assert.equal(node.dht.address().address, '127.0.0.1');
      assert.equal(node.dht.ready, true);
      assert.match(node.id, /^[0-9a-f]{40}$/);
    }
    const again = seededRandomBytes(0xd47_5a4);
    assert.deepEqual(
      rest.nodes.map((n) => n.id),
      Array.from({ length: 5 }, () => Buffer.from(again(20)).toString('hex')),
    );
    // Everyone bootstrapped through the first: it knows all five others.
    assert.equal(seed.nodes[0]!.dht.nodes.count(), 5);
  });

  it('refuses bootstrap lists and hosts outside 127.0.0.0/8', async () => {
    await assert.rejects(startSwarm({ count: 1, bootstrap: ['8.8.8.8:6881'] }), RangeError);
    await assert.rejects(startSwarm({ count: 1, bootstrap: ['localhost:6881'] }), RangeError);
    await assert.rejects(startSwarm({ count: 1, bootstrap: [], host: '0.0.0.0' }), RangeError);
    assert.ok(isLoopbackV4('127.0.0.17'));
    assert.ok(!isLoopbackV4('128.0.0.1'));
  });

  it('a lookup finds the peer another instance announced', async () => {
    const announcer = rest.nodes[0]!;
    const seeker = rest.nodes[4]!;
    const infoHash = rng(20);
    const peerPort = 51413;

    const stored: string[] = [];
    for (const node of all) {
      node.dht.on('announce', (peer, ih) => {
        if (ih.equals(Buffer.from(infoHash))) stored.push(`${node.id} ${peer.host}:${peer.port}`);
      });
    }
    const acked = await announce(announcer, infoHash, peerPort);
    assert.ok(acked >= 1, 'at least one node acknowledged announce_peer');
    assert.ok(stored.length >= 1, 'at least one node stored the peer');
    for (const line of stored) assert.ok(line.endsWith(` 127.0.0.1:${peerPort}`), line);

    const found: { peer: string; from: number | null }[] = [];
    seeker.dht.on('peer', (peer, ih, from) => {
      if (ih.equals(Buffer.from(infoHash)))
        found.push({ peer: `${peer.host}:${peer.port}`, from: from?.port ?? null });
    });
    const answered = await lookup(seeker, infoHash);
    assert.ok(answered >= 1);
    assert.ok(found.length >= 1, 'the seeker got at least one peer');
    for (const { peer, from } of found) {
      assert.equal(peer, `127.0.0.1:${peerPort}`);
      // `from` is null for what the seeker stored itself (it was announced to as well).
      if (from === null) assert.ok(stored.some((line) => line.startsWith(seeker.id)));
      // Never from the announcer: without the DHT `host` option it does not store itself.
      else assert.notEqual(from, announcer.port);
    }
    const remote = found.filter((f) => f.from !== null);
    assert.ok(remote.length >= 1, 'at least one peer came in a get_peers answer');
    for (const { from } of remote) assert.ok(all.some((n) => n.port === from));
  });

  it('announce fails cleanly when no node hands out a token', async () => {
    const lonely = await startSwarm({ count: 1, bootstrap: [], queryTimeoutMs: 200 });
    try {
      await assert.rejects(announce(lonely.nodes[0]!, rng(20), 6881), /No nodes to query/);
    } finally {
      await lonely.close();
    }
  });

  it('bootstraps with find_node of its own id, and sends only what parseKrpc accepts', async () => {
    // Sniff the bootstrap node's socket while a seventh instance starts and looks up.
    const seedNode = seed.nodes[0]!;
    const internals = seedNode.dht as unknown as {
      _rpc: { socket: { socket: NodeJS.EventEmitter } };
    };
    const socket = internals._rpc.socket.socket;
    const queries: { method: string; id: string; target: string; t: number; v: boolean }[] = [];
    const rejected: string[] = [];
    const onMessage = (buf: Buffer) => {
      const parsed = parseKrpc(new Uint8Array(buf));
      if (!parsed.ok) rejected.push(`${parsed.reason}: ${buf.toString('latin1')}`);
      else if (parsed.message.y === 'q') {
        const { method, args, t, v } = parsed.message;
        const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');
        queries.push({
          method,
          id: hex(args.id),
          target: hex('target' in args ? args.target : undefined),
          t: t.length,
          v: v !== undefined,
        });
      }
    };
    socket.on('message', onMessage);
    const extra = await startSwarm({
      count: 1,
      bootstrap: [addressOf(seedNode)],
      queryTimeoutMs: 500,
    });
    try {
      await lookup(extra.nodes[0]!, rng(20));
    } finally {
      socket.off('message', onMessage);
      await extra.close();
    }
    const newcomer = extra.nodes[0]!.id;
    assert.deepEqual(rejected, []);
    const first = queries[0];
    assert.deepEqual(first && { method: first.method, id: first.id, target: first.target }, {
      method: 'find_node',
      id: newcomer,
      target: newcomer,
    });
    assert.ok(queries.some((q) => q.method === 'get_peers' && q.id === newcomer));
    for (const q of queries) {
      assert.equal(q.t, 2, 'two-byte transaction ids');
      assert.equal(q.v, false, 'bittorrent-dht sends no v');
    }
  });
});
