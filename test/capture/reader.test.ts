import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AddressTable } from '../../src/capture/addresses.ts';
import { PacketDecoder, PROTO_TCP } from '../../src/capture/decode.ts';
import { CaptureFormatError } from '../../src/capture/errors.ts';
import { CHUNK_BYTES, openCapture } from '../../src/capture/input.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import {
  type Frame,
  frame,
  pcapFile,
  pcapngFile,
  tcpPacket,
  udpPacket,
} from '../helpers/pcap-writer.ts';

interface Seen {
  ts: number;
  proto: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  flags: number;
  payload: string;
}

/** Reads `bytes` in chunks of `chunk` bytes; returns what was decoded and the error, if any. */
function readAll(bytes: Uint8Array, chunk = bytes.length) {
  const addresses = new AddressTable();
  const decoder = new PacketDecoder(addresses);
  const seen: Seen[] = [];
  const reader = new CaptureReader({
    frame(linkType, ts, buf, view, offset, caplen) {
      const proto = decoder.decode(linkType, buf, view, offset, caplen);
      if (proto === 0) return;
      const p = decoder.packet;
      seen.push({
        ts,
        proto: proto === PROTO_TCP ? 'tcp' : 'udp',
        src: addresses.text(addresses.idOf(p.src, p.v6)),
        dst: addresses.text(addresses.idOf(p.dst, p.v6)),
        srcPort: p.srcPort,
        dstPort: p.dstPort,
        flags: proto === PROTO_TCP ? p.tcpFlags : 0,
        payload: Buffer.from(
          buf.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength),
        ).toString(),
      });
    },
  });
  let error: unknown;
  try {
    for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
    reader.end();
  } catch (e) {
    error = e;
  }
  return { seen, error, reader, counters: decoder.counters };
}

const T0 = 1_700_000_000_123_456;

function samplePackets(v6 = false): Uint8Array[] {
  const a = v6 ? '2001:db8::1' : '10.0.0.1';
  const b = v6 ? '2001:db8::2:0:0:7' : '10.0.0.2';
  return [
    tcpPacket({ src: a, dst: b, srcPort: 40000, dstPort: 6881, flags: 'S' }),
    udpPacket({
      src: b,
      dst: a,
      srcPort: 6881,
      dstPort: 40001,
      payload: new TextEncoder().encode('d1:y1:re'),
    }),
    tcpPacket({
      src: a,
      dst: b,
      srcPort: 40000,
      dstPort: 6881,
      flags: 'PA',
      seq: 1001,
      payload: new TextEncoder().encode('hello'),
    }),
  ];
}

function expected(v6 = false): Omit<Seen, 'ts'>[] {
  const a = v6 ? '2001:db8::1' : '10.0.0.1';
  const b = v6 ? '2001:db8::2:0:0:7' : '10.0.0.2';
  return [
    { proto: 'tcp', src: a, dst: b, srcPort: 40000, dstPort: 6881, flags: 2, payload: '' },
    { proto: 'udp', src: b, dst: a, srcPort: 6881, dstPort: 40001, flags: 0, payload: 'd1:y1:re' },
    { proto: 'tcp', src: a, dst: b, srcPort: 40000, dstPort: 6881, flags: 0x18, payload: 'hello' },
  ];
}

function frames(linkType: number, v6 = false, vlans = 0): Frame[] {
  return samplePackets(v6).map((p, i) => ({ ts: T0 + i * 1000, data: frame(linkType, p, vlans) }));
}

function withoutTs(seen: Seen[]) {
  return seen.map(({ ts: _, ...rest }) => rest);
}

describe('classic pcap', () => {
  for (const nano of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`reads ${nano ? 'ns' : 'µs'} timestamps, ${bigEndian ? 'big' : 'little'}-endian`, () => {
        const { seen, error } = readAll(pcapFile(frames(1), { nano, bigEndian }));
        assert.equal(error, undefined);
        assert.deepEqual(withoutTs(seen), expected());
        assert.deepEqual(
          seen.map((s) => s.ts),
          [T0, T0 + 1000, T0 + 2000],
        );
      });
    }
  }

  for (const linkType of [0, 1, 12, 14, 101, 108, 113, 276]) {
    for (const v6 of [false, true]) {
      it(`decodes link type ${linkType} with IPv${v6 ? 6 : 4}`, () => {
        const { seen, error } = readAll(pcapFile(frames(linkType, v6), { linkType }));
        assert.equal(error, undefined);
        assert.deepEqual(withoutTs(seen), expected(v6));
      });
    }
  }

  for (const vlans of [1, 2]) {
    it(`skips ${vlans} VLAN tag(s)`, () => {
      const { seen } = readAll(pcapFile(frames(1, false, vlans)));
      assert.deepEqual(withoutTs(seen), expected());
    });
  }

  it('reads any chunking the same as one chunk', () => {
    const file = pcapFile(frames(1, true));
    const whole = readAll(file).seen;
    for (const chunk of [1, 2, 3, 7, 16, 17, 64])
      assert.deepEqual(readAll(file, chunk).seen, whole);
  });

  it('reads records far larger than a chunk the same in any chunking, in both formats', () => {
    // Payloads past the 4 KiB the reader first joins across a chunk boundary, so the
    // join must grow (several times for the largest) to complete the record.
    const sizes = [100, 6_000, 30_000, 60_000, 3];
    const big = sizes.map((n, i) => ({
      ts: T0 + i * 1000,
      data: frame(
        1,
        udpPacket({
          src: '10.0.0.1',
          dst: '10.0.0.2',
          srcPort: 6881,
          dstPort: 6882 + i,
          payload: new Uint8Array(n).map((_, k) => 97 + ((k * 7 + i) % 26)),
        }),
      ),
    }));
    for (const file of [
      pcapFile(big),
      pcapngFile([{ interfaces: [{ linkType: 1 }], packets: big }]),
    ]) {
      const whole = readAll(file);
      assert.equal(whole.error, undefined);
      assert.deepEqual(
        whole.seen.map((s) => s.payload.length),
        sizes,
      );
      for (const chunk of [1_000, 4_095, 4_097, 5_000, 17_000, 65_536])
        assert.deepEqual(readAll(file, chunk).seen, whole.seen);
    }
  });

  it('skips IPv4 options and IPv6 extension headers', () => {
    const options = new Uint8Array([1, 1, 1, 0, 0x94, 4, 0, 0]);
    const p4 = tcpPacket(
      { src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, flags: 'S' },
      { options },
    );
    const p6 = udpPacket(
      { src: '::1', dst: '::2', srcPort: 3, dstPort: 4, payload: new Uint8Array([65]) },
      { extensions: 3 },
    );
    const { seen } = readAll(
      pcapFile([
        { ts: T0, data: frame(1, p4) },
        { ts: T0, data: frame(1, p6) },
      ]),
    );
    assert.deepEqual(
      seen.map((s) => [s.src, s.srcPort, s.dstPort, s.payload]),
      [
        ['10.0.0.1', 1, 2, ''],
        ['::1', 3, 4, 'A'],
      ],
    );
  });

  it('counts and skips IPv4 fragments after the first', () => {
    const body = {
      src: '10.0.0.1',
      dst: '10.0.0.2',
      srcPort: 5,
      dstPort: 6,
      payload: new Uint8Array(16),
    };
    const first = udpPacket(body, { moreFragments: true });
    const later = udpPacket(body, { fragmentOffset: 3 });
    const { seen, counters } = readAll(
      pcapFile([
        { ts: T0, data: frame(1, first) },
        { ts: T0, data: frame(1, later) },
      ]),
    );
    assert.equal(seen.length, 1);
    assert.equal(counters.laterFragments, 1);
  });

  it('counts non-IP frames and unknown link types instead of failing', () => {
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    const one = readAll(pcapFile([{ ts: T0, data: arp }]));
    assert.equal(one.counters.notIp, 1);
    const other = readAll(pcapFile(frames(1), { linkType: 147 }));
    assert.equal(other.seen.length, 0);
    assert.equal(other.counters.unknownLink, 3);
  });
});

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    it(`reads a ${bigEndian ? 'big' : 'little'}-endian section with enhanced, simple and unknown blocks`, () => {
      const f = frames(1);
      const file = pcapngFile([
        {
          bigEndian,
          interfaces: [{ linkType: 1 }],
          extraBlocks: true,
          packets: [f[0]!, { ...f[1]!, simple: true }, f[2]!],
        },
      ]);
      const { seen, error } = readAll(file);
      assert.equal(error, undefined);
      assert.deepEqual(withoutTs(seen), expected());
      assert.deepEqual(
        seen.map((s) => s.ts),
        [T0, 0, T0 + 2000],
      );
    });
  }

  it('reads sections of different byte orders and interfaces of different resolutions', () => {
    const v4 = frames(1);
    const v6 = frames(101, true);
    const file = pcapngFile([
      { interfaces: [{ linkType: 1, tsresol: 9 }], packets: [v4[0]!, v4[1]!] },
      {
        bigEndian: true,
        interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 0x80 | 20 }],
        packets: [v4[2]!, { ...v6[0]!, iface: 1 }],
      },
    ]);
    const { seen, error } = readAll(file, 13);
    assert.equal(error, undefined);
    assert.equal(seen.length, 4);
    assert.deepEqual(
      seen.map((s) => s.src),
      ['10.0.0.1', '10.0.0.2', '10.0.0.1', '2001:db8::1'],
    );
    assert.equal(seen[0]!.ts, T0);
    assert.equal(seen[2]!.ts, T0 + 2000);
    // 2^-20 s units: within one unit (≈ 1 µs) of the original.
    assert.ok(Math.abs(seen[3]!.ts - T0) <= 1, `ts ${seen[3]!.ts}`);
  });
});

describe('bad input', () => {
  it('names the record and offset of a truncated pcap and keeps what came before', () => {
    const file = pcapFile(frames(1));
    const secondStart = 24 + 16 + frames(1)[0]!.data.length;
    const cut = file.subarray(0, secondStart + 20);
    for (const chunk of [cut.length, 5]) {
      const { seen, error } = readAll(cut, chunk);
      assert.equal(seen.length, 1);
      assert.ok(error instanceof CaptureFormatError);
      assert.equal(error.offset, secondStart);
      assert.equal(error.record, 2); // the second packet; the file header is no record
      assert.match(error.message, /truncated: the input ends 20 bytes into this record/);
      assert.match(error.message, /\(record 2, byte offset/);
      assert.match(error.message, new RegExp(`byte offset ${secondStart}`));
    }
  });

  it('rejects a captured length beyond reason, with its offset', () => {
    const file = pcapFile(frames(1)).slice();
    const secondStart = 24 + 16 + frames(1)[0]!.data.length;
    new DataView(file.buffer).setUint32(secondStart + 8, 0x7fffffff, true);
    const { seen, error } = readAll(file);
    assert.equal(seen.length, 1);
    assert.ok(error instanceof CaptureFormatError);
    assert.equal(error.offset, secondStart);
    assert.match(error.message, /captured length/);
  });

  it('rejects a pcapng block whose trailing length disagrees', () => {
    const f = frames(1);
    const file = pcapngFile([{ interfaces: [{ linkType: 1 }], packets: f }]).slice();
    // SHB (28) + IDB (20) + first EPB: corrupt the second EPB's trailer.
    const firstEpb = 28 + 20;
    const view = new DataView(file.buffer);
    const secondEpb = firstEpb + view.getUint32(firstEpb + 4, true);
    const secondLength = view.getUint32(secondEpb + 4, true);
    view.setUint32(secondEpb + secondLength - 4, 12345, true);
    const { seen, error } = readAll(file);
    assert.equal(seen.length, 1);
    assert.ok(error instanceof CaptureFormatError);
    assert.equal(error.offset, secondEpb);
    assert.equal(error.record, 4); // section header, interface, first packet, this one
    assert.match(error.message, new RegExp(`\\(block 4, byte offset ${secondEpb}\\)$`));
  });

  it('names a cut pcapng block a block, counting from the section header', () => {
    const file = pcapngFile([{ interfaces: [{ linkType: 1 }], packets: frames(1) }]);
    const cut = file.subarray(0, 28 + 20 + 10);
    const { error } = readAll(cut);
    assert.ok(error instanceof CaptureFormatError);
    assert.equal(error.record, 3);
    assert.equal(
      error.message,
      'truncated: the input ends 10 bytes into this block (block 3, byte offset 48)',
    );
  });

  it('rejects what is not a capture', () => {
    const { error } = readAll(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    assert.ok(error instanceof CaptureFormatError);
    assert.match(error.message, /not a pcap or pcapng file/);
    const empty = readAll(new Uint8Array(0));
    assert.ok(empty.error instanceof CaptureFormatError);
    assert.match(empty.error.message, /empty/);
  });
});

describe('capture input', () => {
  it('a file of several chunks comes through byte for byte, and stopping early closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-input-'));
    try {
      const path = join(dir, 'big.bin');
      // Two and a half chunks of bytes that differ from chunk to chunk and within each.
      const bytes = new Uint8Array(CHUNK_BYTES * 2 + CHUNK_BYTES / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >>> 13)) & 255;
      writeFileSync(path, bytes);
      const pieces: Uint8Array[] = [];
      for await (const chunk of openCapture(path).chunks) pieces.push(chunk.slice());
      assert.equal(pieces.length, 3);
      assert.deepEqual(Buffer.concat(pieces), Buffer.from(bytes));
      for await (const chunk of openCapture(path).chunks) {
        assert.equal(chunk.length, CHUNK_BYTES);
        break;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reading gives the event loop a turn between chunks once the turn is due', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-input-'));
    let immediate: NodeJS.Immediate | undefined;
    try {
      const path = join(dir, 'big.bin');
      writeFileSync(path, new Uint8Array(CHUNK_BYTES * 3));
      // Counts the event loop's turns: reads that never wait would leave it at 0.
      let turns = 0;
      const tick = () => {
        turns++;
        immediate = setImmediate(tick);
      };
      immediate = setImmediate(tick);
      const seen = async (turnEveryMs: number) => {
        const counts: number[] = [];
        for await (const _ of openCapture(path, process.stdin, { turnEveryMs }).chunks) {
          counts.push(turns);
        }
        return counts;
      };
      const everyChunk = await seen(0);
      assert.equal(everyChunk.length, 3);
      assert.ok(
        everyChunk[0]! < everyChunk[1]! && everyChunk[1]! < everyChunk[2]!,
        `turns seen at each chunk: ${everyChunk}`,
      );
      const never = await seen(60_000);
      assert.equal(new Set(never).size, 1, `turns seen at each chunk: ${never}`);
    } finally {
      clearImmediate(immediate);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a named pipe (a shell's <(…)) that delivers a gzip capture in dribs comes through whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-input-'));
    try {
      const fifo = join(dir, 'capture.fifo');
      execFileSync('mkfifo', [fifo]);
      // A tiny first piece (one byte: the magic is not yet readable), then the rest in pieces.
      const payload = new TextEncoder().encode('d1:y1:qe');
      const data = frame(
        1,
        udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 6881, dstPort: 6881, payload }),
      );
      const capture = pcapFile([{ ts: 1_700_000_000_000_000, data }]);
      const gz = gzipSync(capture);
      const writer = spawn(process.execPath, [
        '-e',
        `const fs = require('node:fs');
         const bytes = Buffer.from(process.argv[2], 'hex');
         const fd = fs.openSync(process.argv[1], 'w');
         let at = 0;
         const step = () => {
           if (at >= bytes.length) return fs.closeSync(fd);
           const n = at === 0 ? 1 : 7;
           fs.writeSync(fd, bytes.subarray(at, at + n));
           at += n;
           setTimeout(step, 2);
         };
         step();`,
        fifo,
        Buffer.from(gz).toString('hex'),
      ]);
      const closed = new Promise((resolve) => writer.once('close', resolve));
      const source = openCapture(fifo);
      const pieces: Uint8Array[] = [];
      for await (const chunk of source.chunks) pieces.push(chunk.slice());
      assert.deepEqual(Buffer.concat(pieces), Buffer.from(capture));
      assert.equal(source.compressed(), true);
      assert.equal(source.rawBytesRead(), gz.length);
      assert.equal(await closed, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
