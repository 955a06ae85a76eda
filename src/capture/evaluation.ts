/**
 * Labels against alarms: the confusion table of each mode and the ROC over
 * thresholds. Positives are the hosts labeled `scanner`; negatives are the
 * BitTorrent hosts and the `other` ones. The BitTorrent false-positive rate
 * (the paper's figure) is reported on its own.
 */
import type { FailedAttempts } from './attempts.ts';
import { DistinctTally } from './distinct-tally.ts';
import { SCAN_MODES, type ScanConfig, type ScanMode } from './scan-config.ts';
import { detectScans } from './scan-detector.ts';
import type { HostLabels } from './types.ts';

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** BitTorrent hosts alarmed, of all BitTorrent hosts. */
  bittorrentAlarmed: number;
  bittorrentHosts: number;
  /** bittorrentAlarmed / bittorrentHosts (0 when there are none). */
  bittorrentFpRate: number;
  /** True-positive rate: scanners alarmed / scanners. */
  tpr: number;
  /** False-positive rate over all negatives. */
  fpr: number;
  /** Scanners the plain detector caught and this mode did not. */
  scannersLost: string[];
}

export interface RocPoint {
  threshold: number;
  mode: ScanMode;
  tpr: number;
  fpr: number;
  bittorrentFpRate: number;
}

export function confusion(
  alarmed: ReadonlySet<string>,
  labels: HostLabels,
  plainAlarmed: ReadonlySet<string> = alarmed,
): Confusion {
  const scanners = new Set(labels.scanner);
  const negatives = new Set([...labels.bittorrent, ...(labels.other ?? [])]);
  for (const s of scanners) negatives.delete(s);
  let tp = 0;
  let fp = 0;
  for (const host of scanners) if (alarmed.has(host)) tp++;
  for (const host of negatives) if (alarmed.has(host)) fp++;
  const bittorrent = labels.bittorrent.filter((h) => !scanners.has(h));
  const bittorrentAlarmed = bittorrent.filter((h) => alarmed.has(h)).length;
  return {
    tp,
    fp,
    tn: negatives.size - fp,
    fn: scanners.size - tp,
    bittorrentAlarmed,
    bittorrentHosts: bittorrent.length,
    bittorrentFpRate: bittorrent.length === 0 ? 0 : bittorrentAlarmed / bittorrent.length,
    tpr: scanners.size === 0 ? 0 : tp / scanners.size,
    fpr: negatives.size === 0 ? 0 : fp / negatives.size,
    scannersLost: [...scanners].filter((h) => plainAlarmed.has(h) && !alarmed.has(h)).sort(),
  };
}

/** The settings at threshold N: the per-victim port threshold scales with it, keeping the preset's proportion. */
export function atThreshold(config: ScanConfig, threshold: number): ScanConfig {
  const portThreshold = Math.max(
    1,
    Math.round((threshold * config.portThreshold) / config.hostThreshold),
  );
  return { ...config, hostThreshold: threshold, portThreshold };
}

export function alarmedHosts(
  attempts: FailedAttempts,
  order: Uint32Array,
  config: ScanConfig,
  mode: ScanMode,
  text: (id: number) => string,
  tally: DistinctTally,
): Set<string> {
  const out = new Set<string>();
  for (const o of detectScans(attempts, order, config, mode, tally)) {
    if (o.alarm !== undefined) out.add(text(o.src));
  }
  return out;
}

export function rocCurve(
  attempts: FailedAttempts,
  order: Uint32Array,
  config: ScanConfig,
  labels: HostLabels,
  thresholds: readonly number[],
  text: (id: number) => string,
  tally: DistinctTally = DistinctTally.forDestinations(attempts.dst, attempts.length),
): RocPoint[] {
  const points: RocPoint[] = [];
  for (const threshold of thresholds) {
    const at = atThreshold(config, threshold);
    for (const mode of SCAN_MODES) {
      const c = confusion(alarmedHosts(attempts, order, at, mode, text, tally), labels);
      points.push({
        threshold,
        mode,
        tpr: c.tpr,
        fpr: c.fpr,
        bittorrentFpRate: c.bittorrentFpRate,
      });
    }
  }
  return points;
}
