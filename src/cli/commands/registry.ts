/**
 * Every subcommand, registered in one place. A command module exports a
 * `register` function that adds itself to the program; order here is the
 * order `dhtscope --help` lists them in. Modules load on demand: a run of one
 * command loads only its own (all of them took 0.39 s, `pcap` alone 0.09 s).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

export type RegisterCommand = (program: Command, io: CliIo) => void;

export interface CommandModule {
  /** The command's name, as its module registers it. */
  name: string;
  load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandModule[] = [
  // Passive: the sensor and what it recorded.
  { name: 'demo', load: async () => (await import('./demo.ts')).registerDemo },
  { name: 'antenna', load: async () => (await import('./antenna.ts')).registerAntenna },
  { name: 'watch', load: async () => (await import('./watch.ts')).registerWatch },
  { name: 'lab', load: async () => (await import('./lab.ts')).registerLab },
  { name: 'compute', load: async () => (await import('./compute.ts')).registerCompute },
  { name: 'report', load: async () => (await import('./report.ts')).registerReport },
  { name: 'map', load: async () => (await import('./map.ts')).registerMap },
  { name: 'metrics', load: async () => (await import('./metrics.ts')).registerMetrics },
  // Active: opt-in tools that send queries.
  { name: 'lookup', load: async () => (await import('./lookup.ts')).registerLookup },
  { name: 'crawl', load: async () => (await import('./crawl.ts')).registerCrawl },
  { name: 'estimate', load: async () => (await import('./estimate.ts')).registerEstimate },
  // Captures, the store, and the protocol.
  { name: 'pcap', load: async () => (await import('./pcap.ts')).registerPcap },
  { name: 'sql', load: async () => (await import('./sql.ts')).registerSql },
  { name: 'export', load: async () => (await import('./export.ts')).registerExport },
  { name: 'retention', load: async () => (await import('./retention.ts')).registerRetention },
  { name: 'ipinfo', load: async () => (await import('./ipinfo.ts')).registerIpinfo },
  { name: 'decode', load: async () => (await import('./decode.ts')).registerDecode },
  { name: 'tour', load: async () => (await import('./tour.ts')).registerTour },
];
