/**
 * Properties of the KRPC layer: every typed message survives encode → parse
 * unchanged, and no sequence of bytes makes the parser do anything but return
 * a message or a rejection with a published reason code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { allRejectReasons, encodeKrpc, parseKrpc } from '../../../src/protocol/krpc/index.ts';
import { fromHex } from '../../helpers/bytes.ts';
import { krpcMessage } from './arbitraries.ts';

const REASONS = new Set<string>(allRejectReasons());
const FUZZ_DIR = new URL('../../fixtures/fuzz/', import.meta.url);

function checkTotal(bytes: Uint8Array): void {
  const result = parseKrpc(bytes);
  if (!result.ok) assert.ok(REASONS.has(result.reason), `unpublished reason ${result.reason}`);
  parseKrpc(bytes, { strict: true });
}

describe('KRPC properties', () => {
  it('parse ∘ encode is the identity on typed messages of every kind', () => {
    fc.assert(
      fc.property(krpcMessage, (message) => {
        const result = parseKrpc(encodeKrpc(message));
        if (!result.ok) assert.fail(`rejected its own encoding: ${result.reason}`);
        assert.deepStrictEqual(result.message, message);
        assert.equal(result.nonCanonical, null);
      }),
      { numRuns: 3000, seed: 0x6b727063 },
    );
  });

  it('mutated encodings never throw and are rejected only with published reasons', () => {
    const edit = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      kind: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(krpcMessage, fc.array(edit, { minLength: 1, maxLength: 3 }), (message, edits) => {
        let bytes = encodeKrpc(message);
        for (const e of edits) {
          const i = bytes.length === 0 ? 0 : e.at % bytes.length;
          if (e.kind === 0) bytes = Uint8Array.from(bytes).fill(e.byte, i, i + 1);
          else if (e.kind === 1) bytes = bytes.subarray(0, i);
          else if (e.kind === 2)
            bytes = Uint8Array.from([...bytes.subarray(0, i), e.byte, ...bytes.subarray(i)]);
          else bytes = Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]);
        }
        checkTotal(bytes);
      }),
      { numRuns: 5000, seed: 0x6b727063 },
    );
  });

  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), checkTotal), {
      numRuns: 5000,
      seed: 0x6b727063,
    });
  });

  it('replays the kept fuzz corpus (test/fixtures/fuzz/*.hex) without throwing', () => {
    const files = readdirSync(FUZZ_DIR).filter((f) => f.endsWith('.hex'));
    assert.ok(files.length > 0, 'the corpus is empty');
    for (const file of files) {
      const hex = readFileSync(new URL(file, FUZZ_DIR), 'utf8').replace(/#.*$/gm, '');
      checkTotal(fromHex(hex));
    }
  });
});
