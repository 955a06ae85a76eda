import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dottedQuadTextKey, sortHosts } from '../../src/capture/host-order.ts';

interface Host {
  host: string;
  distinctFailedHosts: number;
  failed: number;
}

/** The summary's order, the plain way. */
function plainSort(hosts: Host[]): Host[] {
  return [...hosts].sort(
    (a, b) =>
      b.distinctFailedHosts - a.distinctFailedHosts ||
      b.failed - a.failed ||
      (a.host < b.host ? -1 : a.host > b.host ? 1 : 0),
  );
}

const octet = fc.integer({ min: 0, max: 255 });
const quad = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const text = fc.oneof(
  { weight: 8, arbitrary: quad },
  // Not canonical dotted quads: the general path must take over.
  {
    weight: 1,
    arbitrary: fc.constantFrom('2001:db8::1', '::1', 'fe80::2', '01.2.3.4', '1.2.3', 'é'),
  },
);
const hostArb = (withText: fc.Arbitrary<string>) =>
  fc.record({
    host: withText,
    distinctFailedHosts: fc.integer({ min: 0, max: 3 }),
    failed: fc.integer({ min: 0, max: 5 }),
  });

describe('host order', () => {
  it('dotted quads compare by key exactly as their texts compare', () => {
    fc.assert(
      fc.property(quad, quad, (a, b) => {
        const [ka, kb] = [dottedQuadTextKey(a), dottedQuadTextKey(b)];
        assert.equal(Math.sign(ka - kb), a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('has no key for text that is not a canonical dotted quad', () => {
    for (const t of [
      '',
      '1.2.3',
      '1.2.3.4.',
      '1.2.3.4.5',
      '01.2.3.4',
      '256.1.1.1',
      '1..2.3',
      '::1',
      '1.2.3.4 ',
      '1234.1.1.1',
    ]) {
      assert.equal(dottedQuadTextKey(t), -1, t);
    }
    assert.ok(dottedQuadTextKey('0.0.0.0') >= 0);
    assert.ok(dottedQuadTextKey('255.255.255.255') >= 0);
  });

  it('sorts as the plain comparator does, all dotted quads or mixed', () => {
    for (const withText of [quad, text]) {
      fc.assert(
        fc.property(fc.array(hostArb(withText), { maxLength: 200 }), (hosts) => {
          const copy = hosts.map((h) => ({ ...h }));
          sortHosts(copy);
          assert.deepEqual(copy, plainSort(hosts.map((h) => ({ ...h }))));
        }),
        { numRuns: 300 },
      );
    }
  });
});
