/**
 * Every subcommand, registered in one place. A command module exports a
 * `register` function that adds itself to the program; order here is the
 * order `dhtscope --help` lists them in.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { registerAntenna } from './antenna.ts';
import { registerCompute } from './compute.ts';
import { registerCrawl } from './crawl.ts';
import { registerDecode } from './decode.ts';
import { registerDemo } from './demo.ts';
import { registerEstimate } from './estimate.ts';
import { registerExport } from './export.ts';
import { registerIpinfo } from './ipinfo.ts';
import { registerLab } from './lab.ts';
import { registerLookup } from './lookup.ts';
import { registerMap } from './map.ts';
import { registerMetrics } from './metrics.ts';
import { registerPcap } from './pcap.ts';
import { registerReport } from './report.ts';
import { registerRetention } from './retention.ts';
import { registerSql } from './sql.ts';
import { registerTour } from './tour.ts';
import { registerWatch } from './watch.ts';

export type RegisterCommand = (program: Command, io: CliIo) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  // Passive: the sensor and what it recorded.
  registerDemo,
  registerAntenna,
  registerWatch,
  registerLab,
  registerCompute,
  registerReport,
  registerMap,
  registerMetrics,
  // Active: opt-in tools that send queries.
  registerLookup,
  registerCrawl,
  registerEstimate,
  // Captures, the store, and the protocol.
  registerPcap,
  registerSql,
  registerExport,
  registerRetention,
  registerIpinfo,
  registerDecode,
  registerTour,
];
