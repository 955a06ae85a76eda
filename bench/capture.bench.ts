/**
 * Capture analysis on large generated captures (see capture-generator.ts),
 * side by side with tshark reading the same files (`tshark -r FILE -q -z
 * conv,tcp`: every packet dissected, TCP conversations tabulated).
 *
 * The verdicts come from the command itself: `dhtscope pcap analyze FILE`
 * (bin/dhtscope.js, the build in dist/, brought up to date first) in a fresh
 * process, timed like tshark, on a capture of 4 × the base size,
 * so start-up and V8 compiling its hot paths weigh as little as they do on
 * a long capture. The same at the base size and the rate between the two
 * (what each further byte costs) are printed beside it; so are the phases
 * inside one process, timed warm (read only, no extractor, end to end).
 * Goals: ≥ 500 MB/s on one core, ≥ 20× tshark. The files go to the
 * temporary directory and are deleted after. `DHTSCOPE_CAPTURE_BENCH_MB`
 * sets the base size (default 600).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureAnalyzer } from '../src/capture/analyzer.ts';
import { BitTorrentExtractor } from '../src/capture/bittorrent/index.ts';
import { openCapture } from '../src/capture/input.ts';
import { summarize } from '../src/capture/pcap-analysis.ts';
import { readCapture } from '../src/capture/read-captures.ts';
import { CaptureReader } from '../src/capture/reader.ts';
import { PRESETS } from '../src/capture/scan-config.ts';
import { withThousands } from '../src/report/numbers.ts';
import { writeSyntheticCapture } from './capture-generator.ts';
import type { BenchResult } from './harness.ts';

const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Timing {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds (user + system) of this process, or of the child for `timeChild`. */
  cpu: number;
  check: number;
}

async function timeIt(fn: () => Promise<number>): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const check = await fn();
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpu: (cpu.user + cpu.system) / 1e6,
    check,
  };
}

/** CPU seconds of waited-for children so far (Linux /proc: cutime + cstime, in clock ticks of 1/100 s). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const ROOT = join(import.meta.dirname, '..');
/** The command in a fresh process per run, as a user runs it: the build in dist/ (output discarded). */
const CLI = [join(ROOT, 'bin', 'dhtscope.js'), 'pcap', 'analyze'];

/** Brings dist/ up to date with the sources, so the command timed is the code benched. */
function build(): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}

function timeChild(command: string, args: string[]): Timing {
  const cpu0 = childrenCpu();
  const start = process.hrtime.bigint();
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpu: childrenCpu() - cpu0,
    check: 0,
  };
}

/**
 * Times the command and tshark `runs` times each on one file, alternating
 * (medians): this VM's speed drifts by 10–25 % within minutes, and a single
 * tshark run of nearly a minute had decided the ratio alone.
 */
function commandAndTshark(path: string, runs: number, tshark: boolean) {
  const command: Timing[] = [];
  const theirs: Timing[] = [];
  for (let r = 0; r < runs; r++) {
    command.push(timeChild(process.execPath, [...CLI, path]));
    if (tshark) theirs.push(timeChild('tshark', ['-r', path, '-q', '-z', 'conv,tcp']));
  }
  return { command: medians(command), tshark: tshark ? medians(theirs) : undefined };
}

const wall = (ts: Timing[]) => median(ts.map((t) => t.seconds));
const cpu = (ts: Timing[]) => median(ts.map((t) => t.cpu));
/** CPU and wall seconds of one run, or medians of several. */
type Cost = Pick<Timing, 'cpu' | 'seconds'>;
const medians = (ts: Timing[]): Cost => ({ cpu: cpu(ts), seconds: wall(ts) });

export async function run(): Promise<BenchResult> {
  const megabytes = Number(process.env.DHTSCOPE_CAPTURE_BENCH_MB ?? 600);
  const dir = mkdtempSync(join(tmpdir(), 'dhtscope-capture-bench-'));
  const path = join(dir, 'synthetic.pcap');
  const largePath = join(dir, 'synthetic-4x.pcap');
  const lines: string[] = [];
  try {
    const bytes = megabytes * 1e6;
    const gen = await timeIt(async () => writeSyntheticCapture(path, bytes).packets);
    const packets = gen.check;
    lines.push(
      `capture: ${megabytes.toFixed(0)} MB, ${withThousands(packets)} packets, written in ${gen.seconds.toFixed(1)} s`,
    );

    const readOnly: Timing[] = [];
    const full: Timing[] = [];
    const noExtractor: Timing[] = [];
    let summary = '';
    const endToEnd = () =>
      timeIt(async () => {
        const analyzer = new CaptureAnalyzer({
          createExtractor: (p) => new BitTorrentExtractor(p),
        });
        const result = await readCapture(openCapture(path), analyzer);
        const a = summarize(analyzer, [result], PRESETS.bro);
        summary = `${a.hosts.length} hosts, ${a.predictions} predictions, connections SF ${a.connections.SF} S0 ${a.connections.S0}, alarms ${a.alarms.plain}/${a.alarms.suppressed}/${a.alarms.ppr}`;
        return a.hosts.length;
      });
    // One untimed pass first, as the harness warms up every contender: V8 compiles the hot
    // paths during it (on its own threads, which count as this process's CPU time). The
    // command in its own process pays that each run; these phases show the steady state.
    const cold = await endToEnd();
    for (let r = 0; r < RUNS; r++) {
      readOnly.push(
        await timeIt(async () => {
          let frames = 0;
          const reader = new CaptureReader({ frame: () => void frames++ });
          for await (const chunk of openCapture(path).chunks) reader.push(chunk);
          reader.end();
          return frames;
        }),
      );
      noExtractor.push(
        await timeIt(async () => {
          const analyzer = new CaptureAnalyzer();
          await readCapture(openCapture(path), analyzer);
          return summarize(analyzer, [], PRESETS.bro).hosts.length;
        }),
      );
      const t = await endToEnd();
      full.push(t);
    }
    const both = (size: number, t: Cost) =>
      `${(size / t.cpu).toFixed(0)} MB/s per CPU second, ${(size / t.seconds).toFixed(0)} MB/s wall`;
    lines.push(`analysis result: ${summary}`);
    lines.push(`inside one process, warm (medians of ${RUNS}):`);
    lines.push(`  read only (pcap records, no decoding): ${both(megabytes, medians(readOnly))}`);
    lines.push(
      `  decode + flows + detector, no extractor: ${both(megabytes, medians(noExtractor))}`,
    );
    lines.push(
      `  end to end: ${both(megabytes, medians(full))}, ${(packets / cpu(full) / 1e6).toFixed(2)} M packets per CPU second`,
      `  end to end, its first pass (V8 still compiling): ${both(megabytes, cold)}`,
    );

    const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
    build();
    // The command gets the machine as tshark does: this process's garbage collected and its
    // helper threads quiet first.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const small = commandAndTshark(path, RUNS, hasTshark);
    rmSync(path);
    const large = await timeIt(async () => writeSyntheticCapture(largePath, 4 * bytes).packets);
    const largeMb = 4 * megabytes;
    lines.push(
      `larger capture: ${largeMb.toFixed(0)} MB, ${withThousands(large.check)} packets, written in ${large.seconds.toFixed(1)} s`,
    );
    const big = commandAndTshark(largePath, RUNS, hasTshark);
    // What each further byte costs: the difference between the two captures.
    const further = (a: Cost, b: Cost): Cost => ({
      cpu: b.cpu - a.cpu,
      seconds: b.seconds - a.seconds,
    });
    const ratio = (ours: Cost, theirs: Cost) =>
      `${(theirs.cpu / ours.cpu).toFixed(1)}× in CPU time, ${(theirs.seconds / ours.seconds).toFixed(1)}× wall`;
    lines.push(`dhtscope pcap analyze FILE, a fresh process per run (medians of ${RUNS}):`);
    lines.push(`  ${megabytes.toFixed(0)} MB: ${both(megabytes, small.command)}`);
    lines.push(`  ${largeMb.toFixed(0)} MB: ${both(largeMb, big.command)}`);
    lines.push(
      `  the ${(largeMb - megabytes).toFixed(0)} MB between: ${both(largeMb - megabytes, further(small.command, big.command))}`,
    );
    if (small.tshark !== undefined && big.tshark !== undefined) {
      lines.push(`tshark -q -z conv,tcp (medians of ${RUNS}, each run after one of the command):`);
      lines.push(
        `  ${megabytes.toFixed(0)} MB: ${both(megabytes, small.tshark)} (${small.tshark.seconds.toFixed(1)} s)`,
      );
      lines.push(
        `  ${largeMb.toFixed(0)} MB: ${both(largeMb, big.tshark)} (${big.tshark.seconds.toFixed(1)} s)`,
      );
      lines.push(
        `  the ${(largeMb - megabytes).toFixed(0)} MB between: ${both(largeMb - megabytes, further(small.tshark, big.tshark))}`,
      );
      lines.push('dhtscope ÷ tshark:');
      lines.push(`  ${megabytes.toFixed(0)} MB: ${ratio(small.command, small.tshark)}`);
      lines.push(`  ${largeMb.toFixed(0)} MB: ${ratio(big.command, big.tshark)}`);
      lines.push(
        `  the ${(largeMb - megabytes).toFixed(0)} MB between: ${ratio(further(small.command, big.command), further(small.tshark, big.tshark))}`,
      );
      lines.push(
        `  warm inside one process against tshark on ${megabytes.toFixed(0)} MB: ${ratio(medians(full), small.tshark)}`,
      );
      const times = big.tshark.cpu / big.command.cpu;
      lines.push(
        `goal ≥ 20× tshark (the command, ${largeMb.toFixed(0)} MB, CPU time): ${times >= 20 ? 'PASS' : 'MISS'} (${times.toFixed(1)}×)`,
      );
    } else lines.push('tshark not installed: no comparison');
    const rate = largeMb / big.command.cpu;
    lines.push(
      `goal ≥ 500 MB/s on one core (the command, ${largeMb.toFixed(0)} MB): ${rate >= 500 ? 'PASS' : 'MISS'} (${rate.toFixed(0)} MB/s per CPU second)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name: 'capture analysis, end to end, against tshark', lines };
}
