/**
 * Reads the queries of every address for the operator detectors: one pass
 * over the events, mostly numbers crossing from DuckDB to JS (see
 * hashed-strings.ts for the ids), then each address's events in time order.
 *
 * The ordering happens here, not in SQL: an ORDER BY over ten million rows
 * this wide costs DuckDB several times what the scan does, while a counting
 * sort on the address number is linear and each address's events arrive
 * almost in time order already (the parts are written in time order).
 */
import type { Duck } from '../store/duck.ts';
import { sqlString } from '../store/journal-format.ts';
import { GrowableColumns } from './growable-columns.ts';
import { HashedStrings, hashHalvesSql } from './hashed-strings.ts';
import { type OperatorEvent, type OperatorTrack, QUERY_KINDS } from './operator-features.ts';

const KIND_SQL = QUERY_KINDS.map(sqlString).join(', ');

/** Where the stream's columns start (see streamSql): each string as its hash's halves, then itself. */
const COLUMN = { target: 6, remote: 8, txid: 10, rawTarget: 12, rawRemote: 13, rawTxid: 14 };

function streamSql(): string {
  // Only the hashes are read for every row; the strings are read for the first row of each hash.
  return `
    SELECT i.ip_no, epoch_us(e.ts)::DOUBLE AS ts, list_position([${KIND_SQL}], e.kind)::INTEGER AS kind_no,
      s.sensor_no, coalesce(c.client_no, 0)::INTEGER AS client_no,
      ((e.target IS NULL)::INTEGER + 2 * (e.remote_id IS NULL)::INTEGER + 4 * (e.txid IS NULL)::INTEGER) AS nulls,
      ${hashHalvesSql('e.target', 't')}, ${hashHalvesSql('e.remote_id', 'r')}, ${hashHalvesSql('e.txid', 'x')},
      e.target, e.remote_id, e.txid
    FROM events e JOIN op_ips i USING (remote_ip) JOIN op_sensors s USING (sensor_id)
      LEFT JOIN op_clients c USING (client)
    WHERE e.kind IN (${KIND_SQL})`;
}

/** One of `count` disjoint shares of the addresses (by a hash of the address), read by one worker. */
export interface AddressShard {
  index: number;
  count: number;
}

/**
 * Streams the events and hands each address's track to `onTrack`, in
 * address order. Per-address facts (ASN, organisation, country) come from
 * one aggregate query; sensors and clients are numbered in SQL and named
 * from lookup arrays here. With `shard`, only that share of the addresses.
 */
export async function readTracks(
  duck: Duck,
  cap: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  onTrack: (track: OperatorTrack) => void,
  shard?: AddressShard,
): Promise<void> {
  const inShard =
    shard === undefined || shard.count <= 1
      ? ''
      : `AND hash(remote_ip) % ${shard.count} = ${shard.index}`;
  await duck.run(`CREATE OR REPLACE TEMP TABLE op_ips AS
    SELECT remote_ip, (row_number() OVER (ORDER BY remote_ip))::INTEGER AS ip_no,
      any_value(asn)::DOUBLE AS asn, any_value(org) AS org, any_value(country) AS country, count(*)::DOUBLE AS n
    FROM events WHERE kind IN (${KIND_SQL}) ${inShard} GROUP BY remote_ip`);
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
  const sensorName = [undefined, ...sensors.map((r) => r.sensor_id as string)];
  const clientName = [undefined, ...clients.map((r) => r.client as string)];
  const expected = ips.reduce((sum, r) => sum + Number(r.n), 0);

  const rows = new GrowableColumns(expected);
  const ids = new HashedStrings();
  // An address keeps its node id from query to query: the last one saves most lookups.
  let remoteHi = Number.NaN;
  let remoteLo = Number.NaN;
  let remoteId = -1;
  const result = await duck.connection.stream(streamSql());
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null) break;
    const n = chunk.rowCount;
    if (n === 0) break;
    const col = (k: number) => chunk.getColumnValues(k) as number[];
    const [ip, ts, kind, sensor, client, nulls] = [0, 1, 2, 3, 4, 5].map(col) as [
      number[],
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const [tHi, tLo, rHi, rLo, xHi, xLo] = [0, 1, 2, 3, 4, 5].map((k) =>
      col(COLUMN.target + k),
    ) as [number[], number[], number[], number[], number[], number[]];
    const rawTarget = chunk.getColumnVector(COLUMN.rawTarget);
    const rawRemote = chunk.getColumnVector(COLUMN.rawRemote);
    const rawTxid = chunk.getColumnVector(COLUMN.rawTxid);
    const at = rows.reserve(n);
    for (let i = 0; i < n; i++) {
      const absent = nulls[i]!;
      if (!(absent & 2) && (rHi[i] !== remoteHi || rLo[i] !== remoteLo)) {
        remoteHi = rHi[i]!;
        remoteLo = rLo[i]!;
        remoteId = ids.id(remoteHi, remoteLo, rawRemote, i);
      }
      rows.set(
        at + i,
        ip[i]!,
        ts[i]!,
        kind[i]!,
        sensor[i]!,
        client[i]!,
        absent & 1 ? -1 : ids.id(tHi[i]!, tLo[i]!, rawTarget, i),
        absent & 2 ? -1 : remoteId,
        absent & 4 ? -1 : ids.id(xHi[i]!, xLo[i]!, rawTxid, i),
      );
    }
  }

  const strings = ids.strings;
  const text = (id: number) => (id < 0 ? undefined : strings[id]);
  const total = rows.length;
  const byIp = rows.orderByIpAndTime(ips.length);
  let done = 0;
  let reported = 0;
  for (let ipNo = 1; ipNo <= ips.length; ipNo++) {
    const start = byIp.start[ipNo]!;
    const end = byIp.start[ipNo + 1]!;
    if (start === end) continue;
    const ip = ips[ipNo - 1]!;
    const kept = Math.min(end - start, cap);
    const events: OperatorEvent[] = new Array(kept);
    for (let k = 0; k < kept; k++) {
      const r = byIp.order[start + k]!;
      events[k] = {
        ts: rows.ts[r]!,
        kind: QUERY_KINDS[rows.kind[r]! - 1]!,
        target: text(rows.target[r]!),
        remoteId: text(rows.remote[r]!),
        txid: text(rows.txid[r]!),
        sensorId: sensorName[rows.sensor[r]!],
        client: clientName[rows.client[r]!],
      };
    }
    const track: OperatorTrack = {
      remoteIp: ip.remote_ip as string,
      events,
      dropped: end - start - kept,
    };
    if (ip.asn !== null) track.asn = ip.asn as number;
    if (ip.org !== null) track.org = ip.org as string;
    if (ip.country !== null) track.country = ip.country as string;
    onTrack(track);
    done += end - start;
    if (done - reported >= 65_536) {
      onProgress?.(done, total);
      reported = done;
    }
  }
  onProgress?.(total, total);
  await duck.run('DROP TABLE op_ips; DROP TABLE op_sensors; DROP TABLE op_clients');
}
