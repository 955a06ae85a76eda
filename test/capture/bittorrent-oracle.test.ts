/**
 * Oracles. The peers and nodes our Mainline DHT extractor reads from real
 * captures equal those Wireshark's bt-dht dissector prints for the same
 * files: dht-loopback.pcap holds six bittorrent-dht nodes on 127.77.0.1–6
 * announcing and looking up two infohashes, dht6-loopback.pcap six nodes of
 * our own engine on ::1. The peers read from a real tracker's answers
 * (tracker-loopback.pcap, opentracker over HTTP and UDP) are exactly those
 * announced to it. The PEX peers read from three aria2c clients talking
 * through MSE-then-plaintext (pex-loopback.pcap) are those in the ut_pex
 * messages tshark's bittorrent dissector frames. Vuze DHT find-node replies of several protocol versions,
 * written here, yield the contacts Wireshark's vuze-dht dissector shows.
 * The make-*.ts scripts beside the fixtures rebuild them.
 * tshark must be installed (Debian package `tshark`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import {
  BitTorrentExtractor,
  type BitTorrentPrediction,
} from '../../src/capture/bittorrent/index.ts';
import { openCapture } from '../../src/capture/input.ts';
import { readCapture } from '../../src/capture/read-captures.ts';
import { type BDict, decode } from '../../src/protocol/bencode/index.ts';
import { formatIp } from '../../src/protocol/net/ip.ts';
import { seededBytes } from '../helpers/bytes.ts';
import {
  harness,
  type PcapDatagram,
  pcapOf,
  datagram as udpDatagram,
  vuzeFindNodeReply,
} from './bittorrent-helpers.ts';

const fixture = (name: string) =>
  new URL(`../fixtures/capture/bittorrent/${name}`, import.meta.url).pathname;
const FIXTURE = fixture('dht-loopback.pcap');
const FIXTURE6 = fixture('dht6-loopback.pcap');

/** `host peer port contact` for every peer and node tshark's bt-dht dissector shows in a response. */
function tsharkContacts(file: string): string[] {
  const pdml = execFileSync('tshark', ['-o', 'bt-dht.enable:TRUE', '-r', file, '-T', 'pdml'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: string[] = [];
  for (const packet of pdml.split('<packet>').slice(1)) {
    const host = /name="ipv?6?\.dst" [^>]*show="([^"]+)"/.exec(packet)?.[1];
    const entries = packet.matchAll(
      /name="bt-dht\.(peer|node)"[\s\S]*?name="bt-dht\.ip6?" [^>]*show="([^"]+)"[\s\S]*?name="bt-dht\.port" [^>]*show="([^"]+)"/g,
    );
    for (const [, kind, ip, port] of entries) {
      lines.push(`${host} ${ip} ${port} ${kind === 'peer' ? 'peer' : 'node'}`);
    }
  }
  return lines.sort();
}

async function ourContacts(
  file: string,
): Promise<{ lines: string[]; extractor: BitTorrentExtractor }> {
  const found: BitTorrentPrediction[] = [];
  let extractor: BitTorrentExtractor | undefined;
  const analyzer = new CaptureAnalyzer({
    createExtractor: (onPrediction) => {
      extractor = new BitTorrentExtractor((p) => {
        found.push({ ...p });
        onPrediction(p);
      });
      return extractor;
    },
  });
  const result = await readCapture(openCapture(file), analyzer);
  assert.equal(result.error, undefined);
  return {
    lines: found
      .filter((p) => p.source === 'dht')
      .map((p) => `${p.host} ${p.peer} ${p.port} ${p.contact}`)
      .sort(),
    extractor: extractor!,
  };
}

describe('Mainline DHT extraction agrees with tshark', () => {
  it('finds the same peers (values) and nodes, for the same hosts, as the bt-dht dissector', async () => {
    await agreesWithTshark(FIXTURE);
  });

  it('does so over IPv6 too (18-byte values, nodes6), on a capture of our own engine', async () => {
    const lines = await agreesWithTshark(FIXTURE6);
    assert.ok(lines.some((l) => /^::1 ::1 6881 peer$/.test(l)));
  });
});

async function agreesWithTshark(fixture: string): Promise<string[]> {
  {
    const expected = tsharkContacts(fixture);
    const { lines, extractor } = await ourContacts(fixture);
    assert.ok(expected.filter((l) => l.endsWith(' peer')).length >= 10, 'the fixture has values');
    assert.ok(expected.filter((l) => l.endsWith(' node')).length >= 10, 'the fixture has nodes');
    assert.deepEqual(lines, expected);
    const stats = extractor.stats();
    assert.deepEqual(stats.failures.dht, {});
    assert.equal(
      stats.counts.dht.unmatched_responses,
      undefined,
      'every response matched its query',
    );
    assert.ok(stats.classified.dht > 0);
    return lines;
  }
}

/** Who announced what to the tracker in tracker-loopback.pcap (see make-tracker-capture.ts). */
const TOLD = new Map([2, 3, 4, 5, 6, 7, 8].map((n) => [`127.77.1.${n}`, 6880 + n]));
const HTTP_ANNOUNCERS = ['127.77.1.2', '127.77.1.3', '127.77.1.4', '127.77.1.5'];
const UDP_ANNOUNCERS = ['127.77.1.6', '127.77.1.7', '127.77.1.8'];
/** Announce order: each announcer can only be told of those before it. */
const ORDER = [
  '127.77.1.2',
  '127.77.1.3',
  '127.77.1.6',
  '127.77.1.4',
  '127.77.1.7',
  '127.77.1.5',
  '127.77.1.8',
];

describe('tracker peers agree with what a real tracker (opentracker) was told', () => {
  it('reads HTTP and UDP announce responses: every peer announced that port, and each host learned all before it', async () => {
    const found: BitTorrentPrediction[] = [];
    let extractor: BitTorrentExtractor | undefined;
    const analyzer = new CaptureAnalyzer({
      createExtractor: (onPrediction) => {
        extractor = new BitTorrentExtractor((p) => {
          found.push({ ...p });
          onPrediction(p);
        });
        return extractor;
      },
    });
    const result = await readCapture(openCapture(fixture('tracker-loopback.pcap')), analyzer);
    assert.equal(result.error, undefined);
    analyzer.finish();
    for (const p of found) {
      assert.equal(TOLD.get(p.peer), p.port, `${p.peer}:${p.port} was announced`);
      const expectedSource = HTTP_ANNOUNCERS.includes(p.host) ? 'http_tracker' : 'udp_tracker';
      assert.equal(p.source, expectedSource);
    }
    for (const host of [...HTTP_ANNOUNCERS, ...UDP_ANNOUNCERS]) {
      const learned = new Set(
        found.filter((p) => p.host === host && p.peer !== host).map((p) => p.peer),
      );
      const before = ORDER.slice(0, ORDER.indexOf(host));
      assert.deepEqual(
        [...learned].sort(),
        [...before].sort(),
        `${host} learned every earlier announcer`,
      );
    }
    const stats = extractor!.stats();
    assert.equal(stats.counts.http_tracker.announce_responses, 4);
    assert.equal(stats.counts.udp_tracker.announce_responses, 3);
    assert.deepEqual(stats.failures.http_tracker, {});
    assert.deepEqual(stats.failures.udp_tracker, {});
  });
});

describe('PEX of real clients agrees with tshark', () => {
  it('reads every ut_pex `added` peer tshark frames, for the receiver, through MSE-then-plaintext connections', async () => {
    const file = fixture('pex-loopback.pcap');
    const fields = execFileSync(
      'tshark',
      [
        '-r',
        file,
        '-Y',
        'bittorrent.extended.id > 0',
        '-T',
        'fields',
        '-e',
        'ip.dst',
        '-e',
        'bittorrent.extended',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const expected: string[] = [];
    let messages = 0;
    for (const line of fields.trim().split('\n')) {
      const [receiver, hex] = line.split('\t');
      const decoded = decode(new Uint8Array(Buffer.from(hex!, 'hex')));
      if (!decoded.ok) continue;
      messages++;
      const added = (decoded.value as BDict)['added'];
      if (!(added instanceof Uint8Array)) continue;
      for (let at = 0; at + 6 <= added.length; at += 6) {
        const peer = formatIp(added.subarray(at, at + 4));
        expected.push(`${receiver} ${peer} ${(added[at + 4]! << 8) | added[at + 5]!}`);
      }
    }
    const found: BitTorrentPrediction[] = [];
    let extractor: BitTorrentExtractor | undefined;
    const analyzer = new CaptureAnalyzer({
      createExtractor: (onPrediction) => {
        extractor = new BitTorrentExtractor((p) => {
          found.push({ ...p });
          onPrediction(p);
        });
        return extractor;
      },
    });
    assert.equal((await readCapture(openCapture(file), analyzer)).error, undefined);
    analyzer.finish();
    const pex = found.filter((p) => p.source === 'pex').map((p) => `${p.host} ${p.peer} ${p.port}`);
    assert.ok(expected.length >= 2, `${expected.length} peers in ut_pex messages`);
    assert.deepEqual(pex.sort(), expected.sort());
    // Every client listens on 689N at 127.77.2.N (see make-pex-capture.ts).
    for (const p of found)
      assert.equal(p.port, 6890 + Number(p.peer.split('.')[3]), `${p.peer}:${p.port}`);
    const stats = extractor!.stats();
    assert.equal(stats.counts.pex.pex_messages, messages);
    assert.equal(stats.counts.pex.extended_handshakes, 6);
    assert.ok(
      (stats.counts.http_tracker.announce_responses ?? 0) >= 3,
      'aria2 announced over HTTP',
    );
  });
});

describe('Vuze DHT contacts agree with tshark', () => {
  it('reads the contacts of find-node replies of protocol versions 15 to 53 as the vuze-dht dissector does', () => {
    // Wireshark 4.0 reads find-value replies with the value and contact branches
    // swapped (against Vuze's own serialiser), so only find-node replies serve here.
    const random = seededBytes(31);
    const datagrams: PcapDatagram[] = [];
    for (const version of [15, 16, 22, 24, 50, 51, 53]) {
      for (let i = 0; i < 4; i++) {
        const contacts: [string, number][] = Array.from(
          { length: 1 + (random(1)[0]! % 12) },
          () => {
            const b = random(18);
            const address =
              b[0]! % 3 === 0 ? formatIp(b.subarray(0, 16)) : formatIp(b.subarray(0, 4));
            return [address, 1 + (((b[16]! << 8) | b[17]!) % 65_535)];
          },
        );
        const payload = vuzeFindNodeReply(version * 10 + i, contacts, version);
        datagrams.push({
          src: '198.51.100.7',
          srcPort: 11273,
          dst: '10.0.0.2',
          dstPort: 11273,
          payload,
        });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'vuze-oracle-'));
    try {
      const file = join(dir, 'vuze.pcap');
      writeFileSync(file, pcapOf(datagrams));
      const pdml = execFileSync(
        'tshark',
        ['-r', file, '-d', 'udp.port==11273,vuze-dht', '-T', 'pdml'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      const expected = [
        ...pdml.matchAll(
          /name="vuze-dht\.contact"[\s\S]*?name="vuze-dht\.address\.ipv[46]" [^>]*show="([^"]+)"[\s\S]*?name="vuze-dht\.address\.port" [^>]*show="([^"]+)"/g,
        ),
      ].map(([, ip, port]) => `10.0.0.2 ${ip} ${port} vuze_dht node`);
      const h = harness();
      for (const d of datagrams) {
        const datagram = udpDatagram(d.src, d.srcPort, d.dst, d.dstPort, d.payload, 1);
        assert.equal(h.extractor.classifyUdp(datagram), 'vuze_dht');
        h.extractor.udp(datagram);
      }
      assert.ok(expected.length > 100, `${expected.length} contacts`);
      assert.deepEqual(h.lines(), expected);
      assert.deepEqual(h.extractor.stats().failures.vuze_dht, {});
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
