/**
 * Scan detector settings and their presets.
 *
 * - `bro`: the classic Bro scan detector the paper measured against — an alarm
 *   when a source has failed attempts to 100 distinct hosts (any port) within
 *   the window; the paper's window was 15 minutes. Vertical scans are caught
 *   by the same rule applied to ports of one victim (100 distinct ports).
 * - `zeek`: Zeek's current `policy/misc/scan.zeek` defaults — an address scan
 *   is 25 distinct hosts failed on one port within 5 minutes
 *   (`Scan::addr_scan_threshold`, `addr_scan_interval`), a port scan 15
 *   distinct ports failed on one victim within 5 minutes
 *   (`Scan::port_scan_threshold`, `port_scan_interval`).
 */

export type ScanPreset = 'bro' | 'zeek';
export const SCAN_PRESETS: readonly ScanPreset[] = ['bro', 'zeek'];

export type ScanMode = 'plain' | 'suppressed' | 'ppr';
export const SCAN_MODES: readonly ScanMode[] = ['plain', 'suppressed', 'ppr'];

export interface ScanConfig {
  preset: ScanPreset;
  /** µs a failed attempt counts for. */
  window: number;
  /** Distinct hosts with failed attempts that raise an alarm (N). */
  hostThreshold: number;
  /** Count hosts per destination port (Zeek) rather than over all ports (Bro). */
  hostsPerPort: boolean;
  /** Distinct ports with failed attempts on one victim that raise an alarm. */
  portThreshold: number;
  /** The port/peer ratio band that looks like BitTorrent (the paper's 0.75–1). */
  pprLow: number;
  pprHigh: number;
}

export const PRESETS: Readonly<Record<ScanPreset, ScanConfig>> = {
  bro: {
    preset: 'bro',
    window: 15 * 60 * 1_000_000,
    hostThreshold: 100,
    hostsPerPort: false,
    portThreshold: 100,
    pprLow: 0.75,
    pprHigh: 1,
  },
  zeek: {
    preset: 'zeek',
    window: 5 * 60 * 1_000_000,
    hostThreshold: 25,
    hostsPerPort: true,
    portThreshold: 15,
    pprLow: 0.75,
    pprHigh: 1,
  },
};

/** Thresholds the ROC runs the detector at (N, distinct hosts). */
export const ROC_THRESHOLDS: readonly number[] = [
  1, 2, 3, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300, 400, 500, 750,
  1000,
];
