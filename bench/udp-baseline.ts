/**
 * The ceiling of UDP ingest in one Node process: `bareReceiver` sockets that
 * only count datagrams, fed by `blast` (bench/blaster.ts in a child process).
 * Whatever a sensor does per datagram comes on top of this.
 *
 * Run directly to measure:
 *
 *   node_modules/.bin/node bench/udp-baseline.ts [--seconds 5] [--ports 1] [--rate R]
 *     [--sources 16] [--blasters 1]
 *
 * prints the blasters' reports, what the receiver got, the loss and the CPU
 * time of each side. `--rate` is per blaster; with more than one blaster they
 * use different seeds. On loopback the sender's send() carries most of the
 * kernel's delivery work, so one blaster can be the bottleneck: compare the
 * CPU times (a side near its wall-clock time is saturated).
 */

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import type { BlasterReport } from './blaster.ts';

const BLASTER = new URL('./blaster.ts', import.meta.url).pathname;

export interface BareReceiver {
  /** The ports bound on 127.0.0.1 (ports given as 0 get an ephemeral one). */
  ports: number[];
  received(): number;
  bytes(): number;
  /** Source addresses seen (only with `recordSources`). */
  sources(): ReadonlySet<string>;
  /** Copies of the first `keep` datagrams (only with `keep`). */
  kept(): Buffer[];
  close(): Promise<void>;
}

export interface BareReceiverOptions {
  host?: string;
  /** SO_RCVBUF asked for; the kernel caps it at net.core.rmem_max. Default 4 MiB. */
  recvBufferSize?: number;
  /** Keep copies of the first `keep` datagrams. */
  keep?: number;
  /** Record every source address (a Set insert per datagram). */
  recordSources?: boolean;
}

/**
 * One node:dgram socket per port on 127.0.0.1 that counts datagrams and
 * bytes and nothing else (unless `keep`/`recordSources` ask for more, which
 * switches to a separate, slower handler).
 */
export async function bareReceiver(
  ports: number[],
  options: BareReceiverOptions = {},
): Promise<BareReceiver> {
  const host = options.host ?? '127.0.0.1';
  let count = 0;
  let total = 0;
  const sources = new Set<string>();
  const kept: Buffer[] = [];
  const keep = options.keep ?? 0;
  const bare = (msg: Buffer) => {
    count++;
    total += msg.length;
  };
  const recording = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    count++;
    total += msg.length;
    if (options.recordSources === true) sources.add(rinfo.address);
    if (kept.length < keep) kept.push(Buffer.from(msg));
  };
  const onMessage = keep > 0 || options.recordSources === true ? recording : bare;
  const sockets = await Promise.all(
    ports.map(
      (port) =>
        new Promise<dgram.Socket>((resolve, reject) => {
          const socket = dgram.createSocket({
            type: 'udp4',
            recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024,
          });
          socket.once('error', reject);
          socket.on('message', onMessage);
          socket.bind(port, host, () => {
            socket.off('error', reject);
            resolve(socket);
          });
        }),
    ),
  );
  return {
    ports: sockets.map((s) => s.address().port),
    received: () => count,
    bytes: () => total,
    sources: () => sources,
    kept: () => kept,
    close: () =>
      Promise.all(
        sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      ).then(() => undefined),
  };
}

export interface BlastOptions {
  targets: { address: string; port: number }[];
  /** Stop after this long (default 5 s, or unlimited when `count` is given). */
  seconds?: number;
  /** Stop after this many datagrams. */
  count?: number;
  /** Datagrams per second in all; default as fast as possible. */
  rate?: number;
  /** Source addresses 127.0.0.2 …; default 16. */
  sources?: number;
  seed?: number;
}

/** The blaster's closing JSON line. */
export type BlastReport = BlasterReport;

/** Runs bench/blaster.ts in a child process (same Node binary) and returns its report. */
export function blast(options: BlastOptions): Promise<BlastReport> {
  const args = [BLASTER, '--target', options.targets.map((t) => `${t.address}:${t.port}`).join()];
  if (options.seconds !== undefined) args.push('--seconds', String(options.seconds));
  if (options.count !== undefined) args.push('--count', String(options.count));
  if (options.rate !== undefined) args.push('--rate', String(options.rate));
  if (options.sources !== undefined) args.push('--sources', String(options.sources));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  return new Promise<BlastReport>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`blaster exited with ${code}: ${stderr.trim() || stdout.trim()}`));
        return;
      }
      resolve(JSON.parse(line) as BlastReport);
    });
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      ports: { type: 'string', default: '1' },
      rate: { type: 'string' },
      sources: { type: 'string', default: '16' },
      blasters: { type: 'string', default: '1' },
    },
  });
  const cpuStart = process.cpuUsage();
  const receiver = await bareReceiver(Array.from({ length: Number(values.ports) }, () => 0));
  const reports = await Promise.all(
    Array.from({ length: Number(values.blasters) }, (_, i) =>
      blast({
        targets: receiver.ports.map((port) => ({ address: '127.0.0.1', port })),
        seconds: Number(values.seconds),
        sources: Number(values.sources),
        seed: 1 + i,
        ...(values.rate === undefined ? {} : { rate: Number(values.rate) }),
      }),
    ),
  );
  const report = {
    sent: reports.reduce((sum, r) => sum + r.sent, 0),
    seconds: Math.max(...reports.map((r) => r.seconds)),
    cpuSeconds: reports.reduce((sum, r) => sum + r.cpuSeconds, 0),
  };
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the socket buffers drain
  const received = receiver.received();
  const cpu = process.cpuUsage(cpuStart);
  await receiver.close();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const r of reports) console.log(`blaster:  ${JSON.stringify(r)}`);
  console.log(
    `receiver: ${fmt(received)} datagrams on ${receiver.ports.length} port(s) in ${report.seconds.toFixed(2)} s ` +
      `= ${fmt(received / report.seconds)}/s; sent ${fmt(report.sent / report.seconds)}/s; ` +
      `loss ${((100 * (report.sent - received)) / report.sent).toFixed(1)} %; ` +
      `CPU: receiver ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, blaster(s) ${report.cpuSeconds.toFixed(2)} s`,
  );
}
