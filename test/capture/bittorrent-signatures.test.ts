/**
 * Vuze DHT find-value replies on hand-built datagrams, and classifyUdp's
 * signatures (KRPC and other bencoded dictionaries, uTP, UDP tracker flows,
 * Vuze DHT) against look-alikes and random datagrams.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../../src/protocol/bencode/index.ts';
import { ascii, seededBytes } from '../helpers/bytes.ts';
import {
  concat,
  datagram,
  harness,
  u16be,
  u32be,
  vuzeContact,
  vuzeReplyHeader,
  vuzeRequestHeader,
  vuzeValue,
} from './bittorrent-helpers.ts';

const HASH = new Uint8Array(20).fill(9);
const HOST = '10.0.0.2';
const NODE = '198.51.100.7';

const MAGIC = new Uint8Array([0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80]);
const TRACKER = '192.0.2.80';

describe('Vuze DHT find-value replies', () => {
  const request = concat(
    vuzeRequestHeader(1030, 5),
    new Uint8Array([20]),
    HASH,
    new Uint8Array([1, 32]),
  );
  const withValues = concat(
    vuzeReplyHeader(1031, 5),
    new Uint8Array([0, 1, 0]), // no continuation, has values, diversification type
    u16be(2),
    vuzeValue('6881;C', '203.0.113.9', 7000),
    vuzeValue('198.51.100.3:51413', '203.0.113.10', 7001),
  );
  const withContacts = concat(
    vuzeReplyHeader(1031, 6),
    new Uint8Array([0, 0]),
    u16be(2),
    vuzeContact('192.0.2.21', 7000),
    vuzeContact('2001:db8::21', 7001),
    new Uint8Array([1, 1, 16]),
    new Uint8Array(16), // one network coordinate
  );

  it('predicts value originators (or their override address) at the TCP port, and contacts as nodes', () => {
    const h = harness();
    h.extractor.udp(datagram(HOST, 7000, NODE, 7000, request));
    h.extractor.udp(datagram(NODE, 7000, HOST, 7000, withValues));
    h.extractor.udp(datagram(NODE, 7000, HOST, 7000, withContacts));
    assert.deepEqual(h.lines(), [
      `${HOST} 203.0.113.9 6881 vuze_dht peer`,
      `${HOST} 198.51.100.3 51413 vuze_dht peer`,
      `${HOST} 192.0.2.21 7000 vuze_dht node`,
      `${HOST} 2001:db8::21 7001 vuze_dht node`,
    ]);
    const counts = h.extractor.stats().counts.vuze_dht;
    assert.equal(counts.matched_replies, 1);
    assert.equal(counts.unmatched_replies, 1);
    assert.equal(h.extractor.classifyUdp(datagram(NODE, 7000, HOST, 7000, withValues)), 'vuze_dht');
    assert.equal(h.extractor.classifyUdp(datagram(HOST, 7000, NODE, 7000, request)), 'vuze_dht');
  });

  it('counts truncated replies and never throws', () => {
    const h = harness();
    for (let cut = 25; cut < withValues.length; cut++) {
      h.extractor.udp(datagram(NODE, 7000, HOST, 7000, withValues.subarray(0, cut)));
    }
    const failures = h.extractor.stats().failures.vuze_dht;
    assert.ok(
      (failures['truncated'] ?? 0) + (failures['bad-contact'] ?? 0) > 0,
      JSON.stringify(failures),
    );
  });
});

describe('classifyUdp', () => {
  const h = harness();
  const classify = (payload: Uint8Array, src = HOST, dst = NODE) =>
    h.extractor.classifyUdp(datagram(src, 6881, dst, 6881, payload));

  it('tells KRPC from other bencoded dictionaries', () => {
    assert.equal(
      classify(ascii('d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:aa1:y1:qe')),
      'dht',
    );
    assert.equal(classify(ascii('d1:eli201e3:bade1:t2:aa1:y1:ee')), 'dht');
    assert.equal(classify(ascii('d3:foo3:bar4:spami42ee')), 'dht_like');
    assert.equal(classify(ascii('d3:foo3:bar')), undefined, 'unterminated');
    assert.equal(classify(ascii('d3:foo3:bare trailing')), undefined);
  });

  it('recognises uTP headers and rejects look-alikes', () => {
    const header = (first: number, extension: number, tail: Uint8Array = new Uint8Array(0)) =>
      concat(
        new Uint8Array([first, extension]),
        u16be(4242),
        u32be(1),
        u32be(0),
        u32be(65536),
        u16be(1),
        u16be(0),
        tail,
      );
    assert.equal(classify(header(0x41, 0)), 'utp', 'ST_SYN');
    assert.equal(
      classify(header(0x21, 1, new Uint8Array([0, 4, 0, 0, 0, 1]))),
      'utp',
      'ST_STATE + SACK',
    );
    assert.equal(classify(header(0x01, 0, ascii('payload'))), 'utp', 'ST_DATA');
    assert.equal(classify(header(0x01, 0)), undefined, 'ST_DATA without payload');
    assert.equal(classify(header(0x51, 0)), undefined, 'type 5');
    const wireGuardInitiation = concat(new Uint8Array([1, 0, 0, 0]), seededBytes(4)(144));
    assert.equal(classify(wireGuardInitiation), undefined, 'connection id 0');
    assert.equal(classify(header(0x42, 0)), undefined, 'version 2');
    assert.equal(
      classify(header(0x21, 1, new Uint8Array([0, 3, 0, 0, 0]))),
      undefined,
      'SACK of 3 bytes',
    );
    assert.equal(classify(header(0x21, 0, ascii('x'))), undefined, 'ST_STATE with payload');
  });

  it('recognises UDP tracker connects and the traffic of a tracker flow', () => {
    const connect = concat(MAGIC, u32be(0), u32be(5));
    assert.equal(classify(connect, HOST, TRACKER), 'udp_tracker');
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6881, connect));
    assert.equal(
      classify(concat(u32be(0), u32be(5), new Uint8Array(8)), TRACKER, HOST),
      'udp_tracker',
    );
    assert.equal(
      classify(concat(u32be(0), u32be(5), new Uint8Array(8)), TRACKER, '10.9.9.9'),
      undefined,
    );
  });

  it('says nothing of random datagrams and counts what it recognised', () => {
    const random = seededBytes(11);
    let recognised = 0;
    for (let i = 0; i < 2000; i++) {
      const payload = random(20 + (i % 200));
      if (payload[0] === 0x64) continue;
      if (classify(payload) !== undefined) recognised++;
    }
    assert.ok(recognised < 10, `${recognised} random datagrams recognised`);
    const classified = h.extractor.stats().classified;
    assert.ok(
      classified.dht >= 2 && classified.utp >= 3 && classified.udp_tracker >= 2,
      JSON.stringify(classified),
    );
  });

  it('leaves datagrams that cannot be BitTorrent alone in udp()', () => {
    const h2 = harness();
    const random = seededBytes(12);
    for (let i = 0; i < 2000; i++) h2.extractor.udp(datagram(HOST, 53, NODE, 53, random(i % 300)));
    assert.equal(h2.predictions.length, 0);
  });

  it('does not mistake bencode inside a tracker body for anything', () => {
    assert.equal(classify(encode({ peers: new Uint8Array(6) })), 'dht_like');
  });
});
