/**
 * `compute` step: hash_behavior_profiles, one row per infohash with enough
 * events: its metrics (metrics.ts), its labels, signal score and the
 * figures behind each label (classify.ts). All of it is one pass of SQL
 * over the store; thresholds come from `hash_profiles` in the config file.
 */
import { writeDerivedTable } from '../../store/derived.ts';
import { HASH_BEHAVIOR_PROFILES } from '../../store/tables.ts';
import type { AnalysisStep } from '../step.ts';
import {
  classifySql,
  HASH_LABELS,
  type HashProfileOverrides,
  resolveHashProfileConfig,
} from './classify.ts';
import { computeHashMetrics, METRICS_TABLE } from './metrics.ts';

export const hashProfilesStep: AnalysisStep = {
  name: 'hash profiles',
  tables: [HASH_BEHAVIOR_PROFILES],
  async run({ reader, config, onProgress }) {
    const resolved = resolveHashProfileConfig(
      (config['hash_profiles'] ?? {}) as HashProfileOverrides,
    );
    return reader.withFreshViews(async (duck) => {
      // Metrics stages, then the write: progress in stages, as rows are never seen here.
      let stages = 1;
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
