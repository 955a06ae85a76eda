/**
 * PEX over the peer wire protocol on hand-built conversations (BEP 3, 10,
 * 11), in the clear and behind an MSE preamble, cut at every byte boundary;
 * connections that are not BitTorrent are left alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../../src/protocol/bencode/index.ts';
import { ascii, seededBytes } from '../helpers/bytes.ts';
import {
  compact,
  concat,
  feed,
  harness,
  type Turn,
  tcpStream,
  u32be,
} from './bittorrent-helpers.ts';

const PSTR = concat(new Uint8Array([19]), ascii('BitTorrent protocol'));

function handshake(): Uint8Array {
  return concat(
    PSTR,
    new Uint8Array([0, 0, 0, 0, 0, 0x10, 0, 0]),
    new Uint8Array(20).fill(0xaa),
    new Uint8Array(20).fill(0xbb),
  );
}

function message(id: number, payload: Uint8Array): Uint8Array {
  return concat(u32be(payload.length + 1), new Uint8Array([id]), payload);
}

function extended(extendedId: number, dict: Parameters<typeof encode>[0]): Uint8Array {
  return message(20, concat(new Uint8Array([extendedId]), encode(dict)));
}

describe('PEX (BEP 10, BEP 11)', () => {
  const INITIATOR = '10.0.0.2';
  const RESPONDER = '203.0.113.50';
  // The initiator wants ut_pex as 1, the responder as 3: each side sends with the other's id.
  const initiatorHello = concat(
    handshake(),
    extended(0, { m: { ut_metadata: 2, ut_pex: 1 }, p: 6881, v: 'test 1.0' }),
  );
  const fromInitiator = concat(
    initiatorHello,
    message(2, new Uint8Array(0)), // interested
    u32be(0), // keep-alive
    extended(3, {
      added: concat(compact('198.51.100.1', 6881)),
      'added.f': new Uint8Array([0]),
      dropped: new Uint8Array(0),
    }),
  );
  const fromResponder = concat(
    handshake(),
    extended(0, { m: { ut_pex: 3 } }),
    message(5, new Uint8Array(8)), // bitfield
    message(7, concat(new Uint8Array(8), new Uint8Array(3000).fill(1))), // a piece, skipped
    extended(1, {
      added: concat(compact('198.51.100.2', 6882), compact('198.51.100.3', 6883)),
      added6: compact('2001:db8::3', 6884),
      dropped: compact('198.51.100.9', 1),
    }),
    extended(2, { msg_type: 0, piece: 0 }), // ut_metadata: not PEX
  );
  const expected = [
    `${RESPONDER} 198.51.100.1 6881 pex peer`,
    `${INITIATOR} 198.51.100.2 6882 pex peer`,
    `${INITIATOR} 198.51.100.3 6883 pex peer`,
    `${INITIATOR} 2001:db8::3 6884 pex peer`,
  ];

  it("reads added and added6 under the receiver's ut_pex id; the receiver learned; at every split", () => {
    const turns: Turn[] = [
      [true, initiatorHello],
      [false, fromResponder],
      [true, fromInitiator.subarray(initiatorHello.length)],
    ];
    // Which side's PEX comes first depends on the turns: sort to compare.
    const sorted = (lines: string[]) => [...lines].sort();
    const longest = fromResponder.length;
    for (let cut = 0; cut <= longest; cut += 1) {
      const h = harness();
      feed(h.extractor, tcpStream(INITIATOR, 40000, RESPONDER, 6881), turns, cut);
      assert.deepEqual(sorted(h.lines()), sorted(expected), `cut at ${cut}`);
    }
    const h = harness();
    const stream = tcpStream(INITIATOR, 40001, RESPONDER, 6881);
    for (const [side, bytes] of turns) {
      for (let i = 0; i < bytes.length; i++)
        h.extractor.tcpData(stream, side, 1, bytes.subarray(i, i + 1));
    }
    assert.deepEqual(sorted(h.lines()), sorted(expected));
    const counts = h.extractor.stats().counts.pex;
    assert.equal(counts.extended_handshakes, 2);
    assert.equal(counts.pex_messages, 2);
    assert.equal(counts.dropped, 1);
  });

  it('ignores PEX-looking messages when no side declared ut_pex, and counts bad extended messages', () => {
    const h = harness();
    feed(h.extractor, tcpStream(INITIATOR, 40000, RESPONDER, 6881), [
      [true, concat(handshake(), extended(0, { m: { ut_metadata: 2 } }))],
      [
        false,
        concat(
          handshake(),
          message(20, ascii('\x00not bencode')),
          extended(1, { added: compact('198.51.100.1', 1) }),
        ),
      ],
    ]);
    assert.equal(h.predictions.length, 0);
    assert.equal(h.extractor.stats().failures.pex['bad-extended-handshake'], 1);
  });

  it('finds the handshake after an MSE preamble that settled on plaintext, at every split', () => {
    const random = seededBytes(8);
    // Initiator: Ya (96) + PadA, hashes and the encrypted negotiation; responder: Yb + PadB + VC…
    const preambleI = random(96 + 300 + 40 + 30);
    const preambleR = random(96 + 200 + 20);
    const turns: Turn[] = [
      [true, concat(preambleI, initiatorHello)],
      [false, concat(preambleR, fromResponder)],
      [true, fromInitiator.subarray(initiatorHello.length)],
    ];
    const sorted = (lines: string[]) => [...lines].sort();
    for (let cut = 0; cut <= preambleI.length + 100; cut += 7) {
      const h = harness();
      feed(h.extractor, tcpStream(INITIATOR, 40000, RESPONDER, 6881), turns, cut);
      assert.deepEqual(sorted(h.lines()), sorted(expected), `cut at ${cut}`);
    }
  });

  it('gives up on a handshake later than the MSE window, and on TLS at once', () => {
    const h = harness();
    const late = concat(seededBytes(9)(2100), handshake(), extended(0, { m: { ut_pex: 1 } }));
    feed(
      h.extractor,
      tcpStream(INITIATOR, 40000, RESPONDER, 6881),
      [
        [true, late],
        [false, late],
      ],
      1000,
    );
    const tls = concat(new Uint8Array([0x16, 3, 1, 0, 200]), handshake());
    feed(h.extractor, tcpStream(INITIATOR, 40001, RESPONDER, 443), [
      [true, tls],
      [false, tls],
    ]);
    assert.equal(h.extractor.stats().counts.pex.connections ?? 0, 0);
  });

  it('leaves RC4-encrypted and other connections alone', () => {
    const h = harness();
    const random = seededBytes(5);
    for (let i = 0; i < 200; i++) {
      const bytes = random(100 + i);
      feed(h.extractor, tcpStream(INITIATOR, 40000 + i, RESPONDER, 6881), [
        [true, bytes],
        [false, bytes],
      ]);
    }
    assert.equal(h.predictions.length, 0);
    assert.equal(h.extractor.stats().counts.pex.connections ?? 0, 0);
  });
});
