import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeClientVersion } from '../../../src/protocol/krpc/client-version.ts';
import { ANTENNA_VERSION } from '../../../src/sensor/antenna.ts';

/** The bytes of a C-style string literal such as "lt\x10\x14". */
function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** Undoes the `printable` escaping, to check it loses nothing. */
function unescapePrintable(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\' && text[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 2;
    } else if (text[i] === '\\' && text[i + 1] === 'x') {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      bytes.push(text.charCodeAt(i));
      i += 1;
    }
  }
  return Uint8Array.from(bytes);
}

describe('decodeClientVersion: known clients', () => {
  // Each case names the source that shows the client writing these bytes.
  const cases: { v: Uint8Array; client: string; version: string; source: string }[] = [
    // arvidn/libtorrent src/kademlia/dht_tracker.cpp: {'L', 'T', major, minor << 4 | tiny} since 1.2.5
    {
      v: bytesOf('LT\x02\x09'),
      client: 'libtorrent (Rasterbar)',
      version: '2.0.9',
      source: '2.0.9',
    },
    {
      v: bytesOf('LT\x02\x10'),
      client: 'libtorrent (Rasterbar)',
      version: '2.1.0',
      source: '2.1.0',
    },
    {
      v: bytesOf('LT\x01\x25'),
      client: 'libtorrent (Rasterbar)',
      version: '1.2.5',
      source: '1.2.5',
    },
    // 1.2.x clamps tiny to 15 (std::min(15, LIBTORRENT_VERSION_TINY)), 1.2.19 included.
    {
      v: bytesOf('LT\x01\x2f'),
      client: 'libtorrent (Rasterbar)',
      version: '1.2.15',
      source: '1.2.19',
    },
    // ... and {'L', 'T', major, minor} up to 1.2.4.
    { v: bytesOf('LT\x01\x02'), client: 'libtorrent (Rasterbar)', version: '1.2', source: '1.2.4' },
    { v: bytesOf('LT\x01\x01'), client: 'libtorrent (Rasterbar)', version: '1.1', source: '1.1.x' },
    {
      v: bytesOf('LT\x00\x10'),
      client: 'libtorrent (Rasterbar)',
      version: '0.16',
      source: '0.16.x',
    },
    // rakshasa/libtorrent configure.ac, PEER_VERSION for 0.16.20, 0.14.0 and 0.12.7.
    {
      v: bytesOf('lt\x10\x14'),
      client: 'libTorrent (rakshasa)',
      version: '0.16.20',
      source: '0.16.20',
    },
    {
      v: bytesOf('lt\x0E\x00'),
      client: 'libTorrent (rakshasa)',
      version: '0.14.0',
      source: '0.14.0',
    },
    {
      v: bytesOf('lt\x0C\x70'),
      client: 'libTorrent (rakshasa)',
      version: '0.12.7',
      source: '0.12.7',
    },
    {
      v: bytesOf('lt\x0D\x80'),
      client: 'libTorrent (rakshasa)',
      version: '0.13.8',
      source: '0.13.8',
    },
    // the8472/mldht DHTConstants: "ml" + (ver >> 8, ver & 0xff), setVersion(11).
    { v: bytesOf('ml\x00\x0b'), client: 'mldht', version: '11', source: 'mldht 0.1.1' },
    // Transmission 2.00 tr-dht.c: 'T', 'R', SVN_REVISION_NUM >> 8, SVN_REVISION_NUM & 0xFF.
    { v: bytesOf('TR\x2a\xf8'), client: 'Transmission', version: '11000', source: 'r11000' },
    // MonoTorrent GitInfoHelper.cs: "MO" + major, minor, two-digit build; "MO06" before 1.0.
    { v: bytesOf('MO3000'), client: 'MonoTorrent', version: '3000', source: '3.0.0' },
    { v: bytesOf('MO06'), client: 'MonoTorrent', version: '06', source: 'pre-1.0' },
    // libtorrent docs/dht_extensions.rst: 2 letters + 2 bytes read as one binary number.
    { v: bytesOf('UT\x8a\x5d'), client: 'µTorrent', version: '35421', source: 'docs' },
  ];

  for (const { v, client, version, source } of cases) {
    it(`${client} ${version} (${source})`, () => {
      const decoded = decodeClientVersion(v);
      assert.equal(decoded.code, String.fromCharCode(v[0]!, v[1]!));
      assert.equal(decoded.client, client);
      assert.equal(decoded.version, version);
      assert.equal(decoded.hex, Buffer.from(v).toString('hex'));
    });
  }

  it('names clients whose version bytes have no known reading, without a version', () => {
    const decoded = decodeClientVersion(bytesOf('qB\x04\x06'));
    assert.equal(decoded.code, 'qB');
    assert.equal(decoded.client, 'qBittorrent');
    assert.equal(decoded.version, undefined);
  });

  it('tells LT from lt', () => {
    assert.equal(decodeClientVersion(bytesOf('LT\x02\x00')).client, 'libtorrent (Rasterbar)');
    assert.equal(decodeClientVersion(bytesOf('lt\x02\x00')).client, 'libTorrent (rakshasa)');
  });

  it('gives no version when a known client sends a field of the wrong length', () => {
    for (const v of ['LT', 'LT\x02', 'LT\x02\x00\x00', 'ml\x00', 'MO']) {
      const decoded = decodeClientVersion(bytesOf(v));
      assert.ok(decoded.client !== undefined, v);
      assert.equal(decoded.version, undefined, v);
    }
  });
});

describe('decodeClientVersion: unknown and malformed fields', () => {
  it('keeps the code of an unknown printable client', () => {
    const decoded = decodeClientVersion(bytesOf('ZZ\x01\x02'));
    assert.equal(decoded.code, 'ZZ');
    assert.equal(decoded.client, undefined);
    assert.equal(decoded.version, undefined);
    assert.equal(decoded.printable, 'ZZ\\x01\\x02');
  });

  it('gives only hex and printable for binary bytes', () => {
    const decoded = decodeClientVersion(Uint8Array.of(0x00, 0x01, 0xfe, 0xff));
    assert.deepEqual(Object.keys(decoded).sort(), ['hex', 'printable', 'raw']);
    assert.equal(decoded.hex, '0001feff');
    assert.equal(decoded.printable, '\\x00\\x01\\xfe\\xff');
  });

  it('handles an empty field and a single byte', () => {
    const empty = decodeClientVersion(new Uint8Array(0));
    assert.equal(empty.hex, '');
    assert.equal(empty.printable, '');
    assert.equal(empty.code, undefined);
    const single = decodeClientVersion(bytesOf('L'));
    assert.equal(single.code, undefined);
    assert.equal(single.printable, 'L');
  });

  it('handles a 20-byte field', () => {
    const v = bytesOf('-qB4650-abcdefghijkl');
    const decoded = decodeClientVersion(v);
    assert.equal(decoded.code, '-q');
    assert.equal(decoded.client, undefined);
    assert.equal(decoded.hex.length, 40);
  });

  it('escapes a backslash so that printable stays unambiguous', () => {
    assert.equal(decodeClientVersion(bytesOf('A\\x00')).printable, 'A\\\\x00');
  });

  it('never throws, and its fields agree with the bytes, for any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (v) => {
        const decoded = decodeClientVersion(v);
        assert.equal(decoded.raw, v);
        assert.equal(decoded.hex, Buffer.from(v).toString('hex'));
        assert.deepEqual(unescapePrintable(decoded.printable), v);
        const printableCode =
          v.length >= 2 && v.subarray(0, 2).every((b) => b >= 0x20 && b <= 0x7e);
        assert.equal(decoded.code !== undefined, printableCode);
        if (decoded.client !== undefined) assert.ok(decoded.code !== undefined);
        if (decoded.version !== undefined) assert.ok(decoded.client !== undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws after a known code, whatever follows', () => {
    const code = fc.constantFrom('LT', 'lt', 'ml', 'TR', 'MO', 'UT', 'qB', 'XL');
    fc.assert(
      fc.property(code, fc.uint8Array({ maxLength: 18 }), (letters, rest) => {
        const v = new Uint8Array(2 + rest.length);
        v.set(bytesOf(letters));
        v.set(rest, 2);
        const decoded = decodeClientVersion(v);
        assert.equal(decoded.code, letters);
        assert.ok(decoded.client);
      }),
    );
  });
});

describe('decodeClientVersion: raw', () => {
  it('is the caller’s view itself, not a copy', () => {
    const datagram = bytesOf('xxLT\x02\x09yy');
    const v = datagram.subarray(2, 6);
    const decoded = decodeClientVersion(v);
    assert.equal(decoded.raw, v);
    assert.equal(decoded.raw.buffer, datagram.buffer);
    assert.equal(decoded.raw.byteOffset, 2);
    assert.equal(decoded.version, '2.0.9');
  });
});

describe('dhtscope itself', () => {
  it('reads the v field the antenna sends', () => {
    const version = decodeClientVersion(ANTENNA_VERSION);
    assert.equal(version.client, 'dhtscope');
    assert.equal(version.version, '1');
  });
});
