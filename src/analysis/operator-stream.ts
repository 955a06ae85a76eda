/**
 * Reads the queries of every address for the operator detectors: one pass
 * over the events into shared typed columns, mostly integers crossing from
 * DuckDB to JS (see hashed-strings.ts for the ids), then each address's
 * events in time order, on this thread or shared out to worker threads.
 *
 * The ordering happens here, not in SQL: an ORDER BY over ten million rows
 * this wide costs DuckDB several times what the scan does, while a counting
 * sort on the address number is linear and each address's events arrive
 * in time order already (the parts are written in time order, and the
 * stream keeps that order).
 */
import type { Duck } from '../store/duck.ts';
import { sqlString } from '../store/journal-format.ts';
import type { EventKind } from '../store/schema.ts';
import { float64s, int32s, uint8s } from './chunk-columns.ts';
import { type ColumnsView, GrowableColumns } from './growable-columns.ts';
import { HashedStrings, hashHalvesSql } from './hashed-strings.ts';
import {
  isLookup,
  type OperatorEvent,
  type OperatorTrack,
  QUERY_KINDS,
} from './operator-features.ts';
import { type PackedStrings, packStrings, unpackedStrings } from './shared-memory.ts';
import { keyFractions } from './targets.ts';

const KIND_SQL = QUERY_KINDS.map(sqlString).join(', ');

/**
 * Whether `column` holds a query kind. Not `IN (…)`: DuckDB turns an IN list
 * of five values or more into a join, which hands the rows over out of their
 * stored order, and the events are stored in time order (see
 * readOperatorColumns).
 */
export function isQueryKindSql(column: string): string {
  return `list_contains([${KIND_SQL}], ${column})`;
}

/** Where the stream's columns start (see streamSql): each string as its hash's halves, then itself. */
const COLUMN = {
  ts: 0,
  kind: 1,
  sensor: 2,
  client: 3,
  nulls: 4,
  ip: 5,
  target: 7,
  remote: 9,
  txid: 11,
  rawIp: 13,
  rawTarget: 14,
  rawRemote: 15,
  rawTxid: 16,
  bep42: 17,
};

/** BEP 42 verdicts by number in the bep42 column (0: none). */
export const BEP42_VERDICTS = ['valid', 'invalid', 'exempt'] as const;

/** `list_position(list, column)`: a dictionary-encoded column's few values are each looked up once. */
function positionSql(values: readonly string[], column: string): string {
  return `list_position([${values.map(sqlString).join(', ')}], ${column})`;
}

/**
 * Sensors and clients are numbered by their place in the sorted lists the
 * caller read first; addresses travel as hashes and are numbered here (see
 * readOperatorColumns). Joining ten million rows to those lists in DuckDB
 * cost more than the rest of the stream.
 */
function streamSql(sensors: readonly string[], clients: readonly string[]): string {
  // Only the hashes are read for every row; the strings are read for the first row of each
  // hash (transaction ids: a few tens of thousands at most, 2 to 8 bytes each).
  return `
    SELECT epoch_us(e.ts)::DOUBLE AS ts, list_position([${KIND_SQL}], e.kind)::UTINYINT AS kind_no,
      ${positionSql(sensors, 'e.sensor_id')}::INTEGER AS sensor_no,
      coalesce(${positionSql(clients, 'e.client')}, 0)::INTEGER AS client_no,
      ((e.target IS NULL)::INTEGER + 2 * (e.remote_id IS NULL)::INTEGER + 4 * (e.txid IS NULL)::INTEGER) AS nulls,
      ${hashHalvesSql('e.remote_ip', 'i')}, ${hashHalvesSql('e.target', 't')},
      ${hashHalvesSql('e.remote_id', 'r')}, ${hashHalvesSql('e.txid', 'x')},
      e.remote_ip, e.target, e.remote_id, e.txid,
      coalesce(list_position([${BEP42_VERDICTS.map(sqlString).join(', ')}], e.bep42), 0)::UTINYINT AS bep42_no
    FROM events e
    WHERE ${isQueryKindSql('e.kind')} AND e.remote_ip IS NOT NULL AND e.sensor_id IS NOT NULL`;
}

/** Per-address facts, from one aggregate query. */
export interface AddressInfo {
  remoteIp: string;
  asn: number | null;
  org: string | null;
  country: string | null;
}

/** Everything the detectors need, in a form a worker thread receives without copying the columns. */
export interface OperatorColumns {
  /** By address number − 1 (address numbers start at 1, in address order). */
  addresses: AddressInfo[];
  sensorName: (string | undefined)[];
  clientName: (string | undefined)[];
  /** The strings behind the target and node id columns. */
  strings: string[];
  /** The transaction ids behind the txid column (events carry their numbers, see OperatorEvent). */
  txidStrings: string[];
  columns: ColumnsView;
  /** The rows stand in address and time order: address k's are `start[k]` … `start[k + 1]` − 1. */
  start: Int32Array;
}

type ReadProgress = (done: number, total: number) => void;

/**
 * One pass over the query events into typed columns. Per-address facts
 * (ASN, organisation, country) come from one aggregate query, in address
 * order; sensors and clients are numbered in SQL by their place in their
 * sorted lists and named from those lists here.
 */
export async function readOperatorColumns(
  duck: Duck,
  onProgress?: ReadProgress,
): Promise<OperatorColumns> {
  const ips = await duck.rows(`
    SELECT remote_ip, any_value(asn)::DOUBLE AS asn, any_value(org) AS org,
      any_value(country) AS country, count(*)::DOUBLE AS n
    FROM events WHERE ${isQueryKindSql('kind')} AND remote_ip IS NOT NULL
    GROUP BY remote_ip ORDER BY remote_ip`);
  const sensors = (
    await duck.rows(`SELECT DISTINCT sensor_id FROM events
      WHERE ${isQueryKindSql('kind')} AND sensor_id IS NOT NULL ORDER BY sensor_id`)
  ).map((r) => r.sensor_id as string);
  const clients = (
    await duck.rows(`SELECT DISTINCT client FROM events
      WHERE ${isQueryKindSql('kind')} AND client IS NOT NULL ORDER BY client`)
  ).map((r) => r.client as string);
  // Address numbers follow address order (1-based); the stream's addresses find theirs by text.
  const ipNoByAddress = new Map(ips.map((r, i) => [r.remote_ip as string, i + 1]));
  const expected = ips.reduce((sum, r) => sum + Number(r.n), 0);

  const rows = new GrowableColumns(expected);
  const ids = new HashedStrings();
  const txids = new HashedStrings();
  const addresses = new HashedStrings();
  /** Address number by the addresses table's id. */
  const ipNoOf: number[] = [];
  let ipHi = -1;
  let ipLo = -1;
  let ipNo = 0;
  // An address keeps its node id from query to query: the last one saves most lookups.
  let remoteHi = -1;
  let remoteLo = -1;
  let remoteId = -1;
  const result = await duck.connection.stream(streamSql(sensors, clients));
  // DuckDB computes a chunk while this thread decodes the one before.
  let next = result.fetchChunk();
  for (;;) {
    const chunk = await next;
    if (chunk === null) break;
    const n = chunk.rowCount;
    if (n === 0) break;
    next = result.fetchChunk();
    const at = rows.reserve(n);
    rows.ts.set(float64s(chunk, COLUMN.ts, n), at);
    rows.kind.set(uint8s(chunk, COLUMN.kind, n), at);
    rows.sensor.set(int32s(chunk, COLUMN.sensor, n), at);
    rows.client.set(int32s(chunk, COLUMN.client, n), at);
    const nulls = int32s(chunk, COLUMN.nulls, n);
    const [iHi, iLo, tHi, tLo, rHi, rLo, xHi, xLo] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) =>
      int32s(chunk, COLUMN.ip + k, n),
    ) as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    const rawIp = chunk.getColumnVector(COLUMN.rawIp);
    const rawTarget = chunk.getColumnVector(COLUMN.rawTarget);
    const rawRemote = chunk.getColumnVector(COLUMN.rawRemote);
    const rawTxid = chunk.getColumnVector(COLUMN.rawTxid);
    rows.bep42.set(uint8s(chunk, COLUMN.bep42, n), at);
    const { ip, target, remote, txid } = rows;
    for (let i = 0; i < n; i++) {
      if (iHi[i] !== ipHi || iLo[i] !== ipLo) {
        ipHi = iHi[i]!;
        ipLo = iLo[i]!;
        const id = addresses.id(ipHi, ipLo, rawIp, i);
        if (id === ipNoOf.length) ipNoOf.push(addressNumber(ipNoByAddress, addresses.strings[id]!));
        ipNo = ipNoOf[id]!;
      }
      ip[at + i] = ipNo;
      const absent = nulls[i]!;
      if (!(absent & 2) && (rHi[i] !== remoteHi || rLo[i] !== remoteLo)) {
        remoteHi = rHi[i]!;
        remoteLo = rLo[i]!;
        remoteId = ids.id(remoteHi, remoteLo, rawRemote, i);
      }
      target[at + i] = absent & 1 ? -1 : ids.id(tHi[i]!, tLo[i]!, rawTarget, i);
      remote[at + i] = absent & 2 ? -1 : remoteId;
      txid[at + i] = absent & 4 ? -1 : txids.id(xHi[i]!, xLo[i]!, rawTxid, i);
    }
    onProgress?.(rows.length, expected);
  }
  const start = rows.arrangeByIpAndTime(ips.length);
  return {
    addresses: ips.map((r) => ({
      remoteIp: r.remote_ip as string,
      asn: r.asn as number | null,
      org: r.org as string | null,
      country: r.country as string | null,
    })),
    sensorName: [undefined, ...sensors],
    clientName: [undefined, ...clients],
    strings: ids.strings,
    txidStrings: txids.strings,
    columns: rows.view(),
    start,
  };
}

function addressNumber(numbers: ReadonlyMap<string, number>, address: string): number {
  const n = numbers.get(address);
  // Both come from the same events: only a store changing under the read can get here.
  if (n === undefined)
    throw new Error(`address ${address} appeared in the events while they were read`);
  return n;
}

/**
 * What the operator reader read, kept for later steps of the same
 * `compute` run (sequences, fingerprints), with each target's keyspace
 * fraction by string id (−1 when it is not hex, see targets.ts).
 */
export type OperatorRead = OperatorColumns & { targetKeys: Float64Array };

/** The columns as a compute run keeps them for later steps: with each target's key fraction. */
export function withTargetKeys(columns: OperatorColumns): OperatorRead {
  return { ...columns, targetKeys: keyFractions(columns.strings) };
}

/** The kind column's number of `kind`: its QUERY_KINDS index + 1 (0 is no kind). */
export function kindNumber(kind: EventKind): number {
  return QUERY_KINDS.indexOf(kind) + 1;
}

/** A table by the kind column's numbers (see kindNumber) of `entryOf` each kind. */
export function byKindNumber(entryOf: (kind: EventKind) => number): Uint8Array {
  return Uint8Array.from([0, ...QUERY_KINDS.map(entryOf)]);
}

/** Address numbers `from` … `to` − 1 (1-based, in address order). */
export interface AddressRange {
  from: number;
  to: number;
}

/** The whole range of addresses of `data`. */
export function allAddresses(data: OperatorColumns): AddressRange {
  return { from: 1, to: data.addresses.length + 1 };
}

/**
 * Splits the addresses into `count` contiguous ranges of about equal events
 * (a range ends at an address boundary), so each worker's results come back
 * already in address order and their concatenation is the one-thread order.
 */
export function splitAddresses(data: OperatorColumns, count: number): AddressRange[] {
  const last = data.addresses.length + 1;
  const total = data.start[last]!;
  const ranges: AddressRange[] = [];
  let from = 1;
  for (let k = 1; k <= count; k++) {
    let to = from;
    const goal = (total * k) / count;
    while (to < last && (k === count || data.start[to]! < goal)) to++;
    ranges.push({ from, to });
    from = to;
  }
  return ranges;
}

/** OperatorColumns as a worker thread receives them: the strings packed in shared memory. */
export type SharedOperatorColumns = Omit<OperatorColumns, 'strings'> & { strings: PackedStrings };

export function shareColumns(data: OperatorColumns): SharedOperatorColumns {
  return { ...data, strings: packStrings(data.strings) };
}

/** The kind column's number for ping, and 1 by kind number for the lookups. */
const PING = kindNumber('ping');
const LOOKUP = byKindNumber((k) => (isLookup(k) ? 1 : 0));

/** Hands the tracks of a range of addresses over: see trackEmitter. */
export type EmitTracks = (
  range: AddressRange,
  cap: number,
  onTrack: (track: OperatorTrack) => void,
  onProgress?: (done: number) => void,
) => void;

/**
 * Hands each address's track in a range to `onTrack`, in address order,
 * keeping at most `cap` events each, with their distinct targets counted.
 * One emitter serves every range a thread is given: the strings it decoded
 * and its table of counted targets carry over from range to range.
 */
export function trackEmitter(data: OperatorColumns | SharedOperatorColumns): EmitTracks {
  const strings = data.strings;
  const stringOf = Array.isArray(strings) ? (id: number) => strings[id] : unpackedStrings(strings);
  const text = (id: number) => (id < 0 ? undefined : stringOf(id));
  // Distinct targets by number: per target, the address that last counted it (times two),
  // plus 1 once it counted as a lookup target too. One table, so one cache miss per event;
  // address numbers differ from range to range, so it needs no clearing between them.
  const counted = new Int32Array(
    Array.isArray(strings) ? strings.length : strings.offsets.length - 1,
  );
  return (range, cap, onTrack, onProgress) =>
    emitRange(data, text, counted, range, cap, onTrack, onProgress);
}

/** trackEmitter for one range. */
export function emitTracks(
  data: OperatorColumns | SharedOperatorColumns,
  range: AddressRange,
  cap: number,
  onTrack: (track: OperatorTrack) => void,
  onProgress?: (done: number) => void,
): void {
  trackEmitter(data)(range, cap, onTrack, onProgress);
}

function emitRange(
  data: OperatorColumns | SharedOperatorColumns,
  text: (id: number) => string | undefined,
  counted: Int32Array,
  range: AddressRange,
  cap: number,
  onTrack: (track: OperatorTrack) => void,
  onProgress?: (done: number) => void,
): void {
  const { sensorName, clientName, start } = data;
  const { ts, kind, sensor, client, target, remote, txid } = data.columns;
  let done = 0;
  let reported = 0;
  for (let ipNo = range.from; ipNo < range.to; ipNo++) {
    const first = start[ipNo]!;
    const end = start[ipNo + 1]!;
    if (first === end) continue;
    const ip = data.addresses[ipNo - 1]!;
    const kept = Math.min(end - first, cap);
    const events: OperatorEvent[] = new Array(kept);
    const distinct = { targets: 0, lookupTargets: 0 };
    for (let k = 0; k < kept; k++) {
      const r = first + k;
      const t = target[r]!;
      if (t >= 0 && kind[r] !== PING) {
        let mark = counted[t]!;
        if (mark >> 1 !== ipNo) {
          mark = ipNo << 1;
          counted[t] = mark;
          distinct.targets++;
        }
        if (LOOKUP[kind[r]!] === 1 && (mark & 1) === 0) {
          counted[t] = mark | 1;
          distinct.lookupTargets++;
        }
      }
      events[k] = {
        ts: ts[r]!,
        kind: QUERY_KINDS[kind[r]! - 1]!,
        target: text(t),
        remoteId: text(remote[r]!),
        txid: txid[r]! < 0 ? undefined : txid[r]!,
        sensorId: sensorName[sensor[r]!],
        client: clientName[client[r]!],
      };
    }
    const track: OperatorTrack = {
      remoteIp: ip.remoteIp,
      events,
      dropped: end - first - kept,
      distinct,
    };
    if (ip.asn !== null) track.asn = ip.asn;
    if (ip.org !== null) track.org = ip.org;
    if (ip.country !== null) track.country = ip.country;
    onTrack(track);
    done += end - first;
    if (done - reported >= 65_536) {
      onProgress?.(done);
      reported = done;
    }
  }
  onProgress?.(done);
}
