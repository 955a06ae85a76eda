/**
 * The fleet view (`operators`): one row per ASN. Whether a network sweeps
 * broadly (many infohashes, few queries each) or digs into a few (many
 * queries per infohash), how active it is, which classes its addresses fall
 * into and which addresses carry it. Built on operator_profiles, so it runs
 * after that step.
 */

import { writeDerivedTable } from '../store/derived.ts';
import { OPERATORS } from '../store/tables.ts';
import { type AnalysisStep, withOverrides } from './step.ts';
import { tempTable } from './write-rows.ts';

/** The sources' defaults (OPERATOR_BROAD_SWEEP_MIN_HASHES, OPERATOR_TARGETED_MIN_DEPTH). */
export const OPERATORS_DEFAULTS = {
  /** A network that looked up at least this many distinct infohashes sweeps broadly… */
  broadSweepMinHashes: 500,
  /** …and one that asks this many times per infohash, on average, digs in (targeted depth). */
  targetedMinDepth: 10,
  /** Addresses named in `top_addresses`. */
  topAddresses: 3,
};

export type OperatorsConfig = typeof OPERATORS_DEFAULTS;

export function resolveOperatorsConfig(
  overrides?: Readonly<Record<string, unknown>>,
): OperatorsConfig {
  return withOverrides(OPERATORS_DEFAULTS, overrides, 'operators');
}

/** Per network: its lookups and the distinct targets they named (the events alone). */
export const ASN_LOOKUPS_SQL = `
  SELECT asn, count(*) AS lookups, count(DISTINCT target) AS hashes
  FROM events WHERE asn IS NOT NULL AND target IS NOT NULL
    AND kind IN ('get_peers', 'announce_peer', 'find_node', 'sample_infohashes')
  GROUP BY asn`;

/** The fleet view; `lookups` is ASN_LOOKUPS_SQL or a table of its rows. */
export function operatorsSql(c: OperatorsConfig, lookups = `(${ASN_LOOKUPS_SQL})`): string {
  return `
    WITH lookups AS (SELECT asn, lookups, hashes FROM ${lookups}),
    classes AS (
      SELECT asn, string_agg(class || ':' || n, ', ' ORDER BY n DESC, class) AS classes
      FROM (SELECT asn, class, count(*) AS n FROM operator_profiles WHERE asn IS NOT NULL GROUP BY asn, class)
      GROUP BY asn),
    ranked AS (
      SELECT asn, remote_ip, queries,
        row_number() OVER (PARTITION BY asn ORDER BY queries DESC, remote_ip) AS r
      FROM operator_profiles WHERE asn IS NOT NULL),
    top AS (
      SELECT asn, string_agg(remote_ip || ' (' || queries || ')', ', ' ORDER BY r) AS top_addresses
      FROM ranked WHERE r <= ${c.topAddresses} GROUP BY asn),
    per_asn AS (
      SELECT asn, any_value(org) AS org, mode(country) AS country,
        count(*) AS addresses, sum(queries) AS queries,
        count(*) FILTER (WHERE class NOT IN ('normal_client', 'dht_node')) AS flagged_addresses,
        min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM operator_profiles WHERE asn IS NOT NULL GROUP BY asn)
    SELECT p.asn, p.org, p.country, p.addresses, p.flagged_addresses, p.queries,
      coalesce(l.hashes, 0) AS unique_hashes,
      round(coalesce(l.lookups, 0) / greatest(coalesce(l.hashes, 0), 1), 2) AS depth,
      CASE
        WHEN coalesce(l.hashes, 0) >= ${c.broadSweepMinHashes} AND coalesce(l.lookups, 0) / greatest(l.hashes, 1) < ${c.targetedMinDepth} THEN 'broad_sweep'
        WHEN coalesce(l.lookups, 0) / greatest(coalesce(l.hashes, 0), 1) >= ${c.targetedMinDepth} THEN 'targeted_depth'
        ELSE 'light'
      END AS posture,
      round(p.queries / greatest(epoch(p.last_seen) - epoch(p.first_seen), 3600) * 3600, 2) AS queries_per_hour,
      coalesce(k.classes, '') AS classes,
      coalesce(t.top_addresses, '') AS top_addresses,
      p.first_seen, p.last_seen,
      printf('%d infohashes, %.1f lookups each (broad ≥ %d hashes, targeted ≥ %.0f each)',
        coalesce(l.hashes, 0), coalesce(l.lookups, 0) / greatest(coalesce(l.hashes, 0), 1),
        ${c.broadSweepMinHashes}::INTEGER, ${c.targetedMinDepth}::DOUBLE) AS why
    FROM per_asn p
    LEFT JOIN lookups l USING (asn) LEFT JOIN classes k USING (asn) LEFT JOIN top t USING (asn)`;
}

interface AsnLookups {
  asn: number;
  lookups: number;
  hashes: number;
}

/** The temporary table of the per-network lookups worked out ahead. */
const AHEAD_TABLE = 'operators_asn_lookups';

export const operatorsStep: AnalysisStep = {
  name: 'operators (fleet view)',
  tables: [OPERATORS],
  // A scan of every event, which needs no profile: done beside the operator profiles.
  ahead: async (reader) =>
    (await reader.withFreshViews((duck) => duck.rows(ASN_LOOKUPS_SQL))).map(
      (r): AsnLookups => ({
        asn: Number(r.asn),
        lookups: Number(r.lookups),
        hashes: Number(r.hashes),
      }),
    ),
  async run({ reader, config, onProgress, shared }) {
    const c = resolveOperatorsConfig(config.operators);
    const ahead = shared?.begun.get(operatorsStep) as Promise<AsnLookups[]> | undefined;
    const rows = await reader.withFreshViews(async (duck) => {
      if (ahead === undefined)
        return writeDerivedTable(duck, reader.layout, OPERATORS, operatorsSql(c), ORDER);
      await tempTable(
        duck,
        AHEAD_TABLE,
        ['asn', 'lookups', 'hashes'].map((name) => ({ name, type: 'BIGINT' })),
        await ahead,
      );
      try {
        return await writeDerivedTable(
          duck,
          reader.layout,
          OPERATORS,
          operatorsSql(c, AHEAD_TABLE),
          ORDER,
        );
      } finally {
        await duck.run(`DROP TABLE ${AHEAD_TABLE}`);
      }
    });
    onProgress(1, 1);
    return { rows: { [OPERATORS.name]: rows }, summary: `${rows} networks` };
  },
};

const ORDER = 'queries DESC, asn';
