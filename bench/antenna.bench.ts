/**
 * Antenna ingest (decode, answer, enrich, store) against a bare node:dgram
 * receiver that only counts, in the same run, both fed by the blaster in a
 * separate process, interleaved round by round. Goals (DESIGN.md): ≥ 50,000
 * queries/s recorded and answered, ≥ 70 % of the bare receiver, RSS flat.
 * The antenna runs twice per round: in this process (Node's default heap
 * sizing) and in a child under the heap ceiling `dhtscope antenna` gives
 * itself, which trades some throughput for RSS. The memory soak (10 M
 * events) is antenna-memory.bench.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Antenna } from '../src/sensor/antenna.ts';
import { heapFlags, heapLimitMb } from '../src/sensor/config.ts';
import { silentLogger } from '../src/sensor/log.ts';
import { freeUdpPorts } from '../test/helpers/ports.ts';
import { ingestBenchConfig } from './antenna-ingest-config.ts';
import type { BenchResult } from './harness.ts';
import { bareReceiver, blast } from './udp-baseline.ts';

const ROUNDS = 3;
const SECONDS = 4;
/** Load on the child antenna before its timed round (see underCeiling). */
const WARM_UP_SECONDS = 2;

export async function run(): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'dhtscope-bench-antenna-'));
  const bare: number[] = [];
  const recorded: number[] = [];
  const answered: number[] = [];
  const offered: number[] = [];
  const rss: number[] = [];
  const recordOnly: number[] = [];
  const echo: number[] = [];
  const ceiling: number[] = [];
  const ceilingRss: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order =
        round % 2 === 0
          ? ['bare', 'echo', 'antenna', 'ceiling', 'record-only']
          : ['record-only', 'ceiling', 'antenna', 'echo', 'bare'];
      for (const which of order) {
        const [port] = await freeUdpPorts(1);
        if (which === 'echo') {
          echo.push(await bareEcho(port!));
          continue;
        }
        if (which === 'ceiling') {
          const result = await underCeiling(port!, join(root, `ceiling-${round}`));
          ceiling.push(result.rate);
          ceilingRss.push(result.rssMb);
          continue;
        }
        if (which === 'bare') {
          const receiver = await bareReceiver([port!]);
          const report = await blast({
            targets: [{ address: '127.0.0.1', port: port! }],
            seconds: SECONDS,
          });
          bare.push(receiver.received() / report.seconds);
          await receiver.close();
          continue;
        }
        const config = ingestBenchConfig(
          join(root, `data-${round}`),
          port!,
          which === 'antenna' ? 'answer-all' : 'default',
        );
        const antenna = await Antenna.start(config, { log: silentLogger });
        const before = { recorded: antenna.counters.recorded, sent: antenna.status().blockedSends };
        const report = await blast({
          targets: [{ address: '127.0.0.1', port: port! }],
          seconds: SECONDS,
        });
        const status = antenna.status();
        if (which === 'record-only') {
          recordOnly.push((antenna.counters.recorded - before.recorded) / report.seconds);
          await antenna.stop();
          continue;
        }
        offered.push(report.rate);
        recorded.push((antenna.counters.recorded - before.recorded) / report.seconds);
        answered.push(antenna.counters.sent / report.seconds);
        rss.push(process.memoryUsage().rss / 1048576);
        if (status.blockedSends !== 0)
          throw new Error(`the passive policy blocked ${status.blockedSends} sends`);
        await antenna.stop();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const m = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const ratio = m(recorded) / m(bare);
  const lines = [
    `${ROUNDS} rounds × ${SECONDS} s, blaster in another process (16 source addresses), median`,
    `  blaster offered                    ${fmt(m(offered))} datagrams/s`,
    `  bare node:dgram receiver           ${fmt(m(bare))} datagrams/s received`,
    `  bare node:dgram echo (answers each) ${fmt(m(echo))} datagrams/s answered`,
    `  antenna recorded                   ${fmt(m(recorded))} events/s  (${(ratio * 100).toFixed(0)} % of the bare receiver, ${((m(recorded) / m(echo)) * 100).toFixed(0)} % of the bare echo)`,
    `  antenna answered                   ${fmt(m(answered))} datagrams/s sent`,
    `  antenna under the CLI's heap ceiling ${fmt(m(ceiling))} events/s recorded and answered (${CEILING_FLAGS.join(' ')}, a process of its own)`,
    `  antenna recording only             ${fmt(m(recordOnly))} events/s  (answers rate-limited per address, the default)`,
    `  RSS after a round                  ${m(rss).toFixed(0)} MB in this process (default heap sizing, beside the bench); ${m(ceilingRss).toFixed(0)} MB under the ceiling`,
    `  ${m(recorded) >= 50_000 && m(answered) >= 50_000 ? 'PASS' : 'MISS'}  ≥ 50,000 queries/s recorded and answered`,
    `  ${m(ceiling) >= 50_000 ? 'PASS' : 'MISS'}  the same under the CLI's heap ceiling: ${fmt(m(ceiling))}`,
    `  ${ratio >= 0.7 ? 'PASS' : 'MISS'}  ≥ 70 % of the bare receiver: ${(ratio * 100).toFixed(0)} %`,
    `  ${m(recordOnly) >= 50_000 ? 'PASS' : 'MISS'}  ≥ 50,000 events/s recorded (answers rate-limited): ${fmt(m(recordOnly))}`,
  ];
  return { name: 'antenna ingest vs bare receiver', lines };
}

/**
 * The like-for-like floor for "recorded and answered": a socket that answers
 * every datagram with one fixed 60-byte reply and does nothing else.
 */
async function bareEcho(port: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  const reply = Buffer.alloc(60, 0x61);
  let answered = 0;
  socket.on('message', (_data, rinfo) => {
    socket.send(reply, rinfo.port, rinfo.address);
    answered++;
  });
  const report = await blast({ targets: [{ address: '127.0.0.1', port }], seconds: SECONDS });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return answered / report.seconds;
}

/** The heap flags `dhtscope antenna` restarts itself with, for the bench's one-identity antenna. */
const CEILING_FLAGS = heapFlags(heapLimitMb(ingestBenchConfig('unused', 6881, 'answer-all')));

/**
 * The antenna in a child process under CEILING_FLAGS, blasted as the others:
 * queries recorded per second (each also answered, or the round throws).
 */
async function underCeiling(
  port: number,
  dataDir: string,
): Promise<{ rate: number; rssMb: number }> {
  const script = fileURLToPath(new URL('./antenna-ingest-child.ts', import.meta.url));
  const child = spawn(process.execPath, [...CEILING_FLAGS, script, String(port), dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the antenna child exited with ${code}`)),
    );
  });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const line = await lines.next();
      if (line.done === true) throw new Error('the antenna child ended early');
      return line.value;
    };
    if ((await next()) !== 'ready') throw new Error('the antenna child did not start');
    const count = async (): Promise<ChildCounts> => {
      child.stdin!.write('count\n');
      return JSON.parse(await next()) as ChildCounts;
    };
    // A fresh process compiles its hot paths during its first second of load, which the
    // in-process antenna did in an earlier round: warm it the same way before timing.
    await blast({ targets: [{ address: '127.0.0.1', port }], seconds: WARM_UP_SECONDS });
    const before = await count();
    const report = await blast({ targets: [{ address: '127.0.0.1', port }], seconds: SECONDS });
    const after = await count();
    if (after.blockedSends !== 0)
      throw new Error(`the passive policy blocked ${after.blockedSends} sends`);
    const recorded = (after.recorded - before.recorded) / report.seconds;
    const sent = (after.sent - before.sent) / report.seconds;
    child.stdin!.end('stop\n');
    await exited;
    return { rate: Math.min(recorded, sent), rssMb: after.rssMb };
  } finally {
    stopChild(child);
  }
}

interface ChildCounts {
  recorded: number;
  sent: number;
  blockedSends: number;
  rssMb: number;
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
