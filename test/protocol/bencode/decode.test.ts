import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BencodeDecodeError,
  type DecodeFailure,
  type DecodeSuccess,
  decode,
  decodeAt,
  decodeOrThrow,
} from '../../../src/protocol/bencode/index.ts';
import { ascii, toText } from '../../helpers/bytes.ts';

function ok(text: string, options?: Parameters<typeof decode>[1]): DecodeSuccess {
  const result = decode(ascii(text), options);
  if (!result.ok)
    assert.fail(
      `expected ${JSON.stringify(text)} to decode, got ${result.reason} at ${result.offset}`,
    );
  return result;
}

function fails(text: string, options?: Parameters<typeof decode>[1]): DecodeFailure {
  const result = decode(ascii(text), options);
  assert.ok(!result.ok, `expected ${JSON.stringify(text)} to fail`);
  return result;
}

describe('bencode decode: values (BEP 3)', () => {
  it('reads integers, including negative and zero', () => {
    assert.equal(ok('i42e').value, 42);
    assert.equal(ok('i-42e').value, -42);
    assert.equal(ok('i0e').value, 0);
    assert.equal(Object.is(ok('i-0e').value, -0), false, 'never a negative zero');
  });

  it('reads integers beyond 2^53 as bigint and keeps safe ones as numbers', () => {
    assert.equal(ok('i9007199254740991e').value, Number.MAX_SAFE_INTEGER);
    assert.equal(ok('i9007199254740992e').value, 9007199254740992n);
    assert.equal(ok('i-123456789012345678901234567890e').value, -123456789012345678901234567890n);
    assert.equal(ok('i0000000000000000000001e').value, 1, 'long but small stays a number');
  });

  it('reads byte strings as views into the input, not copies', () => {
    const input = ascii('l4:spam4:eggse');
    const result = decode(input);
    assert.ok(result.ok);
    const [spam, eggs] = result.value as Uint8Array[];
    assert.equal(toText(spam!), 'spam');
    assert.equal(toText(eggs!), 'eggs');
    assert.equal(spam!.buffer, input.buffer);
    assert.equal(spam!.byteOffset, input.byteOffset + 3);
    input[3] = 0x53; // S
    assert.equal(toText(spam!), 'Spam', 'a write to the input shows through the view');
  });

  it('reads empty strings, lists and dictionaries', () => {
    assert.deepEqual(ok('0:').value, new Uint8Array(0));
    assert.deepEqual(ok('le').value, []);
    assert.deepEqual(ok('de').value, {});
  });

  it('reads nested lists and dictionaries (BEP 3 examples)', () => {
    const value = ok('d3:cow3:moo4:spaml1:a1:bee').value as Record<string, unknown>;
    assert.equal(toText(value.cow as Uint8Array), 'moo');
    assert.deepEqual((value.spam as Uint8Array[]).map(toText), ['a', 'b']);
  });

  it('keys are binary strings: every byte survives', () => {
    const value = ok('d2:\xff\x00i1ee').value as Record<string, number>;
    assert.deepEqual(Object.keys(value), ['\xff\x00']);
  });

  it('a "__proto__" key becomes an own property and never a prototype', () => {
    const value = ok('d9:__proto__d1:xi1eee').value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('decodeAt reads one value from an offset and says where it ended', () => {
    const input = ascii('xxi7e4:spamyy');
    const first = decodeAt(input, 2);
    assert.ok(first.ok);
    assert.equal(first.value, 7);
    assert.equal(first.end, 5);
    const second = decodeAt(input, first.end);
    assert.ok(second.ok);
    assert.equal(toText(second.value as Uint8Array), 'spam');
    assert.equal(second.end, 11);
    assert.throws(() => decodeAt(input, 99), RangeError);
  });
});

describe('bencode decode: failures carry a reason and a byte offset', () => {
  const cases: [string, DecodeFailure['reason'], number][] = [
    ['', 'unexpected-end', 0],
    ['i42', 'unexpected-end', 3],
    ['5:abc', 'unexpected-end', 5],
    ['l', 'unexpected-end', 1],
    ['d1:a', 'unexpected-end', 4],
    ['x', 'unexpected-byte', 0],
    ['li1ex', 'unexpected-byte', 4],
    ['ie', 'bad-integer', 1],
    ['i-e', 'bad-integer', 2],
    ['i1.5e', 'bad-integer', 2],
    ['i--1e', 'bad-integer', 2],
    ['3x:abc', 'bad-length', 1],
    ['di1ei2ee', 'key-not-string', 1],
    ['dle1:ae', 'key-not-string', 1],
    ['i1ei2e', 'trailing-data', 3],
  ];
  for (const [input, reason, offset] of cases) {
    it(`${JSON.stringify(input)} → ${reason} at ${offset}`, () => {
      const failure = fails(input);
      assert.equal(failure.reason, reason);
      assert.equal(failure.offset, offset);
    });
  }

  it('decodeOrThrow throws a typed error with the same reason and offset', () => {
    assert.throws(
      () => decodeOrThrow(ascii('l5:ab')),
      (error: unknown) =>
        error instanceof BencodeDecodeError &&
        error.reason === 'unexpected-end' &&
        error.offset === 5,
    );
  });

  it('allowTrailing accepts bytes after the value and reports where it ended', () => {
    const result = decode(ascii('i1ejunk'), { allowTrailing: true });
    assert.ok(result.ok);
    assert.equal(result.end, 3);
  });
});

describe('bencode decode: limits', () => {
  it('depth', () => {
    assert.ok(ok('lllleeee', { maxDepth: 4 }));
    const failure = fails('llllleeeee', { maxDepth: 4 });
    assert.equal(failure.reason, 'depth-limit');
    assert.equal(failure.offset, 4);
    assert.equal(fails('d1:ad1:ad1:aleeee', { maxDepth: 3 }).reason, 'depth-limit');
  });

  it('deep nesting far beyond the stack fails cleanly with the default limit', () => {
    const deep = `${'l'.repeat(200_000)}${'e'.repeat(200_000)}`;
    assert.equal(fails(deep).reason, 'depth-limit');
  });

  it('string length, checked before reading (a huge length costs nothing)', () => {
    assert.equal(fails('5:abcde', { maxStringLength: 4 }).reason, 'string-limit');
    assert.equal(fails('99999999999999999999999:x').reason, 'string-limit');
  });

  it('element count, containers and dictionary keys included', () => {
    assert.ok(ok('li1ei2ee', { maxElements: 3 }));
    assert.equal(fails('li1ei2ei3ee', { maxElements: 3 }).reason, 'element-limit');
    assert.equal(fails('d1:ai1ee', { maxElements: 2 }).reason, 'element-limit');
  });

  it('integer digits', () => {
    assert.equal(fails(`i${'9'.repeat(65)}e`).reason, 'integer-limit');
    assert.equal(fails('i12345e', { maxIntegerDigits: 4 }).reason, 'integer-limit');
  });
});

describe('bencode decode: non-canonical input is reported, and rejected when strict', () => {
  const cases: [string, string, number][] = [
    ['d1:bi1e1:ai2ee', 'unsorted-keys', 7],
    ['d1:ai1e1:ai2ee', 'duplicate-key', 7],
    ['i-0e', 'negative-zero', 0],
    ['i03e', 'integer-leading-zero', 0],
    ['i-03e', 'integer-leading-zero', 0],
    ['03:abc', 'length-leading-zero', 0],
    ['d1:bi1e2:aai2ee', 'unsorted-keys', 7],
  ];
  for (const [input, reason, offset] of cases) {
    it(`${JSON.stringify(input)} → ${reason}`, () => {
      const result = ok(input);
      assert.deepEqual(result.nonCanonical, { reason, offset });
      const strict = fails(input, { strict: true });
      assert.equal(strict.reason, 'non-canonical');
      assert.deepEqual(strict.nonCanonical, { reason, offset });
    });
  }

  it('keys compare as raw bytes: a prefix sorts first, 0xff sorts last', () => {
    assert.equal(ok('d1:ai1e2:aai2e1:\xffi3ee').nonCanonical, null);
  });

  it('a duplicate key keeps the last value', () => {
    assert.deepEqual(ok('d1:ai1e1:ai2ee').value, { a: 2 });
  });

  it('canonical input reports nothing', () => {
    assert.equal(ok('d1:ai0e1:bli-1e0:ee').nonCanonical, null);
  });
});
