import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RandomBytes } from '../../../src/protocol/kademlia/node-id.ts';
import { formatIp } from '../../../src/protocol/net/ip.ts';
import {
  allowedPrefixes,
  bep42Prefix,
  bep42Verdict,
  checkNodeId,
  generateNodeId,
  isBep42Exempt,
} from '../../../src/protocol/security/bep42.ts';

// BEP 42, section "Node ID restriction", test vectors (verbatim):
//
// 	IP           rand  example node ID
// 	============ ===== ==========================================
// 	124.31.75.21   1   **5fbfbf** f10c5d6a4ec8a88e4c6ab4c28b95eee4 **01**
// 	21.75.31.124  86   **5a3ce9** c14e7a08645677bbd1cfe7d8f956d532 **56**
// 	65.23.51.170  22   **a5d432** 20bc8f112a3d426c84764f8c2a1150e6 **16**
// 	84.124.73.14  65   **1b0321** dd1bb1fe518101ceef99462b947a01ff **41**
// 	43.213.53.83  90   **e56f6c** bf5b7c4be0237986d5243b87aa6d5130 **5a**
const BEP42_VECTORS = [
  {
    ip: '124.31.75.21',
    rand: 1,
    prefix: '5fbfbf',
    middle: 'f10c5d6a4ec8a88e4c6ab4c28b95eee4',
    last: '01',
  },
  {
    ip: '21.75.31.124',
    rand: 86,
    prefix: '5a3ce9',
    middle: 'c14e7a08645677bbd1cfe7d8f956d532',
    last: '56',
  },
  {
    ip: '65.23.51.170',
    rand: 22,
    prefix: 'a5d432',
    middle: '20bc8f112a3d426c84764f8c2a1150e6',
    last: '16',
  },
  {
    ip: '84.124.73.14',
    rand: 65,
    prefix: '1b0321',
    middle: 'dd1bb1fe518101ceef99462b947a01ff',
    last: '41',
  },
  {
    ip: '43.213.53.83',
    rand: 90,
    prefix: 'e56f6c',
    middle: 'bf5b7c4be0237986d5243b87aa6d5130',
    last: '5a',
  },
].map((row) => ({
  ...row,
  address: ipv4(row.ip),
  id: fromHex(row.prefix + row.middle + row.last),
}));

// libtorrent test/test_dht.cpp, test_id_enforcement: the IPv6 source and node
// id it accepts (the BEP has no IPv6 vector).
const LIBTORRENT_V6_ADDRESS = fromHex('2001b8292123be84e16cd6ae529049f1');
const LIBTORRENT_V6_ID = fromHex('0a8ad123be84e16cd6ae529049f1f1bbe9ebb304');

function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function v4Mapped(address: Uint8Array): Uint8Array {
  const mapped = new Uint8Array(16);
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped.set(address, 12);
  return mapped;
}

function flipBit(id: Uint8Array, bit: number): Uint8Array {
  const flipped = id.slice();
  flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
  return flipped;
}

/** An rng that hands out `bytes` (the property's random input) from the start. */
function fixedRandomBytes(bytes: Uint8Array): RandomBytes {
  return (n) => bytes.slice(0, n);
}

const ipv4Address = fc.uint8Array({ minLength: 4, maxLength: 4 });
const ipv6Address = fc.uint8Array({ minLength: 16, maxLength: 16 });
const anyAddress = fc.oneof(ipv4Address, ipv6Address);
const idBytes = fc.uint8Array({ minLength: 20, maxLength: 20 });

describe('BEP 42 test vectors', () => {
  for (const vector of BEP42_VECTORS) {
    it(`${vector.ip}: the example id validates`, () => {
      assert.deepEqual(checkNodeId(vector.id, vector.address), { valid: true, exempt: false });
    });

    it(`${vector.ip}: bep42Prefix reproduces the bold prefix bits`, () => {
      // The last byte carries `rand`; its low 3 bits are the r of the formula.
      assert.equal(vector.id[19], vector.rand);
      const crc = bep42Prefix(vector.address, vector.rand & 0x07);
      // The first two bold bytes come from the crc whole; of the third byte only
      // its top 5 bits do (21 bits in all), the low 3 being random.
      assert.equal(crc >>> 16, Number.parseInt(vector.prefix.slice(0, 4), 16));
      assert.equal(crc >>> 11, Number.parseInt(vector.prefix, 16) >>> 3);
    });
  }

  it('each example id has its prefix at index r of allowedPrefixes', () => {
    for (const vector of BEP42_VECTORS) {
      const prefixes = allowedPrefixes(vector.address);
      assert.equal(prefixes.length, 8);
      assert.equal(prefixes[vector.rand & 0x07], Number.parseInt(vector.prefix, 16) >>> 3);
    }
  });

  it('accepts libtorrent’s IPv6 example and rejects it once altered', () => {
    assert.deepEqual(checkNodeId(LIBTORRENT_V6_ID, LIBTORRENT_V6_ADDRESS), {
      valid: true,
      exempt: false,
    });
    // The same alteration libtorrent's test makes to get an invalid id.
    const altered = LIBTORRENT_V6_ID.slice();
    altered[0] = 0x18;
    assert.deepEqual(checkNodeId(altered, LIBTORRENT_V6_ADDRESS), {
      valid: false,
      exempt: false,
      reason: 'prefix-mismatch',
    });
  });
});

describe('checkNodeId on altered ids', () => {
  it('rejects an id with any of its first 21 bits flipped', () => {
    for (const { id, address } of BEP42_VECTORS) {
      for (let bit = 0; bit < 21; bit++) {
        const result = checkNodeId(flipBit(id, bit), address);
        assert.equal(result.valid, false, `bit ${bit}`);
        assert.equal(result.reason, 'prefix-mismatch');
      }
    }
  });

  it('accepts an id with any bit flipped between the prefix and r', () => {
    // Bits 21..156: the rest of byte 2, bytes 3..18 and the top 5 bits of byte 19.
    for (const { id, address } of BEP42_VECTORS) {
      for (let bit = 21; bit < 157; bit++) {
        assert.equal(checkNodeId(flipBit(id, bit), address).valid, true, `bit ${bit}`);
      }
    }
  });

  it('rejects an id whose last byte carries a different r', () => {
    for (const { id, address } of BEP42_VECTORS) {
      for (let r = 0; r < 8; r++) {
        if (r === (id[19]! & 0x07)) continue;
        const altered = id.slice();
        altered[19] = (id[19]! & 0xf8) | r;
        assert.equal(checkNodeId(altered, address).valid, false, `r ${r}`);
      }
    }
  });

  it('rejects the example ids from any other example address', () => {
    for (const vector of BEP42_VECTORS) {
      for (const other of BEP42_VECTORS) {
        if (other === vector) continue;
        assert.equal(checkNodeId(vector.id, other.address).valid, false);
      }
    }
  });
});

describe('bep42Prefix', () => {
  it('ignores the IPv4 bits outside the mask 0x030f3fff', () => {
    fc.assert(
      fc.property(ipv4Address, ipv4Address, fc.integer({ min: 0, max: 7 }), (a, noise, r) => {
        const mask = [0x03, 0x0f, 0x3f, 0xff];
        const b = a.map((byte, i) => (byte & mask[i]!) | (noise[i]! & ~mask[i]! & 0xff));
        assert.equal(bep42Prefix(b, r), bep42Prefix(a, r));
      }),
    );
  });

  it('ignores the low 64 bits of an IPv6 address and the high bits outside its mask', () => {
    fc.assert(
      fc.property(ipv6Address, ipv6Address, fc.integer({ min: 0, max: 7 }), (a, noise, r) => {
        fc.pre(!(a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff));
        const mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0];
        const b = a.map((byte, i) => (byte & mask[i]!) | (noise[i]! & ~mask[i]! & 0xff));
        // Keep b out of the IPv4-mapped range, which is hashed as IPv4.
        b[0] = a[0]!;
        assert.equal(bep42Prefix(b, r), bep42Prefix(a, r));
      }),
    );
  });

  it('hashes an IPv4-mapped IPv6 address as the IPv4 address', () => {
    for (const { address } of BEP42_VECTORS) {
      for (let r = 0; r < 8; r++) {
        assert.equal(bep42Prefix(v4Mapped(address), r), bep42Prefix(address, r));
      }
    }
    const [first] = BEP42_VECTORS;
    assert.equal(checkNodeId(first!.id, v4Mapped(first!.address)).valid, true);
  });

  it('throws RangeError for an r outside 0..7 or an address of the wrong length', () => {
    const address = ipv4('124.31.75.21');
    for (const r of [-1, 8, 1.5, Number.NaN]) {
      assert.throws(() => bep42Prefix(address, r), RangeError);
    }
    for (const length of [0, 3, 5, 6, 15, 17]) {
      assert.throws(() => bep42Prefix(new Uint8Array(length), 0), RangeError);
    }
  });
});

describe('allowedPrefixes', () => {
  it('lists the 21-bit prefix for each r in order', () => {
    fc.assert(
      fc.property(anyAddress, (address) => {
        const prefixes = allowedPrefixes(address);
        assert.equal(prefixes.length, 8);
        prefixes.forEach((prefix, r) => {
          assert.equal(prefix, bep42Prefix(address, r) >>> 11);
          assert.ok(prefix >= 0 && prefix < 2 ** 21);
        });
      }),
    );
  });
});

describe('generateNodeId', () => {
  it('always produces an id that validates for its address', () => {
    fc.assert(
      fc.property(anyAddress, idBytes, (address, random) => {
        const id = generateNodeId(address, fixedRandomBytes(random));
        assert.equal(id.length, 20);
        const result = checkNodeId(id, address);
        assert.equal(result.valid, true);
        // Validity must not be owed to an exemption: recheck the prefix itself.
        assert.equal(
          ((id[0]! << 13) | (id[1]! << 5) | (id[2]! >> 3)) >>> 0,
          allowedPrefixes(address)[id[19]! & 0x07],
        );
      }),
    );
  });

  it('keeps the random bytes outside the 21-bit prefix', () => {
    fc.assert(
      fc.property(anyAddress, idBytes, (address, random) => {
        const id = generateNodeId(address, fixedRandomBytes(random));
        assert.equal(id[2]! & 0x07, random[2]! & 0x07);
        assert.deepEqual(id.subarray(3), random.subarray(3));
      }),
    );
  });

  it('produces an id that fails for another random address nearly always', () => {
    const pair = fc.tuple(anyAddress, anyAddress, idBytes);
    fc.assert(
      fc.property(fc.array(pair, { minLength: 50, maxLength: 50 }), (pairs) => {
        let rejected = 0;
        let comparable = 0;
        for (const [address, other, random] of pairs) {
          if (isBep42Exempt(other)) continue;
          comparable++;
          const id = generateNodeId(address, fixedRandomBytes(random));
          if (!checkNodeId(id, other).valid) rejected++;
        }
        // Two random addresses share a 21-bit prefix about once in 2^20 tries;
        // allow a few anyway so that the property is not flaky.
        assert.ok(rejected >= comparable - 2, `${rejected} of ${comparable} rejected`);
      }),
      { numRuns: 20 },
    );
  });

  it('covers all 8 allowed prefixes as r varies', () => {
    const address = ipv4('84.124.73.14');
    const seen = new Set<number>();
    for (let r = 0; r < 8; r++) {
      const random = new Uint8Array(20).fill(0xa5);
      random[19] = r;
      const id = generateNodeId(address, fixedRandomBytes(random));
      seen.add((id[0]! << 13) | (id[1]! << 5) | (id[2]! >> 3));
    }
    const byValue = (a: number, b: number) => a - b;
    assert.deepEqual([...seen].sort(byValue), [...new Set(allowedPrefixes(address))].sort(byValue));
  });
});

describe('isBep42Exempt', () => {
  const exempt = [
    '10.0.0.0',
    '10.255.255.255',
    '172.16.0.0',
    '172.31.255.255',
    '192.168.0.0',
    '192.168.255.255',
    '169.254.0.0',
    '169.254.255.255',
    '127.0.0.1',
    '127.255.255.255',
  ];
  const notExempt = [
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '8.8.8.8',
    '124.31.75.21',
  ];

  it('exempts the IPv4 blocks listed in BEP 42, edges included', () => {
    for (const text of exempt) assert.equal(isBep42Exempt(ipv4(text)), true, text);
  });

  it('does not exempt the addresses just outside them', () => {
    for (const text of notExempt) assert.equal(isBep42Exempt(ipv4(text)), false, text);
  });

  it('exempts IPv6 loopback, unique-local, link-local and site-local addresses', () => {
    const ipv6Exempt = [
      '00000000000000000000000000000001', // ::1
      'fc000000000000000000000000000000', // fc00::
      'fdffffffffffffffffffffffffffffff', // fdff:...:ffff
      'fe800000000000000000000000000001', // fe80::1
      'febfffffffffffffffffffffffffffff', // febf:...:ffff
      'fec00000000000000000000000000000', // fec0:: (deprecated site-local)
    ];
    for (const hex of ipv6Exempt) assert.equal(isBep42Exempt(fromHex(hex)), true, hex);
  });

  it('does not exempt public or unspecified IPv6 addresses', () => {
    const ipv6Public = [
      '00000000000000000000000000000000', // ::
      '00000000000000000000000000000002', // ::2
      'fbffffffffffffffffffffffffffffff', // just below fc00::/7
      'fe000000000000000000000000000000', // fe00::, below fe80::/10
      'ff020000000000000000000000000001', // ff02::1, multicast
      '20010db8000000000000000000000001', // 2001:db8::1
    ];
    for (const hex of ipv6Public) assert.equal(isBep42Exempt(fromHex(hex)), false, hex);
    assert.equal(isBep42Exempt(LIBTORRENT_V6_ADDRESS), false);
  });

  it('judges an IPv4-mapped IPv6 address by the IPv4 address', () => {
    assert.equal(isBep42Exempt(v4Mapped(ipv4('192.168.1.1'))), true);
    assert.equal(isBep42Exempt(v4Mapped(ipv4('8.8.8.8'))), false);
  });

  it('lets any id pass from an exempt address, marked as exempt', () => {
    fc.assert(
      fc.property(idBytes, fc.constantFrom(...exempt), (id, text) => {
        assert.deepEqual(checkNodeId(id, ipv4(text)), { valid: true, exempt: true });
      }),
    );
  });

  it('throws RangeError for an id that is not 20 bytes', () => {
    const address = ipv4('124.31.75.21');
    for (const length of [0, 19, 21]) {
      assert.throws(() => checkNodeId(new Uint8Array(length), address), RangeError);
    }
  });
});

describe('bep42Verdict', () => {
  it('judges an address given as text as checkNodeId judges its bytes, call after call', () => {
    const verdictOf = (id: Uint8Array, address: Uint8Array) => {
      const check = checkNodeId(id, address);
      return check.exempt ? 'exempt' : check.valid ? 'valid' : 'invalid';
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyAddress, idBytes, fc.boolean()), { maxLength: 20 }),
        (cases) => {
          for (const [address, random, generated] of cases) {
            // Half the ids are valid for their address, so both verdicts are met.
            const id = generated ? generateNodeId(address, fixedRandomBytes(random)) : random;
            assert.equal(bep42Verdict(id, formatIp(address)), verdictOf(id, address));
          }
        },
      ),
    );
  });

  it('has no verdict for text that is not an IP literal', () => {
    const id = new Uint8Array(20);
    for (const text of ['', 'example.org', '1.2.3', '01.2.3.4', '1.2.3.256', '::g']) {
      assert.equal(bep42Verdict(id, text), undefined, text);
    }
  });
});
