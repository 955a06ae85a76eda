/**
 * The Mainline DHT and UDP tracker extractors on hand-built datagrams:
 * responses matched to queries, BEP 15 announces over IPv4 and IPv6. Bad
 * input is counted, never thrown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedTable } from '../../src/capture/bittorrent/bounded-table.ts';
import {
  BitTorrentExtractor,
  type BitTorrentPrediction,
} from '../../src/capture/bittorrent/index.ts';
import { encodeKrpc } from '../../src/protocol/krpc/index.ts';
import { ascii } from '../helpers/bytes.ts';
import { compact, concat, datagram, harness, u16be, u32be } from './bittorrent-helpers.ts';

const ID = new Uint8Array(20).fill(7);
const HASH = new Uint8Array(20).fill(9);
const HOST = '10.0.0.2';
const NODE = '198.51.100.7';

describe('Mainline DHT responses', () => {
  const query = encodeKrpc({
    y: 'q',
    t: ascii('aa'),
    method: 'get_peers',
    args: { id: ID, infoHash: HASH },
  });
  const response = encodeKrpc({
    y: 'r',
    t: ascii('aa'),
    result: {
      id: ID,
      token: ascii('tok'),
      values: [
        { address: '203.0.113.5', port: 6881 },
        { address: '2001:db8::5', port: 51413 },
      ],
      nodes: [{ id: ID, address: '192.0.2.1', port: 6881 }],
      nodes6: [{ id: ID, address: '2001:db8::1', port: 6882 }],
    },
  });

  it('predicts values as peers and nodes as contacts of the response destination, matched to the query', () => {
    const h = harness();
    h.extractor.udp(datagram(HOST, 6881, NODE, 4000, query));
    h.extractor.udp(datagram(NODE, 4000, HOST, 6881, response));
    assert.deepEqual(h.lines(), [
      `${HOST} 203.0.113.5 6881 dht peer`,
      `${HOST} 2001:db8::5 51413 dht peer`,
      `${HOST} 192.0.2.1 6881 dht node`,
      `${HOST} 2001:db8::1 6882 dht node`,
    ]);
    const stats = h.extractor.stats();
    assert.equal(stats.counts.dht.matched_responses, 1);
    assert.equal(stats.counts.dht.unmatched_responses, undefined);
    assert.equal(stats.counts.dht.peers, 2);
    assert.equal(stats.counts.dht.nodes, 2);
  });

  it('counts node contacts without reporting them to a sink with no use for them', () => {
    const withPortZero = encodeKrpc({
      y: 'r',
      t: ascii('ab'),
      result: {
        id: ID,
        values: [{ address: '203.0.113.5', port: 6881 }],
        nodes: [
          { id: ID, address: '192.0.2.1', port: 6881 },
          { id: ID, address: '192.0.2.2', port: 0 },
          { id: ID, address: '192.0.2.3', port: 6883 },
        ],
      },
    });
    const run = (nodeContacts: boolean) => {
      const seen: string[] = [];
      const sink = Object.assign((p: BitTorrentPrediction) => seen.push(`${p.peer} ${p.contact}`), {
        nodeContacts,
      });
      const extractor = new BitTorrentExtractor(sink);
      extractor.udp(datagram(NODE, 4000, HOST, 6881, withPortZero));
      return { seen, nodes: extractor.stats().counts.dht.nodes };
    };
    assert.deepEqual(run(true), {
      seen: ['203.0.113.5 peer', '192.0.2.1 node', '192.0.2.3 node'],
      nodes: 2,
    });
    assert.deepEqual(run(false), { seen: ['203.0.113.5 peer'], nodes: 2 });
  });

  it('still predicts from a response without its query, counted as unmatched', () => {
    const h = harness();
    // The query went to another port: it does not match.
    h.extractor.udp(datagram(HOST, 6881, NODE, 4001, query));
    h.extractor.udp(datagram(NODE, 4000, HOST, 6881, response));
    assert.equal(h.predictions.length, 4);
    assert.equal(h.extractor.stats().counts.dht.unmatched_responses, 1);
  });

  it('counts malformed and truncated datagrams by reason and never throws', () => {
    const h = harness();
    for (let cut = 1; cut < response.length; cut++) {
      h.extractor.udp(datagram(NODE, 4000, HOST, 6881, response.subarray(0, cut)));
    }
    h.extractor.udp(
      datagram(
        NODE,
        4000,
        HOST,
        6881,
        ascii('d1:rd2:id20:aaaaaaaaaaaaaaaaaaaa5:nodes5:abcdee1:t2:aa1:y1:re'),
      ),
    );
    assert.equal(h.predictions.length, 0);
    const failures = h.extractor.stats().failures.dht;
    assert.ok((failures['bencode.unexpected-end'] ?? 0) > 0, JSON.stringify(failures));
    assert.equal(failures['response.nodes.bad-length'], 1);
    assert.equal(
      Object.values(failures).reduce((a, b) => a + b, 0),
      response.length,
      'one failure per bad datagram',
    );
  });
});

const MAGIC = new Uint8Array([0, 0, 4, 0x17, 0x27, 0x10, 0x19, 0x80]);
const TRACKER = '192.0.2.80';

function announceRequest(connectionId: Uint8Array, transaction: number): Uint8Array {
  return concat(
    connectionId,
    u32be(1),
    u32be(transaction),
    HASH,
    new Uint8Array(20).fill(1), // peer id
    new Uint8Array(24), // downloaded, left, uploaded
    u32be(2), // event: started
    u32be(0), // ip
    u32be(77), // key
    u32be(50), // num_want
    u16be(6881),
  );
}

function announceResponse(transaction: number, peers: Uint8Array): Uint8Array {
  return concat(u32be(1), u32be(transaction), u32be(1800), u32be(3), u32be(4), peers);
}

describe('UDP tracker (BEP 15)', () => {
  const connectionId = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const connect = concat(MAGIC, u32be(0), u32be(0xabcd));
  const connected = concat(u32be(0), u32be(0xabcd), connectionId);
  const peers4 = concat(compact('203.0.113.1', 6881), compact('203.0.113.2', 6882));

  it('reads the peers of an announce response matched to its announce; the announcer learned', () => {
    const h = harness();
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6969, connect));
    h.extractor.udp(datagram(TRACKER, 6969, HOST, 6881, connected));
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6969, announceRequest(connectionId, 42)));
    h.extractor.udp(datagram(TRACKER, 6969, HOST, 6881, announceResponse(42, peers4)));
    assert.deepEqual(h.lines(), [
      `${HOST} 203.0.113.1 6881 udp_tracker peer`,
      `${HOST} 203.0.113.2 6882 udp_tracker peer`,
    ]);
    const counts = h.extractor.stats().counts.udp_tracker;
    assert.equal(counts.connect_requests, 1);
    assert.equal(counts.connect_responses, 1);
    assert.equal(counts.announce_responses, 1);
  });

  it('reads 18-byte peers when the announce went over IPv6', () => {
    const h = harness();
    const peers6 = concat(compact('2001:db8::10', 6881), compact('2001:db8::11', 6889));
    h.extractor.udp(
      datagram('2001:db8::2', 6881, '2001:db8::80', 6969, announceRequest(connectionId, 7)),
    );
    h.extractor.udp(
      datagram('2001:db8::80', 6969, '2001:db8::2', 6881, announceResponse(7, peers6)),
    );
    assert.deepEqual(h.lines(), [
      '2001:db8::2 2001:db8::10 6881 udp_tracker peer',
      '2001:db8::2 2001:db8::11 6889 udp_tracker peer',
    ]);
  });

  it('ignores an announce response with a foreign transaction id, counting it on a known tracker flow', () => {
    const h = harness();
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6969, announceRequest(connectionId, 42)));
    h.extractor.udp(datagram(TRACKER, 6969, HOST, 6881, announceResponse(43, peers4)));
    assert.equal(h.predictions.length, 0);
    assert.equal(h.extractor.stats().counts.udp_tracker.unmatched_responses, 1);
  });

  it('counts a truncated or ragged peer list and an error answer', () => {
    const h = harness();
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6969, announceRequest(connectionId, 1)));
    h.extractor.udp(
      datagram(TRACKER, 6969, HOST, 6881, announceResponse(1, peers4.subarray(0, 9))),
    );
    h.extractor.udp(datagram(HOST, 6881, TRACKER, 6969, announceRequest(connectionId, 2)));
    h.extractor.udp(
      datagram(TRACKER, 6969, HOST, 6881, concat(u32be(3), u32be(2), ascii('banned'))),
    );
    assert.equal(h.predictions.length, 1, 'the one whole entry');
    const stats = h.extractor.stats();
    assert.equal(stats.failures.udp_tracker['partial-peer-entry'], 1);
    assert.equal(stats.counts.udp_tracker.error_responses, 1);
  });
});

describe('pending requests', () => {
  it('keep the newest entries up to their bound, and an answer matches only while fresh', () => {
    const pending = new BoundedTable<string>(2, 1_000);
    pending.set('a', 0, 'first');
    pending.set('b', 10, 'second');
    pending.set('a', 20, 'first again'); // now the youngest
    pending.set('c', 30, 'third'); // b is the oldest and goes
    assert.equal(pending.size, 2);
    assert.equal(pending.has('b', 30), false);
    assert.equal(pending.take('a', 1_020), 'first again', 'exactly the time to live');
    assert.equal(pending.take('a', 1_020), undefined, 'taken once');
    assert.equal(pending.take('c', 1_031), undefined, 'too late');
    assert.equal(pending.size, 0, 'a late answer still removes its entry');
  });
});
