import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BencodeEncodeError, encode } from '../../../src/protocol/bencode/index.ts';
import { ascii, toText } from '../../helpers/bytes.ts';

const text = (value: Parameters<typeof encode>[0]) => toText(encode(value));

describe('bencode encode', () => {
  it('writes every type byte-exactly (BEP 3 examples)', () => {
    assert.equal(text(3), 'i3e');
    assert.equal(text(-3), 'i-3e');
    assert.equal(text(0), 'i0e');
    assert.equal(text(-0), 'i0e');
    assert.equal(text(2n ** 64n), 'i18446744073709551616e');
    assert.equal(text(ascii('spam')), '4:spam');
    assert.equal(text('spam'), '4:spam');
    assert.equal(text(['spam', 'eggs']), 'l4:spam4:eggse');
    assert.equal(text({ cow: 'moo', spam: 'eggs' }), 'd3:cow3:moo4:spam4:eggse');
    assert.equal(text({ spam: ['a', 'b'] }), 'd4:spaml1:a1:bee');
    assert.equal(text(new Uint8Array(0)), '0:');
    assert.equal(text([]), 'le');
    assert.equal(text({}), 'de');
  });

  it('JS strings are written as UTF-8', () => {
    assert.deepEqual([...encode('é')], [0x32, 0x3a, 0xc3, 0xa9]);
  });

  it('sorts keys by raw bytes, whatever the insertion order', () => {
    assert.equal(
      text({ b: 1, a: 2, aa: 3, '\xff': 4, A: 5 }),
      'd1:Ai5e1:ai2e2:aai3e1:bi1e1:\xffi4ee',
    );
    assert.equal(
      text({ 10: 1, 9: 2 }),
      'd2:10i1e1:9i2ee',
      'integer-like keys sort as bytes, not numbers',
    );
  });

  it('skips dictionary entries whose value is undefined', () => {
    assert.equal(text({ a: 1, b: undefined }), 'd1:ai1ee');
  });

  it('writes views without copying their whole buffer', () => {
    const big = ascii('xxhelloxx');
    assert.equal(text(big.subarray(2, 7)), '5:hello');
  });

  it('refuses what bencode cannot carry, naming where it is', () => {
    const cases: [unknown, RegExp][] = [
      [1.5, /1\.5 is not a safe integer/],
      [2 ** 60, /not a safe integer/],
      [Number.NaN, /NaN is not a safe integer/],
      [{ a: [1, null] }, /\.a\[1\].*no null type/],
      [{ a: true }, /\.a.*no boolean type/],
      [{ ключ: 1 }, /above U\+00FF/],
      [new Date(0), /no object type/],
    ];
    for (const [value, pattern] of cases) {
      assert.throws(
        () => encode(value as never),
        (error: unknown) => {
          assert.ok(error instanceof BencodeEncodeError);
          assert.match(error.message, pattern);
          return true;
        },
      );
    }
  });

  it('detects cycles instead of overflowing the stack', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.throws(() => encode(cyclic as never), /a cycle\?/);
  });
});
