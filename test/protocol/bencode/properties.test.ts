/**
 * Property-based tests of the codec: round trips on random values, and the
 * decoder's promise never to do anything but return a typed failure on random
 * or mutated input. Seeds are fixed so a failure reproduces; fast-check prints
 * the counterexample, which belongs in test/fixtures/fuzz/ once found.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bencodeReference from 'bencode';
import fc from 'fast-check';
import {
  type BValue,
  DECODE_FAILURE_REASONS,
  decode,
  decodeAt,
  encode,
} from '../../../src/protocol/bencode/index.ts';

const REASONS = new Set<string>(DECODE_FAILURE_REASONS);

const latin1Key = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});

const bigOnly = fc
  .bigInt({ min: -(2n ** 100n), max: 2n ** 100n })
  .filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER));

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ value: BValue; dict: BValue; list: BValue }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.maxSafeInteger(),
      bigOnly,
      fc.uint8Array({ maxLength: 48 }),
      tie('list'),
      tie('dict'),
    ),
    list: fc.array(tie('value'), { maxLength: 6 }),
    dict: fc.dictionary(latin1Key, tie('value'), { maxKeys: 6, noNullPrototype: true }),
  }),
).value;

const RUNS = { numRuns: 2000, seed: 0x5eed };

describe('bencode properties', () => {
  it('decode ∘ encode is the identity, canonical, and consumes every byte', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const bytes = encode(value);
        const result = decode(bytes, { strict: true });
        assert.ok(result.ok, `failed to decode ${Buffer.from(bytes).toString('latin1')}`);
        assert.deepStrictEqual(result.value, value);
        assert.equal(result.nonCanonical, null);
        assert.equal(result.end, bytes.length);
      }),
      RUNS,
    );
  });

  it('encode ∘ decode is the identity on canonical bytes', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const bytes = encode(value);
        const again = decode(bytes);
        assert.ok(again.ok);
        assert.deepStrictEqual(encode(again.value), bytes);
      }),
      RUNS,
    );
  });

  it('agrees with the npm bencode package on canonical input', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        // The reference reads integers as doubles and non-UTF-8 keys as hex, so it is
        // an oracle only for integers below 2^53 and ASCII keys.
        fc.pre(withinOracle(value));
        const bytes = encode(value);
        const ours = decode(bytes);
        assert.ok(ours.ok);
        // The reference turns every integer into a number; compare through a common form.
        assert.deepStrictEqual(
          normalise(ours.value),
          normalise(bencodeReference.decode(bytes) as BValue),
        );
      }),
      { numRuns: 500, seed: 0x5eed },
    );
  });

  it('random bytes: never throws, failures are typed with an offset inside the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => checkTotal(bytes)),
      { numRuns: 5000, seed: 0x5eed },
    );
  });

  it('random bencode-alphabet bytes (more likely to go deep) never throw', () => {
    const alphabet = fc.constantFrom(...'dilue0123456789:-'.split('').map((c) => c.charCodeAt(0)));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (codes) =>
        checkTotal(Uint8Array.from(codes)),
      ),
      { numRuns: 5000, seed: 0x5eed },
    );
  });

  it('mutated valid encodings never throw', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'delete'),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        bvalue,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (value, mutations) => {
          let bytes = encode(value);
          for (const m of mutations) bytes = mutate(bytes, m.kind, m.at, m.byte);
          checkTotal(bytes);
        },
      ),
      { numRuns: 3000, seed: 0x5eed },
    );
  });
});

function checkTotal(bytes: Uint8Array): void {
  const result = decode(bytes);
  if (result.ok) {
    assert.equal(result.end, bytes.length);
  } else {
    assert.ok(REASONS.has(result.reason), `unknown reason ${result.reason}`);
    assert.ok(
      result.offset >= 0 && result.offset <= bytes.length,
      `offset ${result.offset} outside input`,
    );
  }
  for (const offset of [0, bytes.length >> 1, bytes.length]) decodeAt(bytes, offset);
}

function mutate(bytes: Uint8Array, kind: string, at: number, byte: number): Uint8Array {
  if (bytes.length === 0) return Uint8Array.of(byte);
  const i = at % bytes.length;
  const copy = Uint8Array.from(bytes);
  switch (kind) {
    case 'flip':
      copy[i] = copy[i]! ^ (1 << (byte & 7));
      return copy;
    case 'set':
      copy[i] = byte;
      return copy;
    case 'truncate':
      return copy.subarray(0, i);
    case 'insert':
      return Uint8Array.from([...copy.subarray(0, i), byte, ...copy.subarray(i)]);
    default:
      return Uint8Array.from([...copy.subarray(0, i), ...copy.subarray(i + 1)]);
  }
}

function withinOracle(value: BValue): boolean {
  if (typeof value === 'bigint') return false;
  if (value instanceof Uint8Array || typeof value === 'number') return true;
  if (
    !Array.isArray(value) &&
    Object.keys(value).some((k) => [...k].some((c) => c.charCodeAt(0) > 0x7f))
  )
    return false;
  return Object.values(value).every(withinOracle);
}

function normalise(value: BValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normalise);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
}
