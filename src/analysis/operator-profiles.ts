/**
 * The I/O around the detectors: one pass over the events (only the columns
 * detection needs, held as typed columns of a few bytes a row in shared
 * memory rather than as objects, see operator-stream.ts), one address at a
 * time in time order through its detectors (shared out to worker threads on
 * large stores), then the campaign pass over all addresses, and the result
 * written to tables/operator_profiles.parquet.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duck } from '../store/duck.ts';
import type { DataLayout } from '../store/layout.ts';
import type { StoreReader } from '../store/reader.ts';
import { OPERATOR_PROFILES } from '../store/tables.ts';
import {
  analyseOperator,
  type ClassifierConfig,
  type ClassifierOverrides,
  classifyOperators,
  type OperatorAnalysis,
  type OperatorVerdict,
  resolveConfig,
} from './classify-operators.ts';
import { kindShare } from './operator-features.ts';
import { ratePerHour, roleOf } from './operator-roles.ts';
import type { ShardTask } from './operator-shard-worker.ts';
import {
  allAddresses,
  emitTracks,
  type OperatorColumns,
  type OperatorRead,
  readOperatorColumns,
  shareColumns,
  splitAddresses,
  withTargetKeys,
} from './operator-stream.ts';
import { MIN_EVENTS_FOR_POOL, POOL_WORKERS, runRanges } from './range-pool.ts';
import { writeRows } from './write-rows.ts';

export const OPERATOR_PROFILE_DEFAULTS = {
  /**
   * Events kept per address for the order-based detectors; beyond it an
   * address is only counted. A crawler seen 200,000 times has long shown
   * its pattern, and the cap bounds memory whatever one address sends.
   */
  maxEventsPerAddress: 200_000,
  /** Worker threads running the detectors over disjoint ranges of the addresses; 1: this thread. */
  workers: POOL_WORKERS,
  minEventsForWorkers: MIN_EVENTS_FOR_POOL,
};

export interface OperatorProfileOptions {
  config?: ClassifierOverrides;
  onProgress?: (done: number, total: number) => void;
  maxEventsPerAddress?: number;
  workers?: number;
  /** Receives the read, for a later step of the same run to use instead of reading again. */
  keepRead?: (read: OperatorRead) => void;
}

export async function computeOperatorProfiles(
  reader: StoreReader,
  options: OperatorProfileOptions = {},
): Promise<{ rows: number; byClass: Record<string, number> }> {
  const config = resolveConfig(options.config);
  const cap = options.maxEventsPerAddress ?? OPERATOR_PROFILE_DEFAULTS.maxEventsPerAddress;
  const workers = options.workers ?? OPERATOR_PROFILE_DEFAULTS.workers;
  return reader.withFreshViews(async (duck) => {
    // Progress counts each event twice, read and then analysed, over the events read.
    const data = await readOperatorColumns(duck, (read, expected) =>
      options.onProgress?.(Math.round(read / 2), expected),
    );
    const total = data.columns.length;
    options.keepRead?.(withTargetKeys(data));
    const analysed = (done: number) =>
      options.onProgress?.(Math.round(total / 2 + done / 2), total);
    const worthIt =
      options.workers !== undefined || total >= OPERATOR_PROFILE_DEFAULTS.minEventsForWorkers;
    let analyses: OperatorAnalysis[] = [];
    if (workers > 1 && worthIt)
      analyses = await analyseInWorkers(data, workers, cap, options, analysed);
    else
      emitTracks(
        data,
        allAddresses(data),
        cap,
        (track) => analyses.push(analyseOperator(track, config)),
        analysed,
      );
    options.onProgress?.(total, total);
    return writeVerdicts(duck, reader.layout, analyses, config);
  });
}

async function writeVerdicts(
  duck: Duck,
  layout: DataLayout,
  analyses: OperatorAnalysis[],
  config: ClassifierConfig,
): Promise<{ rows: number; byClass: Record<string, number> }> {
  const verdicts = classifyOperators(analyses, config);
  await writeProfiles(duck, layout, analyses, verdicts);
  const byClass: Record<string, number> = {};
  for (const v of verdicts) byClass[v.label] = (byClass[v.label] ?? 0) + 1;
  return { rows: verdicts.length, byClass };
}

/**
 * Runs `count` workers over contiguous address ranges of about equal events,
 * a few ranges per worker handed to whichever is free (range-pool.ts), and
 * concatenates the analyses in range order: the order one thread produces,
 * so the table is the same.
 */
async function analyseInWorkers(
  data: OperatorColumns,
  count: number,
  cap: number,
  options: OperatorProfileOptions,
  onProgress: (done: number) => void,
): Promise<OperatorAnalysis[]> {
  const here = fileURLToPath(import.meta.url);
  const shared = shareColumns(data);
  // The workers read the packed copy: the originals stay only if a later step kept the read.
  data.strings = [];
  const task: ShardTask = {
    data: shared,
    cap,
    ...(options.config === undefined ? {} : { config: options.config }),
  };
  const shards = await runRanges<OperatorAnalysis[]>({
    // Beside this file, as .ts from the sources or .js from the build.
    script: new URL(`./operator-shard-worker${extname(here)}`, import.meta.url),
    workerData: task,
    ranges: splitAddresses(data, count * RANGES_PER_WORKER),
    workers: count,
    name: 'operator profile',
    onProgress,
  });
  return shards.flat();
}

/** Enough ranges per worker that the last ones, handed out as workers free up, even out their loads. */
const RANGES_PER_WORKER = 4;

/** One row per analysed address, written through writeRows (ordered by address). */
async function writeProfiles(
  duck: Duck,
  layout: DataLayout,
  analyses: readonly OperatorAnalysis[],
  verdicts: readonly OperatorVerdict[],
): Promise<void> {
  const share = (f: OperatorAnalysis['features'], kind: Parameters<typeof kindShare>[1]) =>
    Math.round(kindShare(f, kind) * 10_000) / 10_000;
  const rows = analyses.map((a, i) => {
    const f = a.features;
    const v = verdicts[i]!;
    return {
      remoteIp: f.remoteIp,
      asn: f.asn,
      org: f.org,
      country: f.country,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
      queries: f.queries,
      uniqueTargets: f.uniqueTargets,
      nodeIds: f.nodeIds,
      getPeersShare: share(f, 'get_peers'),
      announceShare: share(f, 'announce_peer'),
      findNodeShare: share(f, 'find_node'),
      pingShare: share(f, 'ping'),
      sampleInfohashesShare: share(f, 'sample_infohashes'),
      monotone: a.sweep === undefined ? undefined : Math.round(a.sweep.monotone * 1000) / 1000,
      class: v.label,
      confidence: v.confidence,
      why: v.why,
      groupId: v.group,
      ratePerHour: ratePerHour(f.queries, f.spanUs),
      clients: f.clients.length === 0 ? undefined : f.clients.slice(0, 5).join(', '),
      role: roleOf(v.label, f),
    };
  });
  await writeRows(duck, layout, OPERATOR_PROFILES, rows, 'remote_ip');
}
