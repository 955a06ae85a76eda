import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toAddress, toWords } from '../../src/enrich/address.ts';
import { loadAsnCsv, parseAsnCsv } from '../../src/enrich/asn-table.ts';
import { EnrichmentConfigError } from '../../src/enrich/errors.ts';
import { writeIpv6Words } from '../../src/enrich/ipv6-words.ts';
import { RangeTable } from '../../src/enrich/range-table.ts';
import { formatIp, parseIp } from '../../src/protocol/net/ip.ts';

const fixture = (name: string) => new URL(`../fixtures/enrich/${name}`, import.meta.url).pathname;
const find = (table: ReturnType<typeof parseAsnCsv>, ip: string) =>
  table.find(toAddress(ip)!.words);

describe('ASN CSV tables', () => {
  it('reads text and numeric rows, quoted organisations, CRLF and blank lines, in any order', () => {
    const table = loadAsnCsv(fixture('asn-ipv4-text.csv'), 4);
    assert.equal(table.size, 6);
    assert.deepEqual(find(table, '10.0.0.128'), { asn: 64500, org: 'Example, Inc.' });
    assert.deepEqual(find(table, '10.0.1.0'), { asn: 64502, org: 'Plain Org' });
    assert.deepEqual(find(table, '10.0.2.255'), { asn: 64501, org: 'LLC "QUOTED"' });
    assert.deepEqual(find(table, '10.0.3.7'), { asn: 64503, org: 'Numeric Rows Co' });
    assert.equal(find(table, '10.0.4.0'), undefined);
  });

  it('a range nested inside another wins inside, and the outer one resumes after it', () => {
    const table = loadAsnCsv(fixture('asn-ipv4-text.csv'), 4);
    assert.equal(table.ranges.overlaps, 1);
    assert.equal(find(table, '10.1.15.255')?.asn, 64504);
    assert.equal(find(table, '10.1.16.0')?.asn, 64505);
    assert.equal(find(table, '10.1.16.255')?.asn, 64505);
    assert.equal(find(table, '10.1.17.0')?.asn, 64504);
    assert.equal(find(table, '10.1.255.255')?.asn, 64504);
  });

  it('reads IPv6 rows as text or as 128-bit decimal integers', () => {
    const table = loadAsnCsv(fixture('asn-ipv6-num.csv'), 6);
    assert.equal(find(table, '2001:db8::')?.asn, 64510);
    assert.equal(find(table, '2001:db8:0:0:ffff:ffff:ffff:ffff')?.asn, 64510);
    assert.equal(find(table, '2001:db8:0:1::')?.asn, undefined);
    assert.equal(find(table, '2001:db8:1:ffff::1')?.org, 'Doc Text');
  });

  it('names the file and line of a row it cannot read', () => {
    const cases: [string, 4 | 6, RegExp][] = [
      ['1.0.0.0,1.0.0.255,13335,ok\n1.0.1.0,1.0.1.255,13335\n', 4, /fewer than four fields/],
      ['1.0.0.0,1.0.0.256,1,x\n', 4, /end is not an IPv4 address/],
      ['2001::,2001::1,1,x\n', 4, /start is not an IPv4 address/],
      ['1.0.0.9,1.0.0.1,1,x\n', 4, /ends before it starts/],
      ['1.0.0.0,1.0.0.1,AS1,x\n', 4, /ASN is not a 32-bit number/],
      ['1.0.0.0,1.0.0.1,4294967296,x\n', 4, /ASN is not a 32-bit number/],
      ['1.0.0.0,1.0.0.1,1,"x\n', 4, /unbalanced quotes/],
      ['::,::1,1,x\n340282366920938463463374607431768211456,1,1,x', 6, /:2: the start/],
    ];
    for (const [text, family, message] of cases) {
      assert.throws(
        () => parseAsnCsv(text, family, 'asn.csv'),
        (error: unknown) =>
          error instanceof EnrichmentConfigError &&
          error.file === 'asn.csv' &&
          error.line !== undefined &&
          message.test(error.message),
        text,
      );
    }
  });

  it('a missing file is a configuration error naming it', () => {
    assert.throws(() => loadAsnCsv('/nonexistent/asn.csv', 4), {
      name: 'EnrichmentConfigError',
      message: /\/nonexistent\/asn\.csv: cannot read the ASN table/,
    });
  });
});

/** Random ranges over a small address space, so that they overlap and nest often. */
const rangesArbitrary = fc.array(
  fc
    .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 }))
    .map(([start, length]) => [start, start + length] as const),
  { maxLength: 30 },
);

describe('range table (properties)', () => {
  it('finds, for every address, the covering range that starts last, as a linear scan would', () => {
    fc.assert(
      fc.property(rangesArbitrary, (ranges) => {
        // A stable sort by start, as the loader leaves them.
        const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
        const table = new RangeTable(
          1,
          Uint32Array.from(sorted.map((r) => r[0])),
          Uint32Array.from(sorted.map((r) => r[1])),
        );
        for (let address = 0; address <= 245; address++) {
          let expected = -1;
          sorted.forEach(([start, end], row) => {
            if (start <= address && address <= end) expected = row;
          });
          assert.equal(table.find(Uint32Array.of(address)), expected, `address ${address}`);
        }
      }),
      { seed: 20260617, numRuns: 300 },
    );
  });

  it('compares IPv6 addresses over all four words', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (a, b, probe) => {
          const [low, high] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
          const table = new RangeTable(4, toWords(low), toWords(high));
          const inside =
            Buffer.compare(Buffer.from(low), Buffer.from(probe)) <= 0 &&
            Buffer.compare(Buffer.from(probe), Buffer.from(high)) <= 0;
          assert.equal(table.find(toWords(probe)), inside ? 0 : -1);
          assert.equal(table.find(toWords(low)), 0);
          assert.equal(table.find(toWords(high)), 0);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('fast IPv6 reader', () => {
  const read = (text: string): Uint32Array | undefined => {
    const words = new Uint32Array(4);
    return writeIpv6Words(text, 0, text.length, words, 0) ? words : undefined;
  };

  it('agrees with parseIp on every canonical and fully written address', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (bytes, full) => {
        // Keep addresses that formatIp would print with an embedded IPv4 part out of this test.
        if (formatIp(bytes).includes('.')) return;
        const groups = Array.from({ length: 8 }, (_, g) =>
          ((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16),
        );
        const text = full ? groups.join(':') : formatIp(bytes);
        assert.deepEqual(read(text), toWords(bytes), text);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('reads a slice of a longer string', () => {
    const line = '2001:db8::1,rest';
    const words = new Uint32Array(6);
    assert.ok(writeIpv6Words(line, 0, 11, words, 2));
    assert.deepEqual([...words], [0, 0, 0x20010db8, 0, 0, 1]);
  });

  it('refuses what is not plain hex IPv6 (the loader then falls back to parseIp) and reads short forms as parseIp does', () => {
    for (const text of [
      '',
      ':',
      ':1',
      '1:',
      '1:::2',
      '1::2::3',
      '12345::',
      'g::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4::5:6:7:8',
      '::ffff:1.2.3.4',
      'fe80::1%eth0',
    ]) {
      assert.equal(read(text), undefined, text);
    }
    for (const text of ['::', '::1', '1::', 'A:b:C:d:E:f:0:1', '0:0:0:0:0:0:0:0']) {
      assert.deepEqual(read(text), toWords(parseIp(text)!), text);
    }
  });
});
