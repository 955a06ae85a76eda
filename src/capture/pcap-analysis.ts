/**
 * The result of `dhtscope pcap analyze`, as plain data: per-host summary, the
 * verdict of each detector mode with its explanation, and (given labels) the
 * confusion tables and the ROC.
 */
import type { CaptureAnalyzer } from './analyzer.ts';
import { UDP_KINDS } from './analyzer.ts';
import type { FailedAttempts } from './attempts.ts';
import type { ConnState } from './conn-state.ts';
import type { DecodeCounters } from './decode.ts';
import { DistinctTally } from './distinct-tally.ts';
import { type Confusion, confusion, type RocPoint, rocCurve } from './evaluation.ts';
import { sortHosts } from './host-order.ts';
import { SOURCES, type SuppressionSource } from './predictions.ts';
import type { FileResult } from './read-captures.ts';
import { ROC_THRESHOLDS, SCAN_MODES, type ScanConfig, type ScanMode } from './scan-config.ts';
import { detectScans, type ScanOutcome, type WindowCounts } from './scan-detector.ts';
import type { HostLabels } from './types.ts';

export type HostLabel = 'bittorrent' | 'scanner' | 'other';

export interface ModeVerdict {
  alarm: boolean;
  /** One sentence: why this host was, or was not, alarmed in this mode. */
  explanation: string;
  /** The window when the alarm was raised or suppressed by the PPR test. */
  window: (Omit<WindowCounts, 'on'> & { port?: number; victim?: string }) | undefined;
}

export interface HostSummary {
  host: string;
  label: HostLabel | undefined;
  connections: number;
  failed: number;
  distinctFailedHosts: number;
  distinctFailedPorts: number;
  /** Most distinct hosts failed on one port (horizontal scanning), over the whole capture. */
  maxHostsOnOnePort: number;
  /** Most distinct ports failed on one host (vertical scanning), over the whole capture. */
  maxPortsOnOneHost: number;
  /** Distinct ports over distinct hosts of all its failed attempts. */
  ppr: number;
  /** Failed attempts a prediction covered. */
  predicted: number;
  predictedFraction: number;
  /** Predicted failed attempts by prediction source. */
  sources: Partial<Record<SuppressionSource, number>>;
  learnedPeers: number;
  udpDatagrams: number;
  btUdpKinds: readonly string[];
  verdicts: Record<ScanMode, ModeVerdict>;
}

export interface PcapAnalysis {
  files: {
    name: string;
    format: string | undefined;
    compressed: boolean;
    bytes: number;
    frames: number;
    error?: { message: string; offset: number; record: number };
  }[];
  config: ScanConfig;
  packets: Omit<DecodeCounters, never>;
  connections: Record<ConnState, number>;
  predictions: number;
  hosts: HostSummary[];
  alarms: Record<ScanMode, number>;
  confusion?: Record<ScanMode, Confusion>;
  roc?: RocPoint[];
}

const MINUTE = 60_000_000;

interface SourceSpread {
  hosts: number;
  ports: number;
  sources: number[];
  hostsOnPort: number;
  portsOnHost: number;
}

/** The spread of the source whose attempts start at `order[from]`; returns where the next source starts. */
function spreadOfSource(
  attempts: FailedAttempts,
  order: Uint32Array,
  from: number,
  tally: DistinctTally,
  spread: (SourceSpread | undefined)[],
): number {
  const s = attempts.src[order[from]!]!;
  tally.clear();
  let hostsOnPort = 0;
  let portsOnHost = 0;
  const sources = new Array<number>(SOURCES.length).fill(0);
  let k = from;
  for (; k < order.length && attempts.src[order[k]!] === s; k++) {
    const i = order[k]!;
    const dst = attempts.dst[i]!;
    const port = attempts.port[i]!;
    tally.change(dst, port, 1);
    hostsOnPort = Math.max(hostsOnPort, tally.hostsOnPort(port));
    portsOnHost = Math.max(portsOnHost, tally.portsOnHost(dst));
    const mask = attempts.predicted[i]!;
    if (mask === 0) continue;
    for (let b = 0; b < SOURCES.length; b++) if (mask & (1 << b)) sources[b]!++;
  }
  spread[s] = { hosts: tally.hosts, ports: tally.ports, sources, hostsOnPort, portsOnHost };
  return k;
}

export function summarize(
  analyzer: CaptureAnalyzer,
  files: readonly FileResult[],
  config: ScanConfig,
  labels?: HostLabels,
  rocThresholds: readonly number[] = ROC_THRESHOLDS,
): PcapAnalysis {
  analyzer.finish();
  const text = (id: number) => analyzer.addresses.text(id);
  const attempts = analyzer.attempts;
  const order = attempts.orderBySourceAndTime();
  // Outcomes and spreads by address id (ids are dense): a lookup per host, no Map to build.
  const ids = analyzer.addresses.size;
  // One tally for every pass below and the ROC: each clears it source by source.
  const tally = new DistinctTally(ids);
  const outcomes = new Map<ScanMode, (ScanOutcome | undefined)[]>();
  for (const mode of SCAN_MODES) {
    const bySource = new Array<ScanOutcome | undefined>(ids);
    for (const o of detectScans(attempts, order, config, mode, tally)) bySource[o.src] = o;
    outcomes.set(mode, bySource);
  }
  // Per-source distinct failed hosts/ports and prediction sources over the whole capture,
  // one source group at a time (the order is by source), in one tally. One call per
  // source, as in the detector: an inner loop here fell back to the interpreter at
  // every source's end.
  const spread = new Array<SourceSpread | undefined>(ids);
  for (let k = 0; k < order.length; ) k = spreadOfSource(attempts, order, k, tally, spread);
  const labelOf = new Map<string, HostLabel>();
  for (const h of labels?.other ?? []) labelOf.set(h, 'other');
  for (const h of labels?.bittorrent ?? []) labelOf.set(h, 'bittorrent');
  for (const h of labels?.scanner ?? []) labelOf.set(h, 'scanner');
  const hosts: HostSummary[] = [];
  const plainOutcomes = outcomes.get('plain')!;
  const suppressedOutcomes = outcomes.get('suppressed')!;
  const pprOutcomes = outcomes.get('ppr')!;
  const alarms: Record<ScanMode, number> = { plain: 0, suppressed: 0, ppr: 0 };
  const counts = analyzer.tally;
  for (const id of counts.ids()) {
    const s = spread[id];
    const address = text(id);
    const failed = counts.failed[id]!;
    const predicted = counts.predictedFailed[id]!;
    const summary: HostSummary = {
      host: address,
      label: labels === undefined ? undefined : labelOf.get(address),
      connections: counts.connections[id]!,
      failed,
      distinctFailedHosts: s?.hosts ?? 0,
      distinctFailedPorts: s?.ports ?? 0,
      maxHostsOnOnePort: s?.hostsOnPort ?? 0,
      maxPortsOnOneHost: s?.portsOnHost ?? 0,
      ppr: s === undefined ? 0 : s.ports / s.hosts,
      predicted,
      predictedFraction: failed === 0 ? 0 : predicted / failed,
      sources: s === undefined ? NO_SOURCES : sourceCounts(s.sources),
      learnedPeers: analyzer.predictions.learnedBy(id),
      udpDatagrams: counts.udpDatagrams[id]!,
      btUdpKinds: udpKindNames(counts.btUdpKinds[id]!),
      verdicts: NO_FAILURES_IN_ANY_MODE,
    };
    // Most hosts never failed a connection: no mode has an outcome for them.
    if (s !== undefined) {
      // The same note on predictions serves every mode's explanation.
      const note = predictedNote(summary);
      const plain = explain('plain', plainOutcomes[id], note, config, text);
      const suppressed = explain('suppressed', suppressedOutcomes[id], note, config, text);
      const ppr = explain('ppr', pprOutcomes[id], note, config, text);
      summary.verdicts = { plain, suppressed, ppr };
      if (plain.alarm) alarms.plain++;
      if (suppressed.alarm) alarms.suppressed++;
      if (ppr.alarm) alarms.ppr++;
    }
    hosts.push(summary);
  }
  // Most distinct failed hosts first, then most failed attempts, then by address text.
  sortHosts(hosts);
  const result: PcapAnalysis = {
    files: files.map((f) => ({
      name: f.name,
      format: f.format,
      compressed: f.compressed,
      bytes: f.bytes,
      frames: f.frames,
      ...(f.error === undefined
        ? {}
        : { error: { message: f.error.message, offset: f.error.offset, record: f.error.record } }),
    })),
    config,
    packets: { ...analyzer.decoder.counters },
    connections: Object.fromEntries(analyzer.states) as Record<ConnState, number>,
    predictions: analyzer.predictions.recorded,
    hosts,
    alarms,
  };
  if (labels !== undefined) {
    const alarmedIn = (mode: ScanMode) =>
      new Set(hosts.filter((h) => h.verdicts[mode].alarm).map((h) => h.host));
    const plain = alarmedIn('plain');
    result.confusion = {
      plain: confusion(plain, labels),
      suppressed: confusion(alarmedIn('suppressed'), labels, plain),
      ppr: confusion(alarmedIn('ppr'), labels, plain),
    };
    result.roc = rocCurve(attempts, order, config, labels, rocThresholds, text, tally);
  }
  return result;
}

function sourceCounts(counts: readonly number[]): Partial<Record<SuppressionSource, number>> {
  const sources: Partial<Record<SuppressionSource, number>> = {};
  for (let bit = 0; bit < counts.length; bit++) {
    if (counts[bit]! > 0) sources[SOURCES[bit]!] = counts[bit]!;
  }
  return sources;
}

/** The names of each combination of UDP kind bits, made once and shared (frozen) by the hosts that have it. */
const UDP_KIND_NAMES: readonly (readonly string[])[] = Array.from(
  { length: 1 << UDP_KINDS.length },
  (_, bits) => Object.freeze(UDP_KINDS.filter((_, i) => (bits & (1 << i)) !== 0)),
);

function udpKindNames(bits: number): readonly string[] {
  return UDP_KIND_NAMES[bits]!;
}

/** Shared by the hosts without a failed attempt (frozen: nobody edits a summary). */
const NO_SOURCES: Partial<Record<SuppressionSource, number>> = Object.freeze({});

function describeSources(sources: Partial<Record<SuppressionSource, number>>): string {
  const parts = Object.entries(sources)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`);
  return parts.length === 0 ? 'no source' : parts.join(', ');
}

/** `1 port`, `2 ports`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/** Most hosts in a capture never fail a connection: one shared verdict for them. */
const NO_FAILURES: ModeVerdict = Object.freeze({
  alarm: false,
  explanation: 'no failed attempts',
  window: undefined,
});

/** Shared by every host without failed attempts (frozen: nobody edits a verdict). */
const NO_FAILURES_IN_ANY_MODE: Record<ScanMode, ModeVerdict> = Object.freeze({
  plain: NO_FAILURES,
  suppressed: NO_FAILURES,
  ppr: NO_FAILURES,
});

/** How many of a host's failed attempts went to learned peers, and what taught it them. */
function predictedNote(host: HostSummary): string {
  return `${host.predicted} of ${count(host.failed, 'failed attempt')} (${percent(host.predictedFraction)}) went to learned peers (${describeSources(host.sources)})`;
}

function explain(
  mode: ScanMode,
  outcome: ScanOutcome | undefined,
  predictedNote: string,
  config: ScanConfig,
  text: (id: number) => string,
): ModeVerdict {
  if (outcome === undefined) return NO_FAILURES;
  const minutes = `${Math.round(config.window / MINUTE)} min`;
  const toWindow = (w: WindowCounts): ModeVerdict['window'] => {
    const { on, ...rest } = w;
    return w.trigger === 'ports-on-host'
      ? { ...rest, victim: text(on) }
      : w.trigger === 'hosts-on-port'
        ? { ...rest, port: on }
        : rest;
  };
  const alarm = outcome.alarm;
  if (alarm !== undefined) {
    const what =
      alarm.trigger === 'ports-on-host'
        ? `${config.portThreshold} distinct ports of ${text(alarm.on)}`
        : alarm.trigger === 'hosts-on-port'
          ? `${config.hostThreshold} distinct hosts on port ${alarm.on}`
          : `${config.hostThreshold} distinct hosts`;
    return {
      alarm: true,
      explanation: `${alarm.kind} scan: failed attempts to ${what} within ${minutes} (${count(alarm.distinctHosts, 'host')}, ${count(alarm.distinctPorts, 'port')}, PPR ${alarm.ppr.toFixed(2)} in the window${mode === 'plain' ? '' : `, ${count(outcome.excluded, 'predicted attempt')} not counted`}); ${predictedNote}`,
      window: toWindow(alarm),
    };
  }
  if (outcome.firstPprSuppression !== undefined) {
    const w = outcome.firstPprSuppression;
    return {
      alarm: false,
      explanation: `suppressed by the port/peer ratio: the threshold was reached ${count(outcome.pprSuppressions, 'time')}, first with ${count(w.distinctHosts, 'host')} on ${count(w.distinctPorts, 'port')} (PPR ${w.ppr.toFixed(2)}, within ${config.pprLow}–${config.pprHigh}: one port per peer, as BitTorrent does); ${predictedNote}`,
      window: toWindow(w),
    };
  }
  if (mode !== 'plain' && outcome.excluded > 0) {
    return {
      alarm: false,
      explanation: `below the threshold once predicted attempts are left out: ${predictedNote}; the rest reach at most ${outcome.peakHosts} distinct hosts${config.hostsPerPort ? ' on one port' : ''} within ${minutes} (threshold ${config.hostThreshold})`,
      window: undefined,
    };
  }
  return {
    alarm: false,
    explanation: `below the threshold: at most ${outcome.peakHosts} distinct hosts${config.hostsPerPort ? ' on one port' : ''} with failed attempts within ${minutes} (threshold ${config.hostThreshold})`,
    window: undefined,
  };
}
