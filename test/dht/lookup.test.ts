/**
 * The lookup algorithm alone, handed a fake network call: a random overlay
 * of 200 nodes where each knows its 8 closest neighbours plus a few random
 * ones, as a converged DHT does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iterativeLookup, type LookupNode, type LookupReply } from '../../src/dht/lookup.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import type { CompactNode } from '../../src/protocol/net/compact.ts';
import { bruteForceClosest, hexOf, seeded } from './helpers.ts';

interface FakeNode extends CompactNode {
  knows: CompactNode[];
}

function overlay(size: number, seed: number): FakeNode[] {
  const random = seeded(seed);
  const nodes: FakeNode[] = Array.from({ length: size }, (_, i) => ({
    id: randomNodeId(random),
    address: `127.1.${i >> 8}.${i & 255}`,
    port: 6881,
    knows: [],
  }));
  for (const node of nodes) {
    const near = bruteForceClosest(
      nodes.filter((n) => n !== node).map((n) => n.id),
      node.id,
      8,
    );
    const byHex = new Map(nodes.map((n) => [hexOf(n.id), n]));
    node.knows = near.map((hex) => byHex.get(hex)!);
    for (let i = 0; i < 4; i++) node.knows.push(nodes[random(1)[0]! % size]!);
  }
  return nodes;
}

/** A query function over the overlay: answers with the 8 closest a node knows. */
function fakeNetwork(nodes: FakeNode[], target: Uint8Array, options: { dead?: Set<string> } = {}) {
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  let inFlight = 0;
  let maxInFlight = 0;
  const queried: string[] = [];
  const query = async (to: LookupNode): Promise<LookupReply> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    queried.push(to.address);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    const node = byAddress.get(to.address);
    if (node === undefined || options.dead?.has(to.address)) throw new Error('timeout');
    const closest = bruteForceClosest(
      node.knows.map((n) => n.id),
      target,
      8,
    );
    const known = new Map(node.knows.map((n) => [hexOf(n.id), n]));
    return { id: node.id, nodes: closest.map((hex) => known.get(hex)!) };
  };
  return { query, queried, maxInFlight: () => maxInFlight };
}

describe('iterativeLookup', () => {
  it('finds the true 8 closest nodes from a far seed, with at most alpha queries in flight', async () => {
    const nodes = overlay(200, 1);
    const random = seeded(2);
    for (let round = 0; round < 10; round++) {
      const target = randomNodeId(random);
      const net = fakeNetwork(nodes, target);
      const seed = nodes[round]!;
      const result = await iterativeLookup({ target, seeds: [seed], query: net.query });
      assert.deepEqual(
        result.closest.map((n) => hexOf(n.id)),
        bruteForceClosest(
          nodes.map((n) => n.id),
          target,
          8,
        ),
      );
      assert.ok(net.maxInFlight() <= 3);
      assert.equal(result.queried, net.queried.length);
      assert.equal(new Set(net.queried).size, net.queried.length, 'no node queried twice');
      assert.ok(result.queried < 100, `${result.queried} queries`);
    }
  });

  it('passes over nodes that do not answer and still ends', async () => {
    const nodes = overlay(200, 3);
    const target = randomNodeId(seeded(4));
    const truth = bruteForceClosest(
      nodes.map((n) => n.id),
      target,
      12,
    );
    const byHex = new Map(nodes.map((n) => [hexOf(n.id), n]));
    // The two closest nodes are down.
    const dead = new Set(truth.slice(0, 2).map((hex) => byHex.get(hex)!.address));
    const net = fakeNetwork(nodes, target, { dead });
    const result = await iterativeLookup({ target, seeds: [nodes[50]!], query: net.query });
    assert.deepEqual(
      result.closest.map((n) => hexOf(n.id)),
      truth.slice(2, 10),
    );
  });

  it('queries seeds without an id first, and takes their id from the answer', async () => {
    const nodes = overlay(50, 5);
    const target = randomNodeId(seeded(6));
    const net = fakeNetwork(nodes, target);
    const bootstrap = { address: nodes[0]!.address, port: 6881 };
    const result = await iterativeLookup({
      target,
      seeds: [nodes[1]!, bootstrap],
      query: net.query,
      alpha: 1,
    });
    assert.equal(net.queried[0], nodes[0]!.address);
    assert.equal(result.closest.length, 8);
  });

  it('respects maxQueries and the accept filter, and never rejects', async () => {
    const nodes = overlay(200, 7);
    const target = randomNodeId(seeded(8));
    const net = fakeNetwork(nodes, target);
    const banned = nodes[1]!.knows[0]!.address;
    const result = await iterativeLookup({
      target,
      seeds: [nodes[1]!],
      query: net.query,
      maxQueries: 5,
      accept: (node) => node.address !== banned,
    });
    assert.equal(result.queried, 5);
    assert.ok(!net.queried.includes(banned));
    const none = await iterativeLookup({
      target,
      seeds: [{ address: '127.0.0.1', port: 1 }],
      query: () => {
        throw new Error('synchronous failure');
      },
    });
    assert.deepEqual(none.closest, []);
    assert.equal(none.queried, 1);
  });

  it('collects peers without duplicates and tokens by node id', async () => {
    const a = { id: randomNodeId(seeded(9)), address: '127.0.0.1', port: 1 };
    const b = { id: randomNodeId(seeded(10)), address: '127.0.0.2', port: 1 };
    const peer = { address: '127.9.9.9', port: 6881 };
    const result = await iterativeLookup({
      target: randomNodeId(seeded(11)),
      seeds: [a, b],
      query: async (to) => ({
        id: to.id!,
        nodes: [],
        peers: [peer, peer],
        token: Uint8Array.of(to.port, 7),
      }),
    });
    assert.deepEqual(result.peers, [peer]);
    assert.deepEqual(result.tokens.get(hexOf(a.id)), Uint8Array.of(1, 7));
    assert.equal(result.tokens.size, 2);
    assert.equal(result.responded, 2);
  });

  it('a node answering with another id than it was introduced by is not a result', async () => {
    const introduced = { id: randomNodeId(seeded(12)), address: '127.0.0.1', port: 1 };
    const result = await iterativeLookup({
      target: randomNodeId(seeded(13)),
      seeds: [introduced],
      query: async () => ({ id: randomNodeId(seeded(14)), nodes: [] }),
    });
    assert.deepEqual(result.closest, []);
    assert.equal(result.responded, 1);
  });
});
