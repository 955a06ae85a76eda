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

import type { Duck } from '../../store/duck.ts';
import {
  KEYSPACE_HEATMAP,
  KEYSPACE_SCANNERS,
  PREFIX_ENTROPY,
  PREFIX_FAMILIES,
} from '../../store/tables.ts';
import { type OperatorRead, readOperatorColumns } from '../operator-stream.ts';
import { type AnalysisStep, type StepContext, type StepResult, withOverrides } from '../step.ts';
import { keyFractions } from '../targets.ts';
import { writeRows } from '../write-rows.ts';
import { foldLookups, type LookupVisitor } from './base.ts';
import { HEATMAP_DEFAULTS, HeatmapCells, heatmapRows, zoneCounts } from './heatmap.ts';
import { EntropyTally, PREFIX_ENTROPY_DEFAULTS } from './prefix-entropy.ts';
import { FamilyTally, PREFIX_FAMILY_DEFAULTS } from './prefix-families.ts';
import { SCANNER_DEFAULTS, ScannerTally } from './scanners.ts';

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
  async run(context): Promise<StepResult> {
    const c = resolveKeyspaceConfig(context.config['keyspace']);
    const layout = context.reader.layout;
    return context.reader.withFreshViews(async (duck) => {
      // Progress: reading (when the step has to) and folding, by events.
      const shared = context.shared?.operatorRead;
      const read = shared ?? (await readColumns(duck, context.onProgress));
      const half = shared === undefined ? 0.5 : 0;
      const cells = new HeatmapCells(read.targetKeys);
      const scanners = new ScannerTally(c.scanners, read.addresses);
      const entropy = new EntropyTally(c.entropy);
      const families = new FamilyTally(c.families);
      const visitor: LookupVisitor = {
        bucket: (b) => {
          cells.bucket(b);
          scanners.bucket(b);
          entropy.bucket(b);
          families.bucket(b);
        },
        endAddress: (ipNo) => {
          scanners.endAddress(ipNo);
          entropy.endAddress(ipNo);
        },
      };
      foldLookups(read, c.bucketMinutes, visitor, (done, total) =>
        context.onProgress(Math.round(total * half + done * (1 - half)), total),
      );
      cells.finish();
      const heat = heatmapRows(cells, c.heatmap);
      const entropyRows = entropy.rows(read.addresses);
      const familyRows = families.rows(read.addresses, c.bucketMinutes);
      const written = {
        [KEYSPACE_HEATMAP.name]: await writeRows(duck, layout, KEYSPACE_HEATMAP, heat, 'prefix16'),
        [KEYSPACE_SCANNERS.name]: await writeRows(
          duck,
          layout,
          KEYSPACE_SCANNERS,
          scanners.rows,
          'prefixes_covered DESC, remote_ip',
        ),
        [PREFIX_ENTROPY.name]: await writeRows(
          duck,
          layout,
          PREFIX_ENTROPY,
          entropyRows,
          "scope = 'address', least(entropy_8, entropy_12), remote_ip",
        ),
        [PREFIX_FAMILIES.name]: await writeRows(
          duck,
          layout,
          PREFIX_FAMILIES,
          familyRows,
          'events DESC, family_id',
        ),
      };
      const zones = zoneCounts(heat);
      const organised = entropyRows.filter(
        (r) => r.scope === 'address' && r.assessment === 'organised',
      ).length;
      return {
        rows: written,
        summary:
          `${zones.hotZones} hot zones (${zones.hotCells} cells), ${zones.coldZones} cold zones, ` +
          `${scanners.rows.length} scanners, ${organised} organised by prefix entropy, ` +
          `${familyRows.length} prefix families`,
      };
    });
  },
};

/** The operator reader's columns, read for this step alone (progress: the first half). */
async function readColumns(
  duck: Duck,
  onProgress: StepContext['onProgress'],
): Promise<OperatorRead> {
  const read = await readOperatorColumns(duck, (done, total) =>
    onProgress(Math.round(done / 2), total),
  );
  return { ...read, targetKeys: keyFractions(read.strings) };
}
