/**
 * `compute` step for fingerprints (one row per address with any signal):
 * in DuckDB (sql.ts), or from the operator reader's columns when a compute
 * run has them (from-read.ts, the same rows). Settings come from the config file's
 * `fingerprints` section, flat: the keys of FINGERPRINT_DEFAULTS.
 */
import { writeDerivedTable } from '../../store/derived.ts';
import { sqlString } from '../../store/journal-format.ts';
import { FINGERPRINTS } from '../../store/tables.ts';
import { type AnalysisStep, type StepResult, withOverrides } from '../step.ts';
import { writeRows } from '../write-rows.ts';
import { fingerprintsFromRead } from './from-read.ts';
import { FINGERPRINT_DEFAULTS, type FingerprintConfig, fingerprintsSql } from './sql.ts';

export function resolveFingerprintConfig(
  overrides?: Readonly<Record<string, unknown>>,
): FingerprintConfig {
  return withOverrides(FINGERPRINT_DEFAULTS, overrides, 'fingerprints');
}

const ORDER = 'queries DESC, remote_ip';

export const fingerprintsStep: AnalysisStep = {
  name: 'fingerprints (node ids, BEP 42, copied prefixes, transaction ids, clients)',
  tables: [FINGERPRINTS],
  usesOperatorRead: true,
  async run(context): Promise<StepResult> {
    const c = resolveFingerprintConfig(context.config['fingerprints']);
    const read = context.shared?.operatorRead;
    return context.reader.withFreshViews(async (duck) => {
      context.onProgress(0, 1);
      // In a compute run the operator reader's columns hold every query: one pass over them.
      const rows =
        read === undefined
          ? await writeDerivedTable(
              duck,
              context.reader.layout,
              FINGERPRINTS,
              fingerprintsSql(c),
              ORDER,
            )
          : await writeRows(
              duck,
              context.reader.layout,
              FINGERPRINTS,
              fingerprintsFromRead(read, c),
              ORDER,
            );
      context.onProgress(1, 1);
      const file = sqlString(context.reader.layout.tableFile(FINGERPRINTS.name));
      const signals = await duck.rows(
        `SELECT signal, count(*)::INTEGER AS n FROM (SELECT unnest(string_split(signals, ',')) AS signal FROM read_parquet(${file})) GROUP BY signal ORDER BY n DESC, signal`,
      );
      const counts = signals.map((r) => `${r.n} ${r.signal}`).join(', ');
      return {
        rows: { [FINGERPRINTS.name]: rows },
        summary: `${rows} fingerprinted addresses${counts === '' ? '' : ` (${counts})`}`,
      };
    });
  },
};
