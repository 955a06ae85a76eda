import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bitAt,
  commonPrefixLength,
  compareDistance,
  isNodeId,
  NODE_ID_BITS,
  NODE_ID_BYTES,
  nodeIdFromHex,
  nodeIdsEqual,
  nodeIdToHex,
  randomIdInPrefix,
  randomIdWithPrefix,
  randomNodeId,
  xorDistance,
} from '../../../src/protocol/kademlia/index.ts';
import { seededRandomBytes } from '../../../src/protocol/random.ts';

const arbId = fc.uint8Array({ minLength: NODE_ID_BYTES, maxLength: NODE_ID_BYTES });

/** The id as an integer, computed independently of the code under test. */
function toBigInt(id: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(id).toString('hex'));
}

function idWithBitFlipped(base: Uint8Array, bit: number): Uint8Array {
  const id = new Uint8Array(base);
  id[bit >> 3]! ^= 0x80 >> (bit & 7);
  return id;
}

describe('node id hex', () => {
  it('round-trips any id through hex', () => {
    fc.assert(
      fc.property(arbId, (id) => {
        const hex = nodeIdToHex(id);
        assert.match(hex, /^[0-9a-f]{40}$/);
        assert.deepEqual(nodeIdFromHex(hex), id);
        assert.deepEqual(nodeIdFromHex(hex.toUpperCase()), id);
      }),
    );
  });

  it('parses known values', () => {
    const id = nodeIdFromHex('00ff10' + '0'.repeat(32) + 'a5');
    assert.equal(id.length, NODE_ID_BYTES);
    assert.equal(id[0], 0x00);
    assert.equal(id[1], 0xff);
    assert.equal(id[2], 0x10);
    assert.equal(id[19], 0xa5);
    assert.ok(!Buffer.isBuffer(id), 'returns a plain Uint8Array');
  });

  it('rejects malformed hex with a TypeError', () => {
    const bad: unknown[] = [
      '',
      'abc',
      'a'.repeat(39),
      'a'.repeat(41),
      'g'.repeat(40),
      ' ' + 'a'.repeat(39),
      'a'.repeat(38) + '0x',
      42,
      undefined,
    ];
    for (const input of bad) {
      assert.throws(
        () => nodeIdFromHex(input as string),
        (error: unknown) => error instanceof TypeError && /40 hexadecimal/.test(error.message),
        `input ${String(input)}`,
      );
    }
  });
});

describe('isNodeId and nodeIdsEqual', () => {
  it('accepts exactly 20-byte Uint8Arrays', () => {
    assert.equal(isNodeId(new Uint8Array(20)), true);
    assert.equal(isNodeId(Buffer.alloc(20)), true);
    assert.equal(isNodeId(new Uint8Array(19)), false);
    assert.equal(isNodeId(new Uint8Array(21)), false);
    assert.equal(isNodeId(new Array(20).fill(0)), false);
    assert.equal(isNodeId('a'.repeat(20)), false);
    assert.equal(isNodeId(null), false);
  });

  it('compares byte-wise', () => {
    const a = nodeIdFromHex('11'.repeat(20));
    assert.equal(nodeIdsEqual(a, new Uint8Array(a)), true);
    assert.equal(nodeIdsEqual(a, idWithBitFlipped(a, 159)), false);
    assert.equal(nodeIdsEqual(a, a.subarray(0, 19)), false);
  });
});

describe('xorDistance', () => {
  it('is the XOR of the ids as integers', () => {
    fc.assert(
      fc.property(arbId, arbId, (a, b) => {
        const distance = xorDistance(a, b);
        assert.equal(distance.length, NODE_ID_BYTES);
        assert.equal(toBigInt(distance), toBigInt(a) ^ toBigInt(b));
      }),
    );
  });

  it('throws on ids of different lengths', () => {
    assert.throws(() => xorDistance(new Uint8Array(20), new Uint8Array(19)), RangeError);
  });
});

describe('commonPrefixLength', () => {
  const base = nodeIdFromHex('5a'.repeat(20));

  it('is 160 for equal ids and 0 when the first bit differs', () => {
    assert.equal(commonPrefixLength(base, new Uint8Array(base)), NODE_ID_BITS);
    assert.equal(commonPrefixLength(base, idWithBitFlipped(base, 0)), 0);
  });

  it('finds the first differing bit at every position', () => {
    for (let bit = 0; bit < NODE_ID_BITS; bit++) {
      const other = idWithBitFlipped(base, bit);
      // Later differences must not matter.
      if (bit < NODE_ID_BITS - 1) other[19]! ^= 0x01;
      assert.equal(commonPrefixLength(base, other), bit, `bit ${bit}`);
      assert.equal(commonPrefixLength(other, base), bit, `bit ${bit}, swapped`);
    }
  });

  it('equals 160 minus the bit length of the XOR distance', () => {
    fc.assert(
      fc.property(arbId, arbId, (a, b) => {
        const xor = toBigInt(a) ^ toBigInt(b);
        const bitLength = xor === 0n ? 0 : xor.toString(2).length;
        assert.equal(commonPrefixLength(a, b), NODE_ID_BITS - bitLength);
      }),
    );
  });
});

describe('bitAt', () => {
  it('reads bits most significant first', () => {
    const id = new Uint8Array(20);
    id[0] = 0b1000_0001;
    id[19] = 0b0000_0001;
    assert.equal(bitAt(id, 0), 1);
    assert.equal(bitAt(id, 1), 0);
    assert.equal(bitAt(id, 7), 1);
    assert.equal(bitAt(id, 8), 0);
    assert.equal(bitAt(id, 159), 1);
    assert.equal(bitAt(id, 158), 0);
  });
});

describe('compareDistance', () => {
  it('agrees with comparing XOR distances as big-endian integers', () => {
    fc.assert(
      fc.property(arbId, arbId, arbId, (target, a, b) => {
        const da = toBigInt(xorDistance(target, a));
        const db = toBigInt(xorDistance(target, b));
        const expected = da < db ? -1 : da > db ? 1 : 0;
        assert.equal(compareDistance(target, a, b), expected);
        assert.equal(compareDistance(target, b, a), -expected || 0);
      }),
    );
  });

  it('agrees on ids that share long prefixes with the target', () => {
    // Random ids almost never tie on early bytes; force deep comparisons.
    fc.assert(
      fc.property(
        arbId,
        fc.integer({ min: 0, max: NODE_ID_BITS }),
        fc.integer({ min: 0, max: NODE_ID_BITS }),
        fc.integer(),
        (target, bitsA, bitsB, seed) => {
          const rng = seededRandomBytes(seed);
          const a = randomIdWithPrefix(target, bitsA, rng);
          const b = randomIdWithPrefix(target, bitsB, rng);
          const da = toBigInt(xorDistance(target, a));
          const db = toBigInt(xorDistance(target, b));
          assert.equal(compareDistance(target, a, b), da < db ? -1 : da > db ? 1 : 0);
        },
      ),
    );
  });

  it('is 0 only for the same id', () => {
    const target = nodeIdFromHex('00'.repeat(20));
    const a = nodeIdFromHex('ff'.repeat(20));
    assert.equal(compareDistance(target, a, new Uint8Array(a)), 0);
    assert.equal(compareDistance(target, target, a), -1);
  });
});

describe('random ids', () => {
  it('randomNodeId copies the first 20 bytes the rng returns', () => {
    const source = new Uint8Array(32).map((_, i) => i);
    const id = randomNodeId(() => source);
    assert.deepEqual(id, source.subarray(0, 20));
    source[0] = 99;
    assert.equal(id[0], 0, 'not a view of the rng buffer');
  });

  it('randomNodeId rejects a short rng', () => {
    assert.throws(() => randomNodeId(() => new Uint8Array(19)), RangeError);
  });

  it('randomIdWithPrefix shares exactly prefixBits bits with the base', () => {
    fc.assert(
      fc.property(
        arbId,
        fc.integer({ min: 0, max: NODE_ID_BITS }),
        fc.integer(),
        (base, bits, seed) => {
          const before = new Uint8Array(base);
          const id = randomIdWithPrefix(base, bits, seededRandomBytes(seed));
          assert.equal(commonPrefixLength(id, base), bits);
          assert.deepEqual(base, before, 'base is not mutated');
        },
      ),
    );
  });

  it('randomIdWithPrefix randomises the bits after the prefix', () => {
    const base = new Uint8Array(20);
    const rng = seededRandomBytes(7);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(nodeIdToHex(randomIdWithPrefix(base, 100, rng)));
    assert.equal(seen.size, 50);
  });

  it('randomIdInPrefix shares at least prefixBits bits with the base', () => {
    fc.assert(
      fc.property(
        arbId,
        fc.integer({ min: 0, max: NODE_ID_BITS }),
        fc.integer(),
        (base, bits, seed) => {
          const id = randomIdInPrefix(base, bits, seededRandomBytes(seed));
          assert.ok(commonPrefixLength(id, base) >= bits);
        },
      ),
    );
  });

  it('rejects prefix lengths outside 0..160', () => {
    const base = new Uint8Array(20);
    const rng = seededRandomBytes(1);
    for (const bits of [-1, 161, 1.5, Number.NaN]) {
      assert.throws(() => randomIdWithPrefix(base, bits, rng), RangeError, `bits ${bits}`);
    }
  });
});
