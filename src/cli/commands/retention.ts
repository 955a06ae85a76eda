import type { Command } from 'commander';
import { Duck, openDataDir, RETENTION_DEFAULTS, runRetention } from '../../store/index.ts';
import { addDataDirOption } from '../data-dir.ts';
import { wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';

interface RetentionFlags {
  dataDir: string;
  eventsDays: string;
  metricsDays: string;
  json?: boolean;
}

export function registerRetention(program: Command, io: CliIo): void {
  const command = program
    .command('retention')
    .description(
      'fold expiring days into daily_summaries and delete old partitions (a sensor does this every 6 h)',
    )
    .option(
      '--events-days <n>',
      'days of raw events to keep, today included',
      String(RETENTION_DEFAULTS.eventsDays),
    )
    .option(
      '--metrics-days <n>',
      'days of system metrics to keep',
      String(RETENTION_DEFAULTS.metricsDays),
    )
    .option('--json', 'print what was done as JSON');
  addDataDirOption(command).action(async (flags: RetentionFlags) => {
    // A century is more than any store holds, and keeps the cut-off a valid date.
    const eventsDays = wholeFlag('--events-days', flags.eventsDays, 1, 36_500);
    const metricsDays = wholeFlag('--metrics-days', flags.metricsDays, 1, 36_500);
    const layout = await storeErrors(async () => openDataDir(flags.dataDir, { create: false }));
    const duck = await Duck.open();
    try {
      const report = await runRetention(duck, layout, { eventsDays, metricsDays, now: Date.now() });
      if (flags.json === true) {
        io.out(JSON.stringify(report, null, 2));
        return;
      }
      io.out(
        [
          `summarised ${report.summarised.length} day(s) into daily_summaries${list(report.summarised)}`,
          `deleted ${report.deletedEventDays.length} day(s) of events${list(report.deletedEventDays)}`,
          `deleted ${report.deletedMetricDays.length} day(s) of system metrics${list(report.deletedMetricDays)}`,
        ].join('\n'),
      );
    } finally {
      duck.close();
    }
  });
}

function list(days: string[]): string {
  return days.length === 0 ? '' : `: ${days.join(', ')}`;
}
