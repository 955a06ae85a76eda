/**
 * `dhtscope pcap analyze`, `pcap peers` and `pcap conns` for people (tables) and for tools
 * (CSV). Pure functions from the analysis to text.
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { ConnectionRecord } from '../capture/connections.ts';
import type { HostSummary, PcapAnalysis } from '../capture/pcap-analysis.ts';
import { SCAN_MODES, type ScanMode } from '../capture/scan-config.ts';
import type { PeerPrediction } from '../capture/types.ts';
import { formatEndpoint } from '../dht/address.ts';
import { renderLongTable } from './long-table.ts';
import { withThousands } from './numbers.ts';
import { csvCell, TABLE_STYLE } from './query-result.ts';

/** Hosts and alarms listed in the terminal; --json and --csv carry all. */
const SHOWN = 40;

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * A capture time (µs) as ISO 8601. Date ends in the year 275760, and a
 * corrupt pcapng block can carry a timestamp far past it: such a time is
 * printed as seconds since 1970 instead of failing the whole report.
 */
function iso(ts: number): string {
  if (!(ts > 0)) return '(no time)';
  const date = new Date(Math.floor(ts / 1000));
  return Number.isNaN(date.getTime()) ? `${(ts / 1e6).toExponential(6)} s` : date.toISOString();
}

/**
 * The hosts each part of the report lists, in the summary's order, gathered in
 * one pass: a capture of a busy link has tens of thousands of hosts, and five
 * filters over them cost more than the tables (the pass runs once per command,
 * before V8 has compiled anything of it).
 */
function listed(all: readonly HostSummary[]) {
  const hosts: HostSummary[] = [];
  const alarmed: Record<ScanMode, HostSummary[]> = { plain: [], suppressed: [], ppr: [] };
  const spared: HostSummary[] = [];
  for (const h of all) {
    if (h.failed > 0 || h.label !== undefined || h.btUdpKinds.length > 0) hosts.push(h);
    const { plain, suppressed, ppr } = h.verdicts;
    if (plain.alarm) alarmed.plain.push(h);
    if (suppressed.alarm) alarmed.suppressed.push(h);
    if (ppr.alarm) alarmed.ppr.push(h);
    if (plain.alarm && (!suppressed.alarm || !ppr.alarm)) spared.push(h);
  }
  return { hosts, alarmed, spared };
}

export function renderPcapAnalysis(a: PcapAnalysis): string {
  const lines: string[] = [];
  for (const f of a.files) {
    lines.push(
      `${f.name}: ${f.format ?? 'unknown format'}${f.compressed ? ' (gzip)' : ''}, ${withThousands(f.frames)} frames, ${mb(f.bytes)}`,
    );
    if (f.error !== undefined) lines.push(pc.yellow(`  stopped early: ${f.error.message}`));
  }
  const p = a.packets;
  lines.push(
    `packets: ${withThousands(p.tcp)} TCP, ${withThousands(p.udp)} UDP; skipped ${withThousands(p.notIp)} non-IP, ${withThousands(p.otherTransport)} other transport, ${withThousands(p.laterFragments)} later fragments, ${withThousands(p.malformed)} malformed, ${withThousands(p.unknownLink)} unknown link type`,
  );
  const states = Object.entries(a.connections)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${withThousands(n)}`)
    .join(', ');
  lines.push(`connections: ${states || 'none'}`);
  lines.push(
    `predictions: ${withThousands(a.predictions)} (peer addresses learned from BitTorrent coordination traffic)`,
  );
  const c = a.config;
  lines.push(
    `detector: preset ${c.preset}, N = ${c.hostThreshold} distinct hosts${c.hostsPerPort ? ' on one port' : ''} or ${c.portThreshold} ports of one host, window ${Math.round(c.window / 60e6)} min, PPR band ${c.pprLow}–${c.pprHigh}`,
  );
  lines.push('', pc.bold('Hosts with failed connection attempts'));
  const { hosts, alarmed, spared } = listed(a.hosts);
  const table = new Table({
    head: [
      'host',
      'label',
      'conns',
      'failed',
      'fail hosts',
      'hosts/port',
      'ports/host',
      'predicted',
      'PPR',
      'BT UDP',
      'plain',
      'suppressed',
      'ppr',
    ],
    style: TABLE_STYLE,
  });
  for (const h of hosts.slice(0, SHOWN)) {
    const verdict = (m: ScanMode) => {
      const v = h.verdicts[m];
      return v.alarm ? pc.red(v.window?.kind ?? 'alarm') : '-';
    };
    table.push([
      h.host,
      h.label ?? '',
      h.connections,
      h.failed,
      h.distinctFailedHosts,
      h.maxHostsOnOnePort,
      h.maxPortsOnOneHost,
      h.failed === 0 ? '' : pct(h.predictedFraction),
      h.failed === 0 ? '' : h.ppr.toFixed(2),
      h.btUdpKinds.join(' '),
      verdict('plain'),
      verdict('suppressed'),
      verdict('ppr'),
    ]);
  }
  lines.push(hosts.length === 0 ? '(none)' : table.toString());
  if (hosts.length > SHOWN)
    lines.push(`… ${hosts.length - SHOWN} more hosts (--json or --csv for all)`);
  lines.push(
    '',
    pc.bold(
      `Alarms: plain ${a.alarms.plain}, suppressed ${a.alarms.suppressed}, ppr ${a.alarms.ppr}`,
    ),
  );
  for (const mode of SCAN_MODES) {
    const inMode = alarmed[mode];
    if (inMode.length === 0) continue;
    lines.push(`${mode}:`);
    for (const h of inMode.slice(0, SHOWN)) {
      lines.push(
        `  ${h.host} at ${iso(h.verdicts[mode].window?.ts ?? 0)}: ${h.verdicts[mode].explanation}`,
      );
    }
    if (inMode.length > SHOWN) lines.push(`  … ${inMode.length - SHOWN} more`);
  }
  if (spared.length > 0) {
    lines.push('', pc.bold('Suppressed alarms'));
    for (const h of spared.slice(0, SHOWN)) {
      const mode: ScanMode = h.verdicts.suppressed.alarm ? 'ppr' : 'suppressed';
      lines.push(`  ${h.host} (${mode}): ${h.verdicts[mode].explanation}`);
    }
    if (spared.length > SHOWN) lines.push(`  … ${spared.length - SHOWN} more`);
  }
  if (a.confusion !== undefined) {
    lines.push(
      '',
      pc.bold('Against the labels (positives: scanners; negatives: BitTorrent and other hosts)'),
    );
    const t = new Table({
      head: ['mode', 'TP', 'FP', 'TN', 'FN', 'TPR', 'FPR', 'BitTorrent FP', 'scanners lost'],
      style: TABLE_STYLE,
    });
    for (const mode of SCAN_MODES) {
      const m = a.confusion[mode];
      t.push([
        mode,
        m.tp,
        m.fp,
        m.tn,
        m.fn,
        pct(m.tpr),
        pct(m.fpr),
        `${m.bittorrentAlarmed}/${m.bittorrentHosts} (${pct(m.bittorrentFpRate)})`,
        m.scannersLost.length === 0 ? '0' : m.scannersLost.join(' '),
      ]);
    }
    lines.push(t.toString());
  }
  if (a.roc !== undefined) {
    lines.push('', pc.bold('ROC over thresholds N (TPR / FPR)'));
    const t = new Table({ head: ['N', ...SCAN_MODES], style: TABLE_STYLE });
    const thresholds = [...new Set(a.roc.map((r) => r.threshold))];
    for (const n of thresholds) {
      t.push([
        n,
        ...SCAN_MODES.map((mode) => {
          const r = a.roc!.find((q) => q.threshold === n && q.mode === mode)!;
          return `${r.tpr.toFixed(2)} / ${r.fpr.toFixed(2)}`;
        }),
      ]);
    }
    lines.push(t.toString());
  }
  return lines.join('\n');
}

export function renderPcapAnalysisCsv(a: PcapAnalysis): string {
  const head = [
    'host',
    'label',
    'connections',
    'failed',
    'distinct_failed_hosts',
    'distinct_failed_ports',
    'max_hosts_on_one_port',
    'max_ports_on_one_host',
    'ppr',
    'predicted',
    'predicted_fraction',
    'learned_peers',
    'udp_datagrams',
    'bt_udp_kinds',
    ...SCAN_MODES.flatMap((m) => [`${m}_alarm`, `${m}_explanation`]),
  ];
  const rows = a.hosts.map((h) =>
    [
      h.host,
      h.label ?? '',
      h.connections,
      h.failed,
      h.distinctFailedHosts,
      h.distinctFailedPorts,
      h.maxHostsOnOnePort,
      h.maxPortsOnOneHost,
      h.ppr.toFixed(4),
      h.predicted,
      h.predictedFraction.toFixed(4),
      h.learnedPeers,
      h.udpDatagrams,
      h.btUdpKinds.join(' '),
      ...SCAN_MODES.flatMap((m) => [h.verdicts[m].alarm ? 1 : 0, h.verdicts[m].explanation]),
    ]
      .map((cell) => csvCell(String(cell)))
      .join(','),
  );
  return [head.join(','), ...rows].join('\n');
}

type ListedPrediction = PeerPrediction & { contact?: string };

export function renderPeers(predictions: readonly ListedPrediction[], csv: boolean): string {
  if (csv) {
    return [
      'ts,host,peer,port,source,contact',
      ...predictions.map((p) =>
        [iso(p.ts), p.host, p.peer, p.port, p.source, p.contact ?? '']
          .map((cell) => csvCell(String(cell)))
          .join(','),
      ),
    ].join('\n');
  }
  if (predictions.length === 0) return '(no peer predictions)';
  // A capture teaches thousands of peers: one cli-table3 table of them took minutes.
  return renderLongTable(
    { head: ['time', 'host', 'peer', 'port', 'source', 'contact'], style: TABLE_STYLE },
    predictions.map((p) => [iso(p.ts), p.host, p.peer, String(p.port), p.source, p.contact ?? '']),
  );
}

/** `dhtscope pcap conns` columns: width, and whether the text goes right. */
const CONNECTION_COLUMNS: readonly (readonly [number, boolean])[] = [
  [24, false], // start
  [5, false], // proto
  [21, false], // originator
  [23, false], // → responder
  [6, false], // state
  [12, false], // history
  [10, true], // duration
  [13, true], // packets
  [15, true], // bytes
];

function columns(cells: readonly string[]): string {
  return cells
    .map((cell, i) => {
      const [width, right] = CONNECTION_COLUMNS[i]!;
      return right ? cell.padStart(width) : cell.padEnd(width);
    })
    .join(' ')
    .trimEnd();
}

/** `dhtscope pcap conns`: one line per connection, in columns, as it ends. */
export const CONNECTION_TEXT_HEADER = columns([
  'start',
  'proto',
  'originator',
  '  responder',
  'state',
  'history',
  'duration',
  'packets o/r',
  'bytes o/r',
]);

export const CONNECTION_CSV_HEADER =
  'start,proto,orig,orig_port,resp,resp_port,state,history,duration_s,orig_packets,resp_packets,orig_bytes,resp_bytes';

function seconds(c: ConnectionRecord): string {
  return ((c.last - c.start) / 1e6).toFixed(3);
}

export function connectionLine(c: ConnectionRecord): string {
  return columns([
    iso(c.start),
    c.proto,
    formatEndpoint(c.orig, c.origPort),
    `→ ${formatEndpoint(c.resp, c.respPort)}`,
    c.state,
    c.history,
    `${seconds(c)} s`,
    `${c.origPackets}/${c.respPackets}`,
    `${c.origBytes}/${c.respBytes}`,
  ]);
}

export function connectionCsv(c: ConnectionRecord): string {
  return [
    iso(c.start),
    c.proto,
    c.orig,
    c.origPort,
    c.resp,
    c.respPort,
    c.state,
    c.history,
    seconds(c),
    c.origPackets,
    c.respPackets,
    c.origBytes,
    c.respBytes,
  ]
    .map((cell) => csvCell(String(cell)))
    .join(',');
}
