import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compute } from '../../analysis/compute.ts';
import { resolveScenario } from '../../lab/builtin-scenarios.ts';
import { groundTruthPath } from '../../lab/ground-truth.ts';
import { buildWorld } from '../../lab/world.ts';
import { renderLabSummary } from '../../report/lab-summary.ts';
import { StoreReader } from '../../store/reader.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';
import { loadScenarioFlag, runLiveWithProgress } from './lab.ts';
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
      prepareDemoDir(flags.dataDir);
      const scenario = loadScenarioFlag(flags.scenario);
      const world = buildWorld(scenario);
      io.err(
        `dhtscope demo: scenario "${scenario.name}" — ${world.dhtNodes.length} DHT nodes, ${world.actors.length} actors, a real antenna; ${resolveScenario(flags.scenario).path}`,
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

/** The demo's directory is its own: empty, missing, or an earlier demo (which is replaced). */
function prepareDemoDir(dataDir: string): void {
  if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return;
  if (!existsSync(groundTruthPath(dataDir))) {
    throw usageError(
      `${dataDir} exists and is not an earlier demo`,
      'give the demo a new directory with --data-dir',
    );
  }
  for (const name of readdirSync(dataDir))
    rmSync(join(dataDir, name), { recursive: true, force: true });
}
