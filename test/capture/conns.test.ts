/**
 * `dhtscope pcap conns`: every TCP connection and UDP flow, with its state,
 * history and counts, in the three output formats; its filters and errors;
 * and its packet counts against tshark's conversation tables on the lab
 * capture.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AddressTable } from '../../src/capture/addresses.ts';
import { type ConnectionRecord, UdpFlowTable } from '../../src/capture/connections.ts';
import { runCli } from '../helpers/cli.ts';
import { type Frame, frame, pcapFile, tcpPacket, udpPacket } from '../helpers/pcap-writer.ts';

const T0 = 1_700_000_000_000_000;
const enc = new TextEncoder();

/** A small capture whose every connection is known. */
function sample(): Frame[] {
  const frames: Frame[] = [];
  let t = T0;
  /** The next packet's time: a millisecond after the one before. */
  const next = () => {
    t += 1000;
    return t;
  };
  const tcp = (src: string, dst: string, sp: number, dp: number, flags: string, text = '') =>
    frames.push({
      ts: next(),
      data: frame(
        1,
        tcpPacket({ src, dst, srcPort: sp, dstPort: dp, flags, payload: enc.encode(text) }),
      ),
    });
  const udp = (src: string, dst: string, sp: number, dp: number, text: string, at?: number) =>
    frames.push({
      ts: at ?? next(),
      data: frame(1, udpPacket({ src, dst, srcPort: sp, dstPort: dp, payload: enc.encode(text) })),
    });
  const A = '10.0.0.1';
  const B = '10.0.0.2';
  // A complete connection with payload both ways: SF.
  tcp(A, B, 40000, 80, 'S');
  tcp(B, A, 80, 40000, 'SA');
  tcp(A, B, 40000, 80, 'A');
  tcp(A, B, 40000, 80, 'PA', 'GET / HTTP/1.0\r\n\r\n');
  tcp(B, A, 80, 40000, 'PA', 'HTTP/1.0 200 OK\r\n\r\n');
  tcp(A, B, 40000, 80, 'FA');
  tcp(B, A, 80, 40000, 'FA');
  // An unanswered SYN, twice: S0.
  tcp(A, '10.0.0.3', 40001, 445, 'S');
  tcp(A, '10.0.0.3', 40001, 445, 'S');
  // A refused attempt: REJ.
  tcp(A, '10.0.0.4', 40002, 6881, 'S');
  tcp('10.0.0.4', A, 6881, 40002, 'RA');
  // A question and its answer over UDP: SF; a datagram nobody answers: S0.
  udp(A, B, 5000, 53, 'question');
  udp(B, A, 53, 5000, 'the answer');
  udp(A, '10.0.0.5', 6881, 6881, 'd1:ad2:id20:xxxxxxxxxxxxxxxxxxxxee');
  // The same pair again after two silent minutes: a new flow, the other side first.
  udp(B, A, 53, 5000, 'late', t + 120_000_000);
  return frames;
}

describe('dhtscope pcap conns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhtscope-conns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sample.pcap');
  writeFileSync(path, pcapFile(sample()));

  it('lists each connection once, with state, history and counts (JSON Lines)', async () => {
    const { code, stdout, stderr } = await runCli(['pcap', 'conns', path, '--json']);
    assert.equal(code, 0, stderr);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ConnectionRecord);
    const brief = rows.map(
      (c) =>
        `${c.proto} ${c.orig}:${c.origPort}>${c.resp}:${c.respPort} ${c.state} ${c.history} ${c.origPackets}/${c.respPackets} ${c.origBytes}/${c.respBytes}`,
    );
    assert.deepEqual(brief.sort(), [
      'tcp 10.0.0.1:40000>10.0.0.2:80 SF ShADdFf 4/3 18/19',
      'tcp 10.0.0.1:40001>10.0.0.3:445 S0 S 2/0 0/0',
      'tcp 10.0.0.1:40002>10.0.0.4:6881 REJ Sr 1/1 0/0',
      'udp 10.0.0.1:5000>10.0.0.2:53 SF Dd 1/1 8/10',
      'udp 10.0.0.1:6881>10.0.0.5:6881 S0 D 1/0 34/0',
      'udp 10.0.0.2:53>10.0.0.1:5000 S0 D 1/0 4/0',
    ]);
    const sf = rows.find((c) => c.state === 'SF' && c.proto === 'tcp')!;
    assert.equal(sf.start, T0 + 1000);
    assert.equal(sf.last, T0 + 7000);
  });

  it('prints a table with a header, and CSV with one', async () => {
    const text = await runCli(['pcap', 'conns', path]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.match(lines[0]!, /^start\s+proto\s+originator\s+responder\s+state\s+history/);
    assert.equal(lines.length, 7);
    assert.ok(
      lines.some((l) =>
        /tcp\s+10\.0\.0\.1:40000\s+→ 10\.0\.0\.2:80\s+SF\s+ShADdFf\s+0\.006 s\s+4\/3\s+18\/19$/.test(
          l,
        ),
      ),
      text.stdout,
    );
    const csv = await runCli(['pcap', 'conns', path, '--csv']);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(
      rows[0],
      'start,proto,orig,orig_port,resp,resp_port,state,history,duration_s,orig_packets,resp_packets,orig_bytes,resp_bytes',
    );
    assert.ok(
      rows.includes('2023-11-14T22:13:20.008Z,tcp,10.0.0.1,40001,10.0.0.3,445,S0,S,0.001,2,0,0,0'),
      csv.stdout,
    );
  });

  it('filters by state and by protocol', async () => {
    const failed = await runCli([
      'pcap',
      'conns',
      path,
      '--state',
      's0,REJ',
      '--proto',
      'tcp',
      '--csv',
    ]);
    assert.deepEqual(
      failed.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split(',')[6])
        .sort(),
      ['REJ', 'S0'],
    );
    const udp = await runCli(['pcap', 'conns', path, '--proto', 'udp', '--json']);
    assert.equal(udp.stdout.trim().split('\n').length, 3);
    const none = await runCli(['pcap', 'conns', path, '--state', 'RSTO']);
    assert.match(none.stdout, /\(no connections\)/);
  });

  it('says what is wrong with a bad state, protocol or format', async () => {
    const state = await runCli(['pcap', 'conns', path, '--state', 'S0,BOGUS']);
    assert.equal(state.code, 2);
    assert.match(state.stderr, /"BOGUS" is not a connection state/);
    assert.match(state.stderr, /S0, REJ, S1, SF/);
    const proto = await runCli(['pcap', 'conns', path, '--proto', 'icmp']);
    assert.equal(proto.code, 2);
    assert.match(proto.stderr, /--proto "icmp" is not tcp or udp/);
    const both = await runCli(['pcap', 'conns', path, '--json', '--csv']);
    assert.equal(both.code, 2);
  });
});

describe('UDP flows', () => {
  it('end after a minute of silence, whenever the next datagram comes', () => {
    const addresses = new AddressTable();
    const ended: ConnectionRecord[] = [];
    const table = new UdpFlowTable(addresses, (c) => ended.push(c));
    const a = addresses.internV4(0x0a000001);
    const b = addresses.internV4(0x0a000002);
    const c = addresses.internV4(0x0a000003);
    table.datagram(T0, a, b, 1000, 2000, 5);
    // Other traffic at 55 s: a look for idle flows then finds none; the next is 10 s later.
    table.datagram(T0 + 55_000_000, a, c, 1000, 3000, 5);
    // 61 s after the first: before that next look, but past the timeout all the same.
    table.datagram(T0 + 61_000_000, b, a, 2000, 1000, 7);
    table.finish();
    const flows = ended
      .filter((f) => f.resp !== '10.0.0.3')
      .map(
        (f) => `${f.orig}>${f.resp} ${f.state} ${f.origPackets}/${f.respPackets} ${f.start - T0}`,
      );
    assert.deepEqual(flows, ['10.0.0.1>10.0.0.2 S0 1/0 0', '10.0.0.2>10.0.0.1 S0 1/0 61000000']);
  });

  it('stay within their bound: the oldest end first, and every datagram is counted once', () => {
    const addresses = new AddressTable();
    const ended: ConnectionRecord[] = [];
    const table = new UdpFlowTable(addresses, (c) => ended.push(c), { maxFlows: 10 });
    const a = addresses.internV4(0x0a000001);
    let fed = 0;
    for (let i = 0; i < 100; i++) {
      const b = addresses.internV4(0x0a000100 + (i % 37));
      // Every flow twice, the second time answered; all within a second, so none is idle.
      for (const [src, dst] of [
        [a, b],
        [b, a],
      ] as const) {
        table.datagram(
          T0 + i * 1000,
          src,
          dst,
          src === a ? 6881 : 7000 + i,
          src === a ? 7000 + i : 6881,
          10,
        );
        fed++;
        assert.ok(table.size <= 10, `${table.size} open`);
      }
    }
    const evicted = ended.length;
    assert.equal(table.evicted, evicted);
    assert.ok(evicted >= 90, `${evicted} ended early`);
    // The ones that ended early are the oldest: each began before any still open.
    const firstOpen = T0 + (100 - table.size) * 1000;
    assert.ok(ended.every((c) => c.start < firstOpen));
    table.finish();
    assert.equal(table.size, 0);
    assert.equal(ended.length, 100);
    assert.equal(
      ended.reduce((n, c) => n + c.origPackets + c.respPackets, 0),
      fed,
    );
    assert.ok(ended.every((c) => c.state === 'SF' && c.history === 'Dd' && c.origPort === 6881));
  });
});

/** Frames per endpoint pair and sender, from tshark's conversation table. */
function tsharkConversations(path: string, proto: 'tcp' | 'udp'): Map<string, number> {
  const out = execFileSync('tshark', ['-r', path, '-q', '-z', `conv,${proto}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const pairs = new Map<string, number>();
  for (const line of out.split('\n')) {
    // A:port <-> B:port, then frames and bytes (a number and a unit) one way, the other, in all.
    const m = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s+\d+\s+\S+\s+(\d+)/.exec(line);
    if (m === null) continue;
    const key = [m[1]!, m[2]!].sort().join(' ');
    pairs.set(key, (pairs.get(key) ?? 0) + Number(m[5]));
  }
  return pairs;
}

describe('pcap conns against tshark on the lab capture', () => {
  const lab = new URL('../fixtures/capture/bt-lab.pcap', import.meta.url).pathname;
  for (const proto of ['tcp', 'udp'] as const) {
    it(`${proto}: the packets of every endpoint pair agree with tshark's conversations`, async () => {
      const { code, stdout, stderr } = await runCli([
        'pcap',
        'conns',
        lab,
        '--proto',
        proto,
        '--json',
      ]);
      assert.equal(code, 0, stderr);
      const ours = new Map<string, number>();
      for (const line of stdout.trim().split('\n')) {
        const c = JSON.parse(line) as ConnectionRecord;
        const key = [`${c.orig}:${c.origPort}`, `${c.resp}:${c.respPort}`].sort().join(' ');
        ours.set(key, (ours.get(key) ?? 0) + c.origPackets + c.respPackets);
      }
      const theirs = tsharkConversations(lab, proto);
      assert.ok(theirs.size > (proto === 'tcp' ? 1000 : 100), `tshark listed ${theirs.size}`);
      assert.deepEqual(ours, theirs);
    });
  }
});
