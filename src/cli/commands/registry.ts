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
  registerDemo,
  registerAntenna,
  registerLab,
  registerCompute,
  registerReport,
  registerMetrics,
  registerDecode,
  registerSql,
  registerExport,
  registerRetention,
  registerIpinfo,
  registerTour,
  registerLookup,
  registerCrawl,
  registerEstimate,
  registerWatch,
  registerPcap,
  registerMap,
];
