import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ANALYSIS_STEPS, checkDetectorConfig, compute } from '../../analysis/compute.ts';
import type { DetectorOverrides } from '../../analysis/step.ts';
import { StoreReader } from '../../store/reader.ts';
import { addDataDirOption } from '../data-dir.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';

interface ComputeFlags {
  dataDir: string;
  config?: string;
  only?: string;
  json?: boolean;
}

export function registerCompute(program: Command, io: CliIo): void {
  const tableNames = ANALYSIS_STEPS.flatMap((s) => s.tables.map((t) => t.name));
  const command = program
    .command('compute')
    .description('run every detector over the store and write the derived tables that reports read')
    .option(
      '--config <file>',
      'JSON file overriding detector thresholds (keys in docs/analysis.md)',
    )
    .option('--only <tables>', `comma-separated tables to compute (of ${tableNames.join(', ')})`)
    .option('--json', 'print what was computed as JSON')
    .addHelpText(
      'after',
      '\nSafe while a sensor writes: it reads the events as they are when it starts.\n\nExample:\n  dhtscope compute --data-dir dhtscope-demo && dhtscope report --data-dir dhtscope-demo',
    );
  addDataDirOption(command).action(async (flags: ComputeFlags) => {
    const config = flags.config === undefined ? {} : readDetectorConfig(flags.config);
    const only = flags.only?.split(',').map((t) => t.trim());
    for (const name of only ?? []) {
      if (!tableNames.includes(name))
        throw usageError(`--only: no table "${name}"`, `tables: ${tableNames.join(', ')}`);
    }
    const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
    const progress = createProgress(io, 'compute');
    try {
      const result = await storeErrors(() =>
        compute(reader, {
          config,
          ...(only === undefined ? {} : { only }),
          onStep: (step, i, n) => progress.note(`· ${i + 1}/${n} ${step.name}`),
          onProgress: (step, done, total) => progress.update(done, total, step.name),
        }),
      );
      progress.stop();
      if (flags.json === true) {
        io.out(JSON.stringify(result, null, 2));
        return;
      }
      io.out(`computed over ${result.events} events in ${(result.totalMs / 1000).toFixed(1)} s`);
      for (const step of result.steps)
        io.out(
          `  ${step.name.padEnd(24)} ${(step.ms / 1000).toFixed(1).padStart(6)} s  ${step.result.summary}`,
        );
      io.out(`next: dhtscope report --data-dir ${flags.dataDir}`);
    } finally {
      progress.stop();
      reader.close();
    }
  });
}

function readDetectorConfig(path: string): DetectorOverrides {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageError(
      `cannot read --config ${path}: ${(error as Error).message}`,
      'give a JSON file; docs/analysis.md shows one',
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw usageError(`--config ${path}: expected a JSON object`);
  try {
    checkDetectorConfig(raw as DetectorOverrides);
  } catch (error) {
    throw usageError(
      `--config ${path}: ${(error as Error).message}`,
      'docs/analysis.md lists every detector and its settings',
    );
  }
  return raw as DetectorOverrides;
}
