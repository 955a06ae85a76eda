/**
 * Mutated BitTorrent traffic through every extractor: flipped, cut and
 * spliced bytes of valid datagrams and conversations must only ever be
 * counted, never thrown, and never hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encode } from '../../src/protocol/bencode/index.ts';
import { encodeKrpc } from '../../src/protocol/krpc/index.ts';
import { ascii, seededBytes } from '../helpers/bytes.ts';
import {
  compact,
  concat,
  datagram,
  feed,
  harness,
  tcpStream,
  u16be,
  u32be,
} from './bittorrent-helpers.ts';

function mutate(input: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const r = random(4);
  const out = new Uint8Array(input);
  switch (r[0]! % 4) {
    case 0: // flip a few bytes
      for (let i = 0; i <= r[1]! % 4; i++) out[random(2)[0]! % out.length] = random(1)[0]!;
      return out;
    case 1: // cut
      return out.subarray(0, r[1]! % out.length);
    case 2: // insert random bytes
      return concat(
        out.subarray(0, r[1]! % out.length),
        random(r[2]! % 16),
        out.subarray(r[1]! % out.length),
      );
    default: // repeat a slice
      return concat(out, out.subarray(r[1]! % out.length));
  }
}

describe('fuzzed BitTorrent traffic', () => {
  it('udp() and classifyUdp() count and never throw on mutated DHT, tracker and Vuze datagrams', () => {
    const random = seededBytes(99);
    const id = new Uint8Array(20).fill(1);
    const seeds = [
      encodeKrpc({
        y: 'r',
        t: ascii('xy'),
        result: {
          id,
          values: [{ address: '1.2.3.4', port: 5 }],
          nodes: [{ id, address: '5.6.7.8', port: 9 }],
        },
      }),
      concat(u32be(1), u32be(7), u32be(1800), u32be(1), u32be(1), compact('9.9.9.9', 6881)),
      concat(new Uint8Array([0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80]), u32be(0), u32be(7)),
      concat(
        u32be(1031),
        u32be(5),
        new Uint8Array([0x92, 0x34, 0, 0, 0, 0, 0, 1, 50, 0]),
        u32be(0),
        u32be(9),
        new Uint8Array([0, 1, 0]),
        u16be(1),
      ),
      concat(new Uint8Array([0x21, 1]), new Uint8Array(18), new Uint8Array([0, 4, 1, 2, 3, 4])),
    ];
    const h = harness();
    for (let i = 0; i < 20_000; i++) {
      const payload = mutate(seeds[i % seeds.length]!, random);
      const d = datagram('10.0.0.1', 6881, '10.0.0.2', 6881, payload, i);
      h.extractor.classifyUdp(d);
      h.extractor.udp(d);
      // Both directions, so responses meet their requests.
      h.extractor.udp(datagram('10.0.0.2', 6881, '10.0.0.1', 6881, payload, i));
    }
    const stats = h.extractor.stats();
    assert.ok(Object.keys(stats.failures.dht).length > 3, JSON.stringify(stats.failures.dht));
  });

  it('tcpData() counts and never throws on mutated tracker and peer wire conversations', () => {
    const random = seededBytes(7);
    const body = encode({
      interval: 60,
      peers: concat(compact('1.1.1.1', 1), compact('2.2.2.2', 2)),
    });
    const gz = gzipSync(body);
    const request = ascii('GET /announce?x HTTP/1.1\r\n\r\n');
    const responses = [
      concat(ascii(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body),
      concat(
        ascii(
          `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${gz.length.toString(16)}\r\n`,
        ),
        gz,
        ascii('\r\n0\r\n\r\n'),
      ),
    ];
    const hs = concat(new Uint8Array([19]), ascii('BitTorrent protocol'), new Uint8Array(48));
    const ext = (id: number, dict: Parameters<typeof encode>[0]) => {
      const payload = concat(new Uint8Array([20, id]), encode(dict));
      return concat(u32be(payload.length), payload);
    };
    const wire = concat(
      hs,
      ext(0, { m: { ut_pex: 1 } }),
      ext(1, { added: compact('3.3.3.3', 3), added6: new Uint8Array(17) }),
    );
    const h = harness();
    for (let i = 0; i < 3_000; i++) {
      const stream = tcpStream('10.0.0.1', 40000, '10.0.0.2', 80);
      if (i % 2 === 0) {
        feed(
          h.extractor,
          stream,
          [
            [true, request],
            [false, mutate(responses[i % 4 === 0 ? 0 : 1]!, random)],
          ],
          random(1)[0],
        );
      } else {
        feed(
          h.extractor,
          stream,
          [
            [true, wire],
            [false, mutate(wire, random)],
          ],
          random(1)[0],
        );
      }
    }
    const stats = h.extractor.stats();
    assert.ok((stats.counts.http_tracker.announce_responses ?? 0) > 0);
    assert.ok((stats.counts.pex.pex_messages ?? 0) > 0);
  });
});
