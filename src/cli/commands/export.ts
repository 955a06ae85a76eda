import type { Command } from 'commander';
import { type ExportFormat, exportEvents, StoreReader } from '../../store/index.ts';
import { addDataDirOption } from '../data-dir.ts';
import { usageError } from '../errors.ts';
import { outputFileFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';
import { parseTimeArgument } from '../time.ts';

interface ExportFlags {
  dataDir: string;
  since?: string;
  until?: string;
  format: string;
  out: string;
}

export function registerExport(program: Command, io: CliIo): void {
  const command = program
    .command('export')
    .description('write the events of a time range to one Parquet or CSV file')
    .requiredOption('--out <file>', 'file to write, required (replaced atomically when complete)')
    .option(
      '--since <time>',
      'first time included: UTC ISO time (2026-11-21T14:00) or a duration back (24h, 7d) (default: the beginning)',
    )
    .option(
      '--until <time>',
      'first time excluded, same forms as --since (default: no upper bound)',
    )
    .option('--format <format>', 'parquet or csv', 'parquet');
  addDataDirOption(command).action(async (flags: ExportFlags) => {
    if (flags.format !== 'parquet' && flags.format !== 'csv') {
      throw usageError(
        `--format "${flags.format}" is not supported`,
        'use --format parquet or --format csv',
      );
    }
    const now = Date.now();
    const since =
      flags.since === undefined ? undefined : parseTimeArgument('--since', flags.since, now);
    const until =
      flags.until === undefined ? undefined : parseTimeArgument('--until', flags.until, now);
    if (since !== undefined && until !== undefined && since >= until) {
      throw usageError('--since must be earlier than --until');
    }
    const out = outputFileFlag('--out', flags.out);
    const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
    try {
      const { rows } = await exportEvents(reader, {
        format: flags.format as ExportFormat,
        out,
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      });
      io.out(`wrote ${rows} event${rows === 1 ? '' : 's'} to ${out}`);
    } finally {
      reader.close();
    }
  });
}
