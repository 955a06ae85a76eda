/**
 * Fingerprints from the operator reader's columns: the same rows as the SQL
 * of sql.ts, computed in one pass over each address's events (already in
 * time order) when a `compute` run has read them for the operator profiles.
 * sql.ts stays the definition and serves `compute --only fingerprints`; a
 * test holds the two to the same rows.
 */
import { BEP42_VERDICTS, type OperatorRead } from '../operator-stream.ts';
import type { FingerprintConfig } from './sql.ts';

const VALID = BEP42_VERDICTS.indexOf('valid') + 1;
const INVALID = BEP42_VERDICTS.indexOf('invalid') + 1;

/** Per node id of an address: BEP 42 said invalid, BEP 42 judged it, it copies the sensor's prefix. */
const ID_INVALID = 1;
const ID_JUDGED = 2;
const ID_COPIED = 4;

export function fingerprintsFromRead(
  read: OperatorRead,
  c: FingerprintConfig,
): Record<string, unknown>[] {
  const { ts, remote, txid, client, sensor, bep42 } = read.columns;
  const { start, strings } = read;
  const digits = Math.floor(c.copyBits / 4);
  const maxDistinctTxids = 3 * (1 - c.minTopTxidShare);
  const sensorPrefix = read.sensorName.map((id) => id?.slice(0, digits));
  const prefixOf = (id: number) => (strings[id] ?? '').slice(0, digits);
  // A transaction id counts in the sequence test when it has at most 12 characters; its
  // value is NaN when it is not hex (the SQL's TRY_CAST gives NULL).
  const inSequence = read.txidStrings.map((t) => t.length <= 12);
  const txValue = read.txidStrings.map((t) =>
    /^[0-9a-fA-F]+$/.test(t) && t.length <= 12 ? Number.parseInt(t, 16) : Number.NaN,
  );
  // Counters by id, reused from address to address: `seen` holds the address
  // that last touched an id, so nothing is cleared between addresses.
  const idBits = new Uint8Array(strings.length);
  const idSeen = new Int32Array(strings.length);
  const txCount = new Int32Array(read.txidStrings.length);
  const txSeen = new Int32Array(read.txidStrings.length);
  const clientCount = new Int32Array(read.clientName.length);
  const clientSeen = new Int32Array(read.clientName.length);
  const rows: Record<string, unknown>[] = [];
  for (let no = 1; no <= read.addresses.length; no++) {
    const first = start[no]!;
    const end = start[no + 1]!;
    if (first === end) continue;
    const ids: number[] = [];
    let distinctTxids = 0;
    let top = 0;
    const clientsSeen: number[] = [];
    let previous = Number.NaN;
    let sequenced = false;
    let up = 0;
    let steps = 0;
    for (let r = first; r < end; r++) {
      const id = remote[r]!;
      if (id >= 0 && idSeen[id] !== no) {
        idSeen[id] = no;
        idBits[id] = 0;
        ids.push(id);
      }
      const x = txid[r]!;
      if (x >= 0) {
        if (txSeen[x] !== no) {
          txSeen[x] = no;
          txCount[x] = 0;
          distinctTxids++;
        }
        const n = ++txCount[x]!;
        if (n > top) top = n;
        if (inSequence[x]) {
          const value = txValue[x]!;
          if (sequenced) {
            const d = value - previous;
            if (d === 1) up++;
            if (!Number.isNaN(d) && d !== 0) steps++;
          }
          previous = value;
          sequenced = true;
        }
      }
      const k = client[r]!;
      if (k > 0) {
        if (clientSeen[k] !== no) {
          clientSeen[k] = no;
          clientCount[k] = 0;
          clientsSeen.push(k);
        }
        clientCount[k]!++;
      }
    }
    const queries = end - first;
    // Per-id evidence only for addresses with two ids or more, as the SQL has it.
    const nodeIds = ids.length;
    let judged = 0;
    let invalid = 0;
    let copied = 0;
    if (nodeIds >= 2) {
      // The per-id evidence, in a second pass over the few addresses that need it.
      for (let r = first; r < end; r++) {
        const id = remote[r]!;
        if (id < 0) continue;
        let bits = idBits[id]!;
        const verdict = bep42[r]!;
        if (verdict === INVALID) bits |= ID_INVALID | ID_JUDGED;
        else if (verdict === VALID) bits |= ID_JUDGED;
        if (!(bits & ID_COPIED) && prefixOf(id) === sensorPrefix[sensor[r]!]) bits |= ID_COPIED;
        idBits[id] = bits;
      }
      for (const id of ids) {
        const bits = idBits[id]!;
        if (bits & ID_JUDGED) judged++;
        if (bits & ID_INVALID) invalid++;
        if (bits & ID_COPIED) copied++;
      }
    }
    // The most frequent transaction id counts only where the SQL computes it.
    const counted =
      distinctTxids > 0 &&
      queries >= c.minTxidQueries &&
      distinctTxids <= maxDistinctTxids * queries;
    const versions = clientsSeen.length;
    const invalidShare = judged > 0 ? invalid / judged : undefined;
    const copiedShare = nodeIds > 0 ? copied / nodeIds : 0;
    const topShare = counted ? top / queries : 0;
    const sequentialShare = steps > 0 ? up / steps : 0;
    const signals: string[] = [];
    const why: string[] = [];
    const clients = () =>
      clientsSeen
        .sort(
          (a, b) =>
            clientCount[b]! - clientCount[a]! ||
            compareText(read.clientName[a]!, read.clientName[b]!),
        )
        .map((k) => read.clientName[k])
        .join(', ');
    if (nodeIds >= c.minNodeIds) {
      signals.push('many_node_ids');
      why.push(`${nodeIds} node ids (≥ ${c.minNodeIds})`);
    }
    if (
      invalidShare !== undefined &&
      invalid >= c.minInvalidIds &&
      invalidShare >= c.minInvalidShare
    ) {
      signals.push('bep42_invalid');
      why.push(`${invalid} of ${judged} judged ids fail BEP 42 (${percent(invalidShare)})`);
    }
    if (copied >= c.minCopiedIds && copiedShare >= c.minCopiedShare) {
      signals.push('sensor_prefix');
      why.push(
        `${copied} of ${nodeIds} ids share ≥ ${c.copyBits} bits with the identity they query (${percent(copiedShare)})`,
      );
    }
    if (queries >= c.minTxidQueries && topShare >= c.minTopTxidShare) {
      signals.push('constant_txid');
      why.push(`one transaction id on ${percent(topShare)} of ${queries} queries`);
    }
    if (
      queries >= c.minTxidQueries &&
      steps >= c.minTxidQueries - 1 &&
      sequentialShare >= c.minSequentialShare
    ) {
      signals.push('sequential_txid');
      why.push(`transaction ids count up by one on ${percent(sequentialShare)} of ${steps} steps`);
    }
    if (versions >= c.minClients) {
      signals.push('many_clients');
      why.push(`${versions} client versions: ${clients()}`);
    }
    if (signals.length === 0) continue;
    const address = read.addresses[no - 1]!;
    rows.push({
      remoteIp: address.remoteIp,
      asn: address.asn,
      queries,
      nodeIds,
      bep42InvalidShare: invalidShare === undefined ? undefined : round3(invalidShare),
      sensorPrefixShare: round3(copiedShare),
      topTxidShare: round3(topShare),
      sequentialTxidShare: round3(sequentialShare),
      clients: versions === 0 ? undefined : clients(),
      signals: signals.join(','),
      firstSeen: ts[first]!,
      lastSeen: ts[end - 1]!,
      why: why.join('; '),
    });
  }
  return rows;
}

/** DuckDB's round(x, 3) for x ≥ 0. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** DuckDB's printf('%.0f %%', 100 * share): ties to even, as printf rounds. */
function percent(share: number): string {
  const v = 100 * share;
  let n = Math.round(v);
  if (n - v === 0.5 && n % 2 !== 0) n -= 1;
  return `${n} %`;
}

/** DuckDB orders text by its bytes: for these ASCII names, as `<` does. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
