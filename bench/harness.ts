/**
 * Side-by-side timing. Contenders run in the same process, alternately
 * (A, B, C, A, B, C, … with the starting contender rotating every round), so
 * machine noise, GC debt and thermal drift hit all of them alike. One sample
 * is one pass of a contender over the whole input; throughputs are medians of
 * those samples, and ratios are medians of per-round ratios (paired samples).
 */

/** What every `bench/*.bench.ts` returns from `run()`; `bench/run.ts` prints `lines`. */
export interface BenchResult {
  name: string;
  lines: string[];
  contenders?: ContenderStats[];
  ratios?: RatioStats[];
  goals?: GoalCheck[];
}

export interface Contender {
  name: string;
  /**
   * One pass over all items. Returns a value derived from every result (e.g.
   * how many were ok), which the harness accumulates so no work can be elided.
   */
  pass(items: readonly Uint8Array[]): number;
}

export interface CompareOptions {
  /** Alternating untimed passes before measuring, so every contender is optimised. */
  warmupMs: number;
  /** Measuring stops at the first round boundary after this much time... */
  measureMs: number;
  /** ...but not before this many rounds. */
  minRounds: number;
}

export interface ContenderStats {
  name: string;
  passes: number;
  /** Median of per-pass throughputs, and the interquartile range. */
  itemsPerSecond: number;
  itemsPerSecondP25: number;
  itemsPerSecondP75: number;
  /** Median, in 10^6 bytes per second. */
  megabytesPerSecond: number;
  /** Sum of `pass` results over the timed passes, divided by the number of passes. */
  checksumPerPass: number;
}

export interface RatioStats {
  name: string;
  /** Median over rounds of (numerator throughput ÷ denominator throughput), and its IQR. */
  median: number;
  p25: number;
  p75: number;
}

export interface GoalCheck {
  goal: string;
  measured: string;
  pass: boolean;
}

export interface Comparison {
  rounds: number;
  itemsPerPass: number;
  bytesPerPass: number;
  /** Nanoseconds of each timed pass: `passNs[contender][round]`. */
  passNs: number[][];
  contenders: ContenderStats[];
}

export function compare(
  contenders: readonly Contender[],
  items: readonly Uint8Array[],
  options: CompareOptions,
): Comparison {
  const k = contenders.length;
  let bytesPerPass = 0;
  for (const item of items) bytesPerPass += item.length;

  let sink = 0;
  const warmupEnd = performance.now() + options.warmupMs;
  for (let round = 0; round < 3 || performance.now() < warmupEnd; round++) {
    for (let i = 0; i < k; i++) sink += contenders[(round + i) % k]!.pass(items);
  }

  // With --expose-gc, collect (untimed) before every pass, so a pass pays for
  // its own garbage and not for the garbage the contender before it left.
  const gc = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
  const collect = gc === undefined ? undefined : () => gc({ type: 'minor' });
  const passNs: number[][] = contenders.map(() => []);
  const checksums: number[] = contenders.map(() => 0);
  const measureEnd = performance.now() + options.measureMs;
  let rounds = 0;
  while (rounds < options.minRounds || performance.now() < measureEnd) {
    for (let i = 0; i < k; i++) {
      const c = (rounds + i) % k;
      const contender = contenders[c]!;
      collect?.();
      const start = process.hrtime.bigint();
      const checksum = contender.pass(items);
      const elapsed = process.hrtime.bigint() - start;
      passNs[c]!.push(Number(elapsed));
      checksums[c]! += checksum;
    }
    rounds++;
  }
  if (sink === -1) console.log('unreachable'); // keeps the warm-up results alive

  const n = items.length;
  const stats = contenders.map((contender, c): ContenderStats => {
    const rates = passNs[c]!.map((ns) => (n * 1e9) / ns);
    const median = quantile(rates, 0.5);
    return {
      name: contender.name,
      passes: rounds,
      itemsPerSecond: median,
      itemsPerSecondP25: quantile(rates, 0.25),
      itemsPerSecondP75: quantile(rates, 0.75),
      megabytesPerSecond: (median * bytesPerPass) / n / 1e6,
      checksumPerPass: checksums[c]! / rounds,
    };
  });
  return { rounds, itemsPerPass: n, bytesPerPass, passNs, contenders: stats };
}

/** Throughput of `numerator` over that of `denominator`, paired round by round. */
export function ratio(
  comparison: Comparison,
  numerator: string,
  denominator: string,
  name = `${numerator} ÷ ${denominator}`,
): RatioStats {
  const a = indexOf(comparison, numerator);
  const b = indexOf(comparison, denominator);
  const ratios = comparison.passNs[a]!.map((ns, round) => comparison.passNs[b]![round]! / ns);
  return {
    name,
    median: quantile(ratios, 0.5),
    p25: quantile(ratios, 0.25),
    p75: quantile(ratios, 0.75),
  };
}

export function contenderStats(comparison: Comparison, name: string): ContenderStats {
  return comparison.contenders[indexOf(comparison, name)]!;
}

function indexOf(comparison: Comparison, name: string): number {
  const i = comparison.contenders.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no contender named ${JSON.stringify(name)}`);
  return i;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Table lines: throughput per contender, ratios, goals. */
export function formatComparison(
  comparison: Comparison,
  ratios: readonly RatioStats[],
  goals: readonly GoalCheck[],
): string[] {
  const width = Math.max(...comparison.contenders.map((c) => c.name.length), 12);
  const lines = [
    `${comparison.rounds} rounds × ${comparison.contenders.length} contenders, ` +
      `${comparison.itemsPerPass.toLocaleString('en-US')} datagrams per pass (median, [p25–p75])`,
  ];
  for (const c of comparison.contenders) {
    lines.push(
      `  ${c.name.padEnd(width)}  ${fmtRate(c.itemsPerSecond).padStart(11)} datagrams/s ` +
        `[${fmtRate(c.itemsPerSecondP25)}–${fmtRate(c.itemsPerSecondP75)}]` +
        `  ${c.megabytesPerSecond.toFixed(1).padStart(6)} MB/s  checksum/pass ${c.checksumPerPass}`,
    );
  }
  for (const r of ratios) {
    lines.push(
      `  ${r.name.padEnd(width)}  ${r.median.toFixed(2).padStart(10)}× [${r.p25.toFixed(2)}–${r.p75.toFixed(2)}]`,
    );
  }
  for (const g of goals) {
    lines.push(`  ${g.pass ? 'PASS' : 'MISS'}  ${g.goal}: ${g.measured}`);
  }
  return lines;
}

function fmtRate(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
