/**
 * The I/O around the detectors: one pass over the events (only the columns
 * detection needs, ordered by address and time, streamed in chunks so a
 * store of millions of events never sits in memory as rows), one address at
 * a time through its detectors, then the campaign pass over all addresses,
 * and the result written to tables/operator_profiles.parquet.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Duck } from '../store/duck.ts';
import { sqlString } from '../store/journal-format.ts';
import type { StoreReader } from '../store/reader.ts';
import { SQL_TYPES } from '../store/schema.ts';
import { OPERATOR_PROFILES } from '../store/tables.ts';
import {
  analyseOperator,
  type ClassifierOverrides,
  classifyOperators,
  type OperatorAnalysis,
  type OperatorVerdict,
  resolveConfig,
} from './classify-operators.ts';
import { kindShare, type OperatorTrack, QUERY_KINDS } from './operator-features.ts';
import { ratePerHour, roleOf } from './operator-roles.ts';

export const OPERATOR_PROFILE_DEFAULTS = {
  /**
   * Events kept per address for the order-based detectors; beyond it an
   * address is only counted. A crawler seen 200,000 times has long shown
   * its pattern, and the cap bounds memory whatever one address sends.
   */
  maxEventsPerAddress: 200_000,
};

export interface OperatorProfileOptions {
  config?: ClassifierOverrides;
  onProgress?: (done: number, total: number) => void;
  maxEventsPerAddress?: number;
}

export async function computeOperatorProfiles(
  reader: StoreReader,
  options: OperatorProfileOptions = {},
): Promise<{ rows: number; byClass: Record<string, number> }> {
  const config = resolveConfig(options.config);
  const cap = options.maxEventsPerAddress ?? OPERATOR_PROFILE_DEFAULTS.maxEventsPerAddress;
  return reader.withFreshViews(async (duck) => {
    const analyses: OperatorAnalysis[] = [];
    await readTracks(duck, cap, options.onProgress, (track) => {
      analyses.push(analyseOperator(track, config));
    });
    const verdicts = classifyOperators(analyses, config);
    await writeProfiles(
      duck,
      reader.layout.tableFile(OPERATOR_PROFILES.name),
      reader.layout.tmpDir,
      analyses,
      verdicts,
    );
    const byClass: Record<string, number> = {};
    for (const v of verdicts) byClass[v.label] = (byClass[v.label] ?? 0) + 1;
    return { rows: verdicts.length, byClass };
  });
}

const KIND_SQL = QUERY_KINDS.map(sqlString).join(', ');

/**
 * Streams the events address by address and hands each finished track to
 * `onTrack`. Strings are what make a stream slow (DuckDB decodes each one
 * into a JS string), so everything that repeats travels as a small integer:
 * the address, the sensor id, the kind and the client are numbered in SQL
 * and named from lookup arrays here; per-address facts (ASN, organisation,
 * country) come from one aggregate query instead of every row.
 */
async function readTracks(
  duck: Duck,
  cap: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  onTrack: (track: OperatorTrack) => void,
): Promise<void> {
  await duck.run(`CREATE OR REPLACE TEMP TABLE op_ips AS
    SELECT remote_ip, (row_number() OVER (ORDER BY remote_ip))::INTEGER AS ip_no,
      any_value(asn)::DOUBLE AS asn, any_value(org) AS org, any_value(country) AS country, count(*)::DOUBLE AS n
    FROM events WHERE kind IN (${KIND_SQL}) GROUP BY remote_ip`);
  await duck.run(`CREATE OR REPLACE TEMP TABLE op_sensors AS
    SELECT sensor_id, (row_number() OVER (ORDER BY sensor_id))::INTEGER AS sensor_no
    FROM (SELECT DISTINCT sensor_id FROM events WHERE kind IN (${KIND_SQL}))`);
  await duck.run(`CREATE OR REPLACE TEMP TABLE op_clients AS
    SELECT client, (row_number() OVER (ORDER BY client))::INTEGER AS client_no
    FROM (SELECT DISTINCT client FROM events WHERE kind IN (${KIND_SQL}) AND client IS NOT NULL)`);
  const ips = await duck.rows(
    'SELECT remote_ip, ip_no, asn, org, country, n FROM op_ips ORDER BY ip_no',
  );
  const sensors = await duck.rows('SELECT sensor_id, sensor_no FROM op_sensors ORDER BY sensor_no');
  const clients = await duck.rows('SELECT client, client_no FROM op_clients ORDER BY client_no');
  const sensorName = ['', ...sensors.map((r) => r.sensor_id as string)];
  const clientName = ['', ...clients.map((r) => r.client as string)];
  const total = ips.reduce((sum, r) => sum + Number(r.n), 0);
  const result = await duck.connection.stream(`
    SELECT i.ip_no, epoch_us(e.ts)::DOUBLE AS ts, list_position([${KIND_SQL}], e.kind)::INTEGER AS kind_no,
      e.target, e.remote_id, e.txid, s.sensor_no, c.client_no
    FROM events e JOIN op_ips i USING (remote_ip) JOIN op_sensors s USING (sensor_id)
      LEFT JOIN op_clients c USING (client)
    WHERE e.kind IN (${KIND_SQL})
    ORDER BY i.ip_no, e.ts`);
  let track: OperatorTrack | undefined;
  let trackNo = -1;
  let done = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const columns = chunk.getColumns();
    const [ipNo, ts, kindNo, target, remoteId, txid, sensorNo, clientNo] = columns as unknown as [
      number[],
      number[],
      number[],
      (string | null)[],
      (string | null)[],
      (string | null)[],
      number[],
      (number | null)[],
    ];
    for (let i = 0; i < chunk.rowCount; i++) {
      if (ipNo[i] !== trackNo) {
        if (track !== undefined) onTrack(track);
        trackNo = ipNo[i]!;
        const ip = ips[trackNo - 1]!;
        track = { remoteIp: ip.remote_ip as string, events: [], dropped: 0 };
        if (ip.asn !== null) track.asn = ip.asn as number;
        if (ip.org !== null) track.org = ip.org as string;
        if (ip.country !== null) track.country = ip.country as string;
      }
      if (track!.events.length >= cap) {
        track!.dropped = (track!.dropped ?? 0) + 1;
        continue;
      }
      const client = clientNo[i];
      track!.events.push({
        ts: ts[i]!,
        kind: QUERY_KINDS[kindNo[i]! - 1]!,
        target: target[i] ?? undefined,
        remoteId: remoteId[i] ?? undefined,
        txid: txid[i] ?? undefined,
        sensorId: sensorName[sensorNo[i]!],
        client: client === null || client === undefined ? undefined : clientName[client],
      });
    }
    done += chunk.rowCount;
    onProgress?.(done, total);
  }
  if (track !== undefined) onTrack(track);
  await duck.run('DROP TABLE op_ips; DROP TABLE op_sensors; DROP TABLE op_clients');
}

/** Appends the rows to a temporary table and copies it to Parquet, replacing the file atomically. */
async function writeProfiles(
  duck: Duck,
  file: string,
  tmpDir: string,
  analyses: readonly OperatorAnalysis[],
  verdicts: readonly OperatorVerdict[],
): Promise<void> {
  const columns = OPERATOR_PROFILES.columns;
  const table = 'operator_profiles_new';
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${table} (${columns.map((c) => `${c.name} ${c.type === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.type]}`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(table);
  const nullable = <T>(value: T | undefined, append: (value: T) => void) => {
    if (value === undefined) appender.appendNull();
    else append(value);
  };
  try {
    analyses.forEach((a, i) => {
      const f = a.features;
      const v = verdicts[i]!;
      appender.appendVarchar(f.remoteIp);
      nullable(f.asn, (x) => appender.appendBigInt(BigInt(Math.trunc(x))));
      nullable(f.org, (x) => appender.appendVarchar(x));
      nullable(f.country, (x) => appender.appendVarchar(x));
      appender.appendBigInt(BigInt(Math.trunc(f.firstSeen)));
      appender.appendBigInt(BigInt(Math.trunc(f.lastSeen)));
      appender.appendBigInt(BigInt(f.queries));
      appender.appendBigInt(BigInt(f.uniqueTargets));
      appender.appendBigInt(BigInt(f.nodeIds));
      for (const kind of [
        'get_peers',
        'announce_peer',
        'find_node',
        'ping',
        'sample_infohashes',
      ] as const) {
        appender.appendDouble(Math.round(kindShare(f, kind) * 10_000) / 10_000);
      }
      nullable(a.sweep?.monotone, (x) => appender.appendDouble(Math.round(x * 1000) / 1000));
      appender.appendVarchar(v.label);
      appender.appendDouble(v.confidence);
      appender.appendVarchar(v.why);
      nullable(v.group, (x) => appender.appendVarchar(x));
      appender.appendDouble(ratePerHour(f.queries, f.spanUs));
      nullable(f.clients.length === 0 ? undefined : f.clients.slice(0, 5).join(', '), (x) =>
        appender.appendVarchar(x),
      );
      appender.appendVarchar(roleOf(v.label, f));
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const select = columns
    .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  const tmp = join(tmpDir, `${OPERATOR_PROFILES.name}.parquet.tmp`);
  await duck.run(
    `COPY (SELECT ${select} FROM ${table} ORDER BY remote_ip) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  await duck.run(`DROP TABLE ${table}`);
  renameSync(tmp, file);
}
