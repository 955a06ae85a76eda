import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { compute } from '../../analysis/compute.ts';
import { groundTruthPath } from '../../lab/ground-truth.ts';
import { renderLabSummary } from '../../report/lab-summary.ts';
import { openDataDir } from '../../store/layout.ts';
import { StoreReader } from '../../store/reader.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';
import { loadWorldFlag, runLiveWithProgress } from './lab.ts';
import { evaluateWithProgress } from './lab-eval.ts';

interface DemoFlags {
  dataDir: string;
  scenario: string;
}

export const DEMO_DATA_DIR = 'dhtscope-demo';

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'the lab in one command: a simulated DHT on loopback, a real sensor, the detectors, their findings (~2 min)',
    )
    .option(
      '--data-dir <path>',
      'where the demo keeps its store (replaced if it holds an earlier demo)',
      DEMO_DATA_DIR,
    )
    .option('--scenario <name|file>', 'the lab scenario to run', 'demo')
    .addHelpText(
      'after',
      '\nNo network beyond 127.0.0.0/8. The protocol tour that used to be the demo is `dhtscope tour`.',
    )
    .action(async (flags: DemoFlags) => {
      // The scenario first: a typo in it must not cost the directory its contents.
      const { world, path } = loadWorldFlag(flags.scenario);
      const { scenario } = world;
      prepareDemoDir(flags.dataDir);
      io.err(
        `dhtscope demo: scenario "${scenario.name}" — ${world.dhtNodes.length} DHT nodes, ${world.actors.length} actors, a real antenna; ${path}`,
      );
      const live = await runLiveWithProgress(world, flags.dataDir, io);
      await computeWithProgress(flags.dataDir, io);
      const evaluation = await evaluateWithProgress(flags.dataDir, io);
      io.out(renderLabSummary({ scenario, live, evaluation, dataDir: flags.dataDir }));
    });
}

/** Every detector, so the reports the demo points to have their tables. */
async function computeWithProgress(dataDir: string, io: CliIo): Promise<void> {
  const reader = await storeErrors(() => StoreReader.open(dataDir));
  const progress = createProgress(io, 'compute');
  try {
    await storeErrors(() =>
      compute(reader, {
        onStep: (step, i, n) => progress.note(`· compute ${i + 1}/${n}: ${step.name}`),
        onProgress: (step, done, total) => progress.update(done, total, step.name),
      }),
    );
  } finally {
    progress.stop();
    reader.close();
  }
}

/** Where the demo marks a data directory as its own, so that the next demo may replace it. */
const DEMO_MARK = join('lab', 'demo.txt');

/** Whether an earlier demo made this directory (and so the next one may empty it). */
export function isDemoDir(dataDir: string): boolean {
  return existsSync(join(dataDir, DEMO_MARK));
}

/**
 * The demo's directory is its own: missing, empty, or marked by an earlier
 * demo (which is emptied). Anything else is refused, a lab run of the demo
 * scenario included: it is the user's data, whatever made it.
 */
export function prepareDemoDir(dataDir: string): void {
  if (existsSync(dataDir)) {
    refuseUnlessDemoDir(dataDir);
    for (const name of readdirSync(dataDir))
      rmSync(join(dataDir, name), { recursive: true, force: true });
  }
  // Marked before the run starts: a demo stopped halfway is still the next demo's to replace.
  openDataDir(dataDir, { create: true });
  mkdirSync(dirname(join(dataDir, DEMO_MARK)), { recursive: true });
  writeFileSync(
    join(dataDir, DEMO_MARK),
    'Made by `dhtscope demo`: the next demo into this data directory replaces all of it.\n',
  );
}

function refuseUnlessDemoDir(dataDir: string): void {
  const hint = `give the demo a new or empty --data-dir, or delete ${dataDir} first if it holds nothing you need`;
  if (!statSync(dataDir).isDirectory()) throw usageError(`${dataDir} is a file`, hint);
  if (readdirSync(dataDir).length === 0 || isDemoDir(dataDir)) return;
  // A demo of an older dhtscope left no mark; it cannot be told from a `lab run`, so it stays.
  const what = existsSync(groundTruthPath(dataDir)) ? 'holds a lab run' : 'is not empty';
  throw usageError(`${dataDir} ${what} and was not made by dhtscope demo`, hint);
}
