/**
 * `compute` step for timing patterns (rendezvous_events), all in DuckDB
 * (sql.ts). Settings come from the config file's `rendezvous` section, flat:
 * the keys of RENDEZVOUS_DEFAULTS.
 */
import { writeDerivedTable } from '../../store/derived.ts';
import { sqlString } from '../../store/journal-format.ts';
import { RENDEZVOUS_EVENTS } from '../../store/tables.ts';
import { type AnalysisStep, type StepResult, withOverrides } from '../step.ts';
import {
  RENDEZVOUS_DEFAULTS,
  type RendezvousConfig,
  rendezvousSql,
  rendezvousTablesSql,
} from './sql.ts';

export function resolveRendezvousConfig(
  overrides?: Readonly<Record<string, unknown>>,
): RendezvousConfig {
  return withOverrides(RENDEZVOUS_DEFAULTS, overrides, 'rendezvous');
}

export const rendezvousStep: AnalysisStep = {
  name: 'rendezvous (return visits, schedules, hashes in sequence)',
  tables: [RENDEZVOUS_EVENTS],
  async run(context): Promise<StepResult> {
    const c = resolveRendezvousConfig(context.config['rendezvous']);
    return context.reader.withFreshViews(async (duck) => {
      const statements = rendezvousTablesSql(c);
      const total = statements.length + 1;
      context.onProgress(0, total);
      try {
        for (const [i, sql] of statements.entries()) {
          await duck.run(sql);
          context.onProgress(i + 1, total);
        }
        const rows = await writeDerivedTable(
          duck,
          context.reader.layout,
          RENDEZVOUS_EVENTS,
          rendezvousSql(c),
          "classification = 'RETURN_VISIT', classification, visit_count DESC, operator_ip, infohash",
        );
        context.onProgress(total, total);
        const [counts] = await duck.rows(
          `SELECT count(*) FILTER (WHERE classification = 'SCHEDULED')::INTEGER AS scheduled,
             count(*) FILTER (WHERE classification = 'RETURN_VISIT')::INTEGER AS returns,
             count(*) FILTER (WHERE classification = 'CROSS_HASH')::INTEGER AS cross_hash
           FROM read_parquet(${sqlString(context.reader.layout.tableFile(RENDEZVOUS_EVENTS.name))})`,
        );
        return {
          rows: { [RENDEZVOUS_EVENTS.name]: rows },
          summary: `${counts?.scheduled ?? 0} scheduled, ${counts?.returns ?? 0} return visits, ${counts?.cross_hash ?? 0} hashes checked in sequence`,
        };
      } finally {
        await duck.run('DROP TABLE IF EXISTS rv_visits; DROP TABLE IF EXISTS rv_pairs');
      }
    });
  },
};
