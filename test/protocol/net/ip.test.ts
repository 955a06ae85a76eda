import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIp, ipFamily, parseIp } from '../../../src/protocol/net/ip.ts';

describe('IP addresses', () => {
  it('formats IPv4 as a dotted quad', () => {
    assert.equal(formatIp(Uint8Array.of(192, 0, 2, 255)), '192.0.2.255');
  });

  it('formats IPv6 per RFC 5952: lowercase, longest zero run compressed, first on a tie', () => {
    const v6 = (text: string) => formatIp(parseIp(text)!);
    assert.equal(v6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(v6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(
      v6('2001:db8:0:1:1:1:1:1'),
      '2001:db8:0:1:1:1:1:1',
      'a single zero group is not compressed',
    );
    assert.equal(v6('::'), '::');
    assert.equal(v6('::1'), '::1');
    assert.equal(v6('1::'), '1::');
    assert.equal(v6('::ffff:192.0.2.1'), '::ffff:192.0.2.1');
  });

  it('parses strictly and says null for anything else', () => {
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.-4',
      'a.b.c.d',
      '',
      '1:2:3',
      ':::',
      '1::2::3',
      '12345::1',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
      '::1.2.3.4:1',
    ]) {
      assert.equal(parseIp(bad), null, bad);
    }
    assert.deepEqual(parseIp('fe80::1%eth0'), parseIp('fe80::1'));
  });

  it('reports the family', () => {
    assert.equal(ipFamily('1.2.3.4'), 4);
    assert.equal(ipFamily('::1'), 6);
  });

  it('round-trips random addresses and agrees with node:net on validity', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ),
        (bytes) => {
          const text = formatIp(bytes);
          assert.equal(isIP(text), bytes.length === 4 ? 4 : 6);
          assert.deepEqual(parseIp(text), bytes);
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('parses any IPv6 spelling and formats it as the WHATWG URL serializer does', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const parsed = parseIp(text);
        assert.ok(parsed !== null, text);
        const mapped =
          parsed.subarray(0, 10).every((b) => b === 0) &&
          parsed[10] === 0xff &&
          parsed[11] === 0xff;
        // URL writes IPv4-mapped addresses in hex; RFC 5952 §5 recommends dotted, as we do.
        fc.pre(!mapped);
        assert.equal(formatIp(parsed), new URL(`http://[${text}]/`).hostname.slice(1, -1));
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});
