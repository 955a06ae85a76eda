/**
 * `compute` step for sweeps and prefix walks (sweep_events,
 * prefix_walk_events): the live trackers replayed over the stored lookups
 * (replay.ts), from the operator reader's columns when the operator
 * profiles ran earlier in the same compute, else read from the store.
 * Settings come from the config file's `sequences` section:
 * `sweep` and `prefixWalk`, partial objects of the trackers' defaults.
 */
import { PREFIX_WALK_EVENTS, SWEEP_EVENTS } from '../../store/tables.ts';
import { LIVE_PREFIX_WALK_DEFAULTS } from '../live/prefix-walk-tracker.ts';
import { LIVE_SWEEP_DEFAULTS } from '../live/sweep-tracker.ts';
import { type AnalysisStep, type StepResult, withNestedOverrides } from '../step.ts';
import { writeRows } from '../write-rows.ts';
import { lookupsFromRead, readLookups, replaySequences, type SequenceConfig } from './replay.ts';

export const SEQUENCE_DEFAULTS: SequenceConfig = {
  sweep: LIVE_SWEEP_DEFAULTS,
  prefixWalk: LIVE_PREFIX_WALK_DEFAULTS,
};

export function resolveSequenceConfig(
  overrides?: Readonly<Record<string, unknown>>,
): SequenceConfig {
  return withNestedOverrides(SEQUENCE_DEFAULTS, overrides, 'sequences');
}

export const sequencesStep: AnalysisStep = {
  name: 'sequences (sweeps, prefix walks)',
  tables: [SWEEP_EVENTS, PREFIX_WALK_EVENTS],
  usesOperatorRead: true,
  async run(context): Promise<StepResult> {
    const config = resolveSequenceConfig(context.config['sequences']);
    const shared = context.shared;
    return context.reader.withFreshViews(async (duck) => {
      // The operator reader already read these lookups in a compute run; alone, read them.
      const read = shared?.operatorRead;
      const lookups =
        read === undefined
          ? await readLookups(duck, config, context.onProgress)
          : lookupsFromRead(read, config);
      const found = replaySequences(lookups, config, context.onProgress);
      const layout = context.reader.layout;
      const sweeps = await writeRows(
        duck,
        layout,
        SWEEP_EVENTS,
        found.sweeps,
        'detected_at, operator_ip',
      );
      const walks = await writeRows(
        duck,
        layout,
        PREFIX_WALK_EVENTS,
        found.walks,
        'start_time, source_ip',
      );
      const addresses = (rows: Record<string, unknown>[], key: string) =>
        new Set(rows.map((r) => r[key])).size;
      return {
        rows: { [SWEEP_EVENTS.name]: sweeps, [PREFIX_WALK_EVENTS.name]: walks },
        summary:
          `${sweeps} sweeps from ${addresses(found.sweeps, 'operatorIp')} addresses, ` +
          `${walks} prefix walks from ${addresses(found.walks, 'sourceIp')} addresses ` +
          `(${found.replayed.toLocaleString('en-US')} lookups replayed)`,
      };
    });
  },
};
