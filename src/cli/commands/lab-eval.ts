import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { type Evaluation, evaluate } from '../../lab/evaluate.ts';
import { renderFindings, renderGroups, renderScores } from '../../report/lab-summary.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';
import { loadWorldFlag, runLiveWithProgress, traceWithProgress } from './lab.ts';

interface EvalFlags {
  scenario?: string;
  mode: 'trace' | 'live';
  dataDir?: string;
  existing?: boolean;
  json?: boolean;
  findings?: boolean;
}

export function registerLabEval(lab: Command, io: CliIo): void {
  lab.addCommand(
    new Command('eval')
      .description('run a scenario, run the detectors, score them against the ground truth')
      .option('--scenario <name|file>', 'a built-in scenario or a .yaml/.json file')
      .addOption(
        new Option('--mode <mode>', 'trace (fast, no network) or live (real sockets on loopback)')
          .choices(['trace', 'live'])
          .default('trace'),
      )
      .option(
        '--data-dir <path>',
        'keep the run in this data directory (default: a temporary one, removed after)',
      )
      .option('--existing', 'score the run already in --data-dir instead of running the scenario')
      .option('--findings', 'also list every address the detectors flagged, with the evidence')
      .option('--json', 'print the evaluation as JSON (format in docs/scenarios.md)')
      .addHelpText(
        'after',
        '\nExamples:\n  dhtscope lab eval --scenario demo\n  dhtscope lab eval --scenario week --json > scores.json\n  dhtscope lab eval --existing --data-dir dhtscope-demo',
      )
      .action(async (flags: EvalFlags) => {
        if (flags.existing === true && flags.dataDir === undefined)
          throw usageError('--existing needs --data-dir');
        if (flags.existing !== true && flags.scenario === undefined)
          throw usageError(
            'give --scenario (or --existing with --data-dir)',
            'dhtscope lab scenarios lists the built-in ones',
          );
        const temporary =
          flags.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'dhtscope-lab-')) : undefined;
        const dataDir = flags.dataDir ?? temporary!;
        try {
          if (flags.existing !== true) {
            const { world } = loadWorldFlag(flags.scenario!);
            if (flags.mode === 'live') await runLiveWithProgress(world, dataDir, io);
            else await traceWithProgress(world, dataDir, io);
          }
          const evaluation = await evaluateWithProgress(dataDir, io);
          if (flags.json === true) io.out(JSON.stringify(evaluation, null, 2));
          else io.out(describe(evaluation, flags.findings === true));
        } finally {
          if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
        }
      }),
  );
}

export async function evaluateWithProgress(dataDir: string, io: CliIo): Promise<Evaluation> {
  const progress = createProgress(io, 'detectors');
  try {
    return await storeErrors(() =>
      evaluate(dataDir, {
        onProgress: (done, total) => progress.update(done, total, `${done}/${total} events`),
      }),
    );
  } finally {
    progress.stop();
  }
}

function describe(evaluation: Evaluation, withFindings: boolean): string {
  const lines = [
    `scenario "${evaluation.scenario}" (${evaluation.mode}): ${evaluation.events} events from ${evaluation.addresses} addresses`,
  ];
  if (withFindings) lines.push(renderFindings(evaluation.findings));
  lines.push('Addresses (one class each)', renderScores(evaluation.scores));
  lines.push('', 'By operator role (the same addresses)', renderScores(evaluation.roles));
  lines.push('', 'Fleets (several addresses run as one operator)', renderGroups(evaluation.groups));
  return lines.join('\n');
}
