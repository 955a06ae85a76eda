/**
 * The example packets of BEP 5 ("DHT Protocol", sections "Errors" and "DHT
 * Queries → Example Packets"), copied verbatim: each must parse to the
 * message the BEP describes and re-encode to the very same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode } from '../../../src/protocol/bencode/index.ts';
import { encodeKrpc, type KrpcMessage, parseKrpc } from '../../../src/protocol/krpc/index.ts';
import { ascii, toText } from '../../helpers/bytes.ts';

const aa = ascii('aa');
const id1 = ascii('abcdefghij0123456789');
const id2 = ascii('mnopqrstuvwxyz123456');

const examples: [string, string, KrpcMessage][] = [
  [
    'generic error',
    'd1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee',
    { t: aa, y: 'e', code: 201, message: ascii('A Generic Error Ocurred') },
  ],
  [
    'ping query',
    'd1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
    { t: aa, y: 'q', method: 'ping', args: { id: id1 } },
  ],
  [
    'ping response',
    'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re',
    { t: aa, y: 'r', result: { id: id2 } },
  ],
  [
    'find_node query',
    'd1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe',
    { t: aa, y: 'q', method: 'find_node', args: { id: id1, target: id2 } },
  ],
  [
    'get_peers query',
    'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe',
    { t: aa, y: 'q', method: 'get_peers', args: { id: id1, infoHash: id2 } },
  ],
  [
    'get_peers response with peers',
    'd1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re',
    {
      t: aa,
      y: 'r',
      result: {
        id: id1,
        token: ascii('aoeusnth'),
        // "axje.u" and "idhtnm" are 6-byte compact peers: a.x.j.e, port "." "u" = 0x2e75
        values: [
          { address: '97.120.106.101', port: 0x2e75 },
          { address: '105.100.104.116', port: 0x6e6d },
        ],
      },
    },
  ],
  [
    'announce_peer query',
    'd1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe',
    {
      t: aa,
      y: 'q',
      method: 'announce_peer',
      args: { id: id1, impliedPort: true, infoHash: id2, port: 6881, token: ascii('aoeusnth') },
    },
  ],
  [
    'announce_peer response',
    'd1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re',
    { t: aa, y: 'r', result: { id: id2 } },
  ],
];

describe('BEP 5 example packets', () => {
  for (const [name, wire, expected] of examples) {
    it(`${name}: parses to the described message and re-encodes byte for byte`, () => {
      const result = parseKrpc(ascii(wire));
      if (!result.ok) assert.fail(`rejected: ${result.reason}`);
      assert.deepStrictEqual(result.message, expected);
      assert.equal(result.nonCanonical, null);
      assert.equal(toText(encodeKrpc(expected)), wire);
    });
  }

  // BEP 5 writes `"nodes": "def456..."` as a stand-in for compact node info.
  // It is valid bencode, but 9 bytes are not a whole 26-byte node, so a strict
  // KRPC reader must reject it, and with the reason that says exactly that.
  for (const [name, wire] of [
    ['find_node response', 'd1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re'],
    [
      'get_peers response with closest nodes',
      'd1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re',
    ],
  ] as const) {
    it(`${name}: the placeholder nodes string is valid bencode but not compact node info`, () => {
      assert.ok(decode(ascii(wire)).ok);
      const result = parseKrpc(ascii(wire));
      assert.ok(!result.ok);
      assert.equal(result.reason, 'response.nodes.bad-length');
      assert.deepEqual(result.t, aa);
    });
  }
});
