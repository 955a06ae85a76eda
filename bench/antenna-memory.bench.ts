/**
 * The antenna's memory goal, in `npm run bench`: RSS ≤ 300 MB, flat over
 * 10 M events with 1 M distinct infohashes and 100 k source addresses. Runs
 * the soak (`antenna-soak.ts`) in a child process under the heap flags
 * `dhtscope antenna` gives itself, so what is measured is what a sensor runs
 * with, and the parent's own memory (the other benches) stays out of it.
 * About three minutes; DHTSCOPE_SOAK_EVENTS sets the count (default 10 M).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heapFlags, heapLimitMb, resolveConfig } from '../src/sensor/config.ts';
import type { BenchResult } from './harness.ts';

const EVENTS = Number(process.env.DHTSCOPE_SOAK_EVENTS ?? 10_000_000);
const GOAL_MB = 300;
/** Growth from the first sample to the last that still counts as flat. */
const FLAT_MB = 30;

interface Sample {
  events: number;
  rssMb: number;
  antennaMb: number;
  heapMb: number;
  seconds: number;
}

export async function run(): Promise<BenchResult> {
  // The soak's antenna: one port, one identity (see antenna-soak.ts).
  const flags = heapFlags(
    heapLimitMb(resolveConfig({}, { dataDir: 'unused', ports: [6881], idsPerPort: 1 }, 'bench')),
  );
  const soak = fileURLToPath(new URL('./antenna-soak.ts', import.meta.url));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, soak, String(EVENTS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`the soak exited with ${code}:\n${out}`)),
    );
  });
  const samples: Sample[] = output
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cols) => cols.length === 6 && cols.every(Number.isFinite))
    .map(([events, rssMb, antennaMb, heapMb, , seconds]) => ({
      events: events!,
      rssMb: rssMb!,
      antennaMb: antennaMb!,
      heapMb: heapMb!,
      seconds: seconds!,
    }));
  if (samples.length === 0) throw new Error(`the soak printed no samples:\n${output}`);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.antennaMb));
  const growth = last.antennaMb - first.antennaMb;
  const lines = [
    `${EVENTS.toLocaleString('en-US')} queries fed to one port's datagram handler, answered and recorded, heap flags of dhtscope antenna (${flags.join(' ')})`,
    output.split('\n')[0]!,
    '  events      rss MB  antenna MB  heap MB  seconds',
    ...samples.map(
      (s) =>
        `  ${s.events.toLocaleString('en-US').padStart(10)}  ${String(s.rssMb).padStart(6)}  ${String(s.antennaMb).padStart(10)}  ${String(s.heapMb).padStart(7)}  ${String(s.seconds).padStart(7)}`,
    ),
    `  ${peak <= GOAL_MB && growth <= FLAT_MB ? 'PASS' : 'MISS'}  the antenna's share ≤ ${GOAL_MB} MB and flat: peak ${peak} MB, ${growth >= 0 ? '+' : ''}${growth} MB from the first sample to the last (RSS less the soak's own data)`,
  ];
  return { name: 'antenna memory soak', lines };
}
