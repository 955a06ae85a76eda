import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Contact,
  type NodeId,
  nodeIdToHex,
  type RandomBytes,
  RoutingTable,
  randomIdWithPrefix,
  randomNodeId,
} from '../../../src/protocol/kademlia/index.ts';
import { seededRandomBytes } from '../../../src/protocol/random.ts';

const NOW = 1_700_000_000_000;

function toBigInt(id: Uint8Array): bigint {
  return BigInt('0x' + nodeIdToHex(id));
}

/** The reference answer: sort every contact of the table by XOR distance. */
function bruteForceClosest(
  table: RoutingTable,
  target: NodeId,
  count: number,
  filter: (c: Contact) => boolean = () => true,
): string[] {
  const t = toBigInt(target);
  return [...table.contacts()]
    .filter(filter)
    .map((c) => ({ hex: nodeIdToHex(c.id), distance: toBigInt(c.id) ^ t }))
    .sort((a, b) => (a.distance < b.distance ? -1 : a.distance > b.distance ? 1 : 0))
    .slice(0, count)
    .map((c) => c.hex);
}

/**
 * A table with random contacts plus contacts deliberately near our id at
 * many depths, so it splits deeply and has partly filled buckets.
 */
function buildTable(rng: RandomBytes, randomCount: number, nearCount: number, k: number) {
  const table = new RoutingTable(randomNodeId(rng), { k });
  let host = 0;
  const add = (id: NodeId) => {
    host++;
    table.heardFrom(
      { id, address: `10.1.${host >> 8}.${host & 255}`, port: 6881 },
      'response',
      NOW,
    );
  };
  for (let i = 0; i < randomCount; i++) add(randomNodeId(rng));
  for (let i = 0; i < nearCount; i++)
    add(randomIdWithPrefix(table.selfId, 1 + (rng(1)[0]! % 60), rng));
  return table;
}

/** Targets of every flavour: random, near us, our own id, a contact's id, near a contact. */
function targetsFor(table: RoutingTable, rng: RandomBytes): NodeId[] {
  const contacts = [...table.contacts()];
  const someContact = contacts[rng(1)[0]! % contacts.length]!.id;
  return [
    randomNodeId(rng),
    randomNodeId(rng),
    table.selfId,
    randomIdWithPrefix(table.selfId, rng(1)[0]! % 160, rng),
    randomIdWithPrefix(table.selfId, 3, rng),
    someContact,
    randomIdWithPrefix(someContact, 100, rng),
  ];
}

describe('RoutingTable.closest', () => {
  it('equals the brute-force k closest, in order, on deeply split tables', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 50, max: 400 }),
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 40 }),
        (seed, randomCount, nearCount, k, count) => {
          const rng = seededRandomBytes(seed);
          const table = buildTable(rng, randomCount, nearCount, k);
          assert.ok(table.bucketCount >= 8, `only ${table.bucketCount} buckets`);
          for (const target of targetsFor(table, rng)) {
            const got = table.closest(target, count).map((c) => nodeIdToHex(c.id));
            assert.deepEqual(got, bruteForceClosest(table, target, count));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('equals the brute-force answer under a filter', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 30 }),
        fc.nat(255),
        (seed, count, mask) => {
          const rng = seededRandomBytes(seed);
          const table = buildTable(rng, 200, 100, 8);
          // Keep an arbitrary subset, so whole buckets may drop out.
          const filter = (c: Contact) => (c.id[19]! & mask) === 0;
          for (const target of targetsFor(table, rng)) {
            const got = table.closest(target, count, filter).map((c) => nodeIdToHex(c.id));
            assert.deepEqual(got, bruteForceClosest(table, target, count, filter));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('defaults to k results and handles counts of 0 and beyond the table size', () => {
    const rng = seededRandomBytes(99);
    const table = buildTable(rng, 100, 50, 8);
    const target = randomNodeId(rng);
    assert.equal(table.closest(target).length, 8);
    assert.deepEqual(table.closest(target, 0), []);
    assert.deepEqual(table.closest(target, -3), []);
    const all = table.closest(target, Number.POSITIVE_INFINITY).map((c) => nodeIdToHex(c.id));
    assert.equal(all.length, table.size);
    assert.deepEqual(all, bruteForceClosest(table, target, table.size));
    assert.deepEqual(new RoutingTable(target).closest(randomNodeId(rng)), []);
  });

  it('lets callers leave out bad nodes', () => {
    const rng = seededRandomBytes(100);
    const table = buildTable(rng, 100, 0, 8);
    const target = randomNodeId(rng);
    const nearest = table.closest(target, 1)[0]!;
    table.failed(nearest.id, NOW);
    table.failed(nearest.id, NOW);
    const usable = table.closest(target, 8, (c) => table.state(c, NOW) !== 'bad');
    assert.ok(!usable.some((c) => nodeIdToHex(c.id) === nodeIdToHex(nearest.id)));
    assert.equal(usable.length, 8);
  });

  it('rejects a malformed target', () => {
    const table = new RoutingTable(randomNodeId(seededRandomBytes(1)));
    assert.throws(() => table.closest(new Uint8Array(19)), TypeError);
  });
});
