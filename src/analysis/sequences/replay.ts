/**
 * Sweeps and prefix walks in batch: the stored lookups replayed, address by
 * address in time order, through the same streaming trackers the antenna
 * runs live (src/analysis/live/), so a sweep in sweep_events is exactly a
 * sweep the live detector would have alerted on, with its final extent.
 *
 * Strings are what make a DuckDB stream slow (decoding the targets cost
 * three times the rest), so nothing travels as one: the address as a number
 * named from a lookup array, the target as its key, the leading 52 bits as
 * a fraction of the keyspace computed in SQL exactly as keyFraction does,
 * fed to the trackers' observeKey. Addresses with fewer
 * lookups than either tracker's `minTargets` are left out: they can never qualify.
 */
import type { Duck } from '../../store/duck.ts';
import { sqlString } from '../../store/journal-format.ts';
import { float64s, int32s } from '../chunk-columns.ts';
import { formatSpan, percent } from '../detection.ts';
import { orderByGroupAndTime } from '../group-order.ts';
import {
  type LivePrefixWalkConfig,
  type PrefixWalkFinding,
  PrefixWalkTracker,
} from '../live/prefix-walk-tracker.ts';
import { type LiveSweepConfig, type SweepFinding, SweepTracker } from '../live/sweep-tracker.ts';
import { isLookup, QUERY_KINDS } from '../operator-features.ts';
import { byKindNumber, type OperatorRead } from '../operator-stream.ts';

/** The kinds the trackers' observe() accepts, filtered in SQL instead. */
const KIND_SQL = QUERY_KINDS.filter(isLookup).map(sqlString).join(', ');
/**
 * keyFraction in SQL: the first 13 hex digits (zero-padded) over 2^52, exact
 * in a DOUBLE; −1 for a target that is not hex (never replayed). Padding
 * only the short ones saves a third of the expression's cost.
 */
const KEY_SQL = `coalesce((CASE WHEN strlen(e.target) >= 13
    THEN TRY_CAST('0x' || left(e.target, 13) AS BIGINT)
    ELSE TRY_CAST('0x' || rpad(e.target, 13, '0') AS BIGINT) END)::DOUBLE / ${2 ** 52}, -1)`;

export type SequenceConfig = {
  sweep: LiveSweepConfig;
  prefixWalk: LivePrefixWalkConfig;
};

export interface SequenceRows {
  sweeps: Record<string, unknown>[];
  walks: Record<string, unknown>[];
  /** Lookups replayed. */
  replayed: number;
}

/**
 * The stored lookups of the addresses that can qualify (at least
 * `minTargets` lookups with a target), one row each: the address by number
 * (1-based, in address order), the time and the target's keyspace fraction
 * (−1 when the target is not hex: counted, never replayed).
 */
export interface Lookups {
  addresses: { remoteIp: string; asn: number | undefined }[];
  ipNo: Int32Array;
  ts: Float64Array;
  key: Float64Array;
  length: number;
}

function minTargetsOf(config: SequenceConfig): number {
  return Math.max(1, Math.min(config.sweep.minTargets, config.prefixWalk.minTargets));
}

/** The lookups from the store, read in any order into typed columns. */
export async function readLookups(
  duck: Duck,
  config: SequenceConfig,
  onProgress: (done: number, total: number) => void,
): Promise<Lookups> {
  await duck.run(`CREATE OR REPLACE TEMP TABLE seq_ips AS
    SELECT remote_ip, (row_number() OVER (ORDER BY remote_ip))::INTEGER AS ip_no,
      any_value(asn)::DOUBLE AS asn, count(*)::DOUBLE AS n
    FROM events WHERE kind IN (${KIND_SQL}) AND target IS NOT NULL
    GROUP BY remote_ip HAVING count(*) >= ${minTargetsOf(config)}`);
  try {
    const ips = await duck.rows('SELECT remote_ip, asn, n FROM seq_ips ORDER BY ip_no');
    const total = ips.reduce((sum, r) => sum + Number(r.n), 0);
    const ipNo = new Int32Array(total);
    const ts = new Float64Array(total);
    const key = new Float64Array(total);
    let length = 0;
    const result = await duck.connection.stream(`
      SELECT i.ip_no, epoch_us(e.ts)::DOUBLE AS ts, ${KEY_SQL} AS k
      FROM events e JOIN seq_ips i USING (remote_ip)
      WHERE e.kind IN (${KIND_SQL}) AND e.target IS NOT NULL`);
    // DuckDB computes the next chunk while this one is copied.
    let next = result.fetchChunk();
    for (;;) {
      const chunk = await next;
      if (chunk === null || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      const n = chunk.rowCount;
      ipNo.set(int32s(chunk, 0, n), length);
      ts.set(float64s(chunk, 1, n), length);
      key.set(float64s(chunk, 2, n), length);
      length += n;
      onProgress(Math.round(length / 2), total);
    }
    const addresses = ips.map((r) => ({
      remoteIp: r.remote_ip as string,
      asn: r.asn === null ? undefined : (r.asn as number),
    }));
    return { addresses, ipNo, ts, key, length };
  } finally {
    await duck.run('DROP TABLE seq_ips');
  }
}

/**
 * The same lookups taken from the operator reader's columns (one read of
 * the store serving both steps in a `compute` run), with the targets'
 * keyspace fractions computed once per distinct target.
 */
export function lookupsFromRead(read: OperatorRead, config: SequenceConfig): Lookups {
  const { kind, target, ts } = read.columns;
  const lookupKinds = byKindNumber((k) => (isLookup(k) ? 1 : 0));
  const minTargets = minTargetsOf(config);
  // Addresses that qualify, renumbered 1 … n in address order.
  const renumber = new Int32Array(read.addresses.length + 1);
  const addresses: Lookups['addresses'] = [];
  let total = 0;
  for (let no = 1; no <= read.addresses.length; no++) {
    let n = 0;
    for (let r = read.start[no]!; r < read.start[no + 1]!; r++) {
      if (lookupKinds[kind[r]!] === 1 && target[r]! >= 0) n++;
    }
    if (n < minTargets) continue;
    const a = read.addresses[no - 1]!;
    addresses.push({ remoteIp: a.remoteIp, asn: a.asn ?? undefined });
    renumber[no] = addresses.length;
    total += n;
  }
  const out: Lookups = {
    addresses,
    ipNo: new Int32Array(total),
    ts: new Float64Array(total),
    key: new Float64Array(total),
    length: total,
  };
  let at = 0;
  for (let no = 1; no <= read.addresses.length; no++) {
    const to = renumber[no]!;
    if (to === 0) continue;
    for (let r = read.start[no]!; r < read.start[no + 1]!; r++) {
      if (lookupKinds[kind[r]!] !== 1 || target[r]! < 0) continue;
      out.ipNo[at] = to;
      out.ts[at] = ts[r]!;
      out.key[at] = read.targetKeys[target[r]!]!;
      at++;
    }
  }
  return out;
}

/**
 * Replays the lookups through the trackers, address by address in time
 * order (equal times by key), as the antenna would have seen them.
 */
export function replaySequences(
  lookups: Lookups,
  config: SequenceConfig,
  onProgress: (done: number, total: number) => void,
): SequenceRows {
  const out: SequenceRows = { sweeps: [], walks: [], replayed: 0 };
  let sweepDetected = 0;
  let walkDetected = 0;
  const sweeps = new SweepTracker(config.sweep, (f) => out.sweeps.push(sweepRow(f, sweepDetected)));
  const walks = new PrefixWalkTracker(config.prefixWalk, (f) =>
    out.walks.push(walkRow(f, walkDetected)),
  );
  const { addresses, ts, key, length } = lookups;
  const { start, order } = orderByGroupAndTime(lookups.ipNo, length, addresses.length, ts, key);
  for (let current = 1; current <= addresses.length; current++) {
    const { remoteIp, asn } = addresses[current - 1]!;
    for (let j = start[current]!; j < start[current + 1]!; j++) {
      const r = order[j]!;
      if (key[r]! < 0) continue;
      out.replayed++;
      const sweep = sweeps.observeKey(ts[r]!, remoteIp, asn, key[r]!);
      if (sweep !== undefined) sweepDetected = sweep.lastUs;
      const walk = walks.observeKey(ts[r]!, remoteIp, asn, key[r]!);
      if (walk !== undefined) walkDetected = walk.lastUs;
    }
    if (current % 1024 === 0) onProgress(Math.round(length / 2 + start[current + 1]! / 2), length);
    sweeps.close(remoteIp);
    walks.close(remoteIp);
  }
  onProgress(length, length);
  return out;
}

function sweepRow(f: SweepFinding, detectedUs: number): Record<string, unknown> {
  const from = f.startTarget.slice(0, 4);
  const to = f.endTarget.slice(0, 4);
  const span = f.lastUs - f.firstUs;
  return {
    operatorIp: f.remoteIp,
    asn: f.asn,
    detectedAt: detectedUs,
    firstSeen: f.firstUs,
    lastSeen: f.lastUs,
    prefixStart: from,
    prefixEnd: to,
    hashesObserved: f.hashes,
    durationSeconds: Math.round(span / 1000) / 1000,
    hashesPerSec: f.rate,
    direction: f.direction,
    confidence: f.confidence,
    why: `${f.hashes} targets in ${f.direction} order from ${from}… to ${to}… over ${formatSpan(span)} at ${f.rate} a second (${percent(f.confidence)} of steps that way)`,
  };
}

/** The prefixes walked, shortened: the first three and the last. */
export function prefixSequence(
  f: Pick<PrefixWalkFinding, 'firstPrefixes' | 'lastPrefix' | 'prefixes'>,
): string {
  const head = f.firstPrefixes.join('→');
  if (f.prefixes <= f.firstPrefixes.length) return head;
  if (f.prefixes === f.firstPrefixes.length + 1) return `${head}→${f.lastPrefix}`;
  return `${head}→…→${f.lastPrefix}`;
}

function walkRow(f: PrefixWalkFinding, detectedUs: number): Record<string, unknown> {
  const span = f.lastUs - f.firstUs;
  const sequence = prefixSequence(f);
  return {
    sourceIp: f.remoteIp,
    asn: f.asn,
    prefixSequence: sequence,
    prefixes: f.prefixes,
    startTime: f.firstUs,
    endTime: f.lastUs,
    detectedAt: detectedUs,
    totalHashes: f.hashes,
    durationSeconds: Math.round(span / 1000) / 1000,
    hashesPerSecond: f.rate,
    confidence: f.confidence,
    why: `${f.hashes} targets in ${f.prefixes} 12-bit prefixes walked upwards ${sequence} (${percent(f.walkShare)} of steps stay or advance by a prefix or two) over ${formatSpan(span)}`,
  };
}
