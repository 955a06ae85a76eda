/**
 * `dhtscope pcap analyze`, `pcap peers` and `pcap conns`: read packet
 * captures, learn which peers each host was told about, run the scan
 * detector in its three modes (plain, predicted failures suppressed,
 * port/peer ratio), list the connections.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { CaptureAnalyzer } from '../../capture/analyzer.ts';
import { BitTorrentExtractor } from '../../capture/bittorrent/index.ts';
import { CONN_STATES, type ConnState } from '../../capture/conn-state.ts';
import type { ConnectionRecord } from '../../capture/connections.ts';
import { atThreshold } from '../../capture/evaluation.ts';
import { openCapture } from '../../capture/input.ts';
import { summarize } from '../../capture/pcap-analysis.ts';
import { type FileResult, readCapture } from '../../capture/read-captures.ts';
import {
  PRESETS,
  SCAN_PRESETS,
  type ScanConfig,
  type ScanPreset,
} from '../../capture/scan-config.ts';
import type { HostLabels } from '../../capture/types.ts';
import { parseIp } from '../../protocol/net/ip.ts';
import { toJson } from '../../report/json.ts';
import { withThousands } from '../../report/numbers.ts';
import {
  CONNECTION_CSV_HEADER,
  CONNECTION_TEXT_HEADER,
  connectionCsv,
  connectionLine,
  renderPcapAnalysis,
  renderPcapAnalysisCsv,
  renderPeers,
} from '../../report/pcap-report.ts';
import { renderRocPng, renderRocSvg } from '../../report/pcap-roc-plot.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { oneOutputFormat, outputFileFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';

interface AnalyzeFlags {
  labels?: string;
  preset: string;
  threshold?: string;
  window?: string;
  json?: boolean;
  csv?: boolean;
  rocOut?: string;
}

interface PeersFlags {
  json?: boolean;
  csv?: boolean;
}

interface ConnsFlags {
  json?: boolean;
  csv?: boolean;
  state?: string;
  proto?: string;
}

/** Lines printed together: one write per batch, and nothing held back long. */
const CONNS_BATCH = 1000;

export function registerPcap(program: Command, io: CliIo): void {
  const pcap = program
    .command('pcap')
    .description('packet captures: tell BitTorrent connection failures apart from port scans');
  pcap
    .command('analyze')
    .description('per-host summary and scan alarms in three modes (plain, suppressed, ppr)')
    .argument('<file...>', 'pcap or pcapng files, gzip-compressed or not, or - for stdin')
    .option(
      '--labels <file>',
      'JSON labels {"bittorrent": [...], "scanner": [...], "other": [...]}: adds confusion tables and an ROC',
    )
    .option(
      '--preset <name>',
      'detector defaults: bro (N = 100 hosts in 15 min) or zeek (25 hosts on one port or 15 ports of one host, in 5 min)',
      'bro',
    )
    .option(
      '--threshold <n>',
      `distinct hosts with failed attempts that raise an alarm (N); the preset's port threshold scales with it (default: the preset's, ${Object.entries(
        PRESETS,
      )
        .map(([name, preset]) => `${preset.hostThreshold} for ${name}`)
        .join(', ')})`,
    )
    .option(
      '--window <duration>',
      "how long a failed attempt counts, e.g. 15m, 300s, 1h, 1d (default: the preset's)",
    )
    .option('--json', 'print the whole analysis as JSON')
    .option('--csv', 'print one CSV row per host')
    .option('--roc-out <file>', 'write the ROC plot (needs --labels) as .svg or .png')
    .addHelpText(
      'after',
      '\nExamples:\n  dhtscope pcap analyze border.pcap.gz\n  dhtscope pcap analyze lab.pcapng --labels lab.labels.json --roc-out roc.svg\n  tcpdump -i eth0 -w - | dhtscope pcap analyze - --preset zeek\n\nExit status is 1 when a capture is truncated or corrupt (what was read before is still reported).',
    )
    .action(async (files: string[], flags: AnalyzeFlags) => {
      oneOutputFormat(flags);
      const config = configFrom(flags);
      const labels = flags.labels === undefined ? undefined : readLabels(flags.labels);
      if (flags.rocOut !== undefined) checkRocOut(flags.rocOut, labels);
      const analyzer = new CaptureAnalyzer({
        createExtractor: (onPrediction) => new BitTorrentExtractor(onPrediction),
      });
      const results = await readAll(files, analyzer, io);
      const analysis = summarize(analyzer, results, config, labels);
      if (flags.json === true) io.out(toJson(analysis));
      else if (flags.csv === true) io.out(renderPcapAnalysisCsv(analysis));
      else io.out(renderPcapAnalysis(analysis));
      if (flags.rocOut !== undefined && analysis.roc !== undefined) {
        const title = `ROC, preset ${config.preset}, window ${Math.round(config.window / 60e6)} min`;
        writeRoc(
          flags.rocOut,
          /\.png$/i.test(flags.rocOut)
            ? renderRocPng(analysis.roc, title)
            : renderRocSvg(analysis.roc, title),
        );
        io.err(`ROC plot written to ${flags.rocOut}`);
      }
      failOnBadFile(results);
    });
  pcap
    .command('peers')
    .description('list the peer predictions extracted from BitTorrent coordination traffic')
    .argument('<file...>', 'pcap or pcapng files, gzip-compressed or not, or - for stdin')
    .option('--json', 'print the predictions as a JSON array')
    .option('--csv', 'print the predictions as CSV with a header line')
    .action(async (files: string[], flags: PeersFlags) => {
      oneOutputFormat(flags);
      const analyzer = new CaptureAnalyzer({
        createExtractor: (onPrediction) => new BitTorrentExtractor(onPrediction),
        keepPredictions: true,
      });
      const results = await readAll(files, analyzer, io);
      analyzer.finish();
      if (flags.json === true) io.out(toJson(analyzer.predictionList));
      else io.out(renderPeers(analyzer.predictionList, flags.csv === true));
      failOnBadFile(results);
    });
  pcap
    .command('conns')
    .description(
      "list every TCP connection and UDP flow as it ends, with its state and history (in the style of Zeek's conn.log)",
    )
    .argument('<file...>', 'pcap or pcapng files, gzip-compressed or not, or - for stdin')
    .option(
      '--state <states>',
      `only connections in these states, comma-separated: ${CONN_STATES.join(', ')} (S0,REJ lists refused and unanswered attempts)`,
    )
    .option('--proto <proto>', 'only tcp or only udp')
    .option('--json', 'print one JSON object per connection and line (JSON Lines)')
    .option('--csv', 'print CSV with a header line')
    .addHelpText(
      'after',
      '\nExamples:\n  dhtscope pcap conns client.pcap\n  dhtscope pcap conns border.pcap.gz --state S0,REJ --csv > failed.csv\n\nConnections are printed as they end (idle ones after a timeout, the rest when the capture ends), so the order is not by start time.',
    )
    .action(async (files: string[], flags: ConnsFlags) => {
      oneOutputFormat(flags);
      const keep = connectionFilter(flags);
      const asText = flags.json !== true && flags.csv !== true;
      const format =
        flags.json === true
          ? (c: ConnectionRecord) => JSON.stringify(c)
          : flags.csv === true
            ? connectionCsv
            : connectionLine;
      // CSV has its header even with no rows, for the tools that read it; a table only above rows.
      const lines: string[] = flags.csv === true ? [CONNECTION_CSV_HEADER] : [];
      let listed = 0;
      const flush = () => {
        if (lines.length === 0) return;
        io.out(lines.join('\n'));
        lines.length = 0;
      };
      const emit = (c: ConnectionRecord) => {
        if (listed++ === 0 && asText) lines.push(CONNECTION_TEXT_HEADER);
        lines.push(format(c));
        if (lines.length >= CONNS_BATCH) flush();
      };
      // Those still open when the capture ends come all at once, in no useful order:
      // they are gathered and listed by start time.
      let atEnd: ConnectionRecord[] | undefined;
      const analyzer = new CaptureAnalyzer({
        onConnection: (c) => {
          if (!keep(c)) return;
          if (atEnd !== undefined) atEnd.push(c);
          else emit(c);
        },
      });
      // On a terminal the lines themselves show the progress; a bar would cut through them.
      const results = await readAll(
        files,
        analyzer,
        io,
        !(io.mayReplaceProcess === true && process.stdout.isTTY === true),
      );
      atEnd = [];
      analyzer.finish();
      for (const c of atEnd.sort((a, b) => a.start - b.start)) emit(c);
      flush();
      if (listed === 0 && asText) io.out('(no connections)');
      failOnBadFile(results);
    });
}

/**
 * Refuses an --roc-out the plot could not be written to now, before the
 * captures are read, rather than after the whole analysis.
 */
function checkRocOut(path: string, labels: HostLabels | undefined): void {
  if (labels === undefined)
    throw usageError('--roc-out needs --labels', 'an ROC compares alarms with labeled hosts');
  // The file first: told its name lacks .svg, one would not see that it is a directory.
  outputFileFlag('--roc-out', path);
  if (!/\.(svg|png)$/i.test(path))
    throw usageError(
      `--roc-out "${path}" must end in .svg or .png`,
      'the plot is written as SVG or PNG, told by the name: e.g. --roc-out roc.svg',
    );
}

/** Checked beforehand, the write can still fail (permissions, a full disk): say so plainly. */
function writeRoc(path: string, content: string | Uint8Array): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new CliError(`cannot write the ROC plot to ${path}: ${(error as Error).message}`);
  }
}

function connectionFilter(flags: ConnsFlags): (c: ConnectionRecord) => boolean {
  const proto = flags.proto?.toLowerCase();
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp')
    throw usageError(`--proto "${flags.proto}" is not tcp or udp`, 'e.g. --proto tcp');
  let states: Set<ConnState> | undefined;
  if (flags.state !== undefined) {
    const names = flags.state.split(',').map((s) => s.trim().toUpperCase());
    const unknown = names.filter((s) => !CONN_STATES.includes(s as ConnState));
    if (unknown.length > 0 || names.length === 0)
      throw usageError(
        `--state: ${unknown.map((s) => `"${s}"`).join(', ') || 'no state'} is not a connection state`,
        `the states are ${CONN_STATES.join(', ')}, e.g. --state S0,REJ`,
      );
    states = new Set(names as ConnState[]);
  }
  return (c) =>
    (proto === undefined || c.proto === proto) && (states === undefined || states.has(c.state));
}

function configFrom(flags: AnalyzeFlags): ScanConfig {
  if (!SCAN_PRESETS.includes(flags.preset as ScanPreset)) {
    throw usageError(`--preset "${flags.preset}" is not one of ${SCAN_PRESETS.join(', ')}`);
  }
  const base = PRESETS[flags.preset as ScanPreset];
  let config = { ...base };
  if (flags.threshold !== undefined) {
    const n = Number(flags.threshold);
    if (!Number.isInteger(n) || n < 1)
      throw usageError(
        `--threshold "${flags.threshold}" is not a whole number ≥ 1`,
        'e.g. --threshold 100',
      );
    config = atThreshold(config, n);
  }
  if (flags.window !== undefined) config = { ...config, window: parseWindow(flags.window) };
  return config;
}

/** `90`, `90s`, `15m`, `1h`, `1d` (the units of --since elsewhere) → µs. */
export function parseWindow(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 };
  const seconds =
    match === null ? Number.NaN : Number(match[1]) * unit[(match[2] as keyof typeof unit) ?? 's'];
  if (!(seconds > 0))
    throw usageError(`--window "${text}" is not a duration`, 'e.g. --window 15m, 300s or 1h');
  return Math.round(seconds * 1_000_000);
}

const LABEL_KEYS = ['bittorrent', 'scanner', 'other'];
const LABELS_EXAMPLE =
  'the file is JSON: {"bittorrent": ["10.0.0.2"], "scanner": ["10.0.0.9"], "other": []}';

function readLabels(path: string): HostLabels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageError(
      `cannot read labels from ${path}: ${(error as Error).message}`,
      LABELS_EXAMPLE,
    );
  }
  const bad = (problem: string) =>
    usageError(`labels in ${path}: ${problem}`, `${LABELS_EXAMPLE} ("other" may be left out)`);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad('the file must hold one JSON object');
  const obj = parsed as Record<string, unknown>;
  // A misspelt key would leave its hosts unlabelled, and the scores quietly wrong.
  const unknown = Object.keys(obj).filter((k) => !LABEL_KEYS.includes(k));
  if (unknown.length > 0) throw bad(`unknown key "${unknown[0]}" (keys: ${LABEL_KEYS.join(', ')})`);
  const list = (key: string, required: boolean): string[] => {
    const value = obj[key];
    if (value === undefined && !required) return [];
    if (value === undefined) throw bad(`"${key}" is missing`);
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw bad(`"${key}" must be a list of addresses`);
    const notIp = value.find((v) => parseIp(v) === null);
    if (notIp !== undefined) throw bad(`"${notIp}" in "${key}" is not an IPv4 or IPv6 address`);
    return value as string[];
  };
  return {
    bittorrent: list('bittorrent', true),
    scanner: list('scanner', true),
    other: list('other', false),
  };
}

async function readAll(
  files: string[],
  analyzer: CaptureAnalyzer,
  io: CliIo,
  showProgress = true,
): Promise<FileResult[]> {
  if (files.filter((f) => f === '-').length > 1)
    throw usageError('standard input (-) can be read only once');
  const progress = showProgress ? createProgress(io, 'pcap') : undefined;
  const results: FileResult[] = [];
  try {
    for (const name of files) {
      let source: ReturnType<typeof openCapture>;
      try {
        source = openCapture(name, await stdinStream(name, io));
      } catch (error) {
        throw new CliError(`cannot open ${name}: ${(error as Error).message}`, {
          hint: 'give pcap or pcapng files (gzip is fine), or - for standard input',
        });
      }
      let lastUpdate = 0;
      results.push(
        await readCapture(source, analyzer, (s, frames) => {
          const now = Date.now();
          if (progress === undefined || now - lastUpdate < 200) return;
          lastUpdate = now;
          const total = s.size ?? 0;
          progress.update(
            Math.min(s.rawBytesRead(), total),
            total,
            `${name}: ${withThousands(frames)} frames`,
          );
        }),
      );
    }
  } finally {
    progress?.stop();
  }
  return results;
}

/** The real process streams its stdin; an embedding (a test) hands its stdin over as bytes. */
async function stdinStream(name: string, io: CliIo): Promise<Readable | undefined> {
  if (name !== '-' || io.mayReplaceProcess === true) return undefined;
  return Readable.from([await io.readStdin()]);
}

function failOnBadFile(results: readonly FileResult[]): void {
  const bad = results.filter((r) => r.error !== undefined);
  if (bad.length === 0) return;
  const message = bad.map((r) => `${r.name}: ${r.error!.message}`).join('; ');
  // Only a file cut after some frames leaves results to speak of; an empty file, or
  // one that is no capture, has none, and the hint would mislead.
  if (!bad.some((r) => r.frames > 0)) throw new CliError(message, { exitCode: EXIT.failure });
  throw new CliError(message, {
    exitCode: EXIT.failure,
    hint: 'the results above cover everything before that point',
  });
}
