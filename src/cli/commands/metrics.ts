import type { Command } from 'commander';
import { resultAsCsv, resultAsJson, resultAsTable } from '../../report/query-result.ts';
import { StoreReader } from '../../store/index.ts';
import { addDataDirOption } from '../data-dir.ts';
import { oneOutputFormat } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';
import { parseTimeArgument } from '../time.ts';

interface MetricsFlags {
  dataDir: string;
  since: string;
  json?: boolean;
  csv?: boolean;
}

export function registerMetrics(program: Command, io: CliIo): void {
  const command = program
    .command('metrics')
    .description("the sensor's health (system_metrics), hour by hour")
    .option('--since <time>', 'window: UTC ISO time or a duration back (1h, 24h, 7d)', '24h')
    .option('--json', 'print the rows as JSON')
    .option('--csv', 'print the rows as CSV');
  addDataDirOption(command).action(async (flags: MetricsFlags) => {
    oneOutputFormat(flags);
    const since = parseTimeArgument('--since', flags.since, Date.now());
    const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
    try {
      const result = await reader.query(`
        SELECT date_trunc('hour', ts) AS hour, count(*) AS samples,
          round(avg(events_per_second), 1) AS events_per_s, round(max(events_per_second), 1) AS peak_events_per_s,
          round(avg(cpu_percent), 1) AS cpu_pct, round(max(memory_mb), 0) AS max_rss_mb,
          round(max(event_loop_delay_ms), 1) AS max_loop_delay_ms, max(queue_depth) AS max_queue,
          sum(drops) AS drops, round(min(disk_free_gb), 1) AS min_disk_free_gb,
          sum(network_bytes_recv) AS bytes_in, sum(network_bytes_sent) AS bytes_out
        FROM system_metrics WHERE ts >= make_timestamp(${since.getTime() * 1000})
        GROUP BY 1 ORDER BY 1`);
      if (flags.json === true) io.out(resultAsJson(result));
      else if (flags.csv === true) io.out(resultAsCsv(result));
      else if (result.rows.length === 0)
        io.out(
          `no metrics since ${since.toISOString()}: is an antenna writing to ${flags.dataDir}?`,
        );
      else io.out(resultAsTable(result, 1000));
    } finally {
      reader.close();
    }
  });
}
