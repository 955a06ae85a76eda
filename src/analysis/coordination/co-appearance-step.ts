/**
 * `compute` step for co-appearance (co-appearance.ts): `coordination`, one
 * row per infohash looked up from several networks, then
 * `coordination_pairs`, networks that look up the same hashes. Settings
 * come from the config file's `coordination` section, flat: the keys of
 * COORDINATION_DEFAULTS.
 */
import { writeDerivedTable } from '../../store/derived.ts';
import { sqlString } from '../../store/journal-format.ts';
import { COORDINATION, COORDINATION_PAIRS } from '../../store/tables-coordination.ts';
import { type AnalysisStep, type StepResult, withOverrides } from '../step.ts';
import {
  CO_TABLES,
  COORDINATION_DEFAULTS,
  type CoordinationConfig,
  coordinationSql,
  pairsSql,
  setupSql,
} from './co-appearance.ts';

export function resolveCoordinationConfig(
  overrides?: Readonly<Record<string, unknown>>,
): CoordinationConfig {
  return withOverrides(COORDINATION_DEFAULTS, overrides, 'coordination');
}

export const coordinationStep: AnalysisStep = {
  name: 'coordination (infohashes looked up from several networks)',
  tables: [COORDINATION, COORDINATION_PAIRS],
  async run(context): Promise<StepResult> {
    const c = resolveCoordinationConfig(context.config['coordination']);
    const layout = context.reader.layout;
    return context.reader.withFreshViews(async (duck) => {
      context.onProgress(0, 3);
      try {
        for (const sql of setupSql(c)) await duck.run(sql);
        context.onProgress(1, 3);
        const hashes = await writeDerivedTable(
          duck,
          layout,
          COORDINATION,
          coordinationSql(c),
          'coordination_score DESC, asns DESC, lookups DESC, infohash',
        );
        context.onProgress(2, 3);
        const file = sqlString(layout.tableFile(COORDINATION.name));
        const pairs = await writeDerivedTable(
          duck,
          layout,
          COORDINATION_PAIRS,
          pairsSql(c, file),
          'coordinated_hashes DESC, shared_hashes DESC, asn_a, asn_b',
        );
        context.onProgress(3, 3);
        const [{ n }] = (await duck.rows(
          `SELECT count(*)::INTEGER AS n FROM read_parquet(${file}) WHERE coordination_score >= ${c.minScore}`,
        )) as [{ n: number }];
        return {
          rows: { [COORDINATION.name]: hashes, [COORDINATION_PAIRS.name]: pairs },
          summary: `${hashes} hashes from ≥ ${c.minAsns} networks (${n} in step), ${pairs} network pairs`,
        };
      } finally {
        for (const table of CO_TABLES) await duck.run(`DROP TABLE IF EXISTS ${table}`);
      }
    });
  },
};
