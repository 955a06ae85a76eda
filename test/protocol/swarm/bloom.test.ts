import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SCRAPE_BLOOM_BYTES, ScrapeBloom } from '../../../src/protocol/swarm/bloom.ts';

// BEP 33, section "Test Vectors" (verbatim): inserting 192.0.2.0 - 192.0.2.255
// and 2001:DB8:: - 2001:DB8::3E7 (ranges inclusive) must give these bytes.
const BEP33_VECTOR_HEX = `
 F6C3F5EA A07FFD91 BDE89F77 7F26FB2B FF37BDB8 FB2BBAA2 FD3DDDE7 BACFFF75 EE7CCBAE
 FE5EEDB1 FBFAFF67 F6ABFF5E 43DDBCA3 FD9B9FFD F4FFD3E9 DFF12D1B DF59DB53 DBE9FA5B
 7FF3B8FD FCDE1AFB 8BEDD7BE 2F3EE71E BBBFE93B CDEEFE14 8246C2BC 5DBFF7E7 EFDCF24F
 D8DC7ADF FD8FFFDF DDFFF7A4 BBEEDF5C B95CE81F C7FCFF1F F4FFFFDF E5F7FDCB B7FD79B3  
 FA1FC77B FE07FFF9 05B7B7FF C7FEFEFF E0B8370B B0CD3F5B 7F2BD93F EB4386CF DD6F7FD5
 BFAF2E9E BFFFFEEC D67ADBF7 C67F17EF D5D75EBA 6FFEBA7F FF47A91E B1BFBB53 E8ABFB57
 62ABE8FF 237279BF EFBFEEF5 FFC5FEBF DFE5ADFF ADFEE1FB 737FFFFB FD9F6AEF FEEE76B6
 FD8F72EF
`;
// BEP 33: "For the 1256 inserted values the calculated estimate should be 1224.9308"
const BEP33_VECTOR_ESTIMATE = 1224.9308;

/**
 * The estimate cut to 4 decimals. The BEP truncates rather than rounds: the
 * formula gives 1224.93088982..., which would round to 1224.9309.
 */
function toFourDecimals(estimate: number): number {
  return Math.trunc(estimate * 10_000) / 10_000;
}

function bep33VectorAddresses(): Uint8Array[] {
  const addresses: Uint8Array[] = [];
  for (let last = 0; last <= 0xff; last++) addresses.push(Uint8Array.of(192, 0, 2, last));
  for (let low = 0; low <= 0x3e7; low++) {
    const address = new Uint8Array(16);
    address.set([0x20, 0x01, 0x0d, 0xb8]);
    address[14] = low >> 8;
    address[15] = low & 0xff;
    addresses.push(address);
  }
  return addresses;
}

function bloomOf(addresses: Iterable<Uint8Array>): ScrapeBloom {
  const bloom = new ScrapeBloom();
  for (const address of addresses) bloom.insert(address);
  return bloom;
}

const address = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
);

describe('ScrapeBloom: BEP 33 test vector', () => {
  const addresses = bep33VectorAddresses();
  const bloom = bloomOf(addresses);

  it('inserts the 1256 addresses of the vector', () => {
    assert.equal(addresses.length, 1256);
  });

  it('produces exactly the 256 bytes given in the BEP', () => {
    const expected = Buffer.from(BEP33_VECTOR_HEX.replace(/\s+/g, ''), 'hex');
    assert.equal(expected.length, SCRAPE_BLOOM_BYTES);
    assert.deepEqual(Buffer.from(bloom.bytes), expected);
  });

  it('estimates 1224.9308 addresses', () => {
    assert.equal(toFourDecimals(bloom.estimateCount()), BEP33_VECTOR_ESTIMATE);
  });

  it('reads the vector back through ScrapeBloom.from with the same estimate', () => {
    const bytes = Buffer.from(BEP33_VECTOR_HEX.replace(/\s+/g, ''), 'hex');
    const parsed = ScrapeBloom.from(bytes);
    assert.ok(parsed);
    assert.equal(toFourDecimals(parsed.estimateCount()), BEP33_VECTOR_ESTIMATE);
    for (const inserted of addresses) assert.equal(parsed.has(inserted), true);
  });
});

describe('ScrapeBloom', () => {
  it('starts empty', () => {
    const bloom = new ScrapeBloom();
    assert.deepEqual(bloom.bytes, new Uint8Array(SCRAPE_BLOOM_BYTES));
    assert.equal(bloom.has(Uint8Array.of(192, 168, 1, 1)), false);
    // The BEP caps c at m - 1, so an empty filter estimates log(2047/2048) /
    // (2 log(1 - 1/2048)) = 0.5, not 0.
    assert.equal(bloom.estimateCount(), 0.5);
  });

  it('sets at most 2 bits per inserted address', () => {
    fc.assert(
      fc.property(address, (ip) => {
        const bloom = bloomOf([ip]);
        const setBits = bloom.bytes.reduce((n, byte) => n + popCount(byte), 0);
        assert.ok(setBits === 1 || setBits === 2);
      }),
    );
  });

  it('never forgets an inserted address', () => {
    fc.assert(
      fc.property(fc.array(address, { maxLength: 300 }), (addresses) => {
        const bloom = bloomOf(addresses);
        for (const ip of addresses) assert.equal(bloom.has(ip), true);
      }),
    );
  });

  it('gives Infinity for a full filter', () => {
    const full = ScrapeBloom.from(new Uint8Array(SCRAPE_BLOOM_BYTES).fill(0xff));
    assert.equal(full?.estimateCount(), Number.POSITIVE_INFINITY);
  });

  it('unions to the filter of both sets, leaving its operands alone', () => {
    fc.assert(
      fc.property(
        fc.array(address, { maxLength: 100 }),
        fc.array(address, { maxLength: 100 }),
        (a, b) => {
          const left = bloomOf(a);
          const right = bloomOf(b);
          const leftBefore = left.bytes;
          const union = left.union(right);
          assert.deepEqual(union.bytes, bloomOf([...a, ...b]).bytes);
          assert.deepEqual(left.bytes, leftBefore);
          assert.ok(union.estimateCount() >= left.estimateCount());
        },
      ),
    );
  });

  it('rejects a field that is not 256 bytes with null', () => {
    for (const length of [0, 1, 255, 257, 512]) {
      assert.equal(ScrapeBloom.from(new Uint8Array(length)), null);
    }
  });

  it('copies on the way in and on the way out', () => {
    const field = new Uint8Array(SCRAPE_BLOOM_BYTES);
    const bloom = ScrapeBloom.from(field);
    assert.ok(bloom);
    field.fill(0xff);
    assert.equal(bloom.bytes[0], 0);
    bloom.bytes.fill(0xff);
    assert.equal(bloom.bytes[0], 0);
  });

  it('throws RangeError when given something that is not an address', () => {
    const bloom = new ScrapeBloom();
    for (const length of [0, 3, 5, 6, 18]) {
      assert.throws(() => bloom.insert(new Uint8Array(length)), RangeError);
      assert.throws(() => bloom.has(new Uint8Array(length)), RangeError);
    }
  });
});

function popCount(byte: number): number {
  let count = 0;
  for (let rest = byte; rest !== 0; rest &= rest - 1) count++;
  return count;
}
