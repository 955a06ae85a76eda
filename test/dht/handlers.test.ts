/**
 * Each query handler, seen from outside: hand-made datagrams go to a node on
 * the memory network and its answers are checked as bytes parsed back with
 * parseKrpc (one answer byte for byte).
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import type { NodePolicy } from '../../src/dht/policy.ts';
import { nodeIdToHex, randomNodeId } from '../../src/protocol/kademlia/index.ts';
import {
  encodeKrpc,
  type KrpcError,
  type KrpcMessage,
  type KrpcResponse,
} from '../../src/protocol/krpc/index.ts';
import {
  ascii,
  bruteForceClosest,
  messageOf,
  RawPeer,
  type Received,
  recordInbound,
  seeded,
  toText,
} from './helpers.ts';

const NODE = { address: '127.0.0.1', port: 6881 };
const VERSION = ascii('DS\x00\x01');
const t = ascii('tx');

interface Setup {
  node: DhtNode;
  peer: RawPeer;
  other: RawPeer;
  clock: ManualClock;
  v4Ids: Uint8Array[];
  v6Ids: Uint8Array[];
  ask(message: KrpcMessage | Uint8Array, from?: RawPeer): Promise<Received | undefined>;
}

function setup(policy?: Partial<NodePolicy>): Setup {
  const network = memoryNetwork();
  const clock = new ManualClock(1_000_000);
  const random = seeded(42);
  const node = new DhtNode({
    id: randomNodeId(random),
    transport: network.transport(NODE.address, NODE.port),
    clock,
    randomBytes: random,
    version: VERSION,
    ...(policy === undefined ? {} : { policy }),
  });
  // Contacts that answered us, 20 over IPv4 and 5 over IPv6 (never sent to here).
  for (let i = 0; i < 20; i++) {
    const contact = { id: randomNodeId(random), address: `127.0.1.${i + 1}`, port: 6881 };
    node.routingTable.heardFrom(contact, 'response', clock.now());
  }
  for (let i = 0; i < 5; i++) {
    const contact = { id: randomNodeId(random), address: '::1', port: 7000 + i };
    node.routingTable.heardFrom(contact, 'response', clock.now());
  }
  const inTable = [...node.routingTable.contacts()];
  const peer = new RawPeer(network, '127.0.0.2', 5000);
  const other = new RawPeer(network, '127.0.0.3', 5001);
  return {
    node,
    peer,
    other,
    clock,
    v4Ids: inTable.filter((c) => !c.address.includes(':')).map((c) => c.id),
    v6Ids: inTable.filter((c) => c.address.includes(':')).map((c) => c.id),
    ask: (message, from = peer) => from.request(message, NODE),
  };
}

const id = ascii('abcdefghij0123456789');
const target = ascii('mnopqrstuvwxyz123456');
const infoHash = ascii('HHHHHHHHHHHHHHHHHHH1');

function response(received: Received | undefined): KrpcResponse {
  const message = messageOf(received);
  assert.equal(message.y, 'r', `expected a response, got ${JSON.stringify(message.y)}`);
  return message as KrpcResponse;
}

function error(received: Received | undefined): KrpcError {
  const message = messageOf(received);
  assert.equal(message.y, 'e', 'expected an error');
  return message as KrpcError;
}

const hexes = (nodes: { id: Uint8Array }[] | undefined) =>
  (nodes ?? []).map((n) => nodeIdToHex(n.id));

describe('query handlers', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('ping: our id, the echoed t, our v and the asker address (BEP 42 ip), byte for byte', async () => {
    const reply = await s.ask({ t, y: 'q', method: 'ping', args: { id } });
    assert.ok(reply);
    const expected =
      'd2:ip6:\x7f\x00\x00\x02\x13\x88' + // 127.0.0.2:5000
      `1:rd2:id20:${toText(s.node.id)}e` +
      '1:t2:tx1:v4:DS\x00\x011:y1:re';
    assert.equal(toText(reply.data), expected);
    assert.deepEqual(reply.from, { address: '127.0.0.1', port: 6881, family: 4 });
  });

  it('find_node: the 8 closest IPv4 contacts, no nodes6 for a plain IPv4 query', async () => {
    const r = response(await s.ask({ t, y: 'q', method: 'find_node', args: { id, target } }));
    assert.deepEqual(hexes(r.result.nodes), bruteForceClosest(s.v4Ids, target, 8));
    assert.equal(r.result.nodes6, undefined);
    assert.equal(r.result.values, undefined);
    assert.equal(r.result.token, undefined);
  });

  it('find_node with want n6: only nodes6, IPv6 contacts only (BEP 32)', async () => {
    const args = { id, target, want: ['n6'] };
    const r = response(await s.ask({ t, y: 'q', method: 'find_node', args }));
    assert.equal(r.result.nodes, undefined);
    assert.deepEqual(hexes(r.result.nodes6), bruteForceClosest(s.v6Ids, target, 8));
    assert.ok(r.result.nodes6!.every((n) => n.address === '::1'));
  });

  it('find_node with want n4 and n6: both lists, each of its own family', async () => {
    const args = { id, target, want: ['n4', 'n6', 'zz'] };
    const r = response(await s.ask({ t, y: 'q', method: 'find_node', args }));
    assert.equal(r.result.nodes?.length, 8);
    assert.equal(r.result.nodes6?.length, 5);
    assert.ok(r.result.nodes!.every((n) => !n.address.includes(':')));
  });

  it('find_node leaves out contacts gone bad', async () => {
    const closest = bruteForceClosest(s.v4Ids, target, 1)[0]!;
    const closestId = s.v4Ids.find((x) => nodeIdToHex(x) === closest)!;
    s.node.routingTable.failed(closestId, s.clock.now());
    s.node.routingTable.failed(closestId, s.clock.now());
    const r = response(await s.ask({ t, y: 'q', method: 'find_node', args: { id, target } }));
    assert.ok(!hexes(r.result.nodes).includes(closest));
    assert.equal(r.result.nodes?.length, 8);
  });

  it('get_peers for an unknown info-hash: a token and nodes, no values', async () => {
    const r = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    assert.equal(r.result.token?.length, 8);
    assert.deepEqual(hexes(r.result.nodes), bruteForceClosest(s.v4Ids, infoHash, 8));
    assert.equal(r.result.values, undefined);
    assert.equal(r.result.bfsd, undefined);
  });

  it('announce_peer with a good token stores the peer; get_peers then returns it (with nodes)', async () => {
    const first = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    const announce: KrpcMessage = {
      t,
      y: 'q',
      method: 'announce_peer',
      args: { id, infoHash, port: 51413, token: first.result.token!, impliedPort: false },
    };
    const ack = response(await s.ask(announce));
    assert.deepEqual(ack.result.id, s.node.id);
    const r = response(
      await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }, s.other),
    );
    assert.deepEqual(r.result.values, [{ address: '127.0.0.2', port: 51413 }]);
    assert.equal(r.result.nodes?.length, 8);
  });

  it('announce_peer with implied_port stores the UDP source port', async () => {
    const first = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    const args = { id, infoHash, port: 1, token: first.result.token!, impliedPort: true };
    response(await s.ask({ t, y: 'q', method: 'announce_peer', args }));
    assert.deepEqual(s.node.peerStore.peers(infoHash, 4), [{ address: '127.0.0.2', port: 5000 }]);
  });

  it('announce_peer with a bad token: error 203, nothing stored, reported as tokenValid false', async () => {
    const inbound = recordInbound(s.node);
    const args = { id, infoHash, port: 51413, token: ascii('12345678'), impliedPort: false };
    const e = error(await s.ask({ t, y: 'q', method: 'announce_peer', args }));
    assert.equal(e.code, 203);
    assert.equal(toText(e.message), 'bad token');
    assert.deepEqual(e.ip, { address: '127.0.0.2', port: 5000 });
    assert.equal(s.node.peerStore.size, 0);
    assert.equal(inbound.at(-1)?.tokenValid, false);
    assert.equal(inbound.at(-1)?.action, 'error');
  });

  it('announce_peer with a token issued to another address: error 203', async () => {
    const first = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    const args = { id, infoHash, port: 51413, token: first.result.token!, impliedPort: false };
    const e = error(await s.ask({ t, y: 'q', method: 'announce_peer', args }, s.other));
    assert.equal(e.code, 203);
  });

  it('get_peers with scrape: BEP 33 bloom filters once peers are known', async () => {
    const first = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    const args = {
      id,
      infoHash,
      port: 6000,
      token: first.result.token!,
      impliedPort: false,
      seed: true,
    };
    response(await s.ask({ t, y: 'q', method: 'announce_peer', args }));
    const r = response(
      await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash, scrape: true } }),
    );
    assert.equal(r.result.bfsd?.length, 256);
    assert.ok(
      r.result.bfsd!.some((b) => b !== 0),
      'the seed is in BFsd',
    );
    assert.ok(
      r.result.bfpe!.every((b) => b === 0),
      'no non-seed in BFpe',
    );
    const noseed = response(
      await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash, noseed: true } }),
    );
    assert.equal(noseed.result.values, undefined, 'noseed leaves the seed out');
  });

  it('sample_infohashes: samples always present, num, interval, nodes (BEP 51)', async () => {
    const empty = response(
      await s.ask({ t, y: 'q', method: 'sample_infohashes', args: { id, target } }),
    );
    assert.deepEqual(empty.result.samples, new Uint8Array(0));
    assert.equal(empty.result.num, 0);
    assert.equal(empty.result.interval, 21_600);
    assert.deepEqual(hexes(empty.result.nodes), bruteForceClosest(s.v4Ids, target, 8));

    const first = response(await s.ask({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }));
    const args = { id, infoHash, port: 6000, token: first.result.token!, impliedPort: false };
    response(await s.ask({ t, y: 'q', method: 'announce_peer', args }));
    const one = response(
      await s.ask({ t, y: 'q', method: 'sample_infohashes', args: { id, target } }),
    );
    assert.deepEqual(one.result.samples, infoHash);
    assert.equal(one.result.num, 1);
  });

  it('get (BEP 44, not served) is answered like find_node; put gets 204', async () => {
    const r = response(await s.ask({ t, y: 'q', method: 'get', args: { id, target } }));
    assert.deepEqual(hexes(r.result.nodes), bruteForceClosest(s.v4Ids, target, 8));
    assert.equal(r.result.value, undefined);
    const put: KrpcMessage = {
      t,
      y: 'q',
      method: 'put',
      args: { id, token: ascii('x'), value: ascii('hello') },
    };
    assert.equal(error(await s.ask(put)).code, 204);
  });

  it('unknown methods: target → find_node answer, info_hash → get_peers answer, else 204', async () => {
    const name = ascii('vote');
    const byTarget = response(
      await s.ask({ t, y: 'q', method: 'unknown', name, args: { id, target } }),
    );
    assert.deepEqual(hexes(byTarget.result.nodes), bruteForceClosest(s.v4Ids, target, 8));
    assert.equal(byTarget.result.token, undefined);
    const byHash = response(
      await s.ask({ t, y: 'q', method: 'unknown', name, args: { id, infoHash } }),
    );
    assert.equal(byHash.result.token?.length, 8);
    assert.deepEqual(hexes(byHash.result.nodes), bruteForceClosest(s.v4Ids, infoHash, 8));
    const bare = error(await s.ask({ t, y: 'q', method: 'unknown', name, args: { id } }));
    assert.equal(bare.code, 204);
    assert.equal(s.node.stats.queries.unknown, 3);
  });

  it('with answerUnknown false, unknown methods and get are answered 204', async () => {
    const strict = setup({ answerUnknown: false });
    const name = ascii('vote');
    const e = error(await strict.ask({ t, y: 'q', method: 'unknown', name, args: { id, target } }));
    assert.equal(e.code, 204);
    assert.equal(
      error(await strict.ask({ t, y: 'q', method: 'get', args: { id, target } })).code,
      204,
    );
  });

  it('a malformed query with a readable t gets error 203 and is counted by reason', async () => {
    const inbound = recordInbound(s.node);
    // find_node whose target is 3 bytes long.
    const bytes = ascii(
      'd1:ad2:id20:abcdefghij01234567896:target3:abce1:q9:find_node1:t2:xy1:y1:qe',
    );
    const e = error(await s.ask(bytes));
    assert.equal(e.code, 203);
    assert.deepEqual(e.t, ascii('xy'));
    assert.equal(s.node.stats.malformed['find_node.target.bad-length'], 1);
    assert.equal(s.node.stats.errorsSent['203'], 1);
    assert.equal(inbound.length, 1);
    assert.equal(inbound[0]!.action, 'error');
    assert.equal(inbound[0]!.result.ok, false);
  });

  it('an unreadable datagram gets nothing back and is still reported', async () => {
    const inbound = recordInbound(s.node);
    assert.equal(await s.ask(ascii('d1:t')), undefined);
    assert.equal(await s.ask(ascii('hello')), undefined);
    // A response we never asked for is not answered either.
    assert.equal(await s.ask({ t, y: 'r', result: { id } }), undefined);
    assert.deepEqual(
      inbound.map((i) => i.action),
      ['none', 'none', 'unsolicited-response'],
    );
    assert.equal(s.node.stats.malformed['bencode.unexpected-end'], 1);
    assert.equal(s.node.stats.malformed['bencode.unexpected-byte'], 1);
    assert.equal(s.node.stats.unsolicited, 1);
  });

  it('every malformed reason the parser knows is pre-registered at zero', () => {
    const fresh = setup();
    assert.ok(Object.keys(fresh.node.stats.malformed).length > 50);
    assert.ok(Object.values(fresh.node.stats.malformed).every((n) => n === 0));
    assert.equal(fresh.node.stats.malformed['message.t.missing'], 0);
  });

  it('reports each datagram once with times in ms and ordered µs', async () => {
    const inbound = recordInbound(s.node);
    for (let i = 0; i < 3; i++) await s.ask({ t, y: 'q', method: 'ping', args: { id } });
    assert.equal(inbound.length, 3);
    assert.ok(inbound.every((i) => i.receivedAt === 1_000_000));
    assert.deepEqual(
      inbound.map((i) => i.receivedAtMicros),
      [1_000_000_000, 1_000_000_001, 1_000_000_002],
    );
    assert.deepEqual(inbound[0]!.local, { address: '127.0.0.1', port: 6881, family: 4 });
    assert.deepEqual(inbound[0]!.from, { address: '127.0.0.2', port: 5000, family: 4 });
    assert.equal(s.node.stats.answered.ping, 3);
    assert.deepEqual(encodeKrpc(messageOf(s.peer.received[0])), s.peer.received[0]!.data);
  });
});
