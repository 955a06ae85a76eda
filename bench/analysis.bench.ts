/**
 * Analysis at scale: `compute` (every detector) over the bench-10m lab trace
 * (about 10 M events, 100 k addresses, 7 days), step by step, then every
 * report's latency over the computed tables, and Analysis I in a run of
 * its own. Goals: Analysis I ≤ 30 s, Analysis I and II together ≤ 60 s,
 * each report ≤ 2 s, on this 2-core machine.
 *
 * The trace takes minutes to write, so it is kept between runs in
 * $DHTSCOPE_BENCH_DIR (default: <tmpdir>/dhtscope-bench-10m) and rebuilt
 * only when missing. Delete that directory to start over.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYSIS_STEPS, compute } from '../src/analysis/compute.ts';
import { resolveScenario } from '../src/lab/builtin-scenarios.ts';
import { groundTruthPath } from '../src/lab/ground-truth.ts';
import { writeTrace } from '../src/lab/trace.ts';
import { buildWorld } from '../src/lab/world.ts';
import { REPORTS } from '../src/report/reports.ts';
import { runReport } from '../src/report/run-report.ts';
import { StoreReader } from '../src/store/reader.ts';
import type { BenchResult } from './harness.ts';

/** Tables of the Analysis II detectors (sequences, timing, fingerprints, coordination); the rest is Analysis I. */
const ANALYSIS_II = new Set([
  'sweep_events',
  'prefix_walk_events',
  'rendezvous_events',
  'fingerprints',
  'coordination',
  'coordination_pairs',
  'operator_clusters',
  'campaigns',
]);

const DIR = process.env.DHTSCOPE_BENCH_DIR ?? join(tmpdir(), 'dhtscope-bench-10m');

export async function run(): Promise<BenchResult> {
  const lines: string[] = [];
  if (!existsSync(groundTruthPath(DIR))) {
    const t0 = Date.now();
    const trace = await writeTrace(buildWorld(resolveScenario('bench-10m').scenario), DIR);
    const s = (Date.now() - t0) / 1000;
    lines.push(
      `trace written: ${trace.events.toLocaleString('en')} events in ${s.toFixed(0)} s (${Math.round(trace.events / s).toLocaleString('en')} events/s) into ${DIR}`,
    );
  } else lines.push(`trace reused from ${DIR}`);
  const reader = await StoreReader.open(DIR);
  try {
    const result = await compute(reader);
    // Some steps run beside others (compute.ts), so Analysis I is timed on its own run.
    const firstTables = ANALYSIS_STEPS.flatMap((s) => s.tables.map((t) => t.name)).filter(
      (name) => !ANALYSIS_II.has(name),
    );
    const first = await compute(reader, { only: firstTables });
    const firstMs = first.totalMs;
    lines.push(
      `compute over ${result.events.toLocaleString('en')} events: ${(result.totalMs / 1000).toFixed(1)} s, Analysis I + II (goal ≤ 60 s) ${result.totalMs <= 60_000 ? 'PASS' : 'MISS'}`,
      `  Analysis I alone: ${(firstMs / 1000).toFixed(1)} s (goal ≤ 30 s) ${firstMs <= 30_000 ? 'PASS' : 'MISS'}`,
      '  steps of the whole run (keyspace, daily summaries and hash profiles run beside the operator profiles, so their times overlap it):',
    );
    for (const step of result.steps)
      lines.push(
        `  ${step.name.padEnd(64)} ${(step.ms / 1000).toFixed(1).padStart(6)} s  ${step.result.summary}`,
      );
    const [top] = (
      await reader.query(
        'SELECT infohash FROM hash_behavior_profiles ORDER BY signal_score DESC, total_events DESC LIMIT 1',
      )
    ).rows;
    const [asn] = (await reader.query('SELECT asn FROM operators ORDER BY queries DESC LIMIT 1'))
      .rows;
    let slowest = 0;
    for (const spec of REPORTS) {
      const argument =
        spec.key === 'hash'
          ? String(top?.infohash ?? '')
          : spec.key === 'operator'
            ? String(asn?.asn ?? '')
            : undefined;
      const t0 = performance.now();
      await runReport(reader, spec, {}, 25, argument);
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      lines.push(`  report ${spec.key.padEnd(18)} ${ms.toFixed(0).padStart(6)} ms`);
    }
    lines.push(
      `slowest report ${slowest.toFixed(0)} ms (goal ≤ 2000 ms) ${slowest <= 2000 ? 'PASS' : 'MISS'}`,
    );
  } finally {
    reader.close();
  }
  return { name: 'compute and reports over the bench-10m trace', lines };
}
