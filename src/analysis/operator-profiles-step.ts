/** `compute` step: operator_profiles, one row per remote address with its class and role. */
import { OPERATOR_PROFILES } from '../store/tables.ts';
import type { ClassifierOverrides } from './classify-operators.ts';
import { computeOperatorProfiles } from './operator-profiles.ts';
import type { AnalysisStep } from './step.ts';

export const operatorProfilesStep: AnalysisStep = {
  name: 'operator profiles',
  tables: [OPERATOR_PROFILES],
  async run({ reader, config, onProgress, shared }) {
    const result = await computeOperatorProfiles(reader, {
      config: (config.operator_profiles ?? {}) as ClassifierOverrides,
      onProgress,
      ...(shared?.keepOperatorRead === undefined ? {} : { keepRead: shared.keepOperatorRead }),
    });
    const flagged = Object.entries(result.byClass)
      .filter(([name]) => name !== 'normal_client' && name !== 'dht_node')
      .map(([name, n]) => `${n} ${name}`)
      .join(', ');
    return {
      rows: { [OPERATOR_PROFILES.name]: result.rows },
      summary: `${result.rows} addresses${flagged === '' ? '' : `; ${flagged}`}`,
    };
  },
};
