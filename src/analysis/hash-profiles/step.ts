/**
 * `compute` step: hash_behavior_profiles, one row per infohash with enough
 * events: its metrics (metrics.ts), its labels, signal score and the
 * figures behind each label (classify.ts). In a `compute` run that reads
 * the operator reader's columns, the metrics come from them, on a worker
 * thread the moment they are read (from-read.ts); run on its own, from SQL
 * over the store. Thresholds come from `hash_profiles` in the config file.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDerivedTable } from '../../store/derived.ts';
import { HASH_BEHAVIOR_PROFILES } from '../../store/tables.ts';
import { allAddresses, type OperatorRead } from '../operator-stream.ts';
import { MIN_EVENTS_FOR_POOL, runRanges } from '../range-pool.ts';
import type { AnalysisStep, DetectorOverrides } from '../step.ts';
import {
  classifySql,
  HASH_LABELS,
  type HashProfileConfig,
  type HashProfileOverrides,
  resolveHashProfileConfig,
} from './classify.ts';
import { type HashMetricsInput, hashMetricsOfRead, METRIC_COLUMNS } from './from-read.ts';
import {
  computeHashMetrics,
  type HashMetricsConfig,
  loadHashMetrics,
  METRICS_TABLE,
  type MetricsOfRead,
} from './metrics.ts';
import type { HashMetricsTask } from './metrics-worker.ts';

export const hashProfilesStep: AnalysisStep = {
  name: 'hash profiles',
  tables: [HASH_BEHAVIOR_PROFILES],
  beginOnRead: (read, config, shared) =>
    metricsOfRead(read, configOf(config).metrics, shared.eventSpanUs),
  async run({ reader, config, onProgress, shared }) {
    const resolved = configOf(config);
    return reader.withFreshViews(async (duck) => {
      // Metrics stages, then the write: progress in stages, as rows are never seen here.
      let stages = 1;
      const begun = shared?.begun.get(hashProfilesStep) as Promise<MetricsOfRead> | undefined;
      if (begun !== undefined) {
        await loadHashMetrics(duck, await begun, resolved.metrics);
        stages = 2;
        onProgress(1, stages);
      } else
        await computeHashMetrics(duck, resolved.metrics, (done, total) => {
          stages = total + 1;
          onProgress(done, stages);
        });
      try {
        const rows = await writeDerivedTable(
          duck,
          reader.layout,
          HASH_BEHAVIOR_PROFILES,
          classifySql(resolved),
          'signal_score DESC, total_events DESC, infohash',
        );
        const counts = await duck.rows(
          `SELECT ${HASH_LABELS.map((l) => `count_if(list_contains(string_split(classifications, ','), '${l}'))::DOUBLE AS "${l}"`).join(', ')}
           FROM read_parquet('${reader.layout.tableFile(HASH_BEHAVIOR_PROFILES.name).replaceAll("'", "''")}')`,
        );
        onProgress(stages, stages);
        const byLabel = HASH_LABELS.map((l) => [l, Number(counts[0]?.[l] ?? 0)] as const)
          .filter(([, n]) => n > 0)
          .map(([l, n]) => `${n} ${l}`)
          .join(', ');
        return {
          rows: { [HASH_BEHAVIOR_PROFILES.name]: rows },
          summary: `${rows} hashes${byLabel === '' ? '' : `; ${byLabel}`}`,
        };
      } finally {
        await duck.run(`DROP TABLE IF EXISTS ${METRICS_TABLE}`);
      }
    });
  },
};

/** The hash_profiles section of the config file, over the defaults. */
function configOf(config: DetectorOverrides): HashProfileConfig {
  return resolveHashProfileConfig((config['hash_profiles'] ?? {}) as HashProfileOverrides);
}

/**
 * The metrics from the operator reader's columns: on a worker thread on a
 * large store (`onWorker`: by default from a million events on), where
 * this thread must stay free to hand the operator profiles' workers their
 * ranges.
 */
export async function metricsOfRead(
  read: OperatorRead,
  config: HashMetricsConfig,
  spanUs: number,
  onWorker = read.columns.length >= MIN_EVENTS_FOR_POOL,
): Promise<MetricsOfRead> {
  const { columns } = read;
  // Only shared memory and the ASNs cross to the worker, never the strings.
  const input: HashMetricsInput = {
    columns: { length: columns.length, ts: columns.ts, kind: columns.kind, target: columns.target },
    start: read.start,
    asns: read.addresses.map((a) => a.asn),
    stringCount: read.strings.length,
  };
  const strings = read.strings;
  let matrix: Float64Array;
  if (!onWorker) matrix = hashMetricsOfRead(input, config, spanUs);
  else {
    const task: HashMetricsTask = { input, config, spanUs };
    [matrix] = (await runRanges<Float64Array>({
      // Beside this file, as .ts from the sources or .js from the build.
      script: new URL(
        `./metrics-worker${extname(fileURLToPath(import.meta.url))}`,
        import.meta.url,
      ),
      workerData: task,
      ranges: [allAddresses(read)],
      workers: 1,
      name: 'hash profiles',
    })) as [Float64Array];
  }
  const width = METRIC_COLUMNS.length;
  const infohashes: string[] = new Array(matrix.length / width);
  for (let h = 0; h < infohashes.length; h++) infohashes[h] = strings[matrix[h * width]!]!;
  return { matrix, infohashes };
}
