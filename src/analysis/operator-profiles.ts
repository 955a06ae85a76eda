/**
 * The I/O around the detectors: one pass over the events (only the columns
 * detection needs, held as typed columns of a few bytes a row rather than
 * as objects, see operator-stream.ts), one address at a time in time order
 * through its detectors, then the campaign pass over all addresses, and the
 * result written to tables/operator_profiles.parquet.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Duck } from '../store/duck.ts';
import type { DataLayout } from '../store/layout.ts';
import type { StoreReader } from '../store/reader.ts';
import { OPERATOR_PROFILES } from '../store/tables.ts';
import {
  analyseOperator,
  type ClassifierOverrides,
  classifyOperators,
  type OperatorAnalysis,
  type OperatorVerdict,
  resolveConfig,
} from './classify-operators.ts';
import { kindShare } from './operator-features.ts';
import { ratePerHour, roleOf } from './operator-roles.ts';
import type { ShardMessage, ShardTask } from './operator-shard-worker.ts';
import { readTracks } from './operator-stream.ts';
import { writeRows } from './write-rows.ts';

export const OPERATOR_PROFILE_DEFAULTS = {
  /**
   * Events kept per address for the order-based detectors; beyond it an
   * address is only counted. A crawler seen 200,000 times has long shown
   * its pattern, and the cap bounds memory whatever one address sends.
   */
  maxEventsPerAddress: 200_000,
  /**
   * Worker threads reading and analysing disjoint shares of the addresses;
   * 1 runs everything on this thread. Two halve the time on two cores.
   */
  workers: Math.min(2, availableParallelism()),
  /** Below this many events one thread is quicker than starting workers (about half a second). */
  minEventsForWorkers: 1_000_000,
};

export interface OperatorProfileOptions {
  config?: ClassifierOverrides;
  onProgress?: (done: number, total: number) => void;
  maxEventsPerAddress?: number;
  workers?: number;
}

export async function computeOperatorProfiles(
  reader: StoreReader,
  options: OperatorProfileOptions = {},
): Promise<{ rows: number; byClass: Record<string, number> }> {
  const config = resolveConfig(options.config);
  const cap = options.maxEventsPerAddress ?? OPERATOR_PROFILE_DEFAULTS.maxEventsPerAddress;
  const workers = options.workers ?? OPERATOR_PROFILE_DEFAULTS.workers;
  const [{ n }] = (await reader.query('SELECT count(*)::DOUBLE AS n FROM events')).rows as [
    { n: number },
  ];
  const worthIt =
    options.workers !== undefined || n >= OPERATOR_PROFILE_DEFAULTS.minEventsForWorkers;
  const sharded =
    workers > 1 && worthIt
      ? await analyseInWorkers(reader.layout.root, workers, cap, options)
      : undefined;
  return reader.withFreshViews(async (duck) => {
    let analyses: OperatorAnalysis[] = [];
    if (sharded !== undefined) analyses = sharded;
    else
      await readTracks(duck, cap, options.onProgress, (track) => {
        analyses.push(analyseOperator(track, config));
      });
    const verdicts = classifyOperators(analyses, config);
    await writeProfiles(duck, reader.layout, analyses, verdicts);
    const byClass: Record<string, number> = {};
    for (const v of verdicts) byClass[v.label] = (byClass[v.label] ?? 0) + 1;
    return { rows: verdicts.length, byClass };
  });
}

/**
 * Runs `count` shard workers and merges their analyses in address order,
 * the order one thread produces (DuckDB orders text by bytes, as `<` does
 * on these ASCII addresses), so the table is the same either way.
 */
async function analyseInWorkers(
  dataDir: string,
  count: number,
  cap: number,
  options: OperatorProfileOptions,
): Promise<OperatorAnalysis[]> {
  const here = fileURLToPath(import.meta.url);
  // Beside this file, as .ts from the sources or .js from the build.
  const script = new URL(`./operator-shard-worker${extname(here)}`, import.meta.url);
  const progress = Array.from({ length: count }, () => ({ done: 0, total: 0 }));
  const shards = await Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<OperatorAnalysis[]>((resolve, reject) => {
          const task: ShardTask = {
            dataDir,
            index,
            count,
            cap,
            ...(options.config === undefined ? {} : { config: options.config }),
          };
          const worker = new Worker(script, { workerData: task });
          let settled = false;
          worker.on('message', (message: ShardMessage) => {
            if (message.type === 'progress') {
              progress[index] = { done: message.done, total: message.total };
              const done = progress.reduce((s, p) => s + p.done, 0);
              const total = progress.reduce((s, p) => s + p.total, 0);
              options.onProgress?.(done, total);
            } else if (message.type === 'done') {
              settled = true;
              resolve(message.analyses);
            } else {
              settled = true;
              reject(Object.assign(new Error(message.message), { stack: message.stack }));
            }
          });
          worker.on('error', (error) => {
            settled = true;
            reject(error);
          });
          worker.on('exit', (code) => {
            if (!settled) reject(new Error(`operator profile worker ${index} exited with ${code}`));
          });
        }),
    ),
  );
  return shards
    .flat()
    .sort((a, b) =>
      a.features.remoteIp < b.features.remoteIp
        ? -1
        : a.features.remoteIp > b.features.remoteIp
          ? 1
          : 0,
    );
}

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
