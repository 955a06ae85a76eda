import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crc32c } from '../../../src/protocol/security/crc32c.ts';

/** Bit-at-a-time CRC-32C, written independently of the table to check it against. */
function bitwiseCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('crc32c', () => {
  it('gives the standard CRC-32C check value for "123456789"', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  });

  it('reproduces the RFC 3720 appendix B.4 test vectors', () => {
    // RFC 3720 (iSCSI), appendix B.4 "CRC Examples", 32-byte buffers.
    const zeros = new Uint8Array(32);
    const ones = new Uint8Array(32).fill(0xff);
    const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
    const descending = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
    assert.equal(crc32c(zeros), 0x8a9136aa);
    assert.equal(crc32c(ones), 0x62a8ab43);
    assert.equal(crc32c(ascending), 0x46dd794e);
    assert.equal(crc32c(descending), 0x113fdb5c);
  });

  it('is 0 for no bytes', () => {
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('matches a bit-at-a-time implementation on any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        assert.equal(crc32c(data), bitwiseCrc32c(data));
      }),
    );
  });

  it('continues over a split input when given the previous crc', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        assert.equal(crc32c(b, crc32c(a)), crc32c(whole));
      }),
    );
  });

  it('always returns an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (data) => {
        const crc = crc32c(data);
        assert.ok(Number.isInteger(crc) && crc >= 0 && crc <= 0xffffffff);
      }),
    );
  });
});
