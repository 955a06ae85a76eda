import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { withThousands } from '../../src/report/numbers.ts';

describe('withThousands', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 2_912_045, -1, -1234]) {
      assert.equal(withThousands(n), n.toLocaleString('en-US'));
    }
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        assert.equal(withThousands(n), n.toLocaleString('en-US'));
      }),
    );
  });
});
