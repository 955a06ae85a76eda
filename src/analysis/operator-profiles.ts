/**
 * The I/O around the detectors: one pass over the events (only the columns
 * detection needs, held as typed columns of a few bytes a row rather than
 * as objects, see operator-stream.ts), one address at a time in time order
 * through its detectors, then the campaign pass over all addresses, and the
 * result written to tables/operator_profiles.parquet.
 */
import { renameSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Duck } from '../store/duck.ts';
import { sqlString } from '../store/journal-format.ts';
import type { StoreReader } from '../store/reader.ts';
import { SQL_TYPES } from '../store/schema.ts';
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
    await writeProfiles(
      duck,
      reader.layout.tableFile(OPERATOR_PROFILES.name),
      reader.layout.tmpDir,
      analyses,
      verdicts,
    );
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

/** Appends the rows to a temporary table and copies it to Parquet, replacing the file atomically. */
async function writeProfiles(
  duck: Duck,
  file: string,
  tmpDir: string,
  analyses: readonly OperatorAnalysis[],
  verdicts: readonly OperatorVerdict[],
): Promise<void> {
  const columns = OPERATOR_PROFILES.columns;
  const table = 'operator_profiles_new';
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${table} (${columns.map((c) => `${c.name} ${c.type === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.type]}`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(table);
  const nullable = <T>(value: T | undefined, append: (value: T) => void) => {
    if (value === undefined) appender.appendNull();
    else append(value);
  };
  try {
    analyses.forEach((a, i) => {
      const f = a.features;
      const v = verdicts[i]!;
      appender.appendVarchar(f.remoteIp);
      nullable(f.asn, (x) => appender.appendBigInt(BigInt(Math.trunc(x))));
      nullable(f.org, (x) => appender.appendVarchar(x));
      nullable(f.country, (x) => appender.appendVarchar(x));
      appender.appendBigInt(BigInt(Math.trunc(f.firstSeen)));
      appender.appendBigInt(BigInt(Math.trunc(f.lastSeen)));
      appender.appendBigInt(BigInt(f.queries));
      appender.appendBigInt(BigInt(f.uniqueTargets));
      appender.appendBigInt(BigInt(f.nodeIds));
      for (const kind of [
        'get_peers',
        'announce_peer',
        'find_node',
        'ping',
        'sample_infohashes',
      ] as const) {
        appender.appendDouble(Math.round(kindShare(f, kind) * 10_000) / 10_000);
      }
      nullable(a.sweep?.monotone, (x) => appender.appendDouble(Math.round(x * 1000) / 1000));
      appender.appendVarchar(v.label);
      appender.appendDouble(v.confidence);
      appender.appendVarchar(v.why);
      nullable(v.group, (x) => appender.appendVarchar(x));
      appender.appendDouble(ratePerHour(f.queries, f.spanUs));
      nullable(f.clients.length === 0 ? undefined : f.clients.slice(0, 5).join(', '), (x) =>
        appender.appendVarchar(x),
      );
      appender.appendVarchar(roleOf(v.label, f));
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const select = columns
    .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  const tmp = join(tmpDir, `${OPERATOR_PROFILES.name}.parquet.tmp`);
  await duck.run(
    `COPY (SELECT ${select} FROM ${table} ORDER BY remote_ip) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  await duck.run(`DROP TABLE ${table}`);
  renameSync(tmp, file);
}
