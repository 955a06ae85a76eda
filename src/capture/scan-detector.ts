/**
 * The scan detector: per source, distinct destinations of failed attempts
 * within a sliding window, in three modes.
 *
 * - `plain`: every failed attempt counts.
 * - `suppressed`: attempts to a peer the source had learned (address and port,
 *   within the prediction's validity) do not count.
 * - `ppr`: as `suppressed`, and when the threshold is reached the port/peer
 *   ratio — distinct ports over distinct hosts among the counted attempts in
 *   the window — is checked: inside the band (0.75–1 by default) the source
 *   contacts each host on its own port, as BitTorrent clients do, and the
 *   alarm is suppressed; the detector keeps watching, and alarms if the ratio
 *   later leaves the band at the threshold.
 *
 * One alarm per source and mode: the first crossing.
 */
import type { FailedAttempts } from './attempts.ts';
import { DistinctTally } from './distinct-tally.ts';
import type { ScanConfig, ScanMode } from './scan-config.ts';

/** horizontal: one or few ports, many hosts; vertical: one or two hosts, many ports; block: many of both; peer-like: about one port per host. */
export type ScanKind = 'horizontal' | 'vertical' | 'block' | 'peer-like';
/** hosts: distinct hosts over all ports; hosts-on-port: on one port (zeek); ports-on-host: ports of one victim. */
export type ScanTrigger = 'hosts' | 'hosts-on-port' | 'ports-on-host';

export interface WindowCounts {
  /** When the threshold was reached (µs). */
  ts: number;
  trigger: ScanTrigger;
  distinctHosts: number;
  distinctPorts: number;
  /** distinctPorts / distinctHosts. */
  ppr: number;
  /** Counted failed attempts in the window. */
  attempts: number;
  kind: ScanKind;
  /** The port (hosts-on-port) or victim id (ports-on-host) the trigger concerns. */
  on: number;
}

export interface ScanOutcome {
  src: number;
  alarm: WindowCounts | undefined;
  /** `ppr` mode: how often the threshold was reached with the ratio in band, and the first time. */
  pprSuppressions: number;
  firstPprSuppression: WindowCounts | undefined;
  /** Attempts this mode did not count because they were predicted. */
  excluded: number;
  /** The most distinct hosts counted at once (on one port, for hosts-on-port), up to the alarm. */
  peakHosts: number;
}

export function classifyScan(distinctHosts: number, distinctPorts: number): ScanKind {
  if (distinctHosts <= 2) return 'vertical';
  const ppr = distinctPorts / distinctHosts;
  if (ppr < 0.5) return 'horizontal';
  if (ppr > 1) return 'block';
  return 'peer-like';
}

/**
 * Runs the detector over every source. `order` is `attempts.orderBySourceAndTime()`
 * and `tally` one with room for every destination (both made once, reused
 * across modes and thresholds: the tally is cleared source by source).
 */
export function detectScans(
  attempts: FailedAttempts,
  order: Uint32Array,
  config: ScanConfig,
  mode: ScanMode,
  tally: DistinctTally = DistinctTally.forDestinations(attempts.dst, attempts.length),
): ScanOutcome[] {
  const outcomes: ScanOutcome[] = [];
  const queue: number[] = [];
  // One call per source, not an inner loop: V8 compiles a hot inner loop on its own
  // (on-stack replacement) and falls back to the interpreter every time it exits,
  // which it did once per source, thousands of times a pass.
  for (let i = 0; i < order.length; )
    i = scanSource(attempts, order, i, config, mode, tally, queue, outcomes);
  return outcomes;
}

/** Runs the detector over one source's attempts from `order[start]` on; returns where the next source starts. */
function scanSource(
  attempts: FailedAttempts,
  order: Uint32Array,
  start: number,
  config: ScanConfig,
  mode: ScanMode,
  tally: DistinctTally,
  queue: number[],
  outcomes: ScanOutcome[],
): number {
  const { src, dst, port, ts, predicted } = attempts;
  const source = src[order[start]!]!;
  const outcome: ScanOutcome = {
    src: source,
    alarm: undefined,
    pprSuppressions: 0,
    firstPprSuppression: undefined,
    excluded: 0,
    peakHosts: 0,
  };
  queue.length = 0;
  tally.clear();
  let head = 0;
  let i = start;
  for (; i < order.length && src[order[i]!] === source; i++) {
    const k = order[i]!;
    if (mode !== 'plain' && predicted[k] !== 0) {
      outcome.excluded++;
      continue;
    }
    if (outcome.alarm !== undefined) continue;
    const now = ts[k]!;
    while (head < queue.length && ts[queue[head]!]! < now - config.window) {
      const old = queue[head++]!;
      tally.change(dst[old]!, port[old]!, -1);
    }
    queue.push(k);
    tally.change(dst[k]!, port[k]!, 1);
    const hostCount = config.hostsPerPort ? tally.hostsOnPort(port[k]!) : tally.hosts;
    const portCount = tally.portsOnHost(dst[k]!);
    if (hostCount > outcome.peakHosts) outcome.peakHosts = hostCount;
    let trigger: ScanTrigger | undefined;
    if (hostCount >= config.hostThreshold)
      trigger = config.hostsPerPort ? 'hosts-on-port' : 'hosts';
    else if (portCount >= config.portThreshold) trigger = 'ports-on-host';
    if (trigger === undefined) continue;
    const counts: WindowCounts = {
      ts: now,
      trigger,
      distinctHosts: tally.hosts,
      distinctPorts: tally.ports,
      ppr: tally.ports / tally.hosts,
      attempts: queue.length - head,
      kind: classifyScan(tally.hosts, tally.ports),
      on: trigger === 'ports-on-host' ? dst[k]! : port[k]!,
    };
    if (mode === 'ppr' && counts.ppr >= config.pprLow && counts.ppr <= config.pprHigh) {
      outcome.pprSuppressions++;
      outcome.firstPprSuppression ??= counts;
      continue;
    }
    outcome.alarm = counts;
  }
  outcomes.push(outcome);
  return i;
}
