/** Keyspace arithmetic on hex ids: the fast digit-by-digit paths and what they fall back to. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commonPrefixBits,
  keyFraction,
  keyFractions,
  prefix12,
} from '../../src/analysis/targets.ts';

describe('keyspace arithmetic on hex ids', () => {
  it('reads the leading 52 bits as a fraction of the keyspace', () => {
    assert.equal(keyFraction(`8${'0'.repeat(39)}`), 0.5);
    assert.equal(keyFraction('f'.repeat(40)), (2 ** 52 - 1) / 2 ** 52);
    assert.equal(keyFraction('ABC'), 0xabc / 2 ** 12, 'short ids are padded with zeros');
    // Not 13 hex digits: parseInt's reading, leading digits only.
    assert.equal(keyFraction('12-'), 0x12 / 2 ** 52);
    assert.ok(Number.isNaN(keyFraction('zz')));
  });

  it('gives every string its fraction, or -1 when it does not start with hex', () => {
    const keys = keyFractions([`4${'0'.repeat(39)}`, 'xyz', undefined, 'abc', '12345678901g']);
    assert.deepEqual([...keys], [0.25, -1, 0, 0xabc / 2 ** 12, -1]);
  });

  it('takes three hex digits as the 12-bit prefix', () => {
    assert.equal(prefix12('abcdef'), 0xabc);
    assert.equal(prefix12('a'), 0xa00);
    assert.equal(prefix12('0f'), 0x0f0);
  });

  it('counts the leading bits two ids share, a character that is not hex counting as 0', () => {
    assert.equal(commonPrefixBits('abcd', 'abce'), 14);
    assert.equal(commonPrefixBits('abcd', 'abcd'), 16);
    assert.equal(commonPrefixBits('8', '0'), 0);
    assert.equal(
      commonPrefixBits('ABcd', 'abc'),
      12,
      'case does not matter, the shorter one ends it',
    );
    assert.equal(commonPrefixBits('a-', 'a0'), 8);
  });
});
