import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteKeyMap, decode, encode } from '../../../src/protocol/bencode/index.ts';
import { ascii } from '../../helpers/bytes.ts';

describe('ByteKeyMap', () => {
  const map = new ByteKeyMap([
    ['id', 1],
    ['ip', 2],
    ['info_hash', 3],
    ['\xff', 4],
  ] as const);
  const at = (text: string) => {
    const bytes = ascii(`xx${text}yy`);
    return map.get(bytes, 2, 2 + text.length);
  };

  it('finds keys in place, including ones sharing a length and first byte', () => {
    assert.equal(at('id'), 1);
    assert.equal(at('ip'), 2);
    assert.equal(at('info_hash'), 3);
    assert.equal(at('\xff'), 4);
  });

  it('answers undefined for anything else', () => {
    for (const other of ['', 'i', 'iq', 'idd', 'info_hasx', 'a_very_long_key_indeed'])
      assert.equal(at(other), undefined, other);
  });

  it('refuses duplicate and empty keys', () => {
    assert.throws(
      () =>
        new ByteKeyMap([
          ['a', 1],
          ['a', 2],
        ]),
      /duplicate key "a"/,
    );
    assert.throws(() => new ByteKeyMap([['', 1]]), /cannot be empty/);
  });
});

describe('decode with knownKeys', () => {
  const knownKeys = new ByteKeyMap(['a', 'b', 'id', 'zz'].map((k) => [k, k] as const));
  const key = fc.constantFrom('a', 'b', 'id', 'zz', 'c', 'ab', '');

  it('gives exactly what decoding without it gives', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.oneof(fc.integer(), fc.uint8Array({ maxLength: 4 }))),
        (dict) => {
          const bytes = encode(dict);
          assert.deepStrictEqual(decode(bytes, { knownKeys }), decode(bytes));
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });
});
