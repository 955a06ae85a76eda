/**
 * The HTTP tracker extractor on hand-built conversations: compact, dictionary
 * and IPv6 peers; Content-Length, chunked, gzip, read to the close; far over
 * Zeek's 2 KB. Every conversation is also fed cut at every byte boundary and
 * one byte at a time; malformed and truncated input is counted, never thrown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encode } from '../../src/protocol/bencode/index.ts';
import { ascii, seededBytes } from '../helpers/bytes.ts';
import { compact, concat, feed, harness, type Turn, tcpStream } from './bittorrent-helpers.ts';

const HOST = '10.0.0.2';
const TRACKER = '192.0.2.80';
const REQUEST = ascii(
  'GET /announce?info_hash=%aa&peer_id=x&port=6881&compact=1 HTTP/1.1\r\nHost: tracker\r\n\r\n',
);

function response(body: Uint8Array, headers: string[]): Uint8Array {
  return concat(ascii(`HTTP/1.1 200 OK\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`), body);
}

function chunked(body: Uint8Array, size: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += size) {
    const chunk = body.subarray(at, at + size);
    parts.push(ascii(`${chunk.length.toString(16)};ext=1\r\n`), chunk, ascii('\r\n'));
  }
  parts.push(ascii('0\r\nX-Trailer: yes\r\n\r\n'));
  return concat(...parts);
}

/** Runs a conversation whole, cut at every byte of every turn, and a byte at a time; all must agree. */
function everySplit(
  turns: Turn[],
  expected: string[],
  options?: Parameters<typeof harness>[0],
): void {
  const longest = Math.max(...turns.map(([, b]) => b.length));
  // Every cut position on small conversations; a spread of them on large ones.
  const step = longest > 2000 ? Math.ceil(longest / 400) : 1;
  for (let cut = 0; cut <= longest; cut += step) {
    const h = harness(options);
    feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), turns, cut);
    assert.deepEqual(h.lines(), expected, `cut at ${cut}`);
  }
  const h = harness(options);
  const stream = tcpStream(HOST, 40001, TRACKER, 80);
  for (const [fromInitiator, bytes] of turns) {
    for (let i = 0; i < bytes.length; i++)
      h.extractor.tcpData(stream, fromInitiator, 1, bytes.subarray(i, i + 1));
  }
  h.extractor.tcpEnd(stream);
  assert.deepEqual(h.lines(), expected, 'a byte at a time');
}

describe('HTTP tracker responses', () => {
  const compactBody = encode({
    interval: 1800,
    peers: concat(compact('203.0.113.1', 6881), compact('203.0.113.2', 51413)),
    peers6: compact('2001:db8::7', 6889),
  });
  const expectedCompact = [
    `${HOST} 203.0.113.1 6881 http_tracker peer`,
    `${HOST} 203.0.113.2 51413 http_tracker peer`,
    `${HOST} 2001:db8::7 6889 http_tracker peer`,
  ];

  it('reads compact peers and peers6 framed by Content-Length, at every split', () => {
    everySplit(
      [
        [true, REQUEST],
        [false, response(compactBody, [`Content-Length: ${compactBody.length}`])],
      ],
      expectedCompact,
    );
  });

  it('reads dictionary peers, skipping host names', () => {
    const body = encode({
      interval: 900,
      peers: [
        { ip: '198.51.100.4', 'peer id': ascii('A'.repeat(20)), port: 6881 },
        { ip: '2001:db8:0:0::9', port: 6882 },
        { ip: 'peer.example', port: 6883 },
      ],
    });
    const h = harness();
    feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), [
      [true, REQUEST],
      [false, response(body, [`Content-Length: ${body.length}`])],
    ]);
    assert.deepEqual(h.lines(), [
      `${HOST} 198.51.100.4 6881 http_tracker peer`,
      `${HOST} 2001:db8::9 6882 http_tracker peer`,
    ]);
    assert.equal(h.extractor.stats().failures.http_tracker['bad-dictionary-peer'], 1);
  });

  it('reads a chunked, gzipped body at every split', () => {
    const gz = gzipSync(compactBody);
    everySplit(
      [
        [true, REQUEST],
        [false, response(chunked(gz, 7), ['Transfer-Encoding: chunked', 'Content-Encoding: gzip'])],
      ],
      expectedCompact,
    );
  });

  it('reads a body framed by the end of the connection, after an interim 100 answer', () => {
    const h = harness();
    feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), [
      [true, REQUEST],
      [
        false,
        concat(
          ascii('HTTP/1.1 100 Continue\r\n\r\n'),
          response(compactBody, ['Connection: close']),
        ),
      ],
    ]);
    assert.deepEqual(h.lines(), expectedCompact);
  });

  it('reads pipelined responses on one connection and skips the body of a HEAD and of a web page', () => {
    const page = ascii('<html>'.padEnd(5000, 'x'));
    const h = harness();
    feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), [
      [true, concat(ascii('HEAD / HTTP/1.1\r\n\r\nGET /index.html HTTP/1.1\r\n\r\n'), REQUEST)],
      [
        false,
        concat(
          response(new Uint8Array(0), ['Content-Length: 123']),
          response(page, [`Content-Length: ${page.length}`]),
          response(compactBody, [`Content-Length: ${compactBody.length}`]),
        ),
      ],
    ]);
    assert.deepEqual(h.lines(), expectedCompact);
  });

  it('reads a response with 50,000 peers (300 KB, far over a 2 KB limit) and drops one over its limit', () => {
    const many = new Uint8Array(50_000 * 6);
    for (let i = 0; i < 50_000; i++)
      many.set(compact(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 6881), i * 6);
    const body = encode({ interval: 1800, peers: many });
    const turns: Turn[] = [
      [true, REQUEST],
      [false, response(body, [`Content-Length: ${body.length}`])],
    ];
    const h = harness();
    feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), turns, 1000);
    assert.equal(h.predictions.length, 50_000);
    assert.equal(h.predictions[49_999]!.peer, '10.0.195.79');

    const small = harness({
      http: { maxBodyBytes: 100_000, maxHeaderBytes: 4096, maxUnrequestedCompressedBytes: 1000 },
    });
    feed(small.extractor, tcpStream(HOST, 40000, TRACKER, 80), turns, 1000);
    assert.equal(small.predictions.length, 0);
    assert.equal(small.extractor.stats().failures.http_tracker['body-too-large'], 1);
  });

  it('counts corrupt gzip, bad chunks, truncated and non-tracker bodies, and never throws', () => {
    const h = harness();
    const run = (bytes: Uint8Array) =>
      feed(h.extractor, tcpStream(HOST, 40000, TRACKER, 80), [
        [true, REQUEST],
        [false, bytes],
      ]);
    run(response(ascii('not gzip at all'), ['Content-Length: 15', 'Content-Encoding: gzip']));
    run(response(ascii('zz\r\nabc'), ['Transfer-Encoding: chunked']));
    run(response(compactBody.subarray(0, 20), [`Content-Length: ${compactBody.length}`]));
    run(response(ascii('d5:hello5:worlde'), ['Content-Length: 16']));
    run(ascii('HTTP/1.1 nonsense\r\n\r\n'));
    const random = seededBytes(3);
    for (let i = 0; i < 300; i++) run(concat(ascii('HTTP/1.1 200 OK\r\n'), random(i)));
    assert.equal(h.predictions.length, 0);
    const failures = h.extractor.stats().failures.http_tracker;
    assert.equal(failures['bad-compression'], 1);
    assert.equal(failures['bad-chunk'], 1);
    assert.equal(failures['truncated-body'], 1);
    assert.equal(failures['not-a-tracker-response'], 1);
    assert.equal(failures['bad-status-line'], 1);
  });
});

describe('what the TCP extractors ask for', () => {
  it('keeps tracker and peer wire directions, turns TLS and unknown bytes away', () => {
    const h = harness();
    const tracker = tcpStream(HOST, 40100, TRACKER, 80);
    assert.equal(h.extractor.tcpData(tracker, true, 1, REQUEST), true, 'HTTP request');
    const tls = tcpStream(HOST, 40101, TRACKER, 443);
    assert.equal(h.extractor.tcpData(tls, true, 1, Uint8Array.of(0x16, 3, 1, 0, 5)), false);
    const noise = tcpStream(HOST, 40102, TRACKER, 9999);
    const random = seededBytes(9)(600);
    random[0] = 0x01; // not a letter, not the handshake: no HTTP, maybe an encrypted preamble
    // The first 1,200 bytes may hide a peer wire handshake after an encryption preamble.
    assert.equal(h.extractor.tcpData(noise, true, 1, random), true, 'still scanning');
    assert.equal(h.extractor.tcpData(noise, true, 2, seededBytes(10)(700)), false, 'given up');
  });
});
