/**
 * The test writer produces files mmdb-lib (the reader the enricher uses)
 * reads back exactly: metadata, records, and the prefix length of each match.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reader, type Response } from 'mmdb-lib';
import { writeMmdb } from './mmdb-writer.ts';

describe('test MMDB writer', () => {
  const db = writeMmdb(
    [
      { cidr: '10.0.0.0/8', record: { name: 'ten', n: 0, list: [1, 'two', 3.5] } },
      { cidr: '10.1.0.0/16', record: { name: 'ten-one', n: 70_000, nested: { x: -1.25 } } },
      { cidr: '2001:db8::/32', record: { name: 'doc', long: 'x'.repeat(300) } },
    ],
    { databaseType: 'Test-DB', buildEpoch: 1_700_000_000 },
  );
  const reader = new Reader<Response>(db);

  it('writes metadata a reader understands', () => {
    assert.equal(reader.metadata.databaseType, 'Test-DB');
    assert.equal(reader.metadata.ipVersion, 6);
    assert.equal(reader.metadata.recordSize, 24);
    assert.equal(reader.metadata.binaryFormatMajorVersion, 2);
    assert.equal(reader.metadata.buildEpoch.toISOString(), '2023-11-14T22:13:20.000Z');
  });

  it('stores records under their networks, the more specific one winning', () => {
    // Inserting 10.1.0.0/16 split the /8 into halves, so this match is found at depth 9.
    assert.deepEqual(reader.getWithPrefixLength('10.200.0.1'), [
      { name: 'ten', n: 0, list: [1, 'two', 3.5] },
      9,
    ]);
    assert.deepEqual(reader.get('10.0.0.1'), { name: 'ten', n: 0, list: [1, 'two', 3.5] });
    assert.deepEqual(reader.getWithPrefixLength('10.1.255.255'), [
      { name: 'ten-one', n: 70_000, nested: { x: -1.25 } },
      16,
    ]);
    assert.deepEqual(reader.get('2001:db8:ffff::1'), { name: 'doc', long: 'x'.repeat(300) });
  });

  it('leaves everything else without a record', () => {
    for (const ip of ['11.0.0.0', '9.255.255.255', '2001:db9::', '::1']) {
      assert.equal(reader.get(ip), null, ip);
    }
  });
});
