/**
 * `compute` step for the keyspace: the heatmap with its hot and cold zones,
 * systematic scanners, prefix entropy and prefix families, all from one read
 * of the events (base.ts) and all in DuckDB, so ten million events never
 * become JavaScript objects.
 *
 * Settings come from the config file's `keyspace` section, flat: every key
 * of the four `..._DEFAULTS` plus `bucketMinutes` (they share no names). An
 * unknown key is an error.
 */

import { writeDerivedTable } from '../../store/derived.ts';
import type { Duck } from '../../store/duck.ts';
import { sqlString } from '../../store/journal-format.ts';
import {
  KEYSPACE_HEATMAP,
  KEYSPACE_SCANNERS,
  PREFIX_ENTROPY,
  PREFIX_FAMILIES,
  type TableSpec,
} from '../../store/tables.ts';
import { type AnalysisStep, type StepContext, type StepResult, withOverrides } from '../step.ts';
import { createKeyspaceTables, dropKeyspaceTables } from './base.ts';
import { HEATMAP_DEFAULTS, heatmapSql } from './heatmap.ts';
import { PREFIX_ENTROPY_DEFAULTS, prefixEntropySql } from './prefix-entropy.ts';
import {
  familyMinBucketTargets,
  PREFIX_FAMILY_DEFAULTS,
  prefixFamiliesSql,
} from './prefix-families.ts';
import { SCANNER_DEFAULTS, scannersSql } from './scanners.ts';

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

export interface KeyspaceResult {
  rows: Record<string, number>;
  hotCells: number;
  hotZones: number;
  coldZones: number;
  scanners: number;
  organised: number;
  families: number;
}

/** Computes and writes the four keyspace tables; the reader's views must be fresh. */
export async function computeKeyspace(
  duck: Duck,
  context: Pick<StepContext, 'reader' | 'onProgress'>,
  c: KeyspaceConfig,
): Promise<KeyspaceResult> {
  const layout = context.reader.layout;
  const total = 5;
  context.onProgress(0, total);
  await createKeyspaceTables(
    duck,
    c.bucketMinutes,
    Math.min(c.scanners.minBucketTargets, familyMinBucketTargets(c.families)),
  );
  try {
    const outputs: [TableSpec, string, string][] = [
      [KEYSPACE_HEATMAP, heatmapSql(c.heatmap), 'prefix16'],
      [KEYSPACE_SCANNERS, scannersSql(c.scanners), 'prefixes_covered DESC, remote_ip'],
      [
        PREFIX_ENTROPY,
        prefixEntropySql(c.entropy),
        "scope = 'address', least(entropy_8, entropy_12), remote_ip",
      ],
      [PREFIX_FAMILIES, prefixFamiliesSql(c.families, c.bucketMinutes), 'events DESC, family_id'],
    ];
    const written: number[] = [];
    for (const [table, sql, orderBy] of outputs) {
      context.onProgress(written.length + 1, total);
      written.push(await writeDerivedTable(duck, layout, table, sql, orderBy));
    }
    const [heat, scanners, entropy, families] = written as [number, number, number, number];
    context.onProgress(5, total);
    const heatFile = sqlString(layout.tableFile(KEYSPACE_HEATMAP.name));
    const entropyFile = sqlString(layout.tableFile(PREFIX_ENTROPY.name));
    const [counts] = await duck.rows(`
      SELECT
        (SELECT count(*) FROM read_parquet(${heatFile}) WHERE zone = 'hot')::INTEGER AS hot_cells,
        (SELECT count(DISTINCT zone_start) FROM read_parquet(${heatFile}) WHERE zone = 'hot')::INTEGER AS hot_zones,
        (SELECT count(DISTINCT zone_start) FROM read_parquet(${heatFile}) WHERE zone = 'cold')::INTEGER AS cold_zones,
        (SELECT count(*) FROM read_parquet(${entropyFile})
         WHERE assessment = 'organised' AND scope = 'address')::INTEGER AS organised`);
    return {
      rows: {
        [KEYSPACE_HEATMAP.name]: heat,
        [KEYSPACE_SCANNERS.name]: scanners,
        [PREFIX_ENTROPY.name]: entropy,
        [PREFIX_FAMILIES.name]: families,
      },
      hotCells: Number(counts?.hot_cells ?? 0),
      hotZones: Number(counts?.hot_zones ?? 0),
      coldZones: Number(counts?.cold_zones ?? 0),
      scanners,
      organised: Number(counts?.organised ?? 0),
      families,
    };
  } finally {
    await dropKeyspaceTables(duck);
  }
}

export const keyspaceStep: AnalysisStep = {
  name: 'keyspace (heatmap, scanners, prefix entropy, prefix families)',
  tables: [KEYSPACE_HEATMAP, KEYSPACE_SCANNERS, PREFIX_ENTROPY, PREFIX_FAMILIES],
  async run(context): Promise<StepResult> {
    const c = resolveKeyspaceConfig(context.config['keyspace']);
    const r = await context.reader.withFreshViews((duck) => computeKeyspace(duck, context, c));
    return {
      rows: r.rows,
      summary:
        `${r.hotZones} hot zones (${r.hotCells} cells), ${r.coldZones} cold zones, ` +
        `${r.scanners} scanners, ${r.organised} organised by prefix entropy, ${r.families} prefix families`,
    };
  },
};
