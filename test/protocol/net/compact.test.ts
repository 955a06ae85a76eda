import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeCompactNodes,
  decodeCompactPeer,
  encodeCompactNodes,
  encodeCompactPeer,
} from '../../../src/protocol/net/compact.ts';
import { fromHex } from '../../helpers/bytes.ts';

describe('compact peers and nodes (BEP 5, BEP 32)', () => {
  it('reads and writes 6-byte IPv4 peers', () => {
    const bytes = fromHex('c0000201 1ae1');
    assert.deepEqual(decodeCompactPeer(bytes), { address: '192.0.2.1', port: 6881 });
    assert.deepEqual(encodeCompactPeer({ address: '192.0.2.1', port: 6881 }), bytes);
  });

  it('reads and writes 18-byte IPv6 peers', () => {
    const bytes = fromHex('20010db8000000000000000000000001 c8d5');
    assert.deepEqual(decodeCompactPeer(bytes), { address: '2001:db8::1', port: 51413 });
    assert.deepEqual(encodeCompactPeer({ address: '2001:db8::1', port: 51413 }), bytes);
  });

  it('any other length is not a compact peer', () => {
    for (const n of [0, 5, 7, 17, 19]) assert.equal(decodeCompactPeer(new Uint8Array(n)), null);
  });

  it('splits nodes into 26-byte (v4) and 38-byte (v6) entries whose ids are views', () => {
    const v4 = new Uint8Array(52);
    v4.fill(0xaa, 0, 20);
    v4.set([10, 0, 0, 1, 0, 80], 20);
    v4.fill(0xbb, 26, 46);
    v4.set([10, 0, 0, 2, 0, 81], 46);
    const nodes = decodeCompactNodes(v4, 4)!;
    assert.equal(nodes.length, 2);
    assert.deepEqual(
      nodes.map((n) => `${n.address}:${n.port}`),
      ['10.0.0.1:80', '10.0.0.2:81'],
    );
    assert.equal(nodes[1]!.id.buffer, v4.buffer, 'the id is a view, not a copy');
    assert.deepEqual(encodeCompactNodes(nodes, 4), v4);
    assert.equal(decodeCompactNodes(new Uint8Array(38 * 2), 6)!.length, 2);
  });

  it('a length that is not a whole number of entries is rejected', () => {
    assert.equal(decodeCompactNodes(new Uint8Array(27), 4), null);
    assert.equal(decodeCompactNodes(new Uint8Array(26), 6), null);
    assert.deepEqual(decodeCompactNodes(new Uint8Array(0), 4), []);
  });

  it('refuses to encode what cannot be encoded', () => {
    assert.throws(
      () => encodeCompactPeer({ address: 'example.org', port: 1 }),
      /not an IP address/,
    );
    assert.throws(() => encodeCompactPeer({ address: '1.2.3.4', port: 70000 }), /port 70000/);
    assert.throws(
      () => encodeCompactNodes([{ id: new Uint8Array(19), address: '1.2.3.4', port: 1 }], 4),
      /19 bytes/,
    );
    assert.throws(
      () => encodeCompactNodes([{ id: new Uint8Array(20), address: '::1', port: 1 }], 4),
      /not an IPv4/,
    );
  });
});
