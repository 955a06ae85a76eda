import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { heatmapRows, renderHeatmapImage, renderHeatmapText } from '../../report/heatmap.ts';
import { type ReportSpec, type ReportWindow, reportNamed } from '../../report/reports.ts';
import {
  renderReportCsv,
  renderReportJson,
  renderReportText,
  runReport,
} from '../../report/run-report.ts';
import { StoreReader } from '../../store/reader.ts';
import { addDataDirOption } from '../data-dir.ts';
import { CliError, usageError } from '../errors.ts';
import { flagName, oneOutputFormat, outputFileFlag, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';
import { parseTimeArgument } from '../time.ts';

interface ReportFlags {
  dataDir: string;
  operators?: boolean;
  operator?: string;
  behavior?: boolean;
  operatorProfiles?: boolean;
  prefixWalkers?: boolean;
  prefixEntropy?: boolean;
  sweeps?: boolean;
  rendezvous?: boolean;
  coordination?: boolean;
  prefixes?: boolean;
  clustering?: boolean;
  heatmap?: boolean;
  campaigns?: boolean;
  hash?: string;
  out?: string;
  json?: boolean;
  csv?: boolean;
  since?: string;
  until?: string;
  limit: string;
}

/** Flag → report key; the flags select one report each. */
const SELECTORS: readonly (keyof ReportFlags)[] = [
  'operators',
  'operator',
  'behavior',
  'operatorProfiles',
  'prefixWalkers',
  'prefixEntropy',
  'sweeps',
  'rendezvous',
  'coordination',
  'prefixes',
  'clustering',
  'heatmap',
  'campaigns',
  'hash',
];

export function registerReport(program: Command, io: CliIo): void {
  const command = program
    .command('report')
    .description(
      'what the detectors found, from the tables `compute` wrote; no option: the full summary',
    )
    .option('--operators', 'networks (ASNs): broad sweep or targeted depth, activity, classes')
    .option('--operator <asn>', 'one network in depth: AS15830 or 15830')
    .option('--behavior', 'infohashes with stacked anomalous labels, by signal score')
    .option('--operator-profiles', 'every address with its class, role and evidence')
    .option('--prefix-walkers', 'addresses walking hex prefixes (96a → 96b → 96c)')
    .option('--prefix-entropy', 'entropy of target prefixes per operator and overall')
    .option('--sweeps', 'addresses sweeping the keyspace in order')
    .option('--rendezvous', 'timing patterns: return visits, schedules, cross-hash sequences')
    .option('--coordination', 'the same infohashes looked up from several networks')
    .option('--prefixes', 'prefix families: clusters of related hash prefixes')
    .option('--clustering', 'operators grouped into distributed crawler networks')
    .option('--heatmap', 'the keyspace over 16-bit prefixes: hot and cold zones, scanners')
    .option('--campaigns', 'distributed campaigns and persistent observers')
    .option('--hash <infohash>', 'one infohash: its profile, every label with its why, who asked')
    .option('--out <file>', 'with --heatmap: write the heatmap as an image (.png or .svg)')
    .option('--json', 'print the report as one JSON document')
    .option('--csv', "print the report's main table as CSV")
    .option('--since <time>', 'only rows active since then: UTC ISO time or a duration back (7d)')
    .option('--until <time>', 'only rows active before then, same forms')
    .option('--limit <n>', 'rows per table', '25')
    .addHelpText(
      'after',
      '\nReports read the tables of the last `dhtscope compute` and say how fresh they are.\n\nExamples:\n  dhtscope report\n  dhtscope report --operator AS64522\n  dhtscope report --heatmap --out heatmap.png',
    );
  addDataDirOption(command).action(async (flags: ReportFlags) => {
    const chosen = SELECTORS.filter((key) => flags[key] !== undefined && flags[key] !== false);
    if (chosen.length > 1)
      throw usageError(`choose one report, not ${chosen.map(flagName).join(' and ')}`);
    oneOutputFormat(flags);
    if (flags.out !== undefined && chosen[0] !== 'heatmap')
      throw usageError('--out goes with --heatmap');
    if (flags.out !== undefined) {
      outputFileFlag('--out', flags.out);
      if (!['.png', '.svg'].includes(extname(flags.out).toLowerCase()))
        throw usageError(
          `--out ${flags.out}: the heatmap is written as .png or .svg`,
          'e.g. --out heatmap.png',
        );
    }
    const limit = wholeFlag('--limit', flags.limit, 1, 1_000_000);
    const now = Date.now();
    const window: ReportWindow = {};
    if (flags.since !== undefined)
      window.since = parseTimeArgument('--since', flags.since, now).toISOString();
    if (flags.until !== undefined)
      window.until = parseTimeArgument('--until', flags.until, now).toISOString();
    if (window.since !== undefined && window.until !== undefined && window.since >= window.until)
      throw usageError('--since must be earlier than --until');
    const key = chosen[0] ?? 'summary';
    const argument =
      key === 'operator'
        ? asnArgument(flags.operator!)
        : key === 'hash'
          ? hashArgument(flags.hash!)
          : undefined;
    const spec: ReportSpec | undefined = reportNamed(key);
    if (spec === undefined)
      throw new CliError(`the ${flagName(key)} report is not available in this version`);
    const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
    try {
      const result = await storeErrors(() => runReport(reader, spec, window, limit, argument));
      const computed = result.freshness.every((f) => f.computed);
      if (
        key === 'heatmap' &&
        computed &&
        (flags.out !== undefined || (flags.json !== true && flags.csv !== true))
      ) {
        const rows = await storeErrors(() => heatmapRows(reader));
        if (flags.out !== undefined) {
          const format = extname(flags.out).toLowerCase() === '.svg' ? 'svg' : 'png';
          writeFileSync(flags.out, renderHeatmapImage(rows, format));
          io.err(`wrote ${flags.out} (${format.toUpperCase()}, ${rows.length} cells with events)`);
        }
        if (flags.json !== true && flags.csv !== true) {
          io.out(
            renderHeatmapText(rows, {
              color: pc.isColorSupported,
              width: process.stdout.columns ?? 80,
            }),
          );
        }
      }
      if (flags.json === true) io.out(renderReportJson(result));
      else if (flags.csv === true) io.out(renderReportCsv(result));
      else io.out(renderReportText(result, now));
    } finally {
      reader.close();
    }
  });
}

function asnArgument(text: string): string {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  if (match === null)
    throw usageError(`--operator "${text}" is not an ASN`, 'write AS15830 or 15830');
  return match[1]!;
}

function hashArgument(text: string): string {
  const hex = text.trim().toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(hex))
    throw usageError(`--hash "${text}" is not an infohash`, 'give 40 hex digits');
  return hex;
}
