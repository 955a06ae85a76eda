/** The default policy's peer store: bounded, expiring, sampled. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { PeerStore } from '../../src/dht/peer-store.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import { hexOf, seeded } from './helpers.ts';

const MINUTE = 60_000;

describe('PeerStore', () => {
  it('keeps a copy of the info-hash, newest peers first, per family', () => {
    const clock = new ManualClock(0);
    const store = new PeerStore(clock, seeded(1));
    const infoHash = randomNodeId(seeded(2));
    const view = new Uint8Array(infoHash);
    store.add(view, { address: '127.0.0.1', port: 1 }, false);
    store.add(view, { address: '::1', port: 2 }, false);
    store.add(view, { address: '127.0.0.2', port: 3 }, true);
    view.fill(0); // the datagram buffer is reused
    assert.deepEqual(store.peers(infoHash, 4), [
      { address: '127.0.0.2', port: 3 },
      { address: '127.0.0.1', port: 1 },
    ]);
    assert.deepEqual(store.peers(infoHash, 6), [{ address: '::1', port: 2 }]);
    assert.deepEqual(store.peers(infoHash, 4, true), [{ address: '127.0.0.1', port: 1 }]);
  });

  it('forgets announces after the TTL', () => {
    const clock = new ManualClock(0);
    const store = new PeerStore(clock, seeded(1), { peerTtlMs: 30 * MINUTE });
    const infoHash = randomNodeId(seeded(3));
    store.add(infoHash, { address: '127.0.0.1', port: 1 }, false);
    clock.advance(20 * MINUTE);
    store.add(infoHash, { address: '127.0.0.2', port: 2 }, false);
    clock.advance(15 * MINUTE);
    assert.deepEqual(store.peers(infoHash, 4), [{ address: '127.0.0.2', port: 2 }]);
    clock.advance(20 * MINUTE);
    assert.deepEqual(store.peers(infoHash, 4), []);
    assert.equal(store.size, 0);
  });

  it('bounds info-hashes, peers per info-hash and peers per answer', () => {
    const clock = new ManualClock(0);
    const store = new PeerStore(clock, seeded(1), {
      maxInfoHashes: 3,
      maxPeersPerInfoHash: 4,
      maxValuesPerAnswer: 2,
    });
    const random = seeded(4);
    const hashes = Array.from({ length: 5 }, () => randomNodeId(random));
    for (const h of hashes) store.add(h, { address: '127.0.0.1', port: 1 }, false);
    assert.equal(store.size, 3);
    assert.deepEqual(store.peers(hashes[0]!, 4), [], 'the least recently announced went first');
    for (let port = 1; port <= 10; port++)
      store.add(hashes[4]!, { address: '127.0.0.1', port }, false);
    assert.deepEqual(
      store.peers(hashes[4]!, 4).map((p) => p.port),
      [10, 9],
    );
    // Only the 4 latest are kept.
    const all = new PeerStore(clock, seeded(1), { maxPeersPerInfoHash: 4 });
    for (let port = 1; port <= 10; port++)
      all.add(hashes[0]!, { address: '127.0.0.1', port }, false);
    assert.deepEqual(
      all.peers(hashes[0]!, 4).map((p) => p.port),
      [10, 9, 8, 7],
    );
  });

  it('samples distinct stored info-hashes, at most maxSamples, and counts them all', () => {
    const clock = new ManualClock(0);
    const store = new PeerStore(clock, seeded(5), { maxSamples: 4 });
    const random = seeded(6);
    const hashes = Array.from({ length: 10 }, () => randomNodeId(random));
    for (const h of hashes) store.add(h, { address: '127.0.0.1', port: 1 }, false);
    const { samples, num } = store.samples();
    assert.equal(num, 10);
    assert.equal(samples.length, 80);
    const sampled = Array.from({ length: 4 }, (_, i) =>
      hexOf(samples.subarray(i * 20, i * 20 + 20)),
    );
    assert.equal(new Set(sampled).size, 4);
    const stored = new Set(hashes.map(hexOf));
    assert.ok(sampled.every((h) => stored.has(h)));
  });
});
