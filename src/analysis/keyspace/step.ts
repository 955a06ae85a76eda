/**
 * `compute` step for the keyspace: the heatmap with its hot and cold zones,
 * systematic scanners, prefix entropy and prefix families, all from one fold
 * of the queries into lookups (base.ts). In a compute run the operator
 * reader's columns are already in memory and the fold is one pass over them;
 * run alone, the step reads them first.
 *
 * Settings come from the config file's `keyspace` section, flat: every key
 * of the four `..._DEFAULTS` plus `bucketMinutes` (they share no names). An
 * unknown key is an error.
 */

import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duck } from '../../store/duck.ts';
import {
  KEYSPACE_HEATMAP,
  KEYSPACE_SCANNERS,
  PREFIX_ENTROPY,
  PREFIX_FAMILIES,
} from '../../store/tables.ts';
import {
  allAddresses,
  type OperatorRead,
  readOperatorColumns,
  splitAddresses,
  withTargetKeys,
} from '../operator-stream.ts';
import { MIN_EVENTS_FOR_POOL, POOL_WORKERS, runRanges } from '../range-pool.ts';
import { type AnalysisStep, type StepContext, type StepResult, withOverrides } from '../step.ts';
import { writeRows } from '../write-rows.ts';
import type { FoldInput } from './base.ts';
import { HEATMAP_DEFAULTS, zoneCounts } from './heatmap.ts';
import { PREFIX_ENTROPY_DEFAULTS } from './prefix-entropy.ts';
import { PREFIX_FAMILY_DEFAULTS } from './prefix-families.ts';
import { SCANNER_DEFAULTS } from './scanners.ts';
import { type KeyspacePart, type KeyspaceRows, keyspaceRows, tallyRange } from './tally.ts';
import type { KeyspaceTask } from './worker.ts';

export const KEYSPACE_DEFAULTS = {
  /**
   * Length of the stretches in which scanners' order is judged and families'
   * prefixes are dug. An hour holds a few hundred queries of a crawler at a
   * query every few seconds, and a normal client's handful.
   */
  bucketMinutes: 60,
};

export interface KeyspaceConfig {
  bucketMinutes: number;
  heatmap: typeof HEATMAP_DEFAULTS;
  scanners: typeof SCANNER_DEFAULTS;
  entropy: typeof PREFIX_ENTROPY_DEFAULTS;
  families: typeof PREFIX_FAMILY_DEFAULTS;
}

const GROUPS = [
  KEYSPACE_DEFAULTS,
  HEATMAP_DEFAULTS,
  SCANNER_DEFAULTS,
  PREFIX_ENTROPY_DEFAULTS,
  PREFIX_FAMILY_DEFAULTS,
];

/**
 * The settings with the config file's overrides. Scanners' and families'
 * `minPrefixes` share a name: a flat key sets both, and `scannerMinPrefixes`
 * or `familyMinPrefixes` sets one.
 */
export function resolveKeyspaceConfig(
  overrides?: Readonly<Record<string, unknown>>,
): KeyspaceConfig {
  const o = { ...(overrides ?? {}) };
  const specific = (key: string) => {
    const v = o[key];
    delete o[key];
    return v === undefined ? {} : { minPrefixes: v };
  };
  const scannerOnly = specific('scannerMinPrefixes');
  const familyOnly = specific('familyMinPrefixes');
  const known = new Set(GROUPS.flatMap((g) => Object.keys(g)));
  const pick = <T extends Record<string, number>>(
    defaults: T,
    extra: Record<string, unknown> = {},
  ) => withOverrides(defaults, { ...o, ...extra }, 'keyspace', known);
  return {
    bucketMinutes: pick(KEYSPACE_DEFAULTS).bucketMinutes,
    heatmap: pick(HEATMAP_DEFAULTS),
    scanners: pick(SCANNER_DEFAULTS, scannerOnly),
    entropy: pick(PREFIX_ENTROPY_DEFAULTS),
    families: pick(PREFIX_FAMILY_DEFAULTS, familyOnly),
  };
}

export const keyspaceStep: AnalysisStep = {
  name: 'keyspace (heatmap, scanners, prefix entropy, prefix families)',
  tables: [KEYSPACE_HEATMAP, KEYSPACE_SCANNERS, PREFIX_ENTROPY, PREFIX_FAMILIES],
  usesOperatorRead: true,
  beginOnRead: (read, config) =>
    tallyAll(read, resolveKeyspaceConfig(config['keyspace']), () => {}),
  async run(context): Promise<StepResult> {
    const c = resolveKeyspaceConfig(context.config['keyspace']);
    const layout = context.reader.layout;
    return context.reader.withFreshViews(async (duck) => {
      // Begun in a compute run the moment the operator reader's columns were read.
      const begun = context.shared?.begun.get(keyspaceStep) as Promise<KeyspaceRows> | undefined;
      const { heatmap, scanners, entropy, families } =
        begun !== undefined ? await begun : await readAndTally(duck, context.onProgress, c);
      if (begun !== undefined) context.onProgress(1, 1);
      const written = {
        [KEYSPACE_HEATMAP.name]: await writeRows(
          duck,
          layout,
          KEYSPACE_HEATMAP,
          heatmap,
          'prefix16',
        ),
        [KEYSPACE_SCANNERS.name]: await writeRows(
          duck,
          layout,
          KEYSPACE_SCANNERS,
          scanners,
          'prefixes_covered DESC, remote_ip',
        ),
        [PREFIX_ENTROPY.name]: await writeRows(
          duck,
          layout,
          PREFIX_ENTROPY,
          entropy,
          "scope = 'address', least(entropy_8, entropy_12), remote_ip",
        ),
        [PREFIX_FAMILIES.name]: await writeRows(
          duck,
          layout,
          PREFIX_FAMILIES,
          families,
          'events DESC, family_id',
        ),
      };
      const zones = zoneCounts(heatmap);
      const organised = entropy.filter(
        (r) => r.scope === 'address' && r.assessment === 'organised',
      ).length;
      return {
        rows: written,
        summary:
          `${zones.hotZones} hot zones (${zones.hotCells} cells), ${zones.coldZones} cold zones, ` +
          `${scanners.length} scanners, ${organised} organised by prefix entropy, ` +
          `${families.length} prefix families`,
      };
    });
  },
};

/** The tallies, from columns read for this step alone; progress in events, reading the first half. */
async function readAndTally(
  duck: Duck,
  onProgress: StepContext['onProgress'],
  c: KeyspaceConfig,
): Promise<KeyspaceRows> {
  const read = withTargetKeys(
    await readOperatorColumns(duck, (done, total) => onProgress(Math.round(done / 2), total)),
  );
  const total = read.columns.length;
  return tallyAll(read, c, (done) => onProgress(Math.round((total + done) / 2), total));
}

/**
 * Every address's tallies, on this thread or on worker threads over ranges
 * of the addresses (`workers`: how many, by default two on a large store).
 */
export async function tallyAll(
  read: OperatorRead,
  c: KeyspaceConfig,
  onProgress: (done: number) => void,
  workers = read.columns.length >= MIN_EVENTS_FOR_POOL ? POOL_WORKERS : 1,
): Promise<KeyspaceRows> {
  // Only shared memory and the addresses cross to the workers, never the strings.
  const { addresses, start, targetKeys, columns } = read;
  const input: FoldInput = {
    addresses,
    start,
    targetKeys,
    columns: { length: columns.length, ts: columns.ts, kind: columns.kind, target: columns.target },
  };
  if (workers < 2)
    return keyspaceRows(input, c, [tallyRange(input, c, allAddresses(read), onProgress)]);
  const task: KeyspaceTask = { read: input, config: c };
  const parts = await runRanges<KeyspacePart>({
    // Beside this file, as .ts from the sources or .js from the build.
    script: new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
    workerData: task,
    ranges: splitAddresses(read, workers * 2),
    workers,
    name: 'keyspace',
    onProgress,
  });
  return keyspaceRows(input, c, parts);
}
