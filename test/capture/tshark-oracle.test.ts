/**
 * The reader against tshark on the same files (written by the test): every
 * frame's time, addresses and ports must agree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AddressTable } from '../../src/capture/addresses.ts';
import { PacketDecoder, PROTO_TCP } from '../../src/capture/decode.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import {
  type Frame,
  frame,
  pcapFile,
  pcapngFile,
  tcpPacket,
  udpPacket,
} from '../helpers/pcap-writer.ts';

function sample(): Frame[] {
  const out: Frame[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < 40; i++) {
    const v6 = i % 3 === 0;
    const src = v6 ? `2001:db8::${i + 1}` : `10.0.${i}.1`;
    const dst = v6 ? `2001:db8:1::${i + 7}` : `192.0.2.${i + 2}`;
    const ip =
      i % 2 === 0
        ? tcpPacket(
            { src, dst, srcPort: 1000 + i, dstPort: 80, flags: 'S' },
            v6 ? { extensions: i % 4 } : {},
          )
        : udpPacket({ src, dst, srcPort: 2000 + i, dstPort: 6881, payload: enc.encode(`d${i}e`) });
    out.push({ ts: 1_700_000_000_000_000 + i * 1_234_567, data: frame(1, ip, i % 3) });
  }
  return out;
}

function ours(bytes: Uint8Array): string[] {
  const addresses = new AddressTable();
  const decoder = new PacketDecoder(addresses);
  const rows: string[] = [];
  const reader = new CaptureReader({
    frame(linkType, ts, buf, view, offset, caplen) {
      const proto = decoder.decode(linkType, buf, view, offset, caplen);
      const p = decoder.packet;
      rows.push(
        `${ts} ${addresses.text(addresses.idOf(p.src, p.v6))} ${addresses.text(addresses.idOf(p.dst, p.v6))} ${proto === PROTO_TCP ? 'tcp' : 'udp'} ${p.srcPort} ${p.dstPort}`,
      );
    },
  });
  reader.push(bytes);
  reader.end();
  return rows;
}

function tshark(path: string): string[] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      path,
      '-T',
      'fields',
      '-E',
      'separator=/s',
      '-e',
      'frame.time_epoch',
      '-e',
      'ip.src',
      '-e',
      'ipv6.src',
      '-e',
      'ip.dst',
      '-e',
      'ipv6.dst',
      '-e',
      'tcp.srcport',
      '-e',
      'udp.srcport',
      '-e',
      'tcp.dstport',
      '-e',
      'udp.dstport',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.split(' ').filter((x) => x !== '');
      const [epoch, a, b, sp, dp] = [f[0]!, f[1]!, f[2]!, f[3]!, f[4]!];
      const [sec, frac = ''] = epoch.split('.');
      const micros = BigInt(sec!) * 1_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 6));
      return { micros, a, b, sp, dp };
    })
    .map((r) => `${r.micros} ${r.a} ${r.b} ? ${r.sp} ${r.dp}`);
}

describe('reader against tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhtscope-tshark-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const frames = sample();
  const files: [string, Uint8Array][] = [
    ['ns-big-endian.pcap', pcapFile(frames, { nano: true, bigEndian: true })],
    [
      'two-sections.pcapng',
      pcapngFile([
        { interfaces: [{ linkType: 1, tsresol: 9 }], packets: frames.slice(0, 20) },
        {
          bigEndian: true,
          interfaces: [{ linkType: 1 }],
          packets: frames.slice(20),
          extraBlocks: true,
        },
      ]),
    ],
  ];
  for (const [name, bytes] of files) {
    it(`agrees on ${name}`, () => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const theirs = tshark(path);
      const mine = ours(bytes).map((r) => r.replace(/ (tcp|udp) /, ' ? '));
      assert.equal(mine.length, frames.length);
      assert.deepEqual(mine, theirs);
    });
  }
});
